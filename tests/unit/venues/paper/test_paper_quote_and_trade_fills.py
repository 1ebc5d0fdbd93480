"""Paper venue against quotes (bid/ask with sizes) and public trades."""

from __future__ import annotations

import pytest

from fixtures.factories import (
    MAKER,
    MIN,
    SLIP,
    SPOT,
    TAKER,
    ScriptedStrategy,
    VenueHarness,
    bar,
    flat_bar,
    order,
    paper_engine,
    paper_harness,
    qty_signal,
)
from tradebot.engine.runners import run_events
from tradebot.model.data import QuoteTick, TradeTick
from tradebot.model.enums import LiquiditySide, OrderSide, OrderStatus, OrderType, TimeInForce
from tradebot.model.events import OrderFilled
from tradebot.model.orders import Order

BUY, SELL = OrderSide.BUY, OrderSide.SELL
LIMIT = OrderType.LIMIT


def quote(
    n: int, bid: float, ask: float, bid_size: float = 10.0, ask_size: float = 10.0
) -> QuoteTick:
    return QuoteTick(SPOT.id, MIN + n, bid, ask, bid_size, ask_size)


def trade(n: int, price: float, size: float = 10.0) -> TradeTick:
    return TradeTick(SPOT.id, MIN + n, price, size)


def harness() -> VenueHarness:
    return paper_harness([SPOT], {"USDT": 10_000.0, "BTC": 5.0})


@pytest.mark.parametrize(("side", "touch"), [(BUY, 100.5), (SELL, 100.0)])
def test_market_order_fills_at_the_touch_without_slippage_as_taker(
    side: OrderSide, touch: float
) -> None:
    h = harness()
    o = h.submit(order(SPOT, side, 1.0))

    h.feed(quote(1, 100.0, 100.5))

    (fill,) = h.log.fills
    assert (fill.price, fill.quantity, fill.liquidity) == (touch, 1.0, LiquiditySide.TAKER)
    assert fill.fee == pytest.approx(touch * TAKER)
    assert h.log.kinds(o) == ["accepted", "filled"]


def test_market_buy_fills_in_parts_limited_by_the_ask_size_of_each_quote() -> None:
    h = harness()
    h.submit(order(SPOT, BUY, 1.0))

    h.feed(quote(1, 100.0, 100.5, ask_size=0.4), quote(2, 100.0, 100.6, ask_size=0.4))
    h.feed(quote(3, 100.0, 100.7, ask_size=5.0))

    fills = h.log.fills
    assert [f.quantity for f in fills] == pytest.approx([0.4, 0.4, 0.2])
    assert [f.price for f in fills] == [100.5, 100.6, 100.7]
    assert h.portfolio.account.balance("BTC") == pytest.approx(6.0)
    cost = 0.4 * 100.5 + 0.4 * 100.6 + 0.2 * 100.7
    assert h.portfolio.account.balance("USDT") == pytest.approx(10_000 - cost * (1 + TAKER))


def test_ioc_takes_what_the_quote_offers_and_cancels_the_remainder() -> None:
    h = harness()
    o = h.submit(order(SPOT, BUY, 1.0, time_in_force=TimeInForce.IOC))

    h.feed(quote(1, 100.0, 100.5, ask_size=0.3), quote(2, 100.0, 100.5, ask_size=5.0))

    assert [f.quantity for f in h.log.fills] == [0.3]
    assert h.log.kinds(o) == ["accepted", "filled", "canceled"]
    assert h.log.reason(o) == "ioc remainder canceled"


@pytest.mark.parametrize(("ask_size", "filled"), [(0.99, 0.0), (1.0, 1.0)])
def test_fok_fills_in_full_or_not_at_all(ask_size: float, filled: float) -> None:
    h = harness()
    o = h.submit(order(SPOT, BUY, 1.0, time_in_force=TimeInForce.FOK))

    h.feed(quote(1, 100.0, 100.5, ask_size=ask_size), quote(2, 100.0, 100.5, ask_size=5.0))

    assert sum(f.quantity for f in h.log.fills) == filled
    if not filled:
        assert h.log.reason(o) == "fok order could not fill in full"


def test_resting_limit_buy_fills_at_its_limit_as_maker_once_the_ask_reaches_it() -> None:
    h = harness()
    h.submit(order(SPOT, BUY, 1.0, LIMIT, price=99.0))

    h.feed(quote(1, 99.5, 100.0), quote(2, 98.9, 99.1))
    untouched = list(h.log.fills)
    h.feed(quote(3, 98.0, 98.5, ask_size=0.6), quote(4, 98.0, 98.5))

    assert untouched == []
    assert [(f.price, f.quantity) for f in h.log.fills] == [(99.0, 0.6), (99.0, 0.4)]
    assert {f.liquidity for f in h.log.fills} == {LiquiditySide.MAKER}
    assert h.log.fills[0].fee == pytest.approx(0.6 * 99.0 * MAKER)


def test_limit_marketable_on_arrival_takes_the_ask() -> None:
    h = harness()
    h.submit(order(SPOT, BUY, 1.0, LIMIT, price=101.0))

    h.feed(quote(1, 100.0, 100.5))

    (fill,) = h.log.fills
    assert (fill.price, fill.liquidity) == (100.5, LiquiditySide.TAKER)


