"""Order life cycle, instrument arithmetic and position accounting."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradebot.model.enums import LiquiditySide, OrderSide, OrderStatus, OrderType, Settlement
from tradebot.model.events import OrderFilled
from tradebot.model.identifiers import ClientOrderId, InstrumentId, StrategyId
from tradebot.model.instruments import Perpetual, Spot
from tradebot.model.orders import InvalidOrderTransition, Order
from tradebot.model.positions import Position

LINEAR = Perpetual(
    id=InstrumentId("BTC/USDT:USDT", "T"), base="BTC", quote="USDT", size_increment=Decimal("0.001")
)
INVERSE = Perpetual(
    id=InstrumentId("BTC/USD:BTC", "T"),
    base="BTC",
    quote="USD",
    settlement=Settlement.INVERSE,
    multiplier=Decimal("10"),
    size_increment=Decimal("1"),
)
prices = st.floats(min_value=100.0, max_value=100_000.0, allow_nan=False)


def _order(**kw: object) -> Order:
    args: dict[str, object] = {"quantity": 1.0}
    args.update(kw)
    return Order(
        ClientOrderId("o-1"),
        LINEAR.id,
        OrderSide.BUY,
        args.pop("order_type", OrderType.MARKET),
        **args,
    )  # type: ignore[arg-type]


def _fill(side: OrderSide, qty: float, price: float, ts: int = 0, fee: float = 0.0) -> OrderFilled:
    return OrderFilled(
        ClientOrderId("o"),
        LINEAR.id,
        StrategyId("s"),
        side,
        qty,
        price,
        fee,
        "USDT",
        LiquiditySide.TAKER,
        ts,
    )


def test_order_walks_through_its_life_cycle() -> None:
    order = _order()
    order.transition(OrderStatus.SUBMITTED, 1)
    order.transition(OrderStatus.ACCEPTED, 2)
    order.apply_fill(0.4, 100.0, 3)
    assert order.status is OrderStatus.PARTIALLY_FILLED
    order.apply_fill(0.6, 110.0, 4)

    assert order.status is OrderStatus.FILLED
    assert order.avg_price == pytest.approx(106.0)
    assert order.is_closed


def test_a_filled_order_cannot_be_canceled() -> None:
    order = _order()
    for status in (OrderStatus.SUBMITTED, OrderStatus.ACCEPTED, OrderStatus.FILLED):
        order.transition(status, 1)

    with pytest.raises(InvalidOrderTransition, match="was filled and cannot become canceled"):
        order.transition(OrderStatus.CANCELED, 2)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"quantity": 0.0}, "quantity was 0"),
        ({"quantity": -1.0}, "must not be negative"),
        ({"order_type": OrderType.LIMIT}, "needs a price"),
        ({"order_type": OrderType.STOP_MARKET}, "needs a trigger"),
        ({"post_only": True}, "only limit orders can be post-only"),
        (
            {"quantity": 0.0, "quote_quantity": 10.0, "order_type": OrderType.LIMIT, "price": 1.0},
            "only market buys",
        ),
    ],
)
def test_malformed_orders_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _order(**kwargs)


@pytest.mark.parametrize(
    ("value", "expected"), [(0.30000000000000004, 0.3), (2.9999999999, 2.999), (1.0005, 1.0)]
)
def test_floor_size_absorbs_float_noise(value: float, expected: float) -> None:
    assert LINEAR.floor_size(value) == expected


@given(prices, prices, prices, st.floats(min_value=-50, max_value=50).filter(lambda q: q != 0))
def test_pnl_adds_up_over_consecutive_moves(a: float, b: float, c: float, q: float) -> None:
    for inst in (LINEAR, INVERSE):
        total = inst.pnl(q, a, c)
        assert inst.pnl(q, a, b) + inst.pnl(q, b, c) == pytest.approx(total, rel=1e-9, abs=1e-9)


def test_inverse_pnl_is_in_coin() -> None:
    # 100 contracts of 10 USD, long from 20,000 to 25,000: 1000 × (1/20000 − 1/25000) BTC.
    assert INVERSE.pnl(100, 20_000, 25_000) == pytest.approx(1000 * (1 / 20_000 - 1 / 25_000))


def test_inverse_average_entry_is_harmonic() -> None:
    pos = Position(INVERSE)
    pos.apply(_fill(OrderSide.BUY, 100, 20_000))
    pos.apply(_fill(OrderSide.BUY, 100, 25_000))

    assert pos.avg_entry_price == pytest.approx(200 / (100 / 20_000 + 100 / 25_000))


def test_flip_closes_one_trade_and_opens_the_next_with_fees_split() -> None:
    pos = Position(LINEAR)
    pos.apply(_fill(OrderSide.BUY, 1.0, 100.0, ts=1, fee=0.1))

    realized, trades = pos.apply(_fill(OrderSide.SELL, 3.0, 110.0, ts=2, fee=0.3))

    (trade,) = trades
    assert realized == pytest.approx(10.0)
    assert trade.side == "long"
    assert trade.fees == pytest.approx(0.1 + 0.1)  # entry fee + one third of the flip fee
    assert trade.pnl == pytest.approx(10.0 - 0.2)
    assert pos.quantity == pytest.approx(-2.0)
    assert pos.avg_entry_price == 110.0


@given(st.lists(st.tuples(st.booleans(), st.integers(1, 5), prices), min_size=1, max_size=30))
def test_closed_trades_explain_all_realized_pnl(moves: list[tuple[bool, int, float]]) -> None:
    pos = Position(LINEAR)
    trades = []
    for i, (buy, lots, price) in enumerate(moves):
        side = OrderSide.BUY if buy else OrderSide.SELL
        trades += pos.apply(_fill(side, lots * 0.001, price, ts=i))[1]
    if not pos.is_flat:
        side = OrderSide.SELL if pos.quantity > 0 else OrderSide.BUY
        trades += pos.apply(_fill(side, abs(pos.quantity), 1000.0, ts=len(moves)))[1]

    assert pos.is_flat
    assert sum(t.gross_pnl for t in trades) == pytest.approx(pos.realized_pnl, abs=1e-6)


def test_spot_is_not_a_derivative() -> None:
    spot = Spot(id=InstrumentId("BTC/USDT", "T"), base="BTC", quote="USDT")
    assert not spot.is_derivative
    assert LINEAR.is_derivative
    assert INVERSE.settlement_currency == "BTC"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"quantity": float("nan")}, "negative or NaN"),
        ({"order_type": OrderType.LIMIT, "price": 0.0}, "price was 0.0"),
        ({"order_type": OrderType.LIMIT, "price": float("nan")}, "price was nan"),
        ({"order_type": OrderType.STOP_MARKET, "trigger_price": -5.0}, "trigger price was -5.0"),
    ],
)
def test_nan_and_non_positive_prices_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _order(**kwargs)
