"""Paper venue against bars: which orders fill, when, at what price and for which fee."""

from __future__ import annotations

import pytest

from fixtures.factories import (
    MAKER,
    PERP,
    SLIP,
    SPOT,
    TAKER,
    bar,
    flat_bar,
    qty_signal,
    run_plan,
)
from tradebot.model.enums import LiquiditySide, OrderSide, OrderStatus, OrderType, TimeInForce
from tradebot.model.signals import Signal, SignalIntent

BUY, SELL = OrderSide.BUY, OrderSide.SELL
LIMIT, STOP, STOP_LIMIT = OrderType.LIMIT, OrderType.STOP_MARKET, OrderType.STOP_LIMIT


@pytest.mark.parametrize(("side", "adverse"), [(BUY, 1 + SLIP), (SELL, 1 - SLIP)])
def test_market_order_fills_at_next_bar_open_plus_adverse_slippage_as_taker(
    side: OrderSide, adverse: float
) -> None:
    events = [flat_bar(PERP, 0, 100.0), bar(PERP, 1, 102.0, 103.0, 101.0, 102.5)]

    engine = run_plan(PERP, events, {1: [qty_signal(PERP, 2.0, side)]})

    (fill,) = engine.orders.fills
    assert fill.price == pytest.approx(102.0 * adverse)
    assert fill.fee == pytest.approx(2.0 * 102.0 * adverse * TAKER)
    assert fill.liquidity is LiquiditySide.TAKER
    assert fill.ts_event == events[1].ts_open


@pytest.mark.parametrize(("low", "fills"), [(99.0, True), (98.5, True), (99.01, False)])
def test_resting_limit_buy_fills_at_its_limit_as_maker_only_when_the_low_reaches_it(
    low: float, fills: bool
) -> None:
    events = [flat_bar(SPOT, 0, 100.0), flat_bar(SPOT, 1, 100.0), bar(SPOT, 2, 100, 101, low, 100)]

    engine = run_plan(SPOT, events, {2: [qty_signal(SPOT, 1.0, order_type=LIMIT, price=99.0)]})

    fills_seen = engine.orders.fills
    assert bool(fills_seen) is fills
    if fills:
        assert (fills_seen[0].price, fills_seen[0].liquidity) == (99.0, LiquiditySide.MAKER)
        assert fills_seen[0].fee == pytest.approx(99.0 * MAKER)
        assert events[2].ts_open < fills_seen[0].ts_event <= events[2].ts_event


@pytest.mark.parametrize(("low", "fills"), [(99.0, False), (98.99, True)])
def test_without_fill_on_touch_a_limit_needs_the_price_to_trade_through(
    low: float, fills: bool
) -> None:
    events = [flat_bar(SPOT, 0, 100.0), flat_bar(SPOT, 1, 100.0), bar(SPOT, 2, 100, 101, low, 100)]
    signal = qty_signal(SPOT, 1.0, order_type=LIMIT, price=99.0)

    engine = run_plan(SPOT, events, {2: [signal]}, limit_fill_on_touch=False)

    assert [f.price for f in engine.orders.fills] == ([99.0] if fills else [])


@pytest.mark.parametrize(
    ("open_", "limit"), [(95.0, 99.0), (98.99, 99.0)], ids=["deep", "capped-at-limit"]
)
def test_limit_marketable_on_arrival_fills_at_the_open_as_taker(open_: float, limit: float) -> None:
    events = [flat_bar(SPOT, 0, 100.0), bar(SPOT, 1, open_, open_ + 1, open_ - 1, open_)]

    engine = run_plan(SPOT, events, {1: [qty_signal(SPOT, 1.0, order_type=LIMIT, price=limit)]})

    (fill,) = engine.orders.fills
    assert fill.price == pytest.approx(min(open_ * (1 + SLIP), limit))
    assert fill.liquidity is LiquiditySide.TAKER
    assert fill.ts_event == events[1].ts_open


