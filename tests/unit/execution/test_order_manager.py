"""Order manager: ids, state changes from venue reports, booking fills, cancels."""

from __future__ import annotations

import pytest

from fixtures.factories import PERP, SPOT, fill, order
from tradebot.engine.bus import MessageBus
from tradebot.execution.interfaces import ExecutionEvents
from tradebot.execution.order_manager import OrderManager
from tradebot.model.account import Account
from tradebot.model.enums import OrderSide, OrderStatus, OrderType
from tradebot.model.events import OrderFilled, OrderUpdated
from tradebot.model.identifiers import StrategyId
from tradebot.model.orders import Order
from tradebot.portfolio.portfolio import Portfolio

BUY, SELL = OrderSide.BUY, OrderSide.SELL


class FakeVenue:
    """Accepts every order at once and cancels on request; records what it was sent."""

    venue = "T"

    def __init__(self) -> None:
        self.sent: list[Order] = []
        self.cancels: list[Order] = []
        self.events: ExecutionEvents | None = None

    def connect(self, events: ExecutionEvents) -> None:
        self.events = events

    def submit_order(self, order: Order) -> None:
        self.sent.append(order)
        assert self.events is not None
        self.events.on_order_accepted(order, 1)

    def cancel_order(self, order: Order) -> None:
        self.cancels.append(order)
        assert self.events is not None
        self.events.on_order_canceled(order, "canceled by request", 2)


def manager() -> tuple[OrderManager, FakeVenue, Portfolio, list[object]]:
    pf = Portfolio(Account("USDT", {"USDT": 10_000.0}), [SPOT, PERP])
    bus = MessageBus()
    published: list[object] = []
    for kind in (OrderUpdated, OrderFilled):
        bus.subscribe(kind, published.append)
    om = OrderManager(pf, bus.publish, lambda: 0)
    venue = FakeVenue()
    om.add_client(venue)
    return om, venue, pf, published


def test_client_order_ids_are_deterministic_per_strategy() -> None:
    om, *_ = manager()

    ids = [om.next_id(StrategyId(s)) for s in ("a", "a", "b", "a")]

    assert ids == ["a-000001", "a-000002", "b-000001", "a-000003"]


def test_submit_sends_the_order_and_records_the_acceptance() -> None:
    om, venue, _, published = manager()
    o = order(SPOT, BUY, 1.0)

    om.submit(o)

    assert venue.sent == [o]
    assert o.status is OrderStatus.ACCEPTED
    assert om.open_orders() == [o]
    assert [(u.client_order_id, u.status) for u in published] == [
        (o.client_order_id, OrderStatus.ACCEPTED)
    ]


def test_an_id_cannot_be_used_twice() -> None:
    om, *_ = manager()
    first = order(SPOT, BUY, 1.0)
    om.submit(first)
    twin = Order(first.client_order_id, SPOT.id, BUY, OrderType.MARKET, 1.0)

    with pytest.raises(ValueError, match="already used"):
        om.submit(twin)


def test_fills_are_booked_into_the_portfolio_and_reported_to_listeners() -> None:
    om, _, pf, published = manager()
    o = order(SPOT, BUY, 1.0)
    om.submit(o)
    heard: list[tuple[Order, OrderFilled]] = []
    om.on_fill(lambda order, f: heard.append((order, f)))
    first = fill(SPOT, BUY, 0.4, 100.0, fee=0.024, ts=5)
    second = fill(SPOT, BUY, 0.6, 101.0, fee=0.036, ts=6)

    om.on_order_filled(o, first)
    om.on_order_filled(o, second)

    assert o.status is OrderStatus.FILLED
    assert o.avg_price == pytest.approx(0.4 * 100.0 + 0.6 * 101.0)
    assert om.fills == [first, second]
    assert heard == [(o, first), (o, second)]
    assert published[-2:] == [first, second]
    assert pf.account.balance("BTC") == pytest.approx(1.0)
    assert pf.account.balance("USDT") == pytest.approx(10_000 - 40.0 - 60.6 - 0.06)


def test_a_fill_the_venue_started_itself_is_recorded_too() -> None:
    om, _, pf, _ = manager()
    pf.apply_fill(fill(PERP, BUY, 1.0, 100.0))
    liquidation = order(PERP, SELL, 1.0, reduce_only=True)

    om.on_order_filled(liquidation, fill(PERP, SELL, 1.0, 80.0, tag="liquidation"))

    assert om.orders[liquidation.client_order_id] is liquidation
    assert liquidation.status is OrderStatus.FILLED
    assert pf.position(PERP.id).is_flat


def test_cancel_all_cancels_only_the_open_orders_of_the_strategy() -> None:
    om, venue, _, _ = manager()
    mine = [order(SPOT, BUY, 1.0, OrderType.LIMIT, price=90.0, strategy_id=StrategyId("a"))]
    mine.append(order(SPOT, BUY, 1.0, OrderType.LIMIT, price=91.0, strategy_id=StrategyId("a")))
    theirs = order(SPOT, BUY, 1.0, OrderType.LIMIT, price=92.0, strategy_id=StrategyId("b"))
    for o in [*mine, theirs]:
        om.submit(o)
    om.on_order_filled(mine[0], fill(SPOT, BUY, 1.0, 90.0))

    count = om.cancel_all(strategy_id=StrategyId("a"))

    assert count == 1
    assert venue.cancels == [mine[1]]
    assert [o.status for o in (*mine, theirs)] == [
        OrderStatus.FILLED,
        OrderStatus.CANCELED,
        OrderStatus.ACCEPTED,
    ]


def test_deny_records_the_order_with_the_reason_and_never_sends_it() -> None:
    om, venue, _, published = manager()
    o = order(SPOT, SELL, 1.0)

    om.deny(o, "SPOT_SHORT: cannot sell coins not held")

    assert venue.sent == []
    assert (o.status, o.reason) == (OrderStatus.DENIED, "SPOT_SHORT: cannot sell coins not held")
    assert om.orders[o.client_order_id] is o
    assert isinstance(published[-1], OrderUpdated)


def test_triggered_is_recorded_only_for_an_accepted_order() -> None:
    om, *_ = manager()
    o = order(SPOT, BUY, 1.0, OrderType.STOP_MARKET, trigger_price=105.0)
    om.submit(o)

    om.on_order_triggered(o, 3)
    om.on_order_triggered(o, 4)  # a repeated report changes nothing

    assert (o.status, o.ts_last) == (OrderStatus.TRIGGERED, 3)
