"""Everything around the engine in a YAML-configured session: logging, metrics and health
endpoints, the scheduler, the watchdog, hot reload, the audit database.

::

    runtime = Runtime(loaded, serve=True, watch=True)
    outcome = run_paper_session(..., attach=runtime.attach, observe=runtime.observer(observe))
    runtime.close()

Threads: the engine runs on the caller's thread (and its asyncio loop in paper mode). The
health server runs uvicorn on its own thread. The watchdog and the file watcher run on a
"runtime" thread with its own event loop; a file change is handed to the engine thread through
a queue and applied between two market events, so the engine is only ever touched by its own
thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
import time
from collections.abc import Callable
from typing import Any, TextIO

import structlog

from tradebot.api.health import HealthServer, HealthState, create_app
from tradebot.app.logs import LogHandles, TradeLog, configure_logging
from tradebot.app.metrics import EngineMetrics
from tradebot.app.reload import ConfigReloader
from tradebot.app.scheduler import EngineScheduler, install_standard_jobs
from tradebot.app.settings import LoadedConfig
from tradebot.app.watchdog import Watchdog
from tradebot.engine.bus import MessageBus
from tradebot.engine.trading_engine import StrategyFailed, TradingEngine
from tradebot.errors import ConfigError
from tradebot.model.data import Bar, FundingRate, MarketEvent
from tradebot.storage import Database, open_database
from tradebot.storage.records import SystemEvent

log = structlog.get_logger("tradebot.runtime")
Observer = Callable[[TradingEngine, MessageBus], Callable[[MarketEvent], None]]
ENGINE_TASK = "engine"


class Runtime:
    """The services of one session, configured by a :class:`LoadedConfig`.

    Parameters
    ----------
    loaded : LoadedConfig
        The checked configuration.
    serve : bool
        Serve ``/healthz``, ``/readyz`` and ``/metrics`` (when ``metrics.enabled``).
    watch : bool
        Watch the file and hot-reload it (paper and live sessions).
    log_stream : TextIO, optional
        Console log output (default standard error).
    db : Database, optional
        For the audit log; default: ``storage.url`` of the configuration when set.
    """

    def __init__(
        self,
        loaded: LoadedConfig,
        *,
        serve: bool = True,
        watch: bool = True,
        log_stream: TextIO | None = None,
        db: Database | None = None,
        configure_logs: bool = True,
        strategies_from_file: bool = True,
    ) -> None:
        self.loaded = loaded
        self.strategies_from_file = strategies_from_file
        s = loaded.settings
        self.logs: LogHandles | None = None
        if configure_logs:
            self.logs = configure_logging(
                s.logging.dir,
                level=s.logging.level,
                console=s.logging.console,
                max_bytes=s.logging.max_bytes,
                backup_count=s.logging.backup_count,
                secrets=loaded.secret_values(),
                stream=log_stream,
            )
        log.info(
            "configuration loaded",
            path=str(loaded.path),
            strategies={sid: spec.name for sid, spec in loaded.strategies.items()},
            secrets_set=_secret_names(s),
            storage=s.storage.url,
        )
        url = loaded.database_url()
        self.db = db if db is not None else (open_database(url) if url else None)
        self._own_db = db is None and self.db is not None
        self.serve = serve and s.metrics.enabled
        self.watch = watch
        self.engine: TradingEngine | None = None
        self.health: HealthState | None = None
        self.metrics: EngineMetrics | None = None
        self.scheduler: EngineScheduler | None = None
        self.reloader: ConfigReloader | None = None
        self.server: HealthServer | None = None
        self.watchdog: Watchdog | None = None
        self._inbox: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._probe: asyncio.Task[None] | None = None
        self._probe_started = False

    # -- wiring ------------------------------------------------------------------------------
    def attach(self, engine: TradingEngine, start_ns: int | None = None) -> None:
        """Wire metrics, trade log, scheduler and reloader to ``engine`` (before it runs).

        ``start_ns`` is the session's first timestamp (the data's start in a backtest or a
        replay; default: the engine clock's now).
        """
        s = self.loaded.settings
        self.engine = engine
        self.health = HealthState(engine.clock.now_ns, s.metrics.stale_after_seconds)
        self.metrics = EngineMetrics(health=self.health)
        self.metrics.attach(engine)
        TradeLog().attach(engine.bus)
        engine.bus.subscribe(SystemEvent, _log_system_event)
        engine.bus.subscribe(StrategyFailed, _log_failure)
        metrics = self.metrics
        self.scheduler = EngineScheduler(
            engine.clock, on_run=lambda name, ts: metrics.scheduler_runs.labels(name).inc()
        )
        self.scheduler.start(engine.clock.now_ns() if start_ns is None else start_ns)
        install_standard_jobs(self.scheduler, engine, self.metrics, s.scheduler)
        self.reloader = ConfigReloader(
            self.loaded,
            engine,
            db=self.db,
            metrics=self.metrics,
            manage_strategies=self.strategies_from_file,
        )
        if self.serve:
            app = create_app(self.metrics.registry, self.health)
            try:
                self.server = HealthServer(app, s.metrics.host, s.metrics.port).start()
            except RuntimeError as exc:
                raise ConfigError(
                    f"metrics.port {s.metrics.port}: cannot serve /metrics on "
                    f"{s.metrics.host} ({exc}); pick a free port or 0"
                ) from None
            log.info("health and metrics served", url=self.server.url)
        if self.watch or self.serve:
            self._start_background()

    def observer(self, inner: Observer | None = None) -> Observer:
        """Wrap a paper session's observer: apply queued reloads, beat the watchdog, keep the
        readiness data fresh, and probe the event loop's lag."""

        def observe(engine: TradingEngine, bus: MessageBus) -> Callable[[MarketEvent], None]:
            downstream = inner(engine, bus) if inner is not None else None
            inbox = self._inbox
            health = self.health
            watchdog = self.watchdog

            def on_event(event: MarketEvent) -> None:
                if not self._probe_started:
                    self._start_probe()
                while not inbox.empty():
                    inbox.get_nowait()()
                if health is not None and type(event) is not FundingRate:  # prices only
                    interval = event.ts_event - event.ts_open if isinstance(event, Bar) else 0
                    health.data_seen(str(event.instrument_id), event.ts_event, interval)
                if watchdog is not None:
                    watchdog.beat(ENGINE_TASK)
                if downstream is not None:
                    downstream(event)

            return on_event

        return observe

    def _start_probe(self) -> None:
        """Measure the lag of the loop the engine runs on (paper mode only)."""
        self._probe_started = True
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no loop: a backtest or a test driving the engine by hand
        metrics, watchdog = self.metrics, self.watchdog

        async def probe(every: float = 0.25) -> None:
            while True:
                start = time.monotonic()
                await asyncio.sleep(every)
                if metrics is not None:
                    metrics.loop_lag.set(max(time.monotonic() - start - every, 0.0))
                if watchdog is not None:
                    watchdog.beat(ENGINE_TASK)

        self._probe = loop.create_task(probe())

    def _start_background(self) -> None:
        ready = threading.Event()
        s = self.loaded.settings

        def main() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            metrics = self.metrics
            assert metrics is not None
            self.watchdog = Watchdog(
                s.watchdog.timeout_seconds,
                report=lambda event: self._inbox.put(lambda: self._publish(event)),
                on_restart=lambda name: metrics.watchdog_restarts.labels(name).inc(),
                on_stall=lambda name, why: self.health.stalled(name, why) if self.health else None,
            )

            async def start() -> None:
                assert self.watchdog is not None
                self.watchdog.supervise(ENGINE_TASK)
                if self.watch and self.reloader is not None:
                    self.watchdog.supervise(
                        "config_watch", self.reloader.watcher(self.request_reload)
                    )
                ready.set()
                await self.watchdog.run(s.watchdog.check_seconds)

            with contextlib.suppress(asyncio.CancelledError):
                loop.run_until_complete(start())
            loop.close()

        self._thread = threading.Thread(target=main, name="tradebot-runtime", daemon=True)
        self._thread.start()
        ready.wait(10)

    def _publish(self, event: SystemEvent) -> None:
        if self.engine is not None:
            self.engine.bus.publish(event)

    def request_reload(self) -> None:
        """Queue a reload for the engine thread (any thread may call this)."""
        if self.reloader is not None:
            reloader = self.reloader

            def reload() -> None:
                reloader.reload()

            self._inbox.put(reload)

    def drain(self) -> None:
        """Run queued work (reloads, watchdog reports) now, on the calling (engine) thread."""
        while not self._inbox.empty():
            self._inbox.get_nowait()()

    def finish(self) -> None:
        """After the run: apply what is queued and take a last metrics sample."""
        self.drain()
        if self.metrics is not None:
            self.metrics.sample()

    def close(self) -> None:
        """Stop every service this runtime started."""
        if self._loop is not None and self._thread is not None:
            loop = self._loop

            def cancel_all() -> None:
                for task in asyncio.all_tasks(loop):
                    task.cancel()

            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(cancel_all)
            self._thread.join(5)
        if self.server is not None:
            self.server.stop()
        if self.scheduler is not None:
            self.scheduler.stop()
        if self._own_db and self.db is not None:
            self.db.close()
        if self.logs is not None:
            self.logs.close()

    def __enter__(self) -> Runtime:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _log_system_event(event: SystemEvent) -> None:
    """Warnings and errors (watchdog restarts, stalls); the jobs log their own info lines."""
    if event.level in ("warning", "error", "critical"):
        getattr(log, event.level)(event.message, kind=event.kind, **event.details)


def _secret_names(settings: Any) -> list[str]:
    """Which secrets are set (names only)."""
    secrets = settings.secrets
    names = [n for n in ("telegram_token", "openai_api_key", "db_password") if getattr(secrets, n)]
    return names + [f"exchanges.{name}" for name in secrets.exchanges]


def _log_failure(failure: StrategyFailed) -> None:
    log.error("strategy failed", strategy=failure.strategy_id, error=failure.error)


__all__ = ["ENGINE_TASK", "Runtime"]
