"""The live execution client over the stub venue: idempotent creates, every error class,
partial and duplicate fills, halting, cancels, delivery and shutdown. Simulated time only."""

from __future__ import annotations

import asyncio
import queue
import random
import threading
from collections.abc import Callable

import pytest

from fixtures.factories import PERP, SPOT
from fixtures.live_harness import NO_POLL, SEED, Live, run
from fixtures.venue_stub import StubGateway
from tradebot.engine.clock import SimulatedClock
from tradebot.engine.trading_engine import TradingEngine
from tradebot.execution.errors import (
    AuthenticationError,
    InsufficientFundsError,
    InvalidOrderError,
    OrderRefusedError,
    RateLimitedError,
    UnknownSymbolError,
    VenueNetworkError,
    VenueTimeoutError,
    VenueUnavailableError,
)
from tradebot.execution.live_client import LiveClientConfig, LiveExecutionClient
from tradebot.execution.live_events import TradingHalted
from tradebot.execution.retry import RetryPolicy
from tradebot.execution.venue_health import VenueError
from tradebot.model.account import Account
from tradebot.model.enums import OrderSide, OrderStatus, OrderType
from tradebot.model.events import OrderFilled
from tradebot.model.identifiers import ClientOrderId
from tradebot.model.orders import Order
from tradebot.portfolio.portfolio import Portfolio
from tradebot.risk.config import RiskConfig
from tradebot.risk.engine import RiskEngine
from tradebot.risk.state import Block

BUY, SELL = OrderSide.BUY, OrderSide.SELL
POLL = LiveClientConfig(poll_every_s=1.0, reconcile_every_s=0, terminal_grace_polls=2)


def test_submit_returns_before_the_venue_is_called_and_reports_acceptance() -> None:
    async def body() -> None:
        live = Live()
        order = live.submit()
        assert live.stub.calls == []  # the engine's call did not wait for the network
        assert order.status is OrderStatus.SUBMITTED
        await live.settle()
        assert order.status is OrderStatus.ACCEPTED
        assert order.venue_order_id == "v1"
        sent = live.stub.calls[0][1]
        assert sent.client_order_id == order.client_order_id  # the engine's id is sent
        assert (sent.side, sent.type, sent.amount, sent.price) == ("buy", "limit", 1.0, 100.0)
        assert live.statuses(order.client_order_id) == ["accepted"]

    run(body())


def test_send_now_lets_the_scheduled_create_leave_in_one_loop_turn() -> None:
    async def body() -> None:
        live = Live()
        assert not live.client.has_new_sends
        live.submit()
        assert live.client.has_new_sends
        await live.client.send_now()
        assert [name for name, _ in live.stub.calls] == ["create_order"]
        assert not live.client.has_new_sends
        await live.settle()

    run(body())


def test_timeout_after_acceptance_is_found_by_fetch_and_not_sent_twice() -> None:
    async def body() -> None:
        live = Live()
        live.stub.fail("create_order", VenueTimeoutError("T", "read timed out"), after=True)
        order = live.submit()
        await live.settle()
        assert len(live.stub.orders) == 1  # exactly one order at the venue
        assert live.stub.create_calls == 1
        assert live.stub.count("fetch_order") == 1
        assert order.status is OrderStatus.ACCEPTED
        assert live.statuses(order.client_order_id) == ["accepted"]
        assert [e.kind for e in live.of(VenueError)] == ["timeout"]

    run(body())


@pytest.mark.parametrize(
    "error",
    [
        VenueNetworkError("T", "connection reset"),
        VenueUnavailableError("T", "502 bad gateway"),
    ],
)
def test_uncertain_errors_after_acceptance_never_double_the_order(error: Exception) -> None:
    async def body() -> None:
        live = Live()
        live.stub.fail("create_order", error, after=True)  # type: ignore[arg-type]
        live.stub.fail("fetch_order", VenueTimeoutError("T", "slow"))  # the look-up fails too
        order = live.submit()
        await live.settle()
        assert len(live.stub.orders) == 1
        assert live.stub.create_calls == 1
        assert live.stub.count("fetch_order") == 2
        assert order.status is OrderStatus.ACCEPTED

    run(body())


def test_timeout_before_arrival_is_sent_again_after_the_venue_says_it_has_none() -> None:
    async def body() -> None:
        live = Live()
        live.stub.fail("create_order", VenueTimeoutError("T", "connect timeout"))
        order = live.submit()
        await live.settle()
        assert live.stub.count("create_order") == 2
        assert live.stub.count("fetch_order") == 1
        assert len(live.stub.orders) == 1
        assert order.status is OrderStatus.ACCEPTED

    run(body())


