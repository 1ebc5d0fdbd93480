"""Order life cycle: which status may follow which, and what an order must carry."""

from __future__ import annotations

import pytest

from fixtures.factories import SPOT, order
from tradebot.model.enums import OrderSide, OrderStatus, OrderType, TimeInForce
from tradebot.model.orders import InvalidOrderTransition, Order

S = OrderStatus
BUY, SELL = OrderSide.BUY, OrderSide.SELL
FINAL = [S.DENIED, S.REJECTED, S.CANCELED, S.EXPIRED, S.FILLED]

# A way to reach each status from INITIALIZED, following the documented life cycle.
PATH_TO = {
    S.INITIALIZED: [],
    S.DENIED: [S.DENIED],
    S.SUBMITTED: [S.SUBMITTED],
    S.REJECTED: [S.SUBMITTED, S.REJECTED],
    S.ACCEPTED: [S.SUBMITTED, S.ACCEPTED],
    S.TRIGGERED: [S.SUBMITTED, S.ACCEPTED, S.TRIGGERED],
    S.PARTIALLY_FILLED: [S.SUBMITTED, S.ACCEPTED, S.PARTIALLY_FILLED],
    S.FILLED: [S.SUBMITTED, S.ACCEPTED, S.FILLED],
    S.CANCELED: [S.SUBMITTED, S.ACCEPTED, S.CANCELED],
    S.EXPIRED: [S.SUBMITTED, S.ACCEPTED, S.EXPIRED],
}


def order_in(status: OrderStatus) -> Order:
    o = order(SPOT, BUY, 1.0, OrderType.STOP_MARKET, trigger_price=100.0)
    for ts, step in enumerate(PATH_TO[status], start=1):
        o.transition(step, ts)
    return o


@pytest.mark.parametrize(
    "path",
    [
        [S.DENIED],
        [S.SUBMITTED, S.REJECTED],
        [S.SUBMITTED, S.ACCEPTED, S.FILLED],
        [S.SUBMITTED, S.ACCEPTED, S.PARTIALLY_FILLED, S.PARTIALLY_FILLED, S.FILLED],
        [S.SUBMITTED, S.ACCEPTED, S.PARTIALLY_FILLED, S.CANCELED],
        [S.SUBMITTED, S.ACCEPTED, S.TRIGGERED, S.FILLED],
        [S.SUBMITTED, S.ACCEPTED, S.TRIGGERED, S.PARTIALLY_FILLED, S.EXPIRED],
        [S.SUBMITTED, S.ACCEPTED, S.CANCELED],
        [S.SUBMITTED, S.ACCEPTED, S.EXPIRED],
    ],
    ids=lambda path: ">".join(s.value for s in path),
)
def test_documented_life_cycle_paths_are_allowed(path: list[OrderStatus]) -> None:
    o = order_in(S.INITIALIZED)

    for ts, status in enumerate(path, start=1):
        o.transition(status, ts)

    assert o.status is path[-1]
    assert o.ts_last == len(path)
    assert o.is_closed == (path[-1] in FINAL)


@pytest.mark.parametrize("final", FINAL)
@pytest.mark.parametrize("target", list(S))
def test_a_final_state_never_changes(final: OrderStatus, target: OrderStatus) -> None:
    o = order_in(final)

    with pytest.raises(InvalidOrderTransition):
        o.transition(target, 99)

    assert o.status is final


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (S.INITIALIZED, S.ACCEPTED),  # must be submitted first
        (S.INITIALIZED, S.FILLED),
        (S.SUBMITTED, S.DENIED),  # risk denies before sending, never after
        (S.SUBMITTED, S.TRIGGERED),
        (S.ACCEPTED, S.SUBMITTED),  # no way back
        (S.TRIGGERED, S.ACCEPTED),
        (S.PARTIALLY_FILLED, S.ACCEPTED),
        (S.PARTIALLY_FILLED, S.TRIGGERED),
    ],
)
def test_out_of_order_transitions_are_refused(start: OrderStatus, target: OrderStatus) -> None:
    o = order_in(start)

    with pytest.raises(InvalidOrderTransition):
        o.transition(target, 99)

    assert o.status is start


