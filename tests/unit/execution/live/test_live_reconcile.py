"""Reconciliation: every kind of difference between the engine and the venue is healed."""

from __future__ import annotations

import pytest

from fixtures.factories import PERP
from fixtures.live_harness import Live, run
from tradebot.execution.errors import AuthenticationError
from tradebot.execution.gateway import VenueBalance, VenuePosition
from tradebot.execution.live_client import LiveClientConfig
from tradebot.execution.live_events import ReconcileDifference
from tradebot.model.enums import OrderSide, OrderStatus
from tradebot.model.identifiers import ClientOrderId

SYMBOL = PERP.id.symbol


def _config(**kwargs: object) -> LiveClientConfig:
    return LiveClientConfig(poll_every_s=0, reconcile_every_s=0, **kwargs)  # type: ignore[arg-type]


def _kinds(live: Live) -> list[tuple[str, str, str]]:
    return [(d.kind, d.subject, d.action) for d in live.of(ReconcileDifference)]


def test_unknown_venue_order_is_canceled_by_default() -> None:
    async def body() -> None:
        live = Live(_config(heal_positions=False, heal_balances=False))
        live.stub.add_foreign_order("by-hand-1", SYMBOL, "buy", 2.0, 90.0)
        report = await live.client.reconcile()
        assert live.stub.orders["by-hand-1"].status == "canceled"
        assert [(d.kind, d.action) for d in report.differences] == [
            ("unknown_venue_order", "canceled")
        ]
        assert _kinds(live) == [("unknown_venue_order", "by-hand-1", "canceled")]

    run(body())


def test_unknown_venue_order_ignored_when_configured() -> None:
    async def body() -> None:
        live = Live(_config(unknown_orders="ignore", heal_positions=False, heal_balances=False))
        live.stub.add_foreign_order("by-hand-1", SYMBOL, "buy", 2.0, 90.0)
        await live.client.reconcile()
        assert live.stub.orders["by-hand-1"].status == "open"
        assert _kinds(live) == [("unknown_venue_order", "by-hand-1", "ignored")]

    run(body())


def test_unknown_venue_order_adopted_then_tracked_like_our_own() -> None:
    async def body() -> None:
        live = Live(_config(unknown_orders="adopt", heal_positions=False, heal_balances=False))
        live.stub.add_foreign_order("by-hand-1", SYMBOL, "sell", 2.0, 110.0)
        live.stub.add_fill("by-hand-1", 0.5, 110.0, trade_id="old-1")  # before we looked
        await live.client.reconcile()
        adopted = live.om.orders[ClientOrderId("by-hand-1")]
        assert adopted.status is OrderStatus.PARTIALLY_FILLED
        assert adopted.filled_quantity == 0.5
        assert adopted.tag == "adopted"
        assert live.om.open_orders() == [adopted]
        # its old execution is not booked again; a new one is
        live.stub.add_fill("by-hand-1", 1.5, 111.0, trade_id="new-1")
        await live.client.reconcile()
        assert adopted.status is OrderStatus.FILLED
        assert [f.trade_id for f in live.om.fills] == ["new-1"]
        assert _kinds(live)[0] == ("unknown_venue_order", "by-hand-1", "adopted")

    run(body())


@pytest.mark.parametrize(
    ("venue_side", "expected", "trail", "difference"),
    [
        ("filled", OrderStatus.FILLED, ["accepted", "fill:R-1:1"], ("missed_fill", "booked")),
        (
            "filled, trade list silent",
            OrderStatus.FILLED,
            ["accepted", "fill:v1-rec-1:1"],
            ("missing_local_order", "filled"),
        ),
        (
            "canceled",
            OrderStatus.CANCELED,
            ["accepted", "canceled"],
            ("missing_local_order", "canceled"),
        ),
        (
            "gone",
            OrderStatus.CANCELED,
            ["accepted", "canceled"],
            ("missing_local_order", "canceled"),
        ),
    ],
)
def test_local_order_the_venue_no_longer_lists_is_resolved(
    venue_side: str, expected: OrderStatus, trail: list[str], difference: tuple[str, str]
) -> None:
    async def body() -> None:
        live = Live(_config(heal_positions=False, heal_balances=False))
        order = live.submit()
        await live.settle()
        cid = order.client_order_id
        if venue_side.startswith("filled"):
            live.stub.add_fill(cid, 1.0, 100.0, trade_id="R-1")
            if venue_side != "filled":
                live.stub.fills.clear()  # only fetch_order tells: book from its figures
        elif venue_side == "canceled":
            live.stub.set_status(cid, "canceled")
        else:
            live.stub.forget(cid)
        report = await live.client.reconcile()
        assert order.status is expected
        assert live.trail(cid) == trail
        assert [(d.kind, d.action) for d in report.differences] == [difference]
        assert live.stub.create_calls == 1

    run(body())


