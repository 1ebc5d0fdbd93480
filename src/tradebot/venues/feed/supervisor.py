"""The feed supervisor: keeps a market-data source connected and its output trustworthy.

It wraps any :data:`~tradebot.venues.feed.types.SourceFactory` and

* reconnects with exponential backoff and jitter (tenacity); after ``max_failures`` failed
  attempts in a row the circuit opens: :class:`VenueStatus` ``up=False`` is published and
  safe mode is raised on the risk side (closing orders only); a half-open probe runs every
  ``probe_interval_s``, and the first message it receives closes the circuit, publishes
  ``up=True`` and lifts safe mode;
* counts a stall (no message for ``stall_timeout_s``) as a failure and reconnects;
* fills gaps in bars: when a bar opens later than one interval after the last delivered bar,
  the missed bars are fetched through the back-fill callable and delivered first, in order;
  bars already delivered are dropped, so a replay after a reconnect yields no duplicates;
* tracks each symbol's lag (receive time on the clock − event time), publishes it as
  :class:`MarketDataLag` and raises safe mode while a lag passes ``max_lag_s``;
* counts malformed and ignored messages per kind and drops them.

A session is *healthy* once it has received a message; a failed attempt is one that ended
(could not connect, was closed, raised, stalled) before that. A healthy session that drops
reconnects at once with a fresh backoff sequence.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    RetryError,
    retry_if_exception_type,
    stop_after_attempt,
    stop_never,
    wait_exponential,
    wait_fixed,
    wait_random,
)

from tradebot.engine.bus import MessageBus
from tradebot.engine.clock import Clock
from tradebot.execution.venue_health import VenueError, VenueStatus
from tradebot.model.data import Bar, MarketEvent
from tradebot.model.identifiers import InstrumentId
from tradebot.venues.feed.config import FeedConfig
from tradebot.venues.feed.gaps import BarGaps
from tradebot.venues.feed.messages import MarketDataLag
from tradebot.venues.feed.types import (
    Backfill,
    Ignored,
    Malformed,
    SafeModeControl,
    SourceFactory,
    SourceItem,
)

Sleep = Callable[[float], Awaitable[None]]


class CircuitState(StrEnum):
    """Whether the supervisor is connecting normally, waiting, or probing."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class FeedFailure(Exception):
    """A connection attempt failed; ``kind`` is a :class:`VenueError` kind."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail


@dataclass
class FeedStats:
    """Counters of one supervisor (read by tests, metrics and the CLI)."""

    attempts: int = 0
    """Connections opened (every session, healthy or not, probes included)."""
    connects: int = 0
    """Sessions that received at least one message."""
    failures: int = 0
    """Failed attempts plus healthy sessions that dropped or stalled."""
    consecutive_failures: int = 0
    drops: int = 0
    stalls: int = 0
    circuit_opens: int = 0
    probes: int = 0
    events: int = 0
    """Events delivered, back-filled ones included."""
    duplicates: int = 0
    backfilled: int = 0
    backfill_errors: int = 0
    missing_bars: int = 0
    """Bars of a gap that the back-fill did not return (or no back-fill was given)."""
    malformed: dict[str, int] = field(default_factory=dict)
    ignored: dict[str, int] = field(default_factory=dict)


class FeedSupervisor:
    """Runs ``source`` until :meth:`stop`, delivering its events to ``on_event``.

    Parameters
    ----------
    venue : str
        Name used in :class:`VenueStatus`, :class:`VenueError` and :class:`MarketDataLag`,
        and in the safe-mode source (``feed:<venue>`` for the circuit, ``feed:<venue>:lag``).
    source : SourceFactory
        Opens one connection and yields its messages.
    on_event : callable
        Receives every delivered event, in order (on the event loop's thread).
    clock : Clock
        Receive times (lag) and the times of published messages.
    bus : MessageBus | None
        Where status, errors and lag are published.
    safe_mode : SafeModeControl | None
        The risk side's safe-mode switch (``risk_engine.breakers``).
    backfill : Backfill | None
        Fetches missed bars; without it a gap is only counted.
    config : FeedConfig
        Backoff, circuit, stall and lag settings.
    sleep : callable
        Waits between attempts (``asyncio.sleep``; tests may inject their own).
    """

    def __init__(
        self,
        venue: str,
        source: SourceFactory,
        on_event: Callable[[MarketEvent], None],
        *,
        clock: Clock,
        bus: MessageBus | None = None,
        safe_mode: SafeModeControl | None = None,
        backfill: Backfill | None = None,
        config: FeedConfig | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.config = config or FeedConfig()
        self.config.validate()
        self.venue = venue
        self._source = source
        self._on_event = on_event
        self.clock = clock
        self.bus = bus
        self.safe_mode = safe_mode
        self._backfill = backfill
        self._sleep = sleep
        self.circuit = CircuitState.CLOSED
        self.stats = FeedStats()
        self.lag_ns: dict[InstrumentId, int] = {}
        """Latest lag per instrument."""
        self._gaps = BarGaps()
        self._lag_published: dict[InstrumentId, int] = {}
        self._lag_every_ns = int(self.config.lag_publish_interval_s * 1e9)
        self._max_lag_ns = (
            None if self.config.max_lag_s is None else int(self.config.max_lag_s * 1e9)
        )
        self._lagging: set[InstrumentId] = set()
        self._announced = False
        self._stopping = False
        self._cancelled_by_stop = False
        self._task: asyncio.Task[None] | None = None

    # -- control -----------------------------------------------------------------------------
    async def run(self) -> None:
        """Connect, stream and recover until :meth:`stop` (or the task is cancelled)."""
        self._task = asyncio.current_task()
        try:
            while not self._stopping:
                try:
                    await self._retrying()(self._session)
                    # A healthy session ended: pause once so a link that accepts and drops at
                    # once is not hammered.
                    if not self._stopping:
                        await self._sleep(self.config.backoff_initial_s)
                except RetryError:
                    self._open_circuit()
                    await self._sleep(self.config.probe_interval_s)
                    await self._probing()(self._session)
        except asyncio.CancelledError:
            if not self._cancelled_by_stop:
                raise
            task = asyncio.current_task()
            if task is not None:
                task.uncancel()  # the cancel was ours: do not leak it to the caller
        finally:
            self._task = None

    def stop(self) -> None:
        """End :meth:`run` (at once, also mid-wait or mid-message)."""
        self._stopping = True
        task = self._task
        if task is not None and task is not asyncio.current_task() and not task.done():
            self._cancelled_by_stop = True
            task.cancel()

    def _retrying(self) -> AsyncRetrying:
        cfg = self.config
        return AsyncRetrying(
            stop=stop_after_attempt(cfg.max_failures),
            wait=wait_exponential(multiplier=cfg.backoff_initial_s, max=cfg.backoff_max_s)
            + wait_random(0, cfg.backoff_jitter_s),
            retry=retry_if_exception_type(FeedFailure),
            sleep=self._sleep,
        )

    def _probing(self) -> AsyncRetrying:
        return AsyncRetrying(
            stop=stop_never,
            wait=wait_fixed(self.config.probe_interval_s),
            retry=retry_if_exception_type(FeedFailure),
            sleep=self._sleep,
            before=self._half_open,
            after=self._probe_failed,
        )

    # -- circuit -----------------------------------------------------------------------------
    def _open_circuit(self) -> None:
        self.circuit = CircuitState.OPEN
        self.stats.circuit_opens += 1
        now = self.clock.now_ns()
        reason = (
            f"market data: {self.stats.consecutive_failures} connection attempts failed in a row"
        )
        self._publish(VenueStatus(self.venue, False, reason, now))
        if self.safe_mode is not None:
            self.safe_mode.enter_safe_mode(
                now, f"{self.venue} {reason}: safe mode, closing orders only", f"feed:{self.venue}"
            )

    def _half_open(self, state: RetryCallState) -> None:
        self.circuit = CircuitState.HALF_OPEN
        self.stats.probes += 1

    def _probe_failed(self, state: RetryCallState) -> None:
        if self.circuit is CircuitState.HALF_OPEN:
            self.circuit = CircuitState.OPEN

    def _on_healthy(self) -> None:
        stats = self.stats
        stats.connects += 1
        stats.consecutive_failures = 0
        now = self.clock.now_ns()
        if self.circuit is not CircuitState.CLOSED:
            self.circuit = CircuitState.CLOSED
            self._publish(VenueStatus(self.venue, True, "market data: recovered", now))
            if self.safe_mode is not None:
                self.safe_mode.leave_safe_mode(
                    now, f"{self.venue} market data is back", f"feed:{self.venue}"
                )
        elif not self._announced:
            self._publish(VenueStatus(self.venue, True, "market data: connected", now))
        self._announced = True

    # -- one connection ----------------------------------------------------------------------
    async def _session(self) -> None:
        """Stream one connection; raise :class:`FeedFailure` if it ends before a message."""
        if self._stopping:
            return
        self.stats.attempts += 1
        healthy = False
        kind, detail = "network", "the venue closed the stream"
        stream = _guarded(self._source)
        try:
            while not self._stopping:
                try:
                    async with asyncio.timeout(self.config.stall_timeout_s):
                        item = await anext(stream)
                except StopAsyncIteration:
                    break
                except TimeoutError:
                    kind = "timeout"
                    detail = f"no message for {self.config.stall_timeout_s:g} s"
                    self.stats.stalls += 1
                    break
                except Exception as exc:  # any connection error ends the session, never the feed
                    kind = _error_kind(exc)
                    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                    break
                if not healthy:
                    healthy = True
                    self._on_healthy()
                await self._handle(item)
        finally:
            await _close(stream)
        if self._stopping:
            return
        self.stats.failures += 1
        self._publish(VenueError(self.venue, kind, detail[:200], self.clock.now_ns()))
        if healthy:
            if kind != "timeout":
                self.stats.drops += 1
            return
        self.stats.consecutive_failures += 1
        raise FeedFailure(kind, detail)

    # -- messages ----------------------------------------------------------------------------
    async def _handle(self, item: SourceItem) -> None:
        if isinstance(item, Malformed | Ignored):
            counts = self.stats.malformed if isinstance(item, Malformed) else self.stats.ignored
            counts[item.kind] = counts.get(item.kind, 0) + 1
            return
        self._track_lag(item)
        if isinstance(item, Bar):
            await self._deliver_bar(item)
        else:
            self._deliver(item)

    def _deliver(self, event: MarketEvent) -> None:
        self.stats.events += 1
        self._on_event(event)

    async def _deliver_bar(self, bar: Bar) -> None:
        gaps = self._gaps
        if gaps.is_duplicate(bar):
            self.stats.duplicates += 1
            return
        span = gaps.missing(bar)
        if span is not None:
            since, until = span
            interval = bar.ts_event - bar.ts_open
            expected = (until - since) // interval if interval > 0 else 0
            filled = 0
            for old in await self._fetch(bar, since, until):
                if gaps.is_duplicate(old):
                    continue
                gaps.mark(old)
                self.stats.backfilled += 1
                filled += 1
                self._deliver(old)
            self.stats.missing_bars += max(expected - filled, 0)
        gaps.mark(bar)
        self._deliver(bar)

    async def _fetch(self, bar: Bar, since: int, until: int) -> Sequence[Bar]:
        if self._backfill is None:
            return ()
        iid, timeframe = bar.instrument_id, bar.timeframe
        try:
            async with asyncio.timeout(self.config.backfill_timeout_s):
                fetched = await self._backfill(iid, timeframe, since, until)
        except Exception as exc:  # a failed back-fill leaves the gap, never stops the feed
            self.stats.backfill_errors += 1
            detail = f"back-fill of {iid} {timeframe} failed: {type(exc).__name__}: {exc}"
            self._publish(VenueError(self.venue, _error_kind(exc), detail[:200], bar.ts_event))
            return ()
        wanted = [
            b
            for b in fetched
            if b.instrument_id == iid and b.timeframe == timeframe and since <= b.ts_open < until
        ]
        wanted.sort(key=lambda b: b.ts_open)
        return wanted

    def _track_lag(self, event: MarketEvent) -> None:
        now = self.clock.now_ns()
        iid = event.instrument_id
        lag = now - event.ts_event
        self.lag_ns[iid] = lag
        last = self._lag_published.get(iid)
        if last is None or now - last >= self._lag_every_ns:
            self._lag_published[iid] = now
            self._publish(MarketDataLag(self.venue, iid, lag, now))
        limit = self._max_lag_ns
        if limit is None or self.safe_mode is None:
            return
        source = f"feed:{self.venue}:lag"
        if lag > limit:
            if not self._lagging:
                self.safe_mode.enter_safe_mode(
                    now,
                    f"market data on {iid} arrives {lag / 1e9:.1f} s late "
                    f"(limit {limit / 1e9:g} s): safe mode, closing orders only",
                    source,
                )
            self._lagging.add(iid)
        elif iid in self._lagging:
            self._lagging.discard(iid)
            if not self._lagging:
                self.safe_mode.leave_safe_mode(now, f"market data on {iid} is timely again", source)

    def _publish(self, message: object) -> None:
        if self.bus is not None:
            self.bus.publish(message)


_KINDS = frozenset({"network", "timeout", "rate_limit", "auth", "rejected", "exchange"})


def _error_kind(exc: BaseException) -> str:
    own = getattr(exc, "kind", None)  # a translated venue error (CcxtDataClient) names its kind
    if isinstance(own, str) and own in _KINDS:
        return own
    if isinstance(exc, TimeoutError):
        return "timeout"
    if isinstance(exc, OSError | EOFError | ConnectionError):
        return "network"
    name = type(exc).__name__
    if "Connection" in name or "Handshake" in name or "Status" in name:
        return "network"
    return "other"


async def _guarded(source: SourceFactory) -> AsyncIterator[SourceItem]:
    """``source()``'s stream; a factory that raises fails like its first message would."""
    stream = source()
    try:
        async for item in stream:
            yield item
    finally:
        await _close(stream)


async def _close(stream: AsyncIterator[SourceItem]) -> None:
    aclose = getattr(stream, "aclose", None)
    if aclose is not None:
        with contextlib.suppress(Exception):
            await aclose()


__all__ = ["CircuitState", "FeedFailure", "FeedStats", "FeedSupervisor"]
