"""Scheduled jobs on the engine clock: APScheduler's triggers decide the times, the engine's
clock fires them, so a backtest runs the jobs at the times a live session would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from apscheduler.triggers.interval import IntervalTrigger

from tradebot.app.data_selection import select_data
from tradebot.app.scheduler import EngineScheduler, cron, install_standard_jobs
from tradebot.app.settings.schema import SchedulerSection
from tradebot.engine.clock import SimulatedClock
from tradebot.engine.config import SessionConfig
from tradebot.engine.runners import build_paper_engine, run_events
from tradebot.storage.records import SystemEvent
from tradebot.strategies.technical.sma_cross import SmaCross, SmaCrossParams


def _ns(ts: pd.Timestamp | datetime) -> int:
    return int(pd.Timestamp(ts).value)


def test_daily_reset_runs_at_every_utc_midnight_of_a_backtest() -> None:
    data = select_data(data=None, dataset="btc_usd_4h", symbol=None, timeframe=None)
    engine = build_paper_engine(
        data.instruments, [SmaCross(SmaCrossParams(fast=10, slow=30))], SessionConfig()
    )
    scheduler = EngineScheduler(engine.clock)
    first, last = data.source.start_ns, data.source.end_ns
    scheduler.start(first)
    install_standard_jobs(
        scheduler, engine, None, SchedulerSection(heartbeat_seconds=3600 * 24 * 7)
    )
    published: list[SystemEvent] = []
    engine.bus.subscribe(SystemEvent, published.append)
    run_events(engine, iter(data.source))

    # Independent: every 00:00 UTC from the first bar to the last, inclusive.
    start = pd.Timestamp(first, tz="UTC").ceil("D")
    expected = [_ns(t) for t in pd.date_range(start, pd.Timestamp(last, tz="UTC"), freq="D")]
    job = scheduler.jobs["daily_reset"]
    assert job.fired == expected
    assert len(expected) > 3000
    assert [e.ts_event for e in published if e.kind == "daily_reset"] == expected
    # Daily report at 00:05, hourly at every full hour, heartbeat weekly from the first bar.
    reports = scheduler.jobs["daily_report"]
    assert (
        reports.fired
        == [t + 5 * 60 * 10**9 for t in expected if t + 5 * 60 * 10**9 <= last][-reports.keep :]
    )
    hours = pd.date_range(
        pd.Timestamp(first, tz="UTC").ceil("h"), pd.Timestamp(last, tz="UTC"), freq="h"
    )
    assert scheduler.jobs["hourly_report"].runs == len(hours)
    assert scheduler.jobs["hourly_report"].fired[-1] == _ns(hours[-1])
    week = 7 * 24 * 3600 * 10**9
    assert scheduler.jobs["heartbeat"].fired == list(range(first, last + 1, week))


def test_cron_in_a_time_zone_follows_daylight_saving() -> None:
    clock = SimulatedClock()
    scheduler = EngineScheduler(clock)
    ran: list[int] = []
    scheduler.add_job("eod", cron("55 15 * * 1-5", "America/New_York"), ran.append)
    start = datetime(2024, 3, 1, tzinfo=UTC)
    end = datetime(2024, 3, 31, tzinfo=UTC)
    scheduler.start(_ns(start))
    clock.advance_to(_ns(end))

    ny = ZoneInfo("America/New_York")
    expected = []
    day = datetime(2024, 3, 1, 15, 55, tzinfo=ny)
    while day.astimezone(UTC) <= end:
        if day.weekday() < 5 and day.astimezone(UTC) >= start:
            expected.append(_ns(day.astimezone(UTC)))
        day = datetime.combine(
            day.date() + timedelta(days=1), day.timetz().replace(tzinfo=None), tzinfo=ny
        )
    assert ran == expected
    # 20:55 UTC before the switch on 10 March, 19:55 UTC after it.
    assert {datetime.fromtimestamp(t / 1e9, UTC).hour for t in ran} == {19, 20}


def test_a_failing_job_is_logged_and_keeps_its_schedule() -> None:
    clock = SimulatedClock()
    scheduler = EngineScheduler(clock)

    def boom(ts: int) -> None:
        raise RuntimeError("job failed")

    scheduler.add_job(
        "boom", IntervalTrigger(seconds=10, start_date=datetime(2024, 1, 1, tzinfo=UTC)), boom
    )
    t0 = _ns(datetime(2024, 1, 1, tzinfo=UTC))
    scheduler.start(t0)
    clock.advance_to(t0 + 35 * 10**9)
    job = scheduler.jobs["boom"]
    assert job.fired == [t0, t0 + 10**10, t0 + 2 * 10**10, t0 + 3 * 10**10]
    assert job.failures == 4


def test_a_removed_job_does_not_run() -> None:
    clock = SimulatedClock()
    scheduler = EngineScheduler(clock)
    ran: list[int] = []
    scheduler.add_job("x", cron("* * * * *"), ran.append)
    scheduler.start(0)
    clock.advance_to(120 * 10**9)
    scheduler.remove_job("x")
    clock.advance_to(600 * 10**9)
    assert ran == [0, 60 * 10**9, 120 * 10**9]


@pytest.mark.parametrize("expression", ["0 0 * * *", "*/15 * * * *"])
def test_cron_helper_matches_apscheduler(expression: str) -> None:
    trigger = cron(expression)
    now = datetime(2024, 5, 5, 13, 7, tzinfo=UTC)
    assert trigger.get_next_fire_time(None, now) > now


@pytest.mark.parametrize(
    ("field", "names"),
    [
        ("1-5", "mon,tue,wed,thu,fri"),
        ("0", "sun"),
        ("7", "sun"),
        ("0,6", "sun,sat"),
        ("*/2", "sun,tue,thu,sat"),
        ("mon-fri", "mon-fri"),
        ("*", "*"),
    ],
)
def test_crontab_weekday_numbers_keep_their_crontab_meaning(field: str, names: str) -> None:
    from tradebot.app.scheduler import _crontab_weekdays

    assert _crontab_weekdays(field) == names