def test_missed_fill_is_booked_once() -> None:
    async def body() -> None:
        live = Live(_config(heal_positions=False, heal_balances=False))
        order = live.submit(live.order(quantity=2.0))
        await live.settle()
        live.stub.add_fill(order.client_order_id, 0.5, 100.0, trade_id="M-1")
        first = await live.client.reconcile()
        second = await live.client.reconcile()
        assert [(d.kind, d.venue_value) for d in first.differences] == [("missed_fill", 1.0)]
        assert second.differences == ()
        assert order.filled_quantity == 0.5
        assert live.portfolio.holding(PERP.id) == 0.5

    run(body())


def test_position_and_balance_follow_the_venue() -> None:
    async def body() -> None:
        live = Live(_config(), cash=10_000.0)
        live.stub.positions = [
            VenuePosition(symbol=SYMBOL, amount=-0.25, entry_price=30_000.0, mark_price=30_100.0)
        ]
        live.stub.balances = [
            VenueBalance(currency="USDT", total=9_876.5, free=9_000.0, used=876.5)
        ]
        report = await live.client.reconcile()
        assert live.portfolio.holding(PERP.id) == -0.25
        assert live.portfolio.positions[PERP.id].avg_entry_price == 30_100.0
        assert live.portfolio.account.balance("USDT") == 9_876.5
        assert [(d.kind, d.local, d.venue_value, d.action) for d in report.differences] == [
            ("position", 0.0, -0.25, "booked"),
            ("balance", 10_000.0, 9_876.5, "adjusted"),
        ]
        again = await live.client.reconcile()
        assert again.differences == ()

    run(body())


def test_a_local_position_the_venue_does_not_have_is_closed_at_its_entry() -> None:
    async def body() -> None:
        live = Live(_config(heal_balances=False))
        live.stub.fill_market_at = 100.0
        from tradebot.model.enums import OrderType

        live.submit(live.order(order_type=OrderType.MARKET, quantity=1.0))
        await live.settle()
        assert live.portfolio.holding(PERP.id) == 1.0
        live.stub.positions = []  # liquidated or closed by hand, and we missed it
        report = await live.client.reconcile()
        assert live.portfolio.holding(PERP.id) == 0.0
        assert [(d.kind, d.action) for d in report.differences] == [("position", "booked")]

    run(body())


def test_orders_rebuilt_after_a_restart_are_reconciled() -> None:
    async def body() -> None:
        live = Live(_config(heal_positions=False, heal_balances=False))
        # An order stored before the crash: accepted, open; the venue canceled it meanwhile.
        order = live.order()
        from tradebot.model.enums import OrderStatus as St

        order.transition(St.SUBMITTED, 0)
        order.transition(St.ACCEPTED, 0)
        live.om.adopt(order)
        report = await live.client.reconcile()
        assert order.status is OrderStatus.CANCELED
        assert order.reason == "the venue no longer has the order"
        assert [(d.kind, d.subject) for d in report.differences] == [
            ("missing_local_order", order.client_order_id)
        ]

    run(body())


def test_reconciliation_runs_at_start_and_every_interval_of_the_engine_clock() -> None:
    async def body() -> None:
        live = Live(LiveClientConfig(poll_every_s=0, reconcile_every_s=60.0))
        await live.client.start()
        assert live.stub.count("fetch_positions") == 1
        live.clock.advance_to(59 * 10**9)
        await live.settle()
        assert live.stub.count("fetch_positions") == 1
        live.clock.advance_to(60 * 10**9)
        await live.settle()
        assert live.stub.count("fetch_positions") == 2
        live.clock.advance_to(120 * 10**9)
        await live.settle()
        assert live.stub.count("fetch_positions") == 3

    run(body())


def test_authentication_failure_during_reconciliation_halts() -> None:
    async def body() -> None:
        live = Live(_config())
        live.stub.fail("fetch_open_orders", AuthenticationError("T", "IP not whitelisted"))
        report = await live.client.reconcile()
        assert not report.ok
        assert live.client.halted
        assert live.halts == ["venue T: IP not whitelisted"]
        order = live.submit(live.order(side=OrderSide.SELL))
        assert order.status is OrderStatus.REJECTED

    run(body())