def test_duplicate_id_answer_after_an_uncertain_try_adopts_the_existing_order() -> None:
    async def body() -> None:
        live = Live()
        # The first answer is lost, the look-up says "not found" (the venue lags), and the
        # re-send is refused as a duplicate: the order exists and must be taken as ours.
        live.stub.fail("create_order", VenueTimeoutError("T", "lost"), after=True)
        order = live.submit()
        original_fetch = live.stub.fetch_order
        calls = {"n": 0}

        async def lagging_fetch(cid: str, symbol: str):  # type: ignore[no-untyped-def]
            calls["n"] += 1
            if calls["n"] == 1:
                live.stub.calls.append(("fetch_order", cid))
                return None
            return await original_fetch(cid, symbol)

        live.stub.fetch_order = lagging_fetch  # type: ignore[method-assign]
        await live.settle()
        assert len(live.stub.orders) == 1
        assert order.status is OrderStatus.ACCEPTED

    run(body())


def test_exponential_backoff_with_jitter_three_tries() -> None:
    async def body() -> None:
        live = Live()
        live.stub.fail("create_order", VenueUnavailableError("T", "503"), times=2)
        order = live.submit()
        await live.settle()
        policy = RetryPolicy()
        rng = random.Random(SEED)  # the same seed as the client's jitter
        first = policy.base_delay_s + rng.uniform(0, policy.jitter * policy.base_delay_s)
        second = 2 * policy.base_delay_s + rng.uniform(0, policy.jitter * 2 * policy.base_delay_s)
        assert live.time.sleeps == pytest.approx([first, second])
        assert order.status is OrderStatus.ACCEPTED
        assert len(live.stub.orders) == 1

    run(body())


def test_retryable_errors_exhausted_without_doubt_reject_the_order() -> None:
    async def body() -> None:
        live = Live()
        live.stub.fail("create_order", RateLimitedError("T", "429", retry_after_s=1.0), times=5)
        order = live.submit()
        await live.settle()
        assert live.stub.count("create_order") == RetryPolicy().rate_limit_attempts
        assert order.status is OrderStatus.REJECTED
        assert order.reason == "not sent: 429"
        assert live.stub.orders == {}

    run(body())


def test_unknown_fate_after_the_last_try_stays_submitted_until_the_poll_resolves_it() -> None:
    async def body() -> None:
        live = Live(POLL)
        live.stub.fail("create_order", VenueTimeoutError("T", "t1"))
        live.stub.fail("fetch_order", VenueTimeoutError("T", "t2"))
        live.stub.fail("fetch_order", VenueTimeoutError("T", "t3"))
        order = live.submit()
        await live.settle()
        assert order.status is OrderStatus.SUBMITTED  # never rejected while it may be live
        await live.client.start()
        await live.settle()
        # start() reconciled: the venue does not know the order, so it never went live.
        assert order.status is OrderStatus.REJECTED
        assert order.reason == "the venue does not know the order"
        assert live.stub.create_calls == 0

    run(body())


def test_rate_limit_honours_retry_after_then_succeeds() -> None:
    async def body() -> None:
        live = Live()
        live.stub.fail("create_order", RateLimitedError("T", "too many", retry_after_s=2.5))
        order = live.submit()
        await live.settle()
        assert live.time.sleeps == [2.5]
        assert order.status is OrderStatus.ACCEPTED
        assert len(live.stub.orders) == 1
        assert [e.kind for e in live.of(VenueError)] == ["rate_limit"]

    run(body())


@pytest.mark.parametrize(
    "error",
    [
        InsufficientFundsError("T", "Margin is insufficient."),
        InvalidOrderError("T", "Order's notional must be no smaller than 5"),
        UnknownSymbolError("T", "Invalid symbol."),
    ],
)
def test_refused_orders_are_rejected_with_the_venues_message_and_not_retried(
    error: OrderRefusedError,
) -> None:
    async def body() -> None:
        live = Live()
        live.stub.fail("create_order", error)
        order = live.submit()
        await live.settle()
        assert order.status is OrderStatus.REJECTED
        assert order.reason == error.message
        assert live.stub.count("create_order") == 1
        assert live.time.sleeps == []
        assert [e.kind for e in live.of(VenueError)] == ["rejected"]
        assert live.halts == []

    run(body())


def test_authentication_failure_halts_trading_and_alerts() -> None:
    async def body() -> None:
        live = Live()
        live.stub.fail("create_order", AuthenticationError("T", "Invalid API-key"))
        first = live.submit()
        await live.settle()
        assert first.status is OrderStatus.REJECTED
        assert live.halts == ["venue T: Invalid API-key"]
        assert [(m.venue, m.reason) for m in live.of(TradingHalted)] == [("T", "Invalid API-key")]
        assert [e.kind for e in live.of(VenueError)] == ["auth"]
        second = live.submit()
        assert second.status is OrderStatus.REJECTED  # refused at once, never sent
        assert second.reason.startswith("not sent: trading halted")
        await live.settle()
        assert live.stub.count("create_order") == 1
        live.client.resume_trading()
        third = live.submit()
        await live.settle()
        assert third.status is OrderStatus.ACCEPTED

    run(body())


