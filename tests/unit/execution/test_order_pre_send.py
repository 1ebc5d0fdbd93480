"""The order manager's pre-send hook: storage writes each order ahead; a failed write means
the order is denied and never reaches the venue."""

from __future__ import annotations

import pytest

from fixtures.factories import PERP, SPOT, order
from tradebot.engine.bus import MessageBus
from tradebot.execution.interfaces import ExecutionEvents
from tradebot.execution.order_manager import OrderManager
from tradebot.model.account import Account
from tradebot.model.enums import OrderSide, OrderStatus
from tradebot.model.events import OrderUpdated
from tradebot.model.identifiers import StrategyId
from tradebot.model.orders import Order
from tradebot.portfolio.portfolio import Portfolio

BUY = OrderSide.BUY


class FakeVenue:
    """Accepts every order at once; records what it was sent."""

    venue = "T"

    def __init__(self) -> None:
        self.sent: list[Order] = []
        self.events: ExecutionEvents | None = None

    def connect(self, events: ExecutionEvents) -> None:
        self.events = events

    def submit_order(self, order: Order) -> None:
        self.sent.append(order)
        assert self.events is not None
        self.events.on_order_accepted(order, 1)

    def cancel_order(self, order: Order) -> None:
        raise AssertionError("not used")


def manager() -> tuple[OrderManager, FakeVenue, Portfolio, list[object]]:
    pf = Portfolio(Account("USDT", {"USDT": 10_000.0}), [SPOT, PERP])
    bus = MessageBus()
    published: list[object] = []
    bus.subscribe(OrderUpdated, published.append)
    om = OrderManager(pf, bus.publish, lambda: 0)
    venue = FakeVenue()
    om.add_client(venue)
    return om, venue, pf, published


def test_without_a_hook_orders_go_straight_to_the_venue() -> None:
    om, venue, _, _ = manager()
    assert om.pre_send is None

    om.submit(o := order(SPOT, BUY, 1.0))

    assert venue.sent == [o]


def test_the_hook_sees_each_order_before_the_venue_does() -> None:
    om, venue, _, _ = manager()
    seen: list[tuple[str, int]] = []

    def write_ahead(o: Order) -> None:
        seen.append((o.status.value, len(venue.sent)))

    om.pre_send = write_ahead
    om.submit(order(SPOT, BUY, 1.0))
    om.submit(order(SPOT, BUY, 2.0))

    assert seen == [("initialized", 0), ("initialized", 1)]
    assert len(venue.sent) == 2


def test_a_failed_write_denies_the_order_and_it_is_never_sent() -> None:
    om, venue, _, published = manager()

    def database_down(o: Order) -> None:
        raise OSError("database is down")

    om.pre_send = database_down
    om.submit(o := order(SPOT, BUY, 1.0))

    assert venue.sent == []
    assert o.status is OrderStatus.DENIED
    assert "database is down" in o.reason
    assert om.open_orders() == []
    [update] = [m for m in published if isinstance(m, OrderUpdated)]
    assert update.status is OrderStatus.DENIED


def test_a_failed_write_of_one_leg_denies_the_whole_structure() -> None:
    om, venue, _, _ = manager()
    legs = [order(PERP, BUY, 1.0), order(PERP, BUY, 2.0)]

    def second_fails(o: Order) -> None:
        if o is legs[1]:
            raise OSError("disk full")

    om.pre_send = second_fails
    om.submit_structure(legs)

    assert venue.sent == []
    assert [leg.status for leg in legs] == [OrderStatus.DENIED, OrderStatus.DENIED]


def test_counters_can_be_saved_and_restored() -> None:
    om, *_ = manager()
    om.next_id(StrategyId("a"))
    saved = om.counters
    again, *_ = manager()
    again.counters = saved

    assert again.next_id(StrategyId("a")) == "a-000002"


def test_an_order_id_used_in_this_run_is_refused() -> None:
    om, *_ = manager()
    om.submit(o := order(SPOT, BUY, 1.0))
    with pytest.raises(ValueError, match="already used"):
        om.submit(o)
