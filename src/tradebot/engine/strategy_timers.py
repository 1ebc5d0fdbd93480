"""Strategies' scheduled jobs, riding on the engine clock's alerts.

A job fires at the same engine times in a backtest (simulated clock: when an event moves the
clock past it, each at its own time and before that event is processed) as live (wall clock).
The engine owns one :class:`StrategyTimers`; it decides who may set a job and runs each job
through its failure guard, so a job that raises stops its strategy like any hook.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from tradebot.engine.clock import SimulatedClock
from tradebot.model.identifiers import StrategyId
from tradebot.strategies.base import Strategy

Run = Callable[[Strategy[Any], Callable[[int], None], int], None]


class _Timer:
    """One job (see :meth:`StrategyTimers.set`)."""

    __slots__ = ("callback", "interval_ns", "live", "name", "strategy")

    def __init__(
        self,
        strategy: Strategy[Any],
        name: str,
        callback: Callable[[int], None],
        interval_ns: int,
    ) -> None:
        self.strategy = strategy
        self.name = name
        self.callback = callback
        self.interval_ns = interval_ns
        self.live = True


class StrategyTimers:
    """Named jobs per strategy: set, replace, cancel, and drop them all at once.

    Parameters
    ----------
    clock : callable
        The engine's current clock (simulated or wall; read at each use, since a runner may
        swap it before starting): jobs are its alerts.
    run : callable
        ``run(strategy, callback, ts)``: the engine's guard that runs a job.
    last_event_ns : callable
        Time of the last market event the engine processed (< 0 before the first).
    """

    def __init__(
        self, clock: Callable[[], SimulatedClock], run: Run, last_event_ns: Callable[[], int]
    ) -> None:
        self._clock = clock
        self._run = run
        self._last_event_ns = last_event_ns
        self._jobs: dict[tuple[StrategyId, str], _Timer] = {}
        self._stopped = False

    def __iter__(self) -> Iterator[tuple[StrategyId, str]]:
        """(strategy, name) of every job still scheduled."""
        return iter(list(self._jobs))

    def set(
        self,
        strategy: Strategy[Any],
        name: str,
        callback: Callable[[int], None],
        *,
        at_ns: int | None,
        interval_ns: int,
    ) -> None:
        """Schedule (or replace) a job; the engine has checked the arguments.

        Without ``at_ns`` the first run is at the next multiple of ``interval_ns`` after now;
        before the first market event of a backtest (a simulated clock still at 0) "now" is
        that event's time.
        """
        old = self._jobs.pop((strategy.id, name), None)
        if old is not None:
            old.live = False
        timer = self._jobs[strategy.id, name] = _Timer(strategy, name, callback, interval_ns)
        now = self._clock().now_ns()
        if at_ns is not None:
            self._arm(timer, at_ns)
        elif now <= 0 and self._last_event_ns() < 0:  # simulated clock before its first event
            self._clock().set_alert(
                now, lambda _: self._arm(timer, _after(self._last_event_ns(), timer))
            )
        else:
            self._arm(timer, _after(now, timer))

    def cancel(self, strategy_id: StrategyId, name: str) -> bool:
        """Stop one job; False when the strategy has none of that name."""
        timer = self._jobs.pop((strategy_id, name), None)
        if timer is None:
            return False
        timer.live = False
        return True

    def drop(self, strategy_id: StrategyId) -> None:
        """Stop every job of a strategy (it failed or was removed)."""
        for key in [key for key in self._jobs if key[0] == strategy_id]:
            self._jobs.pop(key).live = False

    def stop(self) -> None:
        """Stop every job for good (the engine stopped)."""
        self._stopped = True
        for timer in self._jobs.values():
            timer.live = False
        self._jobs.clear()

    def _arm(self, timer: _Timer, due: int) -> None:
        if timer.live:
            self._clock().set_alert(due, lambda ts: self._fire(timer, ts))

    def _fire(self, timer: _Timer, ts: int) -> None:
        if not timer.live or self._stopped:
            return
        if timer.interval_ns:
            self._arm(timer, ts + timer.interval_ns)  # armed first: the job may cancel itself
        else:
            timer.live = False
            self._jobs.pop((timer.strategy.id, timer.name), None)
        self._run(timer.strategy, timer.callback, ts)


def _after(now: int, timer: _Timer) -> int:
    """The first multiple of the timer's interval strictly after ``now``."""
    step = timer.interval_ns
    return (now // step + 1) * step


__all__ = ["StrategyTimers"]
