"""The live runner: drives the one ``TradingEngine`` on a wall clock from async market data.

Paper trading on live data and live (testnet or mainnet) trading use it alike; what differs
is the engine's execution client (the paper venue, or a live client over a venue gateway).
Nothing here knows a venue: sources are async iterators or producer coroutines, live clients
are anything with ``start`` / ``send_now`` / ``shutdown``.

* Every market event goes to ``engine.on_event`` in arrival order (one queue for all sources);
  after each event the live clients' ``send_now`` is awaited, so an order the event caused
  leaves at once instead of waiting for the next batch of data.
* A ticker calls ``engine.advance_time(now)`` every ``tick_s`` (1 s), so strategy timers,
  scheduled jobs, the live client's fill poll and its reconciliation run when no data arrives.
* SIGINT / SIGTERM (or the ``stop`` event) end the session cleanly: producers are stopped,
  the engine stops (working orders canceled, strategies stopped), then each live client shuts
  down (remaining cancels answered, storage flushed, gateway closed).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from tradebot.engine.trading_engine import TradingEngine
from tradebot.model.data import MarketEvent

log = logging.getLogger("tradebot.live_runner")


@runtime_checkable
class LiveClient(Protocol):
    """What the runner needs of a live execution client (``LiveExecutionClient`` fits)."""

    async def start(self) -> object:
        """Bind to the loop and reconcile with the venue."""
        ...

    async def send_now(self) -> None:
        """Let the calls scheduled since the last time start."""
        ...

    async def shutdown(self, timeout_s: float | None = None) -> object:
        """Cancel working orders, flush, close."""
        ...


@dataclass
class LiveRunStats:
    """What one run did."""

    events: int = 0
    ticks: int = 0
    stopped_by: str = ""
    """``signal``, ``stop`` (the event was set), ``sources`` (every source ended), ``limit``
    (``max_events`` reached) or ``error``."""
    start_reports: list[object] = field(default_factory=list)
    shutdown_reports: list[object] = field(default_factory=list)


Producer = Callable[[Callable[[MarketEvent], None]], Coroutine[Any, Any, object]]
"""``producer(push)``: a coroutine that calls ``push(event)`` for each event until cancelled
(a feed supervisor's ``run`` with ``on_event=push`` fits)."""


class LiveRunner:
    """Runs ``engine`` until stopped.

    Parameters
    ----------
    engine : TradingEngine
        The engine, built on a :class:`~tradebot.engine.clock.WallClock`.
    clients : Sequence[LiveClient] | None
        Live execution clients to start before the engine and shut down after it; default:
        every client of the engine's order manager that looks like one.
    tick_s : float
        Heartbeat of ``advance_time`` (default 1 s).
    now_ns : callable
        Time for the heartbeat (default ``engine.clock.now_ns``).
    on_event : callable | None
        Called after the engine handled each event (reports, storage, metrics).
    on_tick : callable | None
        Called after each heartbeat.
    install_signals : bool
        Stop on SIGINT / SIGTERM (default True; ignored where the loop cannot).
    shutdown_timeout_s : float | None
        Passed to each client's ``shutdown``.
    max_events : int | None
        Stop after this many events (tests, smoke runs).
    """

    def __init__(
        self,
        engine: TradingEngine,
        *,
        clients: Sequence[LiveClient] | None = None,
        tick_s: float = 1.0,
        now_ns: Callable[[], int] | None = None,
        on_event: Callable[[MarketEvent], None] | None = None,
        on_tick: Callable[[int], None] | None = None,
        install_signals: bool = True,
        shutdown_timeout_s: float | None = None,
        max_events: int | None = None,
    ) -> None:
        if tick_s <= 0:
            raise ValueError(f"tick_s was {tick_s}; it must be positive")
        self.engine = engine
        if clients is None:
            clients = [c for c in engine.orders.clients if isinstance(c, LiveClient)]
        self.clients = list(clients)
        self.tick_s = tick_s
        self._now = now_ns or engine.clock.now_ns
        self._on_event = on_event
        self._on_tick = on_tick
        self._signals = install_signals
        self._shutdown_timeout = shutdown_timeout_s
        self._max_events = max_events
        self._queue: asyncio.Queue[MarketEvent | None] = asyncio.Queue()
        self.stop_event = asyncio.Event()
        self.stats = LiveRunStats()
        self._stop_hooks: list[Callable[[], object]] = []

    # -- input -------------------------------------------------------------------------------
    def push(self, event: MarketEvent) -> None:
        """Queue one event (any producer on the loop's thread may call this)."""
        self._queue.put_nowait(event)

    def on_stop(self, hook: Callable[[], object]) -> None:
        """Call ``hook()`` when the run ends, before the engine stops (e.g. a feed's ``stop``)."""
        self._stop_hooks.append(hook)

    def stop(self, reason: str = "stop") -> None:
        """End the run at the next event (from the loop's thread)."""
        if not self.stats.stopped_by:
            self.stats.stopped_by = reason
        self.stop_event.set()
        self._queue.put_nowait(None)

    # -- run ---------------------------------------------------------------------------------
    async def run(
        self,
        sources: Sequence[AsyncIterable[MarketEvent]] = (),
        producers: Sequence[Producer] = (),
    ) -> LiveRunStats:
        """Start the clients and the engine, run until stopped, then shut everything down.

        ``sources`` are drained into the queue, each by its own task; ``producers`` are given
        :meth:`push`. When every source and producer has ended the run stops by itself.
        """
        loop = asyncio.get_running_loop()
        installed = self._install_signals(loop)
        tasks: list[asyncio.Task[Any]] = []
        ticker: asyncio.Task[None] | None = None
        try:
            for client in self.clients:
                self.stats.start_reports.append(await client.start())
            if not self.engine.started:
                self.engine.start()
            for source in sources:
                tasks.append(loop.create_task(self._drain(source)))
            for producer in producers:
                tasks.append(loop.create_task(producer(self.push)))
            if tasks:
                watcher = loop.create_task(self._watch(list(tasks)))
                tasks.append(watcher)
            ticker = loop.create_task(self._tick())
            await self._consume()
        except Exception:
            self.stats.stopped_by = self.stats.stopped_by or "error"
            raise
        finally:
            for hook in self._stop_hooks:
                with contextlib.suppress(Exception):
                    hook()
            for task in [*tasks, *([ticker] if ticker is not None else [])]:
                task.cancel()
            for task in [*tasks, *([ticker] if ticker is not None else [])]:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            await self._finish()
            if installed:
                for sig in (signal.SIGINT, signal.SIGTERM):
                    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                        loop.remove_signal_handler(sig)
        return self.stats

    async def _finish(self) -> None:
        """Stop the engine (cancels working orders), then shut the live clients down."""
        try:
            self.engine.stop()
        except Exception:
            log.exception("engine stop failed")
        for client in self.clients:
            try:
                await client.send_now()
                self.stats.shutdown_reports.append(await client.shutdown(self._shutdown_timeout))
            except Exception:
                log.exception("live client shutdown failed")

    async def _consume(self) -> None:
        engine, queue, clients = self.engine, self._queue, self.clients
        on_event = self._on_event
        while not self.stop_event.is_set():
            event = await queue.get()
            if event is None or self.stop_event.is_set():
                break
            engine.on_event(event)
            self.stats.events += 1
            if on_event is not None:
                on_event(event)
            for client in clients:
                await client.send_now()
            if self._max_events is not None and self.stats.events >= self._max_events:
                self.stop("limit")

    async def _drain(self, source: AsyncIterable[MarketEvent]) -> None:
        async for event in source:
            self.push(event)

    async def _watch(self, tasks: list[asyncio.Task[Any]]) -> None:
        """Stop once every source has ended (logging the ones that failed)."""
        for task in asyncio.as_completed(tasks):
            with contextlib.suppress(asyncio.CancelledError):
                try:
                    await task
                except Exception:
                    log.exception("market data source failed")
        self.stop("sources")

    async def _tick(self) -> None:
        engine, clients = self.engine, self.clients
        while True:
            await asyncio.sleep(self.tick_s)
            now = self._now()
            engine.advance_time(now)
            self.stats.ticks += 1
            if self._on_tick is not None:
                self._on_tick(now)
            for client in clients:
                await client.send_now()

    def _install_signals(self, loop: asyncio.AbstractEventLoop) -> bool:
        if not self._signals:
            return False
        try:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, self.stop, "signal")
        except (NotImplementedError, RuntimeError, ValueError):
            return False
        return True


__all__ = ["LiveClient", "LiveRunStats", "LiveRunner", "Producer"]
