"""The watchdog: background tasks prove they are alive by beating; a silent one is restarted.

Each supervised task is an ``async`` function taking a ``beat`` callable, which it must call
at least every ``timeout`` seconds. When a task misses its heartbeat (or dies), the watchdog
cancels it, starts a fresh one from its factory, and reports it three ways: a
:class:`~tradebot.storage.records.SystemEvent` (``kind="watchdog_restart"``) handed to
``report``, an error log line, and the ``tradebot_watchdog_restarts_total`` metric.

A task that cannot be restarted from here (the engine loop, which runs on its own thread) is
registered with ``factory=None``: it only beats, and a stall is reported and marks the process
not alive (``/healthz`` answers 503) until it beats again.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import structlog

from tradebot.storage.records import SystemEvent

log = structlog.get_logger("tradebot.watchdog")

Beat = Callable[[], None]
TaskFactory = Callable[[Beat], Awaitable[None]]


@dataclass
class Supervised:
    """One supervised task."""

    name: str
    factory: TaskFactory | None
    timeout: float
    last_beat: float
    restarts: int = 0
    stalled: bool = False
    task: asyncio.Task[None] | None = field(default=None, repr=False)


class Watchdog:
    """Restarts tasks that stop beating.

    Parameters
    ----------
    timeout : float
        Seconds without a beat after which a task counts as stalled (per-task override in
        :meth:`supervise`).
    report : callable, optional
        Receives a ``SystemEvent`` for every restart or stall.
    on_restart : callable, optional
        ``on_restart(name)`` (the metric).
    on_stall : callable, optional
        ``on_stall(name, reason_or_None)`` for tasks without a factory (health state).
    now : callable
        Monotonic seconds (replaceable in tests).
    """

    def __init__(
        self,
        timeout: float = 30.0,
        *,
        report: Callable[[SystemEvent], None] | None = None,
        on_restart: Callable[[str], None] | None = None,
        on_stall: Callable[[str, str | None], None] | None = None,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self.timeout = timeout
        self.report = report
        self.on_restart = on_restart
        self.on_stall = on_stall
        self.now = now
        self.tasks: dict[str, Supervised] = {}

    def supervise(
        self, name: str, factory: TaskFactory | None = None, *, timeout: float | None = None
    ) -> Supervised:
        """Watch task ``name``; with a factory, start it now (needs a running event loop)."""
        entry = Supervised(name, factory, timeout or self.timeout, self.now())
        self.tasks[name] = entry
        if factory is not None:
            self._start(entry)
        return entry

    def beat(self, name: str) -> None:
        """Task ``name`` is alive (thread-safe: a float store)."""
        entry = self.tasks.get(name)
        if entry is not None:
            entry.last_beat = self.now()

    def _start(self, entry: Supervised) -> None:
        assert entry.factory is not None
        entry.last_beat = self.now()
        coro = entry.factory(lambda: self.beat(entry.name))
        entry.task = asyncio.ensure_future(coro)

    def check(self) -> list[str]:
        """Restart every stalled or dead task; returns the names restarted."""
        now = self.now()
        restarted = []
        for entry in list(self.tasks.values()):
            silent = now - entry.last_beat
            died = entry.task is not None and entry.task.done()
            if entry.factory is None:
                self._check_passive(entry, silent)
                continue
            if silent <= entry.timeout and not died:
                continue
            why = (
                f"died ({_task_error(entry.task)})"
                if died
                else f"missed its heartbeat for {silent:.1f} s (limit {entry.timeout:g} s)"
            )
            if entry.task is not None and not entry.task.done():
                entry.task.cancel()
            entry.restarts += 1
            self._start(entry)
            restarted.append(entry.name)
            log.error(
                "task restarted by the watchdog",
                task=entry.name,
                reason=why,
                restarts=entry.restarts,
            )
            if self.on_restart is not None:
                self.on_restart(entry.name)
            self._report("watchdog_restart", f"{entry.name} {why}; restarted", entry)
        return restarted

    def _check_passive(self, entry: Supervised, silent: float) -> None:
        if silent > entry.timeout and not entry.stalled:
            entry.stalled = True
            why = f"missed its heartbeat for {silent:.1f} s (limit {entry.timeout:g} s)"
            log.error("task stalled", task=entry.name, reason=why)
            if self.on_stall is not None:
                self.on_stall(entry.name, why)
            self._report("watchdog_stall", f"{entry.name} {why}", entry)
        elif silent <= entry.timeout and entry.stalled:
            entry.stalled = False
            log.info("task recovered", task=entry.name)
            if self.on_stall is not None:
                self.on_stall(entry.name, None)

    def _report(self, kind: str, message: str, entry: Supervised) -> None:
        if self.report is not None:
            self.report(
                SystemEvent(
                    ts_event=time.time_ns(),
                    kind=kind,
                    message=message,
                    level="error",
                    details={"task": entry.name, "restarts": entry.restarts},
                )
            )

    async def run(self, every: float = 5.0) -> None:
        """Check every ``every`` seconds until cancelled; cancels the tasks on the way out."""
        try:
            while True:
                await asyncio.sleep(every)
                self.check()
        finally:
            await self.shutdown()

    async def shutdown(self) -> None:
        """Cancel every supervised task and wait for them."""
        for entry in self.tasks.values():
            if entry.task is not None and not entry.task.done():
                entry.task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await entry.task


def _task_error(task: asyncio.Task[None] | None) -> str:
    if task is None or task.cancelled():
        return "cancelled"
    exc = task.exception()
    return f"{type(exc).__name__}: {exc}" if exc is not None else "returned"


__all__ = ["Beat", "Supervised", "TaskFactory", "Watchdog"]
