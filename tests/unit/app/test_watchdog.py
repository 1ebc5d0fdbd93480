"""The watchdog restarts a task that misses its heartbeat and reports it (system event, log,
metric); a task it cannot restart marks the process not alive until it beats again."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from tradebot.api.health import HealthState
from tradebot.app.logs import configure_logging
from tradebot.app.metrics import EngineMetrics
from tradebot.app.watchdog import Beat, Watchdog
from tradebot.storage.records import SystemEvent


def test_a_stalled_task_is_restarted_and_reported(tmp_path: Path) -> None:
    metrics = EngineMetrics()
    reports: list[SystemEvent] = []
    fake_now = [1000.0]
    starts: list[int] = []
    logs = configure_logging(tmp_path, console="off")

    async def worker(beat: Beat) -> None:
        starts.append(len(starts) + 1)
        beat()
        await asyncio.Event().wait()  # hangs: never beats again

    async def scenario() -> list[str]:
        dog = Watchdog(
            timeout=10,
            report=reports.append,
            on_restart=lambda name: metrics.watchdog_restarts.labels(name).inc(),
            now=lambda: fake_now[0],
        )
        dog.supervise("feed", worker)
        await asyncio.sleep(0)
        fake_now[0] += 5
        assert dog.check() == []  # within its timeout
        fake_now[0] += 6
        restarted = dog.check()
        await asyncio.sleep(0)
        fake_now[0] += 3
        assert dog.check() == []  # the fresh task beat on start
        await dog.shutdown()
        return restarted

    try:
        restarted = asyncio.run(scenario())
    finally:
        logs.close()
    assert restarted == ["feed"]
    assert starts == [1, 2]
    assert metrics.value("tradebot_watchdog_restarts_total", {"task": "feed"}) == 1
    assert [(r.kind, r.details["task"]) for r in reports] == [("watchdog_restart", "feed")]
    assert "missed its heartbeat for 11.0 s (limit 10 s)" in reports[0].message
    lines = [json.loads(x) for x in (tmp_path / "errors.log").read_text().splitlines()]
    assert [(x["event"], x["task"]) for x in lines] == [("task restarted by the watchdog", "feed")]


def test_a_task_that_dies_is_restarted() -> None:
    runs: list[int] = []

    async def flaky(beat: Beat) -> None:
        runs.append(1)
        beat()
        if len(runs) == 1:
            raise ConnectionError("socket closed")
        await asyncio.Event().wait()

    async def scenario() -> list[str]:
        dog = Watchdog(timeout=60)
        dog.supervise("stream", flaky)
        await asyncio.sleep(0.01)
        restarted = dog.check()
        await asyncio.sleep(0.01)
        await dog.shutdown()
        return restarted

    assert asyncio.run(scenario()) == ["stream"]
    assert len(runs) == 2


def test_a_stalled_engine_loop_makes_healthz_fail_until_it_beats() -> None:
    health = HealthState(lambda: 0)
    fake_now = [0.0]
    reports: list[SystemEvent] = []
    dog = Watchdog(
        timeout=5, report=reports.append, on_stall=health.stalled, now=lambda: fake_now[0]
    )
    dog.supervise("engine")
    fake_now[0] = 6
    dog.check()
    alive, reasons = health.liveness()
    assert not alive
    assert reasons == ["engine: missed its heartbeat for 6.0 s (limit 5 s)"]
    assert [r.kind for r in reports] == ["watchdog_stall"]
    dog.beat("engine")
    dog.check()
    assert health.liveness() == (True, [])
