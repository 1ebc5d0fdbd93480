"""The supervised Binance source on a replay of the recorded stream: order, bad frames, lag."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator

from tradebot.engine.clock import SimulatedClock
from tradebot.execution.venue_health import VenueError, VenueStatus
from tradebot.model.identifiers import InstrumentId
from tradebot.risk.state import RiskStateChanged
from tradebot.venues.feed import (
    FeedConfig,
    FeedSupervisor,
    MarketDataLag,
    SourceFactory,
    SourceItem,
    binance_ws_source,
)

from .recording import (
    MS,
    VENUE,
    Collector,
    expected_row,
    expected_rows,
    recorded_frames,
    recorded_lines,
    row_of,
    run_until,
)
from .replay_server import Frame, ReplayServer
from .risk_side import risk_engine

FAST = FeedConfig(
    backoff_initial_s=0.001, backoff_max_s=0.01, backoff_jitter_s=0.001, max_lag_s=None
)


def supervise(
    server: ReplayServer,
    seen: Collector,
    *,
    clock: SimulatedClock | None = None,
    config: FeedConfig = FAST,
    source: SourceFactory | None = None,
) -> FeedSupervisor:
    return FeedSupervisor(
        VENUE,
        source or binance_ws_source(server.url, proxy=None),
        seen.events.append,
        clock=clock or SimulatedClock(),
        bus=seen.bus,
        config=config,
    )


def test_events_arrive_parsed_and_in_the_recorded_order() -> None:
    expected = expected_rows()
    assert [r[0] for r in expected].count("bar") == 4  # one closed kline per symbol

    async def scenario() -> FeedSupervisor:
        seen = Collector()
        seen.watch(VenueStatus, VenueError)
        async with ReplayServer(recorded_frames()) as server:
            sup = supervise(server, seen)
            await run_until(sup, lambda: len(seen.events) == len(expected))
            assert server.connections == 1
        assert [row_of(e) for e in seen.events] == expected
        assert [(s.venue, s.up) for s in seen.of(VenueStatus)] == [(VENUE, True)]
        assert seen.of(VenueError) == []
        return sup

    sup = asyncio.run(scenario())
    assert sup.stats.malformed == {}
    kinds = [line["data"]["data"]["e"] for line in recorded_lines()]
    open_klines = kinds.count("kline") - 4
    assert sup.stats.ignored == {
        "depthUpdate": kinds.count("depthUpdate"),
        "kline_open": open_klines,
    }
    assert sup.stats.events == len(expected)
    assert sup.stats.attempts == 1


GARBAGE: list[tuple[int, Frame, str]] = [
    (0, "{not json", "json"),
    (3, b"\xff\xfe\x00 binary noise", "json"),
    (10, "[1, 2, 3]", "envelope"),
    (11, '{"stream": "sushiusdt@bookTicker"}', "envelope"),
    (
        20,
        '{"stream":"sushiusdt@bookTicker","data":{"e":"bookTicker","s":"SUSHIUSDT",'
        '"b":"abc","B":"2","a":"7.6120","A":"297","T":1626992741012}}',
        "bookTicker",
    ),
    (
        21,
        '{"stream":"sushiusdt@bookTicker","data":{"e":"bookTicker","s":"SUSHIUSDT",'
        '"b":"NaN","B":"2","a":"7.6120","A":"297","T":1626992741012}}',
        "bookTicker",
    ),
    (
        40,
        '{"stream":"ctkusdt@aggTrade","data":{"e":"aggTrade","s":"CTKUSDT","a":1,'
        '"q":"5","T":1626992741000,"m":true}}',
        "aggTrade",
    ),
    (60, '{"stream":"ctkusdt@kline_1m","data":{"e":"kline","k":"closed"}}', "kline"),
    (
        61,
        '{"stream":"ctkusdt@kline_1m","data":{"e":"kline","k":{"x":true,"s":"CTKUSDT",'
        '"t":"yesterday","T":1626992759999,"i":"1m","o":"1","h":"1","l":"1","c":"1","v":"1"}}}',
        "kline",
    ),
]


def test_garbage_is_counted_per_kind_and_dropped_while_good_frames_flow() -> None:
    expected = expected_rows()
    script: list[Frame] = list(recorded_frames())
    for index, frame, _ in sorted(GARBAGE, reverse=True):
        script.insert(index, frame)
    script.append('{"result": null, "id": 1}')  # a reply to a control request: not garbage

    async def scenario() -> FeedSupervisor:
        seen = Collector()
        async with ReplayServer(script) as server:
            sup = supervise(server, seen)
            await run_until(
                sup, lambda: server.cursor == len(script) and sup.stats.ignored.get("response")
            )
            assert server.connections == 1
        assert [row_of(e) for e in seen.events] == expected
        return sup

    sup = asyncio.run(scenario())
    counts: dict[str, int] = {}
    for _, _, kind in GARBAGE:
        counts[kind] = counts.get(kind, 0) + 1
    assert sup.stats.malformed == counts
    assert sup.stats.attempts == 1
    assert sup.stats.failures == 0


class RecordedTime:
    """Wraps a source: before each message is handled, the clock shows its recorded receive
    time (the replay sends frames in order, so the n-th message is the n-th line)."""

    def __init__(self, inner: SourceFactory, clock: SimulatedClock) -> None:
        self.inner = inner
        self.clock = clock
        self.received = [round(line["ts"] * 1e9) for line in recorded_lines()]

    def __call__(self) -> AsyncIterator[SourceItem]:
        return self._stream()

    async def _stream(self) -> AsyncIterator[SourceItem]:
        n = 0
        async for item in self.inner():
            self.clock.now = self.received[n]
            n += 1
            yield item


def _event_ts(payload: dict[str, object]) -> int:
    k = payload.get("k")
    if isinstance(k, dict):
        return (int(k["T"]) + 1) * MS
    return int(str(payload["T"])) * MS


def test_lag_per_symbol_is_receive_time_minus_event_time() -> None:
    lines = recorded_lines()
    want = [
        (str(row[1]), round(line["ts"] * 1e9) - _event_ts(line["data"]["data"]))
        for line in lines
        if (row := expected_row(line["data"]["data"])) is not None
    ]

    async def scenario() -> tuple[FeedSupervisor, list[MarketDataLag]]:
        seen = Collector()
        seen.watch(MarketDataLag)
        clock = SimulatedClock()
        config = FeedConfig(lag_publish_interval_s=0.0, max_lag_s=None)
        async with ReplayServer(recorded_frames()) as server:
            source = RecordedTime(binance_ws_source(server.url, proxy=None), clock)
            sup = supervise(server, seen, clock=clock, config=config, source=source)
            await run_until(sup, lambda: len(seen.events) == len(want))
        return sup, seen.of(MarketDataLag)

    sup, lags = asyncio.run(scenario())
    assert [(m.instrument_id.symbol, m.lag_ns) for m in lags] == want
    assert all(m.venue == VENUE for m in lags)
    last = {symbol: lag for symbol, lag in want}
    assert {iid.symbol: lag for iid, lag in sup.lag_ns.items()} == last
    # Real lags of the capture: tens of milliseconds, the closed klines of AKRO and KEEP 2 s.
    assert 0 < min(lag for _, lag in want) < 100 * MS
    assert 2_000 * MS < max(lag for _, lag in want) < 2_100 * MS


def test_lag_publication_is_throttled_per_symbol() -> None:
    async def scenario() -> list[MarketDataLag]:
        seen = Collector()
        seen.watch(MarketDataLag)
        clock = SimulatedClock()
        config = FeedConfig(lag_publish_interval_s=1.0, max_lag_s=None)
        async with ReplayServer(recorded_frames()) as server:
            source = RecordedTime(binance_ws_source(server.url, proxy=None), clock)
            sup = supervise(server, seen, clock=clock, config=config, source=source)
            await run_until(sup, lambda: len(seen.events) == len(expected_rows()))
        return seen.of(MarketDataLag)

    lags = asyncio.run(scenario())
    by_symbol: dict[InstrumentId, list[int]] = {}
    for m in lags:
        by_symbol.setdefault(m.instrument_id, []).append(m.ts_event)
    assert len(by_symbol) == 4
    for times in by_symbol.values():
        assert all(b - a >= 10**9 for a, b in itertools.pairwise(times))
    assert 4 < len(lags) < len(expected_rows()) // 4


def test_lag_over_the_limit_puts_the_account_in_safe_mode_until_data_is_timely() -> None:
    limit_ns = 1_000 * MS  # the capture's AKRO and KEEP klines arrived about 2 s late
    # Expected from the recording: on while some symbol's latest event came over the limit.
    latest: dict[str, int] = {}
    want: list[tuple[bool, int]] = []
    for line in recorded_lines():
        row = expected_row(line["data"]["data"])
        if row is None:
            continue
        received = round(line["ts"] * 1e9)
        latest[str(row[1])] = received - _event_ts(line["data"]["data"])
        on = any(lag > limit_ns for lag in latest.values())
        if on != (bool(want) and want[-1][0]):
            want.append((on, received))
    assert want
    assert want[0][0]

    async def scenario() -> list[RiskStateChanged]:
        seen = Collector()
        seen.watch(RiskStateChanged)
        risk = risk_engine()
        risk.breakers.publish = seen.bus.publish
        clock = SimulatedClock()
        config = FeedConfig(max_lag_s=limit_ns / 1e9)
        async with ReplayServer(recorded_frames()) as server:
            source = RecordedTime(binance_ws_source(server.url, proxy=None), clock)
            sup = FeedSupervisor(
                VENUE,
                source,
                seen.events.append,
                clock=clock,
                bus=seen.bus,
                safe_mode=risk.breakers,
                config=config,
            )
            await run_until(sup, lambda: len(seen.events) == len(expected_rows()))
        return seen.of(RiskStateChanged)

    changes = asyncio.run(scenario())
    key = f"safe_mode:feed:{VENUE}:lag"
    assert [(c.block, c.active, c.ts_event) for c in changes] == [(key, *w) for w in want]
    assert "late" in changes[0].reason
