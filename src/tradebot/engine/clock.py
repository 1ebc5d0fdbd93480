"""Clocks: simulated for backtests and replays, wall clock for live and paper trading.

Components ask the clock for the time and never call ``time.time()`` themselves, which is what
lets the same code run in all three modes.
"""

from __future__ import annotations

import heapq
import itertools
import time
from collections.abc import Callable
from typing import Protocol

TimerCallback = Callable[[int], None]


class Clock(Protocol):
    """Source of the current time in UTC nanoseconds, with one-shot alerts."""

    def now_ns(self) -> int:
        """Current time."""
        ...

    def set_alert(self, ts_ns: int, callback: TimerCallback) -> None:
        """Call ``callback(ts_ns)`` once the clock reaches ``ts_ns``."""
        ...


class SimulatedClock:
    """A clock the engine moves forward event by event.

    Alerts fire in time order (ties in the order they were set) when the engine advances the
    clock past them, so scheduled jobs behave the same in a backtest as live.
    """

    __slots__ = ("_alerts", "_seq", "has_alerts", "now")

    def __init__(self, start_ns: int = 0) -> None:
        self.now = start_ns
        """Current time; the engine may move it forward directly when no alert is pending."""
        self._alerts: list[tuple[int, int, TimerCallback]] = []
        self._seq = itertools.count()
        self.has_alerts = False

    def now_ns(self) -> int:
        """Current simulated time."""
        return self.now

    def set_alert(self, ts_ns: int, callback: TimerCallback) -> None:
        """Schedule ``callback`` at ``ts_ns``."""
        heapq.heappush(self._alerts, (ts_ns, next(self._seq), callback))
        self.has_alerts = True

    @property
    def next_alert_ns(self) -> int | None:
        """Time of the earliest pending alert."""
        return self._alerts[0][0] if self._alerts else None

    def advance_to(self, ts_ns: int) -> None:
        """Move to ``ts_ns``, firing every alert due at or before it, each at its own time."""
        alerts = self._alerts
        while alerts and alerts[0][0] <= ts_ns:
            due, _, callback = heapq.heappop(alerts)
            self.now = max(self.now, due)
            callback(due)
        self.has_alerts = bool(alerts)
        if ts_ns > self.now:
            self.now = ts_ns


class WallClock(SimulatedClock):
    """The real time; alerts fire when the runner calls ``advance_to(now)`` from its loop."""

    __slots__ = ()

    def now_ns(self) -> int:
        """Current UTC time in nanoseconds."""
        return time.time_ns()


__all__ = ["Clock", "SimulatedClock", "TimerCallback", "WallClock"]