def test_authentication_failure_pauses_the_engine_kill_switch() -> None:
    async def body() -> None:
        clock = SimulatedClock(0)
        pf = Portfolio(Account("USDT", {"USDT": 1000.0}), [PERP, SPOT])
        stub = StubGateway("T")
        engines: list[TradingEngine] = []
        client = LiveExecutionClient(
            stub,
            clock=clock,
            portfolio=pf,
            config=NO_POLL,
            limiter=None,
            on_halt=lambda reason: engines[0].pause(reason),
            sleep=stub.time.sleep,
        )
        engine = TradingEngine(
            clock=clock,
            portfolio=pf,
            risk=RiskEngine(RiskConfig(), pf),
            venue=client,
            strategies=[],
        )
        engines.append(engine)
        stub.fail("create_order", AuthenticationError("T", "key expired"))
        engine.orders.submit(Order(ClientOrderId("m-1"), PERP.id, BUY, OrderType.MARKET, 1.0))
        await client.idle()
        assert engine.risk.state.active == {Block.PAUSED.value: "venue T: key expired"}
        assert not engine.risk.state.opening_allowed

    run(body())


def test_partial_fills_each_reported_once_with_the_venues_trade_id() -> None:
    async def body() -> None:
        live = Live(POLL)
        order = live.submit(live.order(quantity=3.0))
        await live.settle()
        cid = order.client_order_id
        f1 = live.stub.add_fill(cid, 1.0, 100.0, trade_id="T-1")
        live.stub.add_fill(cid, 0.5, 100.5, trade_id="T-2")
        await live.client.poll()
        assert order.status is OrderStatus.PARTIALLY_FILLED
        live.client.on_venue_fill(f1)  # the stream delivers a fill the poll already had
        live.client.on_venue_fill(f1)
        await live.client.poll()  # the look-back returns both fills again
        live.stub.add_fill(cid, 1.5, 101.0, trade_id="T-3")
        await live.client.poll()
        await live.settle()
        assert live.trail(cid) == ["accepted", "fill:T-1:1", "fill:T-2:0.5", "fill:T-3:1.5"]
        assert order.status is OrderStatus.FILLED
        assert order.filled_quantity == 3.0
        assert order.avg_price == pytest.approx((100.0 + 0.5 * 100.5 + 1.5 * 101.0) / 3)
        assert live.portfolio.holding(PERP.id) == 3.0
        assert live.client.duplicate_fills == 2 + 2 + 2  # two pushes; T-1, T-2 re-polled twice
        assert len(live.of(OrderFilled)) == 3

    run(body())


def test_cancel_after_a_partial_fill_reports_the_fill_before_the_cancel() -> None:
    async def body() -> None:
        live = Live(POLL)
        order = live.submit(live.order(quantity=2.0))
        await live.settle()
        cid = order.client_order_id
        live.stub.add_fill(cid, 0.5, 99.0, trade_id="X-1")
        live.om.cancel(order)
        await live.settle()
        assert live.trail(cid) == ["accepted", "fill:X-1:0.5", "canceled"]
        assert order.status is OrderStatus.CANCELED
        assert live.stub.orders[cid].status == "canceled"

    run(body())


def test_cancel_sent_while_the_create_is_in_flight_waits_for_it() -> None:
    async def body() -> None:
        live = Live()
        order = live.submit()
        live.om.cancel(order)
        await live.settle()
        assert [name for name, _ in live.stub.calls] == ["create_order", "cancel_order"]
        assert live.trail(order.client_order_id) == ["accepted", "canceled"]

    run(body())


def test_a_venue_cancel_whose_fills_lag_waits_then_books_from_the_order() -> None:
    async def body() -> None:
        import msgspec

        live = Live(POLL)
        order = live.submit(live.order(quantity=2.0))
        await live.settle()
        cid = order.client_order_id
        venue_order = live.stub.orders[cid]
        # The venue canceled the rest after filling 1.0, but its trade list lags behind.
        live.stub.orders[cid] = msgspec.structs.replace(
            venue_order, status="canceled", filled=1.0, average=98.0, reason="expired: IOC"
        )
        await live.client.poll()
        assert order.status is OrderStatus.ACCEPTED  # waiting for the fill (grace 1 of 2)
        await live.client.poll()
        assert order.status is OrderStatus.ACCEPTED  # grace 2 of 2
        await live.client.poll()
        assert order.status is OrderStatus.CANCELED
        assert order.filled_quantity == 1.0
        assert order.avg_price == 98.0
        assert live.trail(cid) == ["accepted", "fill:v1-rec-1:1", "canceled"]

    run(body())


