"""Drops, lost bars, refused connections and stalls: the supervisor recovers from each."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Sequence

import pytest

from tradebot.engine.clock import SimulatedClock
from tradebot.execution.venue_health import VenueError, VenueStatus
from tradebot.model.data import Bar
from tradebot.model.identifiers import InstrumentId
from tradebot.risk.state import RiskStateChanged
from tradebot.venues.feed import CircuitState, FeedConfig, FeedSupervisor, binance_ws_source

from .recording import (
    MS,
    VENUE,
    Collector,
    candle_rows,
    closed_kline_template,
    eventually,
    expected_rows,
    kline_frame,
    recorded_frames,
    row_of,
    run_until,
)
from .replay_server import Command, Frame, ReplayServer
from .risk_side import opening_denied, risk_engine

FAST = FeedConfig(
    backoff_initial_s=0.001,
    backoff_max_s=0.01,
    backoff_jitter_s=0.001,
    probe_interval_s=0.02,
    max_lag_s=None,
)
BTC = InstrumentId("BTC/USDT:USDT", VENUE)
MINUTE_NS = 60 * 10**9


def test_a_dropped_connection_reconnects_and_resumes_the_stream() -> None:
    expected = expected_rows()
    script: list[Frame] = list(recorded_frames())
    script.insert(200, Command.DROP)

    async def scenario() -> FeedSupervisor:
        seen = Collector()
        seen.watch(VenueError, VenueStatus)
        async with ReplayServer(script) as server:
            sup = FeedSupervisor(
                VENUE,
                binance_ws_source(server.url, proxy=None),
                seen.events.append,
                clock=SimulatedClock(),
                bus=seen.bus,
                config=FAST,
            )
            await run_until(sup, lambda: len(seen.events) == len(expected))
            assert server.connections == 2
        assert [row_of(e) for e in seen.events] == expected
        assert [e.kind for e in seen.of(VenueError)] == ["network"]
        assert "ConnectionClosedError" in seen.of(VenueError)[0].detail
        assert [s.up for s in seen.of(VenueStatus)] == [True]  # a drop does not flap readiness
        return sup

    sup = asyncio.run(scenario())
    assert (sup.stats.attempts, sup.stats.connects, sup.stats.drops) == (2, 2, 1)
    assert sup.stats.consecutive_failures == 0
    assert sup.circuit is CircuitState.CLOSED


def _candle_bars() -> list[Bar]:
    bars = []
    for row in candle_rows():
        start = int(row["open_time_ms"]) * MS
        values = (float(row[f]) for f in ("open", "high", "low", "close", "volume"))
        bars.append(Bar(BTC, "1m", start, start + MINUTE_NS, *values))
    return bars


def test_bars_missed_during_a_drop_are_back_filled_in_order_without_duplicates() -> None:
    template = closed_kline_template()
    frames = [kline_frame(template, row) for row in candle_rows()]
    bars = _candle_bars()
    assert len(bars) == 30
    # Bars 0-9 arrive, the connection drops, bars 10-14 are lost; the new connection first
    # replays bars 8 and 9 (already delivered), then streams bars 15-29.
    script: list[Frame] = [*frames[:10], Command.DROP, *frames[8:10], *frames[15:]]
    calls: list[tuple[InstrumentId, str, int, int]] = []

    async def rest_klines(iid: InstrumentId, timeframe: str, since: int, until: int) -> list[Bar]:
        calls.append((iid, timeframe, since, until))
        await asyncio.sleep(0)
        # Like the REST endpoint: newest first is allowed; the supervisor sorts and filters.
        return [b for b in reversed(bars) if since <= b.ts_open <= until]

    async def scenario() -> tuple[FeedSupervisor, list[Bar]]:
        seen = Collector()
        async with ReplayServer(script) as server:
            sup = FeedSupervisor(
                VENUE,
                binance_ws_source(server.url, proxy=None),
                seen.events.append,
                clock=SimulatedClock(),
                backfill=rest_klines,
                config=FAST,
            )
            await run_until(sup, lambda: len(seen.events) == len(bars))
            await asyncio.sleep(0.02)  # nothing more may arrive
            assert server.connections == 2
        return sup, [e for e in seen.events if isinstance(e, Bar)]

    sup, got = asyncio.run(scenario())
    assert got == bars  # every bar once, in time order; 10-14 from the back-fill
    assert calls == [(BTC, "1m", bars[10].ts_open, bars[15].ts_open)]
    assert (sup.stats.backfilled, sup.stats.duplicates, sup.stats.missing_bars) == (5, 2, 0)


def test_a_failing_back_fill_leaves_the_gap_counted_and_the_stream_running() -> None:
    template = closed_kline_template()
    frames = [kline_frame(template, row) for row in candle_rows()]
    script: list[Frame] = [*frames[:5], Command.DROP, *frames[8:12]]

    async def broken(iid: InstrumentId, timeframe: str, since: int, until: int) -> Sequence[Bar]:
        raise ConnectionResetError("REST is down too")

    async def scenario() -> tuple[FeedSupervisor, Collector]:
        seen = Collector()
        seen.watch(VenueError)
        async with ReplayServer(script) as server:
            sup = FeedSupervisor(
                VENUE,
                binance_ws_source(server.url, proxy=None),
                seen.events.append,
                clock=SimulatedClock(),
                bus=seen.bus,
                backfill=broken,
                config=FAST,
            )
            await run_until(sup, lambda: len(seen.events) == 9)
        return sup, seen

    sup, seen = asyncio.run(scenario())
    assert [e.ts_open for e in seen.events] == [
        b.ts_open for b in _candle_bars()[:5] + _candle_bars()[8:12]
    ]
    assert (sup.stats.backfill_errors, sup.stats.missing_bars) == (1, 3)
    assert [e.kind for e in seen.of(VenueError)] == ["network", "network"]
    assert "back-fill" in seen.of(VenueError)[1].detail


def test_five_failures_open_the_circuit_then_a_half_open_probe_recovers() -> None:
    expected = expected_rows()
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        await asyncio.sleep(seconds)

    async def scenario() -> None:
        seen = Collector()
        seen.watch(VenueStatus, VenueError, RiskStateChanged)
        risk = risk_engine()
        risk.breakers.publish = seen.bus.publish
        assert not opening_denied(risk)
        async with ReplayServer(recorded_frames()) as server:
            server.refusing = True
            sup = FeedSupervisor(
                VENUE,
                binance_ws_source(server.url, proxy=None),
                seen.events.append,
                clock=SimulatedClock(),
                bus=seen.bus,
                safe_mode=risk.breakers,
                config=FAST,
                sleep=sleep,
            )
            task = asyncio.create_task(sup.run())
            await eventually(lambda: sup.stats.failures >= 6)  # open; the first probe failed
            assert sup.stats.circuit_opens == 1
            assert sup.stats.probes >= 1
            assert sup.stats.failures <= server.refused <= sup.stats.attempts
            assert sup.circuit in (CircuitState.OPEN, CircuitState.HALF_OPEN)
            status = seen.of(VenueStatus)
            assert [(s.venue, s.up) for s in status] == [(VENUE, False)]
            assert "5 connection attempts failed" in status[0].reason
            assert risk.state.active.keys() == {f"safe_mode:feed:{VENUE}"}
            assert opening_denied(risk)  # safe mode: only closing orders

            server.refusing = False
            await eventually(lambda: len(seen.events) == len(expected))
            sup.stop()
            await asyncio.wait_for(task, 2)
        assert sup.circuit is CircuitState.CLOSED
        assert [s.up for s in seen.of(VenueStatus)] == [False, True]
        assert risk.state.active == {}
        assert not opening_denied(risk)
        changes = [(c.block, c.active) for c in seen.of(RiskStateChanged)]
        assert changes == [(f"safe_mode:feed:{VENUE}", True), (f"safe_mode:feed:{VENUE}", False)]
        assert all(e.kind == "network" for e in seen.of(VenueError))
        assert [row_of(e) for e in seen.events] == expected
        assert sup.stats.consecutive_failures == 0
        # Four backoff waits between the five attempts: 1, 2, 4, 8 ms plus up to 1 ms of
        # jitter; then one probe per probe interval.
        for wait, base in zip(waits[:4], (0.001, 0.002, 0.004, 0.008), strict=True):
            assert base <= wait <= base + 0.001
        assert len(waits) >= 6
        assert set(waits[4:]) == {0.02}
        assert sup.stats.probes == len(waits) - 4

    asyncio.run(scenario())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_refused_tcp_connections_count_as_failures_and_open_the_circuit() -> None:
    url = f"ws://127.0.0.1:{_free_port()}/stream"  # nothing listens there

    async def scenario() -> tuple[FeedSupervisor, Collector]:
        seen = Collector()
        seen.watch(VenueStatus, VenueError)
        sup = FeedSupervisor(
            VENUE,
            binance_ws_source(url, proxy=None, open_timeout=1.0),
            seen.events.append,
            clock=SimulatedClock(),
            bus=seen.bus,
            config=FAST,
        )
        await run_until(sup, lambda: sup.stats.circuit_opens == 1)
        return sup, seen

    sup, seen = asyncio.run(scenario())
    assert sup.stats.attempts == 5
    assert sup.stats.failures == 5
    assert [s.up for s in seen.of(VenueStatus)] == [False]
    assert [e.kind for e in seen.of(VenueError)] == ["network"] * 5
    assert "ConnectionRefusedError" in seen.of(VenueError)[0].detail


@pytest.mark.parametrize("at", [0, 150])
def test_a_stall_counts_as_a_failure_and_forces_a_reconnect(at: int) -> None:
    expected = expected_rows()
    script: list[Frame] = list(recorded_frames())
    script.insert(at, Command.STALL)
    config = FeedConfig(
        backoff_initial_s=0.001, backoff_jitter_s=0.001, stall_timeout_s=0.3, max_lag_s=None
    )

    async def scenario() -> tuple[FeedSupervisor, Collector]:
        seen = Collector()
        seen.watch(VenueError)
        async with ReplayServer(script) as server:
            sup = FeedSupervisor(
                VENUE,
                binance_ws_source(server.url, proxy=None),
                seen.events.append,
                clock=SimulatedClock(),
                bus=seen.bus,
                config=config,
            )
            await run_until(sup, lambda: len(seen.events) == len(expected))
            assert server.connections == 2
        assert [row_of(e) for e in seen.events] == expected
        return sup, seen

    sup, seen = asyncio.run(scenario())
    assert (sup.stats.stalls, sup.stats.failures, sup.stats.attempts) == (1, 1, 2)
    assert [e.kind for e in seen.of(VenueError)] == ["timeout"]
    assert "no message for 0.3 s" in seen.of(VenueError)[0].detail
    # A stall before the first message is a failed attempt; after it, a dropped session.
    assert sup.stats.drops == 0
    assert sup.stats.connects == (1 if at == 0 else 2)