def test_refused_transition_explains_itself_in_plain_words() -> None:
    o = order_in(S.FILLED)

    with pytest.raises(InvalidOrderTransition) as info:
        o.transition(S.CANCELED, 5)

    assert str(info.value) == f"order {o.client_order_id} was filled and cannot become canceled"


def test_transition_keeps_the_reason_and_time() -> None:
    o = order_in(S.SUBMITTED)

    o.transition(S.REJECTED, 7, "insufficient USDT")

    assert (o.status, o.ts_last, o.reason) == (S.REJECTED, 7, "insufficient USDT")


@pytest.mark.parametrize(
    ("status", "is_open"),
    [(s, s in (S.SUBMITTED, S.ACCEPTED, S.TRIGGERED, S.PARTIALLY_FILLED)) for s in S],
)
def test_open_and_closed_flags(status: OrderStatus, is_open: bool) -> None:
    o = order_in(status)

    assert o.is_open is is_open
    assert o.is_closed is (not is_open and status is not S.INITIALIZED)


def test_fills_accumulate_to_a_weighted_average_price() -> None:
    o = order_in(S.ACCEPTED)
    o.quantity = 2.0

    o.apply_fill(0.5, 100.0, 10)
    after_first = (o.status, o.leaves_quantity)
    o.apply_fill(1.5, 104.0, 11)

    assert after_first == (S.PARTIALLY_FILLED, 1.5)
    assert o.status is S.FILLED
    assert o.filled_quantity == 2.0
    assert o.leaves_quantity == 0.0
    assert o.avg_price == pytest.approx((0.5 * 100.0 + 1.5 * 104.0) / 2.0)


def test_quote_sized_market_buy_is_sized_by_its_first_fill() -> None:
    o = order(SPOT, BUY, 0.0, quote_quantity=1_000.0)
    o.transition(S.SUBMITTED, 1)
    o.transition(S.ACCEPTED, 1)

    o.apply_fill(0.049, 20_000.0, 2)

    assert o.quantity == 0.049
    assert o.status is S.FILLED


@pytest.mark.parametrize(
    ("side", "order_type", "kwargs"),
    [
        (SELL, OrderType.MARKET, {}),
        (BUY, OrderType.LIMIT, {"price": 100.0}),
        (BUY, OrderType.STOP_MARKET, {"trigger_price": 100.0}),
    ],
    ids=["market-sell", "limit-buy", "stop-buy"],
)
def test_only_market_buys_may_be_sized_in_quote(
    side: OrderSide, order_type: OrderType, kwargs: dict[str, float]
) -> None:
    with pytest.raises(ValueError, match="only market buys can be sized in quote"):
        order(SPOT, side, 0.0, order_type, quote_quantity=500.0, **kwargs)


@pytest.mark.parametrize(
    ("quantity", "order_type", "kwargs", "message"),
    [
        (-1.0, OrderType.MARKET, {}, "must not be negative"),
        (1.0, OrderType.MARKET, {"quote_quantity": -5.0}, "must not be negative"),
        (0.0, OrderType.MARKET, {}, "quantity was 0"),
        (1.0, OrderType.LIMIT, {}, "a limit order needs a price"),
        (1.0, OrderType.STOP_LIMIT, {"trigger_price": 99.0}, "a stop_limit order needs a price"),
        (1.0, OrderType.STOP_MARKET, {}, "a stop_market order needs a trigger"),
        (1.0, OrderType.STOP_LIMIT, {"price": 99.0}, "a stop_limit order needs a trigger"),
        (1.0, OrderType.MARKET, {"post_only": True}, "only limit orders can be post-only"),
    ],
)
def test_invalid_orders_are_refused_at_creation(
    quantity: float, order_type: OrderType, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        order(SPOT, BUY, quantity, order_type, **kwargs)  # type: ignore[arg-type]


def test_a_new_order_starts_initialized_with_its_settings() -> None:
    o = order(
        SPOT,
        SELL,
        0.25,
        OrderType.LIMIT,
        price=101.0,
        time_in_force=TimeInForce.IOC,
        reduce_only=True,
        ts_init=42,
    )

    assert o.status is S.INITIALIZED
    assert not o.is_open
    assert not o.is_closed
    assert (o.price, o.time_in_force, o.reduce_only) == (101.0, TimeInForce.IOC, True)
    assert o.ts_init == o.ts_last == o.ts_active == 42
    assert o.leaves_quantity == 0.25
