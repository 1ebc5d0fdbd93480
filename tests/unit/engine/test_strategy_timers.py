"""Strategy timers: jobs the engine runs on its clock (``Strategy.every`` / ``at``)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from fixtures.factories import SPOT, paper_engine
from tradebot.engine.clock import WallClock
from tradebot.engine.config import SessionConfig
from tradebot.engine.runners import build_paper_engine, run_events
from tradebot.engine.trading_engine import TradingEngine
from tradebot.model.data import Bar
from tradebot.risk.config import RiskConfig
from tradebot.strategies.base import Strategy

MIN = 60 * 10**9
T0 = 1_600_000_000 * 10**9 // (60 * MIN) * (60 * MIN)  # a whole UTC hour, far from zero


def hourly_bars(n: int, *, gap_after: int | None = None) -> list[Bar]:
    """``n`` one-hour bars closing at T0 + 1h, + 2h, ... at 100, 101, ...; optionally with 3
    hours missing after bar ``gap_after`` (0-based)."""
    bars = []
    close = T0
    for i in range(n):
        close += 60 * MIN
        if gap_after is not None and i == gap_after:
            close += 3 * 60 * MIN
        p = 100.0 + i
        bars.append(Bar(SPOT.id, "1h", close - 60 * MIN, close, p, p, p, p, 1.0))
    return bars


class Jobs(Strategy):  # type: ignore[type-arg]
    """Sets the jobs ``setup`` asks for in on_start and records every run."""

    name = "timer_jobs"

    def __init__(self, setup: Callable[[Jobs], object], *, strategy_id: str | None = None) -> None:
        super().__init__(strategy_id=strategy_id)
        self.setup = setup
        self.runs: list[tuple[str, int, int, float | None]] = []
        self.bars_seen: list[int] = []

    def on_start(self) -> None:
        self.setup(self)

    def on_bar(self, bar: Bar) -> None:
        self.bars_seen.append(bar.ts_event)

    def job(self, label: str) -> Callable[[int], None]:
        def run(ts: int) -> None:
            self.runs.append((label, ts, self.now_ns(), self.ctx.last_price(SPOT.id)))

        return run


def run_jobs(*strategies: Strategy, bars: list[Bar] | None = None) -> TradingEngine:  # type: ignore[type-arg]
    engine = paper_engine([SPOT], list(strategies))
    return run_events(engine, bars if bars is not None else hourly_bars(4))


def test_every_runs_on_the_interval_grid_from_the_first_event() -> None:
    s = Jobs(lambda s: s.every(30 * MIN, s.job("hedge")))
    run_jobs(s)
    # Bars close at T0+1h .. T0+4h; the first run is the first 30-minute mark after T0+1h,
    # and a job due at a bar's time runs before that bar (the data stamped then is not in).
    expected = [T0 + k * 30 * MIN for k in range(3, 9)]
    assert [r[1] for r in s.runs] == expected
    assert [r[2] for r in s.runs] == expected  # now_ns() inside the job is its own time
    # The last price a job sees is the close of the last bar stamped before it.
    assert [r[3] for r in s.runs] == [100.0, 100.0, 101.0, 101.0, 102.0, 102.0]


def test_a_job_due_at_a_bar_time_runs_before_that_bar_is_delivered() -> None:
    order: list[str] = []

    class Probe(Strategy):  # type: ignore[type-arg]
        name = "probe"

        def on_start(self) -> None:
            self.at(T0 + 2 * 60 * MIN, lambda ts: order.append(f"job@{ts}"))

        def on_bar(self, bar: Bar) -> None:
            order.append(f"bar@{bar.ts_event}")

    run_jobs(Probe(), bars=hourly_bars(3))
    h = 60 * MIN
    assert order == [f"bar@{T0 + h}", f"job@{T0 + 2 * h}", f"bar@{T0 + 2 * h}", f"bar@{T0 + 3 * h}"]


def test_jobs_in_a_data_gap_each_run_at_their_own_time() -> None:
    s = Jobs(lambda s: s.every(60 * MIN, s.job("h")))
    run_jobs(s, bars=hourly_bars(3, gap_after=1))
    # Closes at T0+1h, T0+5h (3 hours missing), T0+6h: jobs at +2h, +3h, +4h, +5h, +6h.
    assert [r[1] for r in s.runs] == [T0 + k * 60 * MIN for k in (2, 3, 4, 5, 6)]


def test_at_runs_once_and_a_start_time_anchors_every() -> None:
    s = Jobs(
        lambda s: (
            s.at(T0 + 150 * MIN, s.job("once")),
            s.every(45 * MIN, s.job("every"), start_ns=T0 + 100 * MIN),
        )
    )
    run_jobs(s, bars=hourly_bars(5))
    assert [r[1] for r in s.runs if r[0] == "once"] == [T0 + 150 * MIN]
    assert [r[1] for r in s.runs if r[0] == "every"] == [
        T0 + m * MIN for m in (100, 145, 190, 235, 280)
    ]


def test_repeated_runs_fire_at_the_same_times() -> None:
    def setup(s: Jobs) -> None:
        s.every(7 * MIN, s.job("a"))
        s.every(20 * MIN, s.job("b"))
        s.at(T0 + 200 * MIN, s.job("c"))

    runs = []
    for _ in range(3):
        s = Jobs(setup)
        run_jobs(s, bars=hourly_bars(6, gap_after=2))
        runs.append(s.runs)
    assert runs[0] == runs[1] == runs[2]
    assert len(runs[0]) > 20
    times = [r[1] for r in runs[0]]
    assert times == sorted(times)  # in time order across jobs


def test_cancel_and_replace_by_name() -> None:
    def setup(s: Jobs) -> None:
        s.every(30 * MIN, s.job("first"), "job")
        s.every(60 * MIN, s.job("second"), "job")  # replaces the first
        s.every(30 * MIN, s.job("canceled"), "other")
        assert s.cancel_timer("other") is True
        assert s.cancel_timer("missing") is False

    s = Jobs(setup)
    run_jobs(s)
    assert {r[0] for r in s.runs} == {"second"}
    assert [r[1] for r in s.runs] == [T0 + k * 60 * MIN for k in (2, 3, 4)]


def test_a_job_may_cancel_itself() -> None:
    def setup(s: Jobs) -> None:
        def once_then_stop(ts: int) -> None:
            s.runs.append(("self", ts, ts, None))
            s.cancel_timer("self_stop")

        s.every(30 * MIN, once_then_stop, "self_stop")

    s = Jobs(setup)
    run_jobs(s)
    assert [r[1] for r in s.runs] == [T0 + 90 * MIN]


def test_a_failing_strategys_timers_stop_and_the_others_carry_on() -> None:
    def failing_setup(s: Jobs) -> None:
        def boom(ts: int) -> None:
            s.runs.append(("boom", ts, ts, None))
            if ts >= T0 + 120 * MIN:
                raise RuntimeError("job failed")

        s.every(30 * MIN, boom, "boom")
        s.every(60 * MIN, s.job("sibling"), "sibling")

    bad = Jobs(failing_setup, strategy_id="bad")
    good = Jobs(lambda s: s.every(30 * MIN, s.job("good")), strategy_id="good")
    engine = run_jobs(bad, good, bars=hourly_bars(5))
    assert [r[1] for r in bad.runs if r[0] == "boom"] == [T0 + 90 * MIN, T0 + 120 * MIN]
    # The sibling job, due at the same time, was armed first and ran before the failure;
    # it never runs again.
    assert [r[1] for r in bad.runs if r[0] == "sibling"] == [T0 + 120 * MIN]
    assert [f.strategy_id for f in engine.failures] == ["bad"]
    assert "job failed" in engine.failures[0].error
    assert [r[1] for r in good.runs] == [T0 + k * 30 * MIN for k in range(3, 11)]
    assert bad.bars_seen == [T0 + 60 * MIN]  # failed at the T0+2h job, before the T0+2h bar


def test_a_strategy_failing_on_a_bar_loses_its_timers() -> None:
    class FailsOnSecondBar(Jobs):
        def on_bar(self, bar: Bar) -> None:
            super().on_bar(bar)
            if len(self.bars_seen) == 2:
                raise ValueError("bad bar")

    s = FailsOnSecondBar(lambda s: s.every(30 * MIN, s.job("j")))
    run_jobs(s, bars=hourly_bars(5))
    assert [r[1] for r in s.runs] == [T0 + 90 * MIN, T0 + 120 * MIN]


def test_no_job_runs_after_the_engine_stops() -> None:
    s = Jobs(lambda s: s.every(30 * MIN, s.job("j")))
    engine = paper_engine([SPOT], [s])
    engine.start()
    for bar in hourly_bars(2):
        engine.on_event(bar)
    engine.stop()
    engine.advance_time(T0 + 10 * 60 * MIN)
    assert [r[1] for r in s.runs] == [T0 + 90 * MIN, T0 + 120 * MIN]
    with pytest.raises(RuntimeError, match="not running"):
        s.every(30 * MIN, s.job("late"))


def test_no_alert_is_pending_without_timers() -> None:
    engine = run_jobs(Jobs(lambda s: None))
    assert engine.clock.has_alerts is False
    assert engine.clock.next_alert_ns is None


def test_bad_timer_arguments_are_refused() -> None:
    errors: list[str] = []

    def setup(s: Jobs) -> None:
        for interval in (0, -5):
            try:
                s.every(interval, s.job("x"))
            except ValueError as exc:
                errors.append(str(exc))

    run_jobs(Jobs(setup))
    assert len(errors) == 2
    assert all("positive" in e for e in errors)


def test_at_in_the_past_is_refused() -> None:
    seen: list[str] = []

    class Late(Strategy):  # type: ignore[type-arg]
        name = "late"

        def on_bar(self, bar: Bar) -> None:
            try:
                self.at(bar.ts_event - 1, lambda ts: None)
            except ValueError as exc:
                seen.append(str(exc))

    run_jobs(Late(), bars=hourly_bars(1))
    assert len(seen) == 1
    assert "before now" in seen[0]


class FrozenWallClock(WallClock):
    """A wall clock stopped at a chosen instant (the live clock's behaviour, minus the drift)."""

    __slots__ = ("wall",)

    def __init__(self, wall: int) -> None:
        super().__init__()
        self.wall = wall

    def now_ns(self) -> int:
        return self.wall


def test_on_a_wall_clock_jobs_anchor_on_real_time_and_fire_from_the_heartbeat() -> None:
    wall = T0 + 7 * MIN + 12_345
    clock = FrozenWallClock(wall)
    s = Jobs(lambda s: s.every(15 * MIN, s.job("live")))
    config = SessionConfig(cash=1e4, risk=RiskConfig.unlimited())
    engine = build_paper_engine([SPOT], [s], config, clock=clock)
    engine.start()
    engine.advance_time(T0 + 14 * MIN)  # nothing due yet
    assert s.runs == []
    clock.wall = T0 + 50 * MIN
    engine.advance_time(clock.wall)  # a heartbeat with no market data
    assert [r[1] for r in s.runs] == [T0 + 15 * MIN, T0 + 30 * MIN, T0 + 45 * MIN]
    engine.on_event(Bar(SPOT.id, "1m", T0 + 60 * MIN, T0 + 61 * MIN, 1.0, 1.0, 1.0, 1.0, 1.0))
    assert [r[1] for r in s.runs][-1] == T0 + 60 * MIN
    engine.stop()