@pytest.mark.parametrize(
    ("side", "bar_ohlc", "trigger", "expected"),
    [
        (BUY, (110, 111, 109, 110), 105.0, 110 * (1 + SLIP)),  # gap above: the open
        (BUY, (100, 107, 99, 104), 105.0, 105 * (1 + SLIP)),  # intrabar: the trigger
        (SELL, (90, 91, 89, 90), 95.0, 90 * (1 - SLIP)),  # gap below: the open
        (SELL, (100, 101, 93, 96), 95.0, 95 * (1 - SLIP)),  # intrabar: the trigger
    ],
    ids=["buy-gap", "buy-intrabar", "sell-gap", "sell-intrabar"],
)
def test_stop_market_fills_at_trigger_or_gap_open_plus_slippage(
    side: OrderSide, bar_ohlc: tuple[float, ...], trigger: float, expected: float
) -> None:
    events = [flat_bar(PERP, 0, 100.0), bar(PERP, 1, *bar_ohlc)]
    stop = qty_signal(PERP, 1.0, side, order_type=STOP, trigger_price=trigger)

    engine = run_plan(PERP, events, {1: [stop]})

    (fill,) = engine.orders.fills
    assert fill.price == pytest.approx(expected)
    assert fill.liquidity is LiquiditySide.TAKER


def test_stop_market_not_reached_keeps_working() -> None:
    events = [flat_bar(PERP, 0, 100.0), bar(PERP, 1, 100, 104.5, 99, 104)]
    stop = qty_signal(PERP, 1.0, order_type=STOP, trigger_price=105.0)

    engine = run_plan(PERP, events, {1: [stop]})

    assert engine.orders.fills == []
    (order,) = engine.orders.orders.values()
    assert (order.status, order.reason) == (OrderStatus.CANCELED, "canceled by request")  # at stop


def test_stop_limit_marketable_at_trigger_fills_there_as_taker() -> None:
    events = [flat_bar(PERP, 0, 100.0), bar(PERP, 1, 100, 110, 99.5, 108)]
    signal = qty_signal(PERP, 1.0, order_type=STOP_LIMIT, trigger_price=105.0, price=106.0)

    engine = run_plan(PERP, events, {1: [signal]})

    (fill,) = engine.orders.fills
    assert fill.price == pytest.approx(min(105.0 * (1 + SLIP), 106.0))
    assert fill.liquidity is LiquiditySide.TAKER


def test_stop_limit_below_its_trigger_waits_for_the_pullback_and_fills_as_maker() -> None:
    # Path: open 100 → low 99 → high 107 (triggers at 105) → close 103 (passes 104).
    events = [flat_bar(PERP, 0, 100.0), bar(PERP, 1, 100, 107, 99, 103)]
    signal = qty_signal(PERP, 1.0, order_type=STOP_LIMIT, trigger_price=105.0, price=104.0)

    engine = run_plan(PERP, events, {1: [signal]})

    (fill,) = engine.orders.fills
    assert (fill.price, fill.liquidity) == (104.0, LiquiditySide.MAKER)
    (order,) = engine.orders.orders.values()
    assert order.status is OrderStatus.FILLED


@pytest.mark.parametrize(
    ("ohlc", "first_tag", "first_price"),
    [
        ((100, 103.5, 95, 100), "take_profit", 103.0),  # open nearer the high: high first
        ((100, 105, 96, 100), "stop_loss", 97.0 * (1 - SLIP)),  # open nearer the low: low first
    ],
    ids=["open-near-high", "open-near-low"],
)
def test_stop_loss_and_take_profit_in_one_bar_fill_in_path_order(
    ohlc: tuple[float, ...], first_tag: str, first_price: float
) -> None:
    events = [flat_bar(PERP, 0, 100.0), flat_bar(PERP, 1, 100.0), bar(PERP, 2, *ohlc)]
    close = {"instrument_id": PERP.id, "side": SELL, "intent": SignalIntent.CLOSE}
    stop_loss = Signal(**close, order_type=STOP, trigger_price=97.0, tag="stop_loss")
    take_profit = Signal(**close, order_type=LIMIT, price=103.0, tag="take_profit")

    engine = run_plan(PERP, events, {1: [qty_signal(PERP, 1.0)], 2: [stop_loss, take_profit]})

    _, exit_ = engine.orders.fills
    assert (exit_.tag, exit_.quantity) == (first_tag, 1.0)
    assert exit_.price == pytest.approx(first_price)
    (other,) = [
        o
        for o in engine.orders.orders.values()
        if o.tag in ("stop_loss", "take_profit") and o.tag != first_tag
    ]
    assert other.status is OrderStatus.CANCELED
    assert "no position" in other.reason
    assert engine.portfolio.position(PERP.id).is_flat


@pytest.mark.parametrize(
    ("open_", "limit"),
    [(100.0, 101.0), (98.0, 99.0)],
    ids=["above-last-close", "below-last-close-but-gapped-through"],
)
def test_post_only_buy_that_would_cross_on_arrival_is_canceled(open_: float, limit: float) -> None:
    events = [flat_bar(SPOT, 0, 100.0), bar(SPOT, 1, open_, 100.5, 97.0, 99.5)]
    signal = qty_signal(SPOT, 1.0, order_type=LIMIT, price=limit, post_only=True)

    engine = run_plan(SPOT, events, {1: [signal]})

    (order,) = engine.orders.orders.values()
    assert order.status is OrderStatus.CANCELED
    assert order.reason == "post-only order would have taken liquidity"
    assert engine.orders.fills == []


