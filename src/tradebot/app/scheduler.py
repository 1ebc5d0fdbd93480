"""Scheduled jobs on the engine's clock: the same jobs, at the same times, in every mode.

APScheduler's triggers (``IntervalTrigger``, ``CronTrigger``) decide *when* a job is due —
cron semantics, time zones, daylight saving — and the engine clock decides *how* time passes:
each next fire time is armed with ``clock.set_alert``. In a backtest the simulated clock fires
the alerts as the data moves it (a daily job runs at each 00:00 UTC the data crosses); live,
the wall clock fires them as the runner advances it. APScheduler's own threads are not used.

Standard jobs (:func:`install_standard_jobs`): heartbeat (metrics sample), end-of-day close
(optional cron), daily P&L reset at 00:00 UTC, hourly and daily reports.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

import structlog
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from tradebot.engine.clock import Clock
from tradebot.storage.records import SystemEvent

if TYPE_CHECKING:
    from tradebot.app.metrics import EngineMetrics
    from tradebot.app.settings.schema import SchedulerSection
    from tradebot.engine.trading_engine import TradingEngine

log = structlog.get_logger("tradebot.scheduler")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
JobFunc = Callable[[int], None]


def ns_to_datetime(ts_ns: int) -> datetime:
    """UTC nanoseconds → aware datetime (microsecond precision, as APScheduler uses)."""
    return _EPOCH + timedelta(microseconds=ts_ns // 1000)


def datetime_to_ns(dt: datetime) -> int:
    """Aware datetime → UTC nanoseconds."""
    return (dt - _EPOCH) // timedelta(microseconds=1) * 1000


_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def _crontab_weekdays(field: str) -> str:
    """Crontab weekdays (0 or 7 = Sunday, 1 = Monday) as day names.

    APScheduler 3 numbers weekdays from Monday = 0, so ``from_crontab("… 1-5")`` would mean
    Tuesday to Saturday; names mean the same to both.
    """
    if not any(c.isdigit() for c in field):
        return field
    days: set[int] = set()
    for item in field.split(","):
        span, _, step_text = item.partition("/")
        step = int(step_text) if step_text else 1
        if span == "*":
            lo, hi = 0, 6
        elif "-" in span:
            a, b = span.split("-", 1)
            lo, hi = int(a), int(b)
        else:
            lo = hi = int(span)
        if not (0 <= lo <= 7 and 0 <= hi <= 7 and lo <= hi and step >= 1):
            raise ValueError(f"weekday field '{field}' is not valid (0-7, 0 and 7 = Sunday)")
        days.update(d % 7 for d in range(lo, hi + 1, step))
    return ",".join(_DAYS[d] for d in sorted(days))


def cron(expression: str, timezone: tzinfo | str = UTC) -> CronTrigger:
    """A trigger from a five-field crontab line (minute hour day month weekday), with the
    crontab meaning of weekday numbers (0 or 7 = Sunday, 1-5 = Monday to Friday)."""
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(f"'{expression}' has {len(fields)} fields; a crontab line has 5")
    minute, hour, day, month, weekday = fields
    return CronTrigger(
        minute=minute,
        hour=hour,
        day=day,
        month=month,
        day_of_week=_crontab_weekdays(weekday),
        timezone=timezone,
    )


@dataclass
class Job:
    """A job armed on the clock."""

    name: str
    trigger: BaseTrigger
    func: JobFunc
    next_fire_ns: int | None = None
    runs: int = 0
    failures: int = 0
    fired: list[int] = field(default_factory=list)
    """Fire times (UTC ns), most recent last; only the last ``keep`` are kept."""
    keep: int = 10_000
    _generation: int = 0


class EngineScheduler:
    """Jobs whose fire times come from APScheduler triggers, armed on an engine clock.

    Parameters
    ----------
    clock : Clock
        The engine's clock (simulated or wall); it calls the jobs.
    on_run : callable, optional
        ``on_run(job_name, ts_ns)`` after each run (metrics).
    """

    def __init__(self, clock: Clock, *, on_run: Callable[[str, int], None] | None = None) -> None:
        self.clock = clock
        self.on_run = on_run
        self.jobs: dict[str, Job] = {}
        self.started_at: int | None = None

    def add_job(self, name: str, trigger: BaseTrigger, func: JobFunc) -> Job:
        """Add (or replace) job ``name``; armed at :meth:`start`, or now if already started."""
        old = self.jobs.pop(name, None)
        if old is not None:
            old._generation += 1
        job = Job(name, trigger, func)
        self.jobs[name] = job
        if self.started_at is not None:
            self._arm(job, None, max(self.clock.now_ns(), self.started_at))
        return job

    def remove_job(self, name: str) -> None:
        """Forget job ``name``; its armed alert becomes a no-op."""
        job = self.jobs.pop(name, None)
        if job is not None:
            job._generation += 1

    def start(self, start_ns: int | None = None) -> None:
        """Arm every job from ``start_ns`` (default: the clock's now). A job due exactly at
        ``start_ns`` runs at it."""
        self.started_at = self.clock.now_ns() if start_ns is None else start_ns
        for job in self.jobs.values():
            self._arm(job, None, self.started_at)

    def stop(self) -> None:
        """Disarm every job."""
        for job in self.jobs.values():
            job._generation += 1
            job.next_fire_ns = None
        self.started_at = None

    def _arm(self, job: Job, previous_ns: int | None, now_ns: int) -> None:
        previous = ns_to_datetime(previous_ns) if previous_ns is not None else None
        nxt = job.trigger.get_next_fire_time(previous, ns_to_datetime(now_ns))
        if nxt is None:
            job.next_fire_ns = None
            return
        due = datetime_to_ns(nxt)
        job.next_fire_ns = due
        generation = job._generation
        self.clock.set_alert(due, lambda ts: self._fire(job, generation, due))

    def _fire(self, job: Job, generation: int, due: int) -> None:
        if generation != job._generation or self.jobs.get(job.name) is not job:
            return
        try:
            job.func(due)
        except Exception:  # one failing job must not stop the engine or the other jobs
            job.failures += 1
            log.exception("scheduled job failed", job=job.name, ts=due)
        job.runs += 1
        job.fired.append(due)
        if len(job.fired) > job.keep:
            del job.fired[: len(job.fired) - job.keep]
        if self.on_run is not None:
            self.on_run(job.name, due)
        self._arm(job, due, due)


def install_standard_jobs(
    scheduler: EngineScheduler,
    engine: TradingEngine,
    metrics: EngineMetrics | None,
    section: SchedulerSection,
) -> None:
    """Heartbeat, daily P&L reset, hourly and daily reports, and (if set) end-of-day close."""
    tz = section.timezone
    start = ns_to_datetime(scheduler.started_at or engine.clock.now_ns())

    def publish(kind: str, message: str, ts: int, **details: object) -> None:
        engine.bus.publish(SystemEvent(ts_event=ts, kind=kind, message=message, details=details))

    def heartbeat(ts: int) -> None:
        if metrics is not None:
            metrics.sample()

    def daily_reset(ts: int) -> None:
        if metrics is not None:
            metrics.sample()
            metrics.reset_day()
        log.info("daily P&L reset", ts=ns_to_datetime(ts).isoformat(), equity=engine.equity())
        publish("daily_reset", "daily P&L reset", ts)

    def report(period: str) -> JobFunc:
        def run(ts: int) -> None:
            if metrics is not None:
                metrics.sample()
            fills = sum(1 for _ in engine.signals)  # signals seen so far, a cheap activity count
            (log.info if period == "daily" else log.debug)(
                f"{period} report",
                ts=ns_to_datetime(ts).isoformat(),
                equity=round(engine.equity(), 2),
                signals=fills,
                events=engine.events_processed,
            )
            publish(f"{period}_report", f"{period} report", ts, equity=engine.equity())

        return run

    def eod_close(ts: int) -> None:
        log.info("end-of-day close", ts=ns_to_datetime(ts).isoformat())
        engine.close_all("end-of-day close")
        publish("eod_close", "end-of-day close", ts)

    scheduler.add_job(
        "heartbeat",
        IntervalTrigger(seconds=section.heartbeat_seconds, start_date=start, timezone=UTC),
        heartbeat,
    )
    scheduler.add_job("daily_reset", cron(section.daily_reset, tz), daily_reset)
    scheduler.add_job("hourly_report", cron(section.hourly_report, tz), report("hourly"))
    scheduler.add_job("daily_report", cron(section.daily_report, tz), report("daily"))
    if section.eod_close:
        scheduler.add_job("eod_close", cron(section.eod_close, tz), eod_close)


logging.getLogger("apscheduler").setLevel(logging.WARNING)

__all__ = [
    "EngineScheduler",
    "Job",
    "cron",
    "datetime_to_ns",
    "install_standard_jobs",
    "ns_to_datetime",
]
