"""The live runner: events in arrival order, a heartbeat that fires timers with no data, and a
clean stop on SIGTERM (engine stopped, live clients shut down). Bounded by asyncio timeouts."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator, Callable

from fixtures.factories import PERP, ScriptedStrategy, flat_bar, paper_engine
from tradebot.engine.clock import WallClock
from tradebot.engine.live_runner import LiveRunner
from tradebot.model.data import Bar, MarketEvent
from tradebot.strategies.base import Strategy


class Ticking(Strategy):  # type: ignore[type-arg]
    name = "ticking"

    def __init__(self) -> None:
        super().__init__()
        self.runs: list[int] = []
        self.bars: list[int] = []

    def on_start(self) -> None:
        self.every(20_000_000, self.runs.append, "job")  # every 20 ms of engine time

    def on_bar(self, event: Bar) -> None:
        self.bars.append(event.ts_event)


class FakeClient:
    def __init__(self) -> None:
        self.calls: list[str] = []

    async def start(self) -> object:
        self.calls.append("start")
        return "report"

    async def send_now(self) -> None:
        self.calls.append("send")

    async def shutdown(self, timeout_s: float | None = None) -> object:
        self.calls.append("shutdown")
        return "done"


def test_timers_fire_from_the_heartbeat_without_any_data() -> None:
    async def body() -> None:
        strategy = Ticking()
        engine = paper_engine([PERP], [strategy])
        wall = WallClock()
        engine.clock = wall
        engine.orders._now = wall.now_ns
        client = FakeClient()
        runner = LiveRunner(engine, clients=[client], tick_s=0.01, install_signals=False)
        asyncio.get_running_loop().call_later(0.2, runner.stop)
        async with asyncio.timeout(5):
            stats = await runner.run()
        assert len(strategy.runs) >= 3  # no event arrived, the jobs ran anyway
        assert stats.events == 0
        assert stats.ticks >= 5
        assert client.calls[0] == "start"
        assert client.calls[-1] == "shutdown"
        assert stats.start_reports == ["report"]
        assert stats.shutdown_reports == ["done"]

    asyncio.run(body())


def test_events_reach_the_engine_in_arrival_order_and_sigterm_stops_cleanly() -> None:
    async def body() -> None:
        strategy = ScriptedStrategy({})
        engine = paper_engine([PERP], [strategy])
        client = FakeClient()
        seen: list[MarketEvent] = []
        runner = LiveRunner(engine, clients=[client], tick_s=0.05, on_event=seen.append)
        bars = [flat_bar(PERP, i, 100.0 + i) for i in range(5)]

        async def source() -> AsyncIterator[MarketEvent]:
            for b in bars:
                yield b
                await asyncio.sleep(0.005)
            await asyncio.sleep(0.05)
            os.kill(os.getpid(), signal.SIGTERM)
            await asyncio.sleep(10)

        async with asyncio.timeout(5):
            stats = await runner.run(sources=[source()])
        assert seen == bars
        assert strategy.seen == 5
        assert stats.stopped_by == "signal"
        assert client.calls.count("send") >= 5  # after every event
        assert client.calls[-1] == "shutdown"
        # the handler was removed: SIGTERM is the default again
        assert signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None)

    asyncio.run(body())


def test_the_run_ends_when_every_producer_ended() -> None:
    async def body() -> None:
        engine = paper_engine([PERP], [ScriptedStrategy({})])
        runner = LiveRunner(engine, clients=[], tick_s=0.05, install_signals=False)

        async def producer(push: Callable[[MarketEvent], None]) -> None:
            push(flat_bar(PERP, 0, 100.0))

        async with asyncio.timeout(5):
            stats = await runner.run(producers=[producer])
        assert stats.events == 1
        assert stats.stopped_by == "sources"
        assert engine._stopped

    asyncio.run(body())