def test_venue_fill_arriving_within_the_grace_is_booked_normally() -> None:
    async def body() -> None:
        import msgspec

        live = Live(POLL)
        order = live.submit(live.order(quantity=2.0))
        await live.settle()
        cid = order.client_order_id
        live.stub.orders[cid] = msgspec.structs.replace(
            live.stub.orders[cid], status="canceled", filled=1.0, average=98.0
        )
        await live.client.poll()
        live.stub.orders[cid] = msgspec.structs.replace(live.stub.orders[cid], filled=0.0)
        live.stub.add_fill(cid, 1.0, 98.0, trade_id="late-1")
        await live.client.poll()
        assert live.trail(cid) == ["accepted", "fill:late-1:1", "canceled"]

    run(body())


def test_the_poll_runs_on_the_engine_clock() -> None:
    async def body() -> None:
        live = Live(POLL)
        await live.client.start()
        order = live.submit()
        await live.settle()
        live.stub.add_fill(order.client_order_id, 1.0, 100.0, trade_id="P-1")
        live.clock.advance_to(999_999_999)
        await live.settle()
        assert order.status is OrderStatus.ACCEPTED  # the poll is due at 1 s
        live.clock.advance_to(1_000_000_000)
        await live.settle()
        assert order.status is OrderStatus.FILLED

    run(body())


def test_market_order_filled_on_creation() -> None:
    async def body() -> None:
        live = Live()
        live.stub.fill_market_at = 101.0
        order = live.submit(live.order(order_type=OrderType.MARKET, quantity=2.0))
        await live.settle()
        assert order.status is OrderStatus.FILLED
        assert live.trail(order.client_order_id) == ["accepted", "fill:t1:2"]
        assert live.portfolio.holding(PERP.id) == 2.0

    run(body())


def test_reports_wait_for_the_engine_thread_when_posted() -> None:
    async def body() -> None:
        posted: list[object] = []
        live = Live(post=posted.append)
        order = live.submit()
        await live.settle()
        assert order.status is OrderStatus.SUBMITTED  # nothing delivered off the engine thread
        assert len(posted) == 1
        assert live.client.drain() == 1
        assert order.status is OrderStatus.ACCEPTED

    run(body())


def test_engine_on_its_own_thread_gets_reports_only_when_it_drains() -> None:
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        inbox: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        live = Live(post=inbox.put, loop=loop)
        order = live.submit()  # from this thread, which runs no loop
        deliver = inbox.get(timeout=5)
        asyncio.run_coroutine_threadsafe(live.client.idle(), loop).result(5)
        assert order.status is OrderStatus.SUBMITTED
        deliver()  # the engine's thread takes the reports
        assert order.status is OrderStatus.ACCEPTED
        assert len(live.stub.orders) == 1
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()


def test_graceful_shutdown_cancels_waits_flushes_and_closes() -> None:
    async def body() -> None:
        live = Live()
        a = live.submit()
        b = live.submit(live.order(side=SELL, price=110.0))
        await live.settle()
        report = await live.client.shutdown()
        assert report.cancel_requested == 2
        assert report.still_open == ()
        assert not report.timed_out
        assert a.status is OrderStatus.CANCELED
        assert b.status is OrderStatus.CANCELED
        assert {o.status for o in live.stub.orders.values()} == {"canceled"}
        assert live.flushed == 1
        assert live.stub.closed
        late = live.submit()
        assert late.status is OrderStatus.REJECTED

    run(body())


def test_shutdown_cancels_an_order_whose_create_is_still_in_flight() -> None:
    async def body() -> None:
        live = Live()
        order = live.submit()
        report = await live.client.shutdown()  # the create has not even started
        assert report.cancel_requested == 1
        assert [name for name, _ in live.stub.calls] == ["create_order", "cancel_order"]
        assert order.status is OrderStatus.CANCELED
        assert report.still_open == ()

    run(body())


def test_shutdown_reports_orders_left_open_when_the_cancel_keeps_failing() -> None:
    async def body() -> None:
        live = Live()
        order = live.submit()
        await live.settle()
        live.stub.fail("cancel_order", VenueNetworkError("T", "down"), times=3)
        report = await live.client.shutdown()
        assert report.still_open == (order.client_order_id,)
        assert order.status is OrderStatus.ACCEPTED
        assert live.flushed == 1

    run(body())