@pytest.mark.parametrize("tif", [TimeInForce.IOC, TimeInForce.FOK])
def test_ioc_and_fok_limits_that_do_not_cross_on_arrival_are_canceled(tif: TimeInForce) -> None:
    h = harness()
    o = h.submit(order(SPOT, BUY, 1.0, LIMIT, price=100.0, time_in_force=tif))

    h.feed(quote(1, 100.5, 101.0), quote(2, 99.0, 99.5))

    assert h.log.fills == []
    assert h.log.reason(o) == f"{tif.value} order found nothing to fill"


@pytest.mark.parametrize(("limit", "canceled"), [(100.4, False), (100.5, True)])
def test_post_only_inside_the_spread_rests_and_one_that_crosses_is_canceled(
    limit: float, canceled: bool
) -> None:
    h = harness()
    o = h.submit(order(SPOT, BUY, 1.0, LIMIT, price=limit, post_only=True))

    h.feed(quote(1, 99.0, 100.5))

    assert h.log.fills == []
    assert ("canceled" in h.log.kinds(o)) is canceled
    assert (o in h.venue.open_orders()) is not canceled


def test_stop_triggered_by_a_quote_that_cannot_be_paid_is_canceled_with_the_numbers() -> None:
    h = harness()
    o = h.submit(order(SPOT, BUY, 99.0, OrderType.STOP_MARKET, trigger_price=101.0))

    h.feed(quote(1, 101.0, 102.0, ask_size=1_000.0))

    needed = 99.0 * 102.0 * (1 + TAKER)
    assert h.log.kinds(o) == ["accepted", "triggered", "canceled"]
    assert h.log.reason(o) == f"insufficient USDT: needed {needed:.8g}, available 10000"


def test_partly_filled_order_that_runs_out_of_cash_has_its_remainder_canceled() -> None:
    engine = paper_engine([SPOT], [ScriptedStrategy({1: [qty_signal(SPOT, 1.0)]})], cash=150.0)
    events = [flat_bar(SPOT, 0, 100.0), quote(1, 99.5, 100.0, ask_size=0.5), quote(2, 199, 200)]

    run_events(engine, events)

    (fill,) = engine.orders.fills
    (o,) = engine.orders.orders.values()
    needed, available = 0.5 * 200.0 * (1 + TAKER), 150.0 - 0.5 * 100.0 * (1 + TAKER)
    assert (fill.quantity, fill.price) == (0.5, 100.0)
    assert (o.status, o.filled_quantity) == (OrderStatus.CANCELED, 0.5)
    assert o.reason == f"insufficient USDT: needed {needed:.8g}, available {available:.8g}"


def test_triggered_stop_partly_filled_by_quotes_finishes_on_the_next_bar_open() -> None:
    h = harness()
    o = h.submit(order(SPOT, BUY, 1.0, OrderType.STOP_MARKET, trigger_price=101.0))

    h.feed(quote(1, 101.0, 101.5, ask_size=0.3), bar(SPOT, 2, 102.0, 103.0, 101.0, 102.5))

    assert [(f.quantity, f.price) for f in h.log.fills] == [
        (0.3, 101.5),
        (pytest.approx(0.7), pytest.approx(102.0 * (1 + SLIP))),
    ]
    assert o not in h.venue.open_orders()


def test_an_order_canceled_by_a_fill_callback_does_not_fill_on_the_same_quote() -> None:
    class OneCancelsOther(ScriptedStrategy):
        def on_fill(self, order: Order, fill: OrderFilled) -> None:
            self.cancel_all()

    twin = qty_signal(SPOT, 0.5, order_type=LIMIT, price=100.0)
    strategy = OneCancelsOther({1: [twin, twin]})
    engine = paper_engine([SPOT], [strategy])
    events = [flat_bar(SPOT, 0, 100.5), quote(1, 100.5, 101.0), quote(2, 99.0, 99.5)]

    run_events(engine, events)

    assert [f.quantity for f in engine.orders.fills] == [0.5]
    statuses = [o.status for o in engine.orders.orders.values()]
    assert statuses == [OrderStatus.FILLED, OrderStatus.CANCELED]
    assert engine.failures == []


def test_limit_marketable_on_a_trade_fills_near_the_trade_not_at_the_limit() -> None:
    h = harness()
    h.submit(order(SPOT, BUY, 1.0, LIMIT, price=105.0))

    h.feed(trade(1, 100.0))

    (fill,) = h.log.fills
    assert fill.price == pytest.approx(min(100.0 * (1 + SLIP), 105.0))
    assert fill.liquidity is LiquiditySide.TAKER


def test_resting_limit_fills_at_its_limit_as_maker_when_a_trade_prints_through() -> None:
    h = harness()
    h.submit(order(SPOT, SELL, 2.0, LIMIT, price=101.0))

    h.feed(trade(1, 100.0), trade(2, 100.9), trade(3, 101.2, size=0.5), trade(4, 101.0, size=5))

    assert [(f.price, f.quantity) for f in h.log.fills] == [(101.0, 0.5), (101.0, 1.5)]
    assert {f.liquidity for f in h.log.fills} == {LiquiditySide.MAKER}


def test_ioc_limit_that_a_trade_does_not_reach_on_arrival_is_canceled() -> None:
    h = harness()
    o = h.submit(order(SPOT, BUY, 1.0, LIMIT, price=99.0, time_in_force=TimeInForce.IOC))

    h.feed(trade(1, 100.0), trade(2, 98.0))

    assert h.log.fills == []
    assert h.log.reason(o) == "ioc order found nothing to fill"
