"""The live execution client: the engine's synchronous ``ExecutionClient`` over an async venue.

The engine calls :meth:`LiveExecutionClient.submit_order` and :meth:`cancel_order` from its
own thread and gets control back at once: each call becomes a task on the asyncio loop, which
talks to the :class:`~tradebot.execution.gateway.VenueGateway` (rate-limited, retried by error
class). What the venue answers is queued in one FIFO *outbox* and delivered to the engine's
``ExecutionEvents`` in that order, on the engine's thread: directly when the engine runs on
the loop's thread (the usual set-up: the live runner is a coroutine), or through ``post`` (for
example ``engine_loop.call_soon_threadsafe``) when it does not. The async side never touches
an ``Order``'s state; it keeps its own record of what it has reported.

Guarantees:

* **Idempotent creates.** The engine's client order id is sent. After a create failed in a
  way that leaves its fate unknown (timeout, network, 5xx), the next try first asks
  ``fetch_order(client_order_id)`` and only sends again when the venue does not have it. When
  the tries run out with the fate still unknown the order stays *submitted* and the next poll
  or reconciliation resolves it; it is never reported rejected while it might be live.
* **Every transition reported once, in order.** accepted → fill per venue execution (with
  the venue's trade id; a trade id seen twice is booked once) → canceled / rejected. A final
  status whose fills have not all been seen yet waits for them (``terminal_grace_polls``
  polls), then the missing amount is booked from the venue's order figures.
* **Errors by class** (:mod:`tradebot.execution.errors`): rate limits back off as the venue
  says and retry; network, timeout and 5xx retry with exponential back-off and jitter
  (3 tries); refused orders are rejected with the venue's message; an authentication failure
  halts new orders (``on_halt``, wired to the engine's kill switch) and alerts (a
  :class:`TradingHalted` and a ``VenueError`` on the bus).
* **Rate limits** per venue from :data:`~tradebot.execution.rate_limit.VENUE_LIMITS`.
* **Smart-limit** orders (:mod:`tradebot.execution.smart_limit`) stepped on the engine clock.
* **Reconciliation** (:mod:`tradebot.execution.reconciler`) at start and every
  ``reconcile_every_s`` of the engine clock.
* **Graceful shutdown**: :meth:`shutdown` cancels working orders, waits (bounded) for the
  answers, delivers them, flushes storage and closes the gateway.

Fills reach the client by polling (``poll_every_s`` on the engine clock: ``fetch_fills`` and
``fetch_open_orders``) and, when a gateway streams, by :meth:`on_venue_fill` and
:meth:`on_venue_order`; both paths go through the same de-duplication.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import random
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from typing import Any, TypeVar

from tenacity import AsyncRetrying, RetryCallState

from tradebot.execution import live_fills, live_poll, live_smart_limit
from tradebot.execution.errors import (
    AuthenticationError,
    InvalidOrderError,
    OrderNotFoundError,
    OrderRefusedError,
    RateLimitedError,
    RetryableError,
    VenueCallError,
    VenueNetworkError,
    VenueTimeoutError,
    VenueUnavailableError,
)
from tradebot.execution.gateway import OrderRequest, VenueFill, VenueGateway, VenueOrder
from tradebot.execution.interfaces import ExecutionEvents
from tradebot.execution.live_events import ReconcileReport, ShutdownReport, TradingHalted
from tradebot.execution.live_state import AlertClock, LiveClientConfig, Tracked, seconds_ns
from tradebot.execution.live_structures import (
    Combo,
    cancel_combo,
    create_combo,
    create_legged,
    wants_combo,
)
from tradebot.execution.rate_limit import VENUE_LIMITS, RateLimiter
from tradebot.execution.retry import retrying
from tradebot.execution.venue_health import VenueError
from tradebot.model.enums import OrderSide, OrderType
from tradebot.model.identifiers import ClientOrderId, InstrumentId, VenueOrderId
from tradebot.model.orders import Order
from tradebot.portfolio.portfolio import Portfolio

log = logging.getLogger("tradebot.live")

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]
Publish = Callable[[object], None]
Post = Callable[[Callable[[], None]], object]
Quote = Callable[[InstrumentId], "tuple[float, float] | None"]

_EPS = 1e-9
_OT_MARKET = OrderType.MARKET
_OT_LIMIT = OrderType.LIMIT
_UNCERTAIN = (VenueTimeoutError, VenueNetworkError, VenueUnavailableError)
_DEFAULT = object()


class LiveExecutionClient:
    """An ``ExecutionClient`` trading through a :class:`VenueGateway`.

    Parameters
    ----------
    gateway : VenueGateway
        The exchange adapter.
    clock : AlertClock
        The engine's clock: timestamps, the poll, reconciliation and smart-limit steps.
    portfolio : Portfolio | None
        The engine's portfolio, read by reconciliation (positions, balances) to heal it.
    config : LiveClientConfig
        Retry, poll, reconciliation and smart-limit settings.
    publish : callable | None
        The engine's bus (``VenueError``, ``TradingHalted``, ``ReconcileDifference``).
    on_halt : callable | None
        Called with the reason when trading must stop (wire to ``engine.pause``).
    flush : callable | None
        Called at shutdown after the last events were delivered (storage's flush).
    quotes : callable | None
        ``quotes(instrument_id) -> (bid, ask)`` or None: the book the smart-limit orders use.
    limiter : RateLimiter | None
        Defaults to the venue's entry in ``VENUE_LIMITS`` (none when not listed).
    symbol_of, instrument_of : callables
        Instrument id ↔ venue symbol (default: the id's CCXT symbol, and this venue).
    sleep, rng : injected for tests (``asyncio.sleep``, a fresh ``random.Random``).
    post : callable | None
        How to run delivery on the engine's thread when it is not the loop's thread.
    venue : str | None
        The venue name orders are routed by (default ``gateway.venue``).
    """

    def __init__(
        self,
        gateway: VenueGateway,
        *,
        clock: AlertClock,
        portfolio: Portfolio | None = None,
        config: LiveClientConfig | None = None,
        publish: Publish | None = None,
        on_halt: Callable[[str], None] | None = None,
        flush: Callable[[], None] | None = None,
        quotes: Quote | None = None,
        limiter: RateLimiter | object | None = _DEFAULT,
        symbol_of: Callable[[InstrumentId], str] | None = None,
        instrument_of: Callable[[str], InstrumentId] | None = None,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
        post: Post | None = None,
        venue: str | None = None,
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        self.gateway = gateway
        self.venue = venue or gateway.venue
        self.clock = clock
        self.portfolio = portfolio
        self.config = config or LiveClientConfig()
        self._publish = publish
        self._on_halt = on_halt
        self._flush = flush
        self._quotes = quotes
        if limiter is _DEFAULT:
            limits = VENUE_LIMITS.get(gateway.venue)
            limiter = RateLimiter(limits, sleep=sleep) if limits is not None else None
        self.limiter: RateLimiter | None = limiter  # type: ignore[assignment]
        self._symbol_of = symbol_of or (lambda iid: iid.symbol)
        self._instrument_of = instrument_of or (lambda symbol: InstrumentId(symbol, self.venue))
        self._sleep = sleep
        self._rng = rng or random.Random()  # noqa: S311 - back-off jitter
        self._post = post
        self._loop = loop
        self._events: ExecutionEvents | None = None
        self.orders: dict[ClientOrderId, Tracked] = {}
        """Every order this client was given or adopted, by client order id."""
        self.combos: dict[str, Combo] = {}
        """Combo orders of multi-leg structures, by label."""
        self._by_venue_id: dict[str, Tracked] = {}
        """Orders by the venue's id: fills that do not carry our id (Binance's userTrades)."""
        self.seen_trades: set[str] = set()
        self.duplicate_fills = 0
        """Fills seen again (by trade id) and dropped."""
        self._outbox: deque[tuple[Callable[..., object], tuple[Any, ...]]] = deque()
        self._draining = False
        self._drain_posted = False
        self._tasks: set[asyncio.Task[Any]] = set()
        self._fresh = False
        self.halted = False
        self.halt_reason = ""
        self._closing = False
        self._started = False
        self._polling = False
        self._reconciling = False
        self._fills_since_ns = clock.now_ns()
        self._external_seq = 0
        self.last_reconcile: ReconcileReport | None = None

    # -- ExecutionClient ---------------------------------------------------------------------
    def connect(self, events: ExecutionEvents) -> None:
        """Report to ``events`` (the order manager)."""
        self._events = events

    @property
    def events(self) -> ExecutionEvents:
        """Where venue reports go."""
        if self._events is None:
            raise RuntimeError("the live client was used before connect() was called")
        return self._events

    def submit_order(self, order: Order) -> None:
        """Schedule the create of ``order``; the venue's answer arrives through the events."""
        cid = order.client_order_id
        if cid in self.orders:
            return  # the same order twice: never doubled
        now = self.clock.now_ns()
        t = Tracked(order, self._symbol_of(order.instrument_id), now)
        self.orders[cid] = t
        if self.halted:
            self._reject(t, f"not sent: trading halted ({self.halt_reason})", now)
            return
        if self._closing:
            self._reject(t, "not sent: the live client is shutting down", now)
            return
        if order.quote_quantity and not order.quantity:
            self._reject(t, "not sent: quote-sized orders are not supported live", now)
            return
        params = self.config.smart_limit
        if (
            params is not None
            and order.order_type is _OT_MARKET
            and not order.reduce_only
            and self._quotes is not None
        ):
            book = self._quotes(order.instrument_id)
            if book is not None and book[0] > 0 and book[1] >= book[0]:
                live_smart_limit.start(self, t, params, book[0], book[1])
        self._spawn(self._create(t))

    def submit_structure(self, orders: list[Order]) -> None:
        """Send the legs of one structure as a unit (:mod:`tradebot.execution.live_structures`):
        a combo order where the venue has them (Deribit options), else every leg at once with
        a rollback if one is refused."""
        if any(o.client_order_id in self.orders for o in orders):
            return  # re-sent: never doubled
        now = self.clock.now_ns()
        legs = [Tracked(o, self._symbol_of(o.instrument_id), now) for o in orders]
        for t in legs:
            self.orders[t.order.client_order_id] = t
        problem = ""
        if self.halted:
            problem = f"not sent: trading halted ({self.halt_reason})"
        elif self._closing:
            problem = "not sent: the live client is shutting down"
        elif any(o.quote_quantity and not o.quantity for o in orders):
            problem = "not sent: quote-sized orders are not supported live"
        if problem:
            for t in legs:
                self._reject(t, f"structure: {problem}", now)
            return
        if wants_combo(self, legs):
            label = f"{orders[0].client_order_id}-combo"
            combo = Combo(label, legs, min(o.quantity for o in orders))
            self.combos[label] = combo
            for t in legs:
                t.combo = combo
            self._spawn(create_combo(self, combo))
        else:
            self._spawn(create_legged(self, legs))

    def cancel_order(self, order: Order) -> None:
        """Schedule the cancel of ``order`` (after its create finished)."""
        t = self.orders.get(order.client_order_id)
        if t is None:
            t = self._track_existing(order)
        if t.closed or t.cancel_requested:
            return
        t.cancel_requested = True
        if t.combo is not None:
            self._spawn(cancel_combo(self, t.combo, "canceled"))
            return
        self._spawn(self._cancel(t, "canceled"))

    # -- lifecycle ---------------------------------------------------------------------------
    async def start(self) -> ReconcileReport:
        """Bind to the running loop, reconcile with the venue, and arm the poll and the
        periodic reconciliation on the engine clock."""
        self._bind_loop()
        self._started = True
        report = await self.reconcile()
        now = self.clock.now_ns()
        if self.config.poll_every_s > 0:
            self.clock.set_alert(now + seconds_ns(self.config.poll_every_s), self._poll_alert)
        if self.config.reconcile_every_s > 0:
            self.clock.set_alert(
                now + seconds_ns(self.config.reconcile_every_s), self._reconcile_alert
            )
        return report

    async def shutdown(self, timeout_s: float | None = None) -> ShutdownReport:
        """Cancel working orders, wait for the answers (at most ``timeout_s``), deliver them,
        flush storage and close the gateway. New orders are refused from now on."""
        self._closing = True
        timeout = self.config.shutdown_timeout_s if timeout_s is None else timeout_s
        requested = 0
        for t in list(self.orders.values()):
            if t.closed:
                continue
            requested += 1
            if not t.cancel_requested:  # (the engine's stop may have asked already)
                t.cancel_requested = True
                if t.combo is not None:
                    self._spawn(cancel_combo(self, t.combo, "canceled at shutdown"))
                else:
                    self._spawn(self._cancel(t, "canceled at shutdown"))
        timed_out = not await self.idle(timeout)
        self.drain()
        still_open = tuple(cid for cid, t in self.orders.items() if not t.closed and t.sent)
        if still_open:
            log.warning("live_shutdown: orders still open at %s: %s", self.venue, still_open)
        if self._flush is not None:
            self._flush()
        with contextlib.suppress(Exception):
            await self.gateway.close()
        return ShutdownReport(self.venue, requested, still_open, timed_out)

    async def idle(self, timeout_s: float | None = None) -> bool:
        """Wait until no task of this client is running (tasks may start more); True when
        all finished, False when ``timeout_s`` passed first."""
        loop = asyncio.get_running_loop()
        deadline = None if timeout_s is None else loop.time() + timeout_s
        while self._tasks:
            remaining = None if deadline is None else deadline - loop.time()
            if remaining is not None and remaining <= 0:
                return False
            _, pending = await asyncio.wait(set(self._tasks), timeout=remaining)
            if pending and deadline is not None and loop.time() >= deadline:
                return False
        return True

    @property
    def has_new_sends(self) -> bool:
        """True when calls were scheduled since the last :meth:`send_now`."""
        return self._fresh

    async def send_now(self) -> None:
        """Let the calls scheduled since the last time start (one turn of the loop).

        A feed that reads several messages per socket read calls this after each event, so an
        order does not wait for the rest of the batch; it costs nothing when no call was
        scheduled."""
        if self._fresh:
            self._fresh = False
            await asyncio.sleep(0)

    def resume_trading(self) -> None:
        """Lift a halt once a person fixed the keys (the engine's pause is lifted apart)."""
        self.halted = False
        self.halt_reason = ""

    # -- streaming input (a gateway with a user-data stream calls these) ---------------------
    def on_venue_fill(self, fill: VenueFill) -> None:
        """One execution pushed by the venue (deduplicated by trade id)."""
        live_fills.on_fill(self, fill)

    def on_venue_order(self, snapshot: VenueOrder) -> None:
        """An order update pushed by the venue."""
        t = self.orders.get(ClientOrderId(snapshot.client_order_id))
        if t is not None:
            self._spawn(self._apply(t, snapshot))

    # -- delivery to the engine --------------------------------------------------------------
    def _emit(self, fn: Callable[..., object], *args: Any) -> None:
        self._outbox.append((fn, args))
        if self._post is None:
            self.drain()
        elif not self._drain_posted:
            self._drain_posted = True
            self._post(self._drain_cb)

    def drain(self) -> int:
        """Deliver every queued report, in order; return how many (on the engine's thread)."""
        self._drain_posted = False
        if self._draining:
            return 0  # re-entered from a handler: the outer loop delivers what was added
        self._draining = True
        n = 0
        outbox = self._outbox
        try:
            while outbox:
                fn, args = outbox.popleft()
                n += 1
                try:
                    fn(*args)
                except Exception:  # one failing handler must not lose the reports after it
                    log.exception("live_delivery_failed: %s", getattr(fn, "__name__", fn))
        finally:
            self._draining = False
        return n

    def _drain_cb(self) -> None:
        self.drain()

    def _publish_msg(self, message: object) -> None:
        if self._publish is not None:
            self._emit(self._publish, message)

    def _venue_error(self, exc: BaseException, what: str) -> None:
        if isinstance(exc, VenueCallError):
            kind = exc.kind
            if isinstance(exc, OrderRefusedError):
                kind = "rejected"
            elif kind not in ("network", "timeout", "rate_limit", "auth", "exchange"):
                kind = "other"
            detail = f"{what}: {exc.message}"
        else:
            kind, detail = "other", f"{what}: {type(exc).__name__}: {exc}"
        self._publish_msg(VenueError(self.venue, kind, detail[:500], self.clock.now_ns()))

    def _accept(self, t: Tracked, ts: int) -> None:
        if t.accepted or t.closed:
            return
        t.accepted = True
        t.sent = True
        self._emit(self.events.on_order_accepted, t.order, ts or self.clock.now_ns())

    def _reject(self, t: Tracked, reason: str, ts: int | None = None) -> None:
        if t.closed:
            return
        t.closed = True
        if t.accepted or t.filled:
            self._emit(self.events.on_order_canceled, t.order, reason, ts or self.clock.now_ns())
        else:
            self._emit(self.events.on_order_rejected, t.order, reason, ts or self.clock.now_ns())

    def _canceled(self, t: Tracked, reason: str, ts: int | None = None) -> None:
        if t.closed:
            return
        t.closed = True
        self._emit(self.events.on_order_canceled, t.order, reason, ts or self.clock.now_ns())

    # -- tasks -------------------------------------------------------------------------------
    def _bind_loop(self) -> None:
        if self._loop is None:
            self._loop = asyncio.get_running_loop()

    def _on_loop(self) -> bool:
        try:
            return asyncio.get_running_loop() is self._loop
        except RuntimeError:
            return False

    def _spawn(self, coro: Coroutine[Any, Any, object]) -> None:
        loop = self._loop
        if loop is None:
            try:
                self._bind_loop()
            except RuntimeError:
                coro.close()
                raise RuntimeError(
                    "the live client needs a running asyncio loop (call start() first)"
                ) from None
            loop = self._loop
        assert loop is not None
        if self._on_loop():
            self._start_task(coro)
        else:  # the engine runs on another thread: hand the call to the loop's thread
            loop.call_soon_threadsafe(self._start_task, coro)

    def _start_task(self, coro: Coroutine[Any, Any, object]) -> None:
        assert self._loop is not None
        self._fresh = True
        task = self._loop.create_task(self._guarded(coro))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _guarded(self, coro: Coroutine[Any, Any, object]) -> None:
        try:
            await coro
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug in a task must be seen, not swallowed by asyncio
            log.exception("live_task_failed at %s", self.venue)
            self._venue_error(exc, "internal")

    async def _call(self, endpoint: str, fn: Callable[[], Awaitable[T]]) -> T:
        """One gateway call under the rate limiter, retried by error class."""

        async def attempt() -> T:
            if self.limiter is not None:
                await self.limiter.acquire(endpoint)
            return await fn()

        return await self._retry(endpoint, attempt)

    async def _retry(self, what: str, attempt: Callable[[], Awaitable[T]]) -> T:
        """Run ``attempt`` under the retry policy (tenacity decides every retry and wait).

        The first try runs outside tenacity, whose per-call set-up costs more than the rest of
        the order path; only a retryable failure hands over to it, replaying that failure as
        its first try so counting and waits are exactly the policy's."""
        try:
            return await attempt()
        except RetryableError as exc:
            first: list[BaseException] = [exc]

        async def again() -> T:
            if first:
                raise first.pop()
            return await attempt()

        return await self._retrying(what)(again)

    def _retrying(self, what: str) -> AsyncRetrying:
        def before_sleep(state: RetryCallState) -> None:
            outcome = state.outcome
            exc = outcome.exception() if outcome is not None else None
            if exc is None:
                return
            if isinstance(exc, RateLimitedError) and self.limiter is not None:
                # Hold back the other calls too while the venue asks us to wait.
                self.limiter.penalize(exc.retry_after_s or 0.0)
            self._venue_error(exc, f"{what} (try {state.attempt_number}, retrying)")
            log.warning("live_retry: %s %s try %d: %s", self.venue, what, state.attempt_number, exc)

        return retrying(
            self.config.retry, sleep=self._sleep, rng=self._rng, before_sleep=before_sleep
        )

    # -- create ------------------------------------------------------------------------------
    def _request(self, t: Tracked) -> OrderRequest:
        order = t.order
        price = order.price
        kind = order.order_type.value
        if t.smart is not None:
            kind, price = "limit", t.smart.price
        tif = order.time_in_force.value.upper()
        return OrderRequest(
            client_order_id=order.client_order_id,
            symbol=t.symbol,
            side=order.side.value,
            type=kind,  # type: ignore[arg-type]
            amount=order.quantity,
            price=price,
            trigger_price=order.trigger_price,
            time_in_force=tif,  # type: ignore[arg-type]
            post_only=order.post_only,
            reduce_only=order.reduce_only,
        )

    async def _create(self, t: Tracked) -> None:
        async with t.lock:
            if t.closed:
                return
            request = self._request(t)
            try:
                snapshot: VenueOrder = await self._retry(
                    "create_order", functools.partial(self._create_attempt, t, request)
                )
            except VenueCallError as exc:
                self._create_failed(t, exc)
                return
            t.sent = True
            await self._apply(t, snapshot)

    async def _create_attempt(self, t: Tracked, request: OrderRequest) -> VenueOrder:
        """One try of a create; after an uncertain failure it looks for the order first."""
        gw, limiter = self.gateway, self.limiter
        cid, symbol = request.client_order_id, request.symbol
        if t.uncertain:  # an earlier try may have reached the venue
            if limiter is not None:
                await limiter.acquire("fetch_order")
            found = await gw.fetch_order(cid, symbol)
            if found is not None:
                return found
        if limiter is not None:
            await limiter.acquire("create_order")
        try:
            return await gw.create_order(request)
        except _UNCERTAIN:
            t.uncertain = True
            raise
        except InvalidOrderError:
            if t.uncertain:  # perhaps "duplicate client order id": the earlier try arrived
                found = await gw.fetch_order(cid, symbol)
                if found is not None:
                    return found
            raise

    def _create_failed(self, t: Tracked, exc: VenueCallError) -> None:
        cid = t.order.client_order_id
        self._venue_error(exc, f"create {cid}")
        if isinstance(exc, AuthenticationError):
            self._halt(exc)
        if isinstance(exc, RetryableError | AuthenticationError) and t.uncertain:
            # It may be live at the venue: never report it rejected; the poll resolves it.
            log.error("live_create_unknown: %s %s: %s", self.venue, cid, exc)
        elif isinstance(exc, RetryableError):
            self._reject(t, f"not sent: {exc.message}")
        else:
            self._reject(t, exc.message)

    # -- cancel and amend --------------------------------------------------------------------
    async def _cancel(self, t: Tracked, reason: str) -> None:
        async with t.lock:
            if t.closed:
                return
            if not (t.sent or t.uncertain):
                self._canceled(t, f"{reason} before it reached the venue")
                return
            try:
                snapshot: VenueOrder | None = await self._call(
                    "cancel_order",
                    lambda: self.gateway.cancel_order(t.order.client_order_id, t.symbol),
                )
            except OrderNotFoundError:
                snapshot = await self._fetch(t)
                if snapshot is None:
                    self._canceled(t, f"{reason}: the venue does not know the order")
                    return
            except AuthenticationError as exc:
                t.cancel_requested = False
                self._venue_error(exc, f"cancel {t.order.client_order_id}")
                self._halt(exc)
                return
            except VenueCallError as exc:
                t.cancel_requested = False  # still working: a later cancel may try again
                self._venue_error(exc, f"cancel {t.order.client_order_id}")
                log.error("live_cancel_failed: %s %s: %s", self.venue, t.order.client_order_id, exc)
                return
            if snapshot is not None:
                await self._apply(t, snapshot, reason=reason)

    async def _amend(self, t: Tracked, price: float) -> None:
        async with t.lock:
            if t.closed or not t.sent:
                return
            try:
                snapshot: VenueOrder | None = await self._call(
                    "amend_order",
                    lambda: self.gateway.amend_order(
                        t.order.client_order_id, t.symbol, price=price, amount=None
                    ),
                )
            except OrderNotFoundError:
                snapshot = await self._fetch(t)
            except AuthenticationError as exc:
                self._venue_error(exc, f"amend {t.order.client_order_id}")
                self._halt(exc)
                return
            except VenueCallError as exc:
                self._venue_error(exc, f"amend {t.order.client_order_id}")
                log.warning(
                    "live_amend_failed: %s %s: %s", self.venue, t.order.client_order_id, exc
                )
                return
            if snapshot is not None:
                if t.smart is not None and snapshot.status == "open":
                    t.smart.price = price
                await self._apply(t, snapshot)

    async def _fetch(self, t: Tracked) -> VenueOrder | None:
        try:
            return await self._call(
                "fetch_order", lambda: self.gateway.fetch_order(t.order.client_order_id, t.symbol)
            )
        except AuthenticationError as exc:
            self._halt(exc)
            raise

    # -- applying the venue's view -----------------------------------------------------------
    async def _apply(self, t: Tracked, snapshot: VenueOrder, *, reason: str = "") -> None:
        """Report what ``snapshot`` says beyond what was reported already."""
        if t.closed:
            return
        if snapshot.venue_order_id:
            t.order.venue_order_id = VenueOrderId(snapshot.venue_order_id)
            self._by_venue_id[snapshot.venue_order_id] = t
        status = snapshot.status
        ts = snapshot.ts_event or self.clock.now_ns()
        if status == "rejected":
            self._reject(t, snapshot.reason or "rejected by the venue", ts)
            return
        t.sent = True
        t.uncertain = False
        self._accept(t, ts)
        if snapshot.filled > t.filled + _EPS:
            lookback = seconds_ns(self.config.fill_lookback_s)
            await self.sync_fills(t.symbol, min(t.since_ns, self._fills_since_ns) - lookback)
        if status == "open":
            return
        t.terminal = status
        t.terminal_reason = reason or snapshot.reason or status
        t.venue_filled = snapshot.filled
        t.venue_avg = snapshot.average or snapshot.price
        live_fills.settle(self, t)

    def book_reconciling_fill(
        self, instrument_id: InstrumentId, side: OrderSide, quantity: float, price: float
    ) -> None:
        """Book a fill that moves the engine's position to the venue's (engine thread)."""
        live_fills.book_reconciling(self, instrument_id, side, quantity, price)

    async def sync_fills(self, symbol: str | None, since_ns: int) -> int:
        """Fetch executions since ``since_ns`` and book the new ones; return how many."""
        fills = await self._call(
            "fetch_fills", lambda: self.gateway.fetch_fills(symbol, max(0, since_ns))
        )
        return sum(1 for fill in sorted(fills, key=_fill_key) if live_fills.on_fill(self, fill))

    # -- poll --------------------------------------------------------------------------------
    def _poll_alert(self, ts: int) -> None:
        if self._closing:
            return
        if not self._polling and not self.halted:
            self._polling = True
            self._spawn(self._poll_task())
        self.clock.set_alert(ts + seconds_ns(self.config.poll_every_s), self._poll_alert)

    async def _poll_task(self) -> None:
        try:
            await self.poll()
        except VenueCallError as exc:
            self._venue_error(exc, "poll")
            if isinstance(exc, AuthenticationError):
                self._halt(exc)
        finally:
            self._polling = False

    async def poll(self) -> None:
        """Fetch new fills and resolve working orders the venue no longer lists open."""
        await live_poll.poll(self)

    async def resolve(self, t: Tracked, *, final: bool = False) -> str:
        """Ask the venue about an order it does not list open (see :func:`live_poll.resolve`)."""
        return await live_poll.resolve(self, t, final=final)

    # -- reconciliation ----------------------------------------------------------------------
    def _reconcile_alert(self, ts: int) -> None:
        if self._closing:
            return
        if not self._reconciling:
            self._spawn(self.reconcile())
        self.clock.set_alert(ts + seconds_ns(self.config.reconcile_every_s), self._reconcile_alert)

    async def reconcile(self) -> ReconcileReport:
        """Make the engine agree with the venue (see :mod:`tradebot.execution.reconciler`)."""
        from tradebot.execution.reconciler import reconcile

        self._bind_loop()
        self._reconciling = True
        try:
            report = await reconcile(self)
        finally:
            self._reconciling = False
        self.last_reconcile = report
        return report

    def _track_existing(self, order: Order) -> Tracked:
        """Track an order the engine had before this client saw it (rebuilt after a restart)."""
        t = Tracked(order, self._symbol_of(order.instrument_id), order.ts_init)
        t.sent = True
        t.accepted = order.status.value != "submitted"
        t.uncertain = not t.accepted
        t.filled = order.filled_quantity
        self.orders[order.client_order_id] = t
        return t

    def track_engine_orders(self, orders: Iterable[Order]) -> int:
        """Track the engine's open orders of this venue the client does not know yet."""
        n = 0
        for order in orders:
            if order.instrument_id.venue != self.venue:
                continue
            if order.client_order_id not in self.orders and order.is_open:
                self._track_existing(order)
                n += 1
        return n

    # -- halt --------------------------------------------------------------------------------
    def _halt(self, exc: VenueCallError) -> None:
        if self.halted:
            return
        self.halted = True
        self.halt_reason = exc.message
        now = self.clock.now_ns()
        log.critical("live_trading_halted: %s: %s", self.venue, exc.message)
        self._publish_msg(TradingHalted(self.venue, exc.message, now))
        if self._on_halt is not None:
            self._emit(self._on_halt, f"venue {self.venue}: {exc.message}")


def _fill_key(fill: VenueFill) -> tuple[int, str]:
    return fill.ts_event, fill.trade_id


__all__ = ["AlertClock", "LiveClientConfig", "LiveExecutionClient", "Tracked"]