def test_post_only_below_the_market_rests_and_fills_as_maker() -> None:
    events = [flat_bar(SPOT, 0, 100.0), bar(SPOT, 1, 100, 101, 98, 99)]
    signal = qty_signal(SPOT, 1.0, order_type=LIMIT, price=99.0, post_only=True)

    engine = run_plan(SPOT, events, {1: [signal]})

    (fill,) = engine.orders.fills
    assert (fill.price, fill.liquidity) == (99.0, LiquiditySide.MAKER)


@pytest.mark.parametrize("tif", [TimeInForce.IOC, TimeInForce.FOK])
def test_ioc_and_fok_that_cannot_fill_on_arrival_are_canceled(tif: TimeInForce) -> None:
    events = [
        flat_bar(SPOT, 0, 100.0),
        bar(SPOT, 1, 100, 101, 99.5, 100),
        bar(SPOT, 2, 99, 99, 90, 95),
    ]
    signal = qty_signal(SPOT, 1.0, order_type=LIMIT, price=99.0, time_in_force=tif)

    engine = run_plan(SPOT, events, {1: [signal]})

    (order,) = engine.orders.orders.values()
    assert order.status is OrderStatus.CANCELED
    assert order.reason == f"{tif.value} order found nothing to fill"
    assert engine.orders.fills == []  # bar 2 reached the limit, but the order was gone


def test_reduce_only_is_capped_at_the_position_and_canceled_when_flat() -> None:
    events = [flat_bar(PERP, i, 100.0) for i in range(4)]
    reduce = qty_signal(PERP, 0.1, SELL, intent=SignalIntent.REDUCE)
    # Reduce orders sized at signal time for the whole 0.3 (the engine sends each; a market
    # CLOSE would instead be sent once and cancel the rest).
    rest = qty_signal(PERP, 0.3, SELL, intent=SignalIntent.REDUCE)

    engine = run_plan(PERP, events, {1: [qty_signal(PERP, 0.3)], 2: [reduce, rest, rest]})

    sells = [f.quantity for f in engine.orders.fills if f.side is SELL]
    assert sells == pytest.approx([0.1, 0.2])  # the second order was sized for 0.3
    _, reduced, capped, too_late = engine.orders.orders.values()
    assert reduced.status is OrderStatus.FILLED
    assert (capped.status, capped.filled_quantity) == (OrderStatus.CANCELED, pytest.approx(0.2))
    assert capped.reason == "reduce-only remainder canceled: position closed"
    assert (too_late.status, too_late.reason) == (
        OrderStatus.CANCELED,
        "reduce-only order found no position",
    )
    assert engine.portfolio.position(PERP.id).is_flat


def test_insufficient_funds_is_rejected_with_the_numbers_in_the_reason() -> None:
    events = [flat_bar(SPOT, 0, 100.0), flat_bar(SPOT, 1, 100.0)]

    engine = run_plan(SPOT, events, {1: [qty_signal(SPOT, 200.0)]})

    (order,) = engine.orders.orders.values()
    needed = 200.0 * 100.0 * (1 + SLIP) * (1 + TAKER)
    assert order.status is OrderStatus.REJECTED
    assert order.reason == f"insufficient USDT: needed {needed:.8g}, available 10000"
    assert engine.portfolio.account.balance("USDT") == 10_000.0


@pytest.mark.parametrize(("latency_ms", "fill_bar"), [(30_000, 1), (90_000, 2), (150_000, 3)])
def test_latency_delays_the_fill_to_the_bar_in_which_the_order_arrives(
    latency_ms: float, fill_bar: int
) -> None:
    events = [flat_bar(SPOT, i, 100.0 + i) for i in range(5)]

    engine = run_plan(SPOT, events, {1: [qty_signal(SPOT, 1.0)]}, latency_ms=latency_ms)

    (fill,) = engine.orders.fills
    arrival = events[0].ts_event + int(latency_ms * 1_000_000)
    assert fill.ts_event == arrival
    assert events[fill_bar].ts_open <= arrival <= events[fill_bar].ts_event
    assert fill.price == pytest.approx((100.0 + fill_bar) * (1 + SLIP))
