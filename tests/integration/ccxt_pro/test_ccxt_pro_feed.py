"""ccxt.pro itself against a local WebSocket server, under the feed supervisor.

For each of Binance USD-M, Bybit, Deribit and MEXC: the real ccxt.pro exchange class, its
WebSocket URLs pointed at ``VenueServer`` on 127.0.0.1, sends its own subscribe message, parses
the venue's frames, and ``CcxtDataClient.stream_*`` converts them to our events, wrapped in
``FeedSupervisor``. The REST side (markets, bar back-fill) is ccxt's async class over the
recorded-payload HTTP stub. Nothing leaves the machine.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from ccxt_stub import StubSession, attach, config_for
from pro_frames import CASES, MS, Row, VenueCase
from venue_server import Command, Frame, VenueServer

from fixtures.factories import PERP, qty_signal
from tradebot.engine.bus import MessageBus
from tradebot.engine.clock import SimulatedClock
from tradebot.execution.venue_health import VenueError, VenueStatus
from tradebot.model.account import Account
from tradebot.model.data import Bar, MarketEvent, TradeTick
from tradebot.portfolio.portfolio import Portfolio
from tradebot.risk.config import RiskConfig
from tradebot.risk.engine import RiskEngine
from tradebot.risk.limits import RiskLimits
from tradebot.risk.state import RiskStateChanged
from tradebot.risk.verdict import Denied
from tradebot.venues.ccxt import CcxtDataClient
from tradebot.venues.ccxt.factories import build_exchange
from tradebot.venues.feed import CircuitState, FeedConfig, FeedSupervisor, SourceItem

FAST = FeedConfig(
    backoff_initial_s=0.001,
    backoff_max_s=0.01,
    backoff_jitter_s=0.001,
    probe_interval_s=0.02,
    stall_timeout_s=1.5,
    max_lag_s=None,
)
IDS = [case.exchange for case in CASES]


# -- wiring ------------------------------------------------------------------------------------
def point_ws(pro: Any, exchange: str, url: str) -> None:
    """Point every public WebSocket URL of a ccxt.pro instance at ``url``."""
    ws = pro.urls["api"]["ws"]
    if exchange == "deribit":
        pro.urls["api"]["ws"] = url
    elif exchange == "bybit":
        for key in ws["public"]:
            ws["public"][key] = url
    else:  # binanceusdm ({type: url}), mexc ({"spot", "swap"})
        for key, value in list(ws.items()):
            if isinstance(value, str):
                ws[key] = url


@asynccontextmanager
async def venue(
    case: VenueCase, script: list[Frame], *, pace_s: float = 0.002
) -> AsyncIterator[tuple[CcxtDataClient, VenueServer, StubSession]]:
    """The local server, and a data client of real ccxt instances pointed at it."""
    config = config_for(case.exchange)
    rest = build_exchange(config, private=False)
    rest.enableRateLimit = False
    session = attach(rest, case.routes())
    pro = build_exchange(config, private=False, pro=True)
    pro.enableRateLimit = False  # the subscribe throttle only sleeps; nobody to spare here
    pro.timeout_on_exit = 0  # close() would sleep 250 ms
    for key, value in case.pro_options.items():
        pro.options[key] = {**(pro.options.get(key) or {}), **value}
    client = CcxtDataClient(rest, config.venue, stream_exchange=pro)
    async with VenueServer(case.exchange, script, pace_s=pace_s) as server:
        point_ws(pro, case.exchange, server.url)
        try:
            yield client, server, session
        finally:
            await asyncio.wait_for(client.close(), 2)


def supervise(
    client: CcxtDataClient,
    source: Callable[[], AsyncIterator[SourceItem]],
    seen: Collector,
    **kw: Any,
) -> FeedSupervisor:
    async def backfill(iid: Any, timeframe: str, since: int, until: int) -> list[Bar]:
        return await client.fetch_bars_range(iid.symbol, timeframe, since, until)

    kw.setdefault("config", FAST)
    return FeedSupervisor(
        client.venue,
        source,
        seen.events.append,
        clock=SimulatedClock(),
        bus=seen.bus,
        backfill=backfill,
        **kw,
    )


def bars_of(client: CcxtDataClient, case: VenueCase) -> Callable[[], AsyncIterator[SourceItem]]:
    def source() -> AsyncIterator[SourceItem]:
        return client.stream_bars(case.symbol, "1m")  # type: ignore[return-value]

    return source


class Collector:
    """Delivered events and bus messages by type."""

    def __init__(self) -> None:
        self.events: list[MarketEvent] = []
        self.bus = MessageBus()
        self.messages: dict[type, list[Any]] = {}

    def watch(self, *types: type) -> None:
        for kind in types:
            self.bus.subscribe(kind, self.messages.setdefault(kind, []).append)

    def of(self, kind: type) -> list[Any]:
        return self.messages.get(kind, [])


async def eventually(done: Callable[[], bool], *, within: float = 4.0) -> None:
    """Poll ``done`` until it holds; fail after ``within`` seconds."""
    async with asyncio.timeout(within):
        while True:
            if done():
                return
            await asyncio.sleep(0.002)


@asynccontextmanager
async def running(sup: FeedSupervisor) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.create_task(sup.run())
    try:
        yield task
    finally:
        sup.stop()
        await asyncio.wait_for(task, 2)


def bar_row(bar: MarketEvent) -> Row:
    assert isinstance(bar, Bar)
    assert bar.timeframe == "1m"
    assert bar.ts_event - bar.ts_open == 60 * 10**9
    return (bar.ts_open // MS, bar.open, bar.high, bar.low, bar.close, bar.volume)


def expected_bars(case: VenueCase, frames: list[str]) -> list[Row]:
    """Every candle but the last (still forming when the stream ends), from the frames."""
    rows = [case.bar_row(f) for f in frames]
    return sorted(rows)[:-1]


def risk_engine() -> RiskEngine:
    pf = Portfolio(Account("USDT", {"USDT": 10_000.0}, 5.0), [PERP])
    pf.mark(PERP.id, 100.0)
    return RiskEngine(RiskConfig(limits=RiskLimits.off()), pf)


def opening_denied(risk: RiskEngine) -> bool:
    return isinstance(risk.evaluate(qty_signal(PERP, 1.0)), Denied)


# -- events ------------------------------------------------------------------------------------
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_bars_arrive_parsed_by_ccxt_and_converted(case: VenueCase) -> None:
    frames = case.kline_frames()
    expected = expected_bars(case, frames)
    assert len(expected) == 29

    async def scenario() -> tuple[FeedSupervisor, Collector, VenueServer]:
        seen = Collector()
        seen.watch(VenueStatus, VenueError)
        async with venue(case, list(frames)) as (client, server, _):
            sup = supervise(client, bars_of(client, case), seen)
            async with running(sup):
                await eventually(lambda: len(seen.events) == len(expected))
                await asyncio.sleep(0.02)  # nothing more may arrive
        return sup, seen, server

    sup, seen, server = asyncio.run(scenario())
    assert [bar_row(e) for e in seen.events] == expected
    assert {e.instrument_id.symbol for e in seen.events} == {case.symbol}
    assert server.subscriptions == [[case.kline_topic]]
    assert [s.up for s in seen.of(VenueStatus)] == [True]
    assert seen.of(VenueError) == []
    assert (sup.stats.connects, sup.stats.failures, sup.stats.duplicates) == (1, 0, 0)


def trade_row(event: MarketEvent, with_id: bool) -> Row:
    assert isinstance(event, TradeTick)
    trade_id = event.trade_id if with_id else None
    return (event.ts_event // MS, event.price, event.size, str(event.aggressor), trade_id)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_recorded_trades_arrive_parsed_by_ccxt_and_converted(case: VenueCase) -> None:
    frames = case.trades()
    expected = [row for f in frames for row in case.trade_rows(f)]
    with_id = case.exchange != "mexc"

    async def scenario() -> tuple[Collector, VenueServer]:
        seen = Collector()
        async with venue(case, list(frames)) as (client, server, _):

            def source() -> AsyncIterator[SourceItem]:
                return client.stream_trades(case.trade_symbol)  # type: ignore[return-value]

            sup = supervise(client, source, seen)
            async with running(sup):
                await eventually(lambda: len(seen.events) >= len(expected), within=2.0)
                await asyncio.sleep(0.02)
        return seen, server

    seen, server = asyncio.run(scenario())
    assert [trade_row(e, with_id) for e in seen.events] == expected
    assert {e.instrument_id.symbol for e in seen.events} == {case.trade_symbol}
    assert server.subscriptions == [[case.trade_topic]]


# -- a dropped connection ----------------------------------------------------------------------
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_a_drop_reconnects_resubscribes_and_back_fills_the_missed_bars(case: VenueCase) -> None:
    frames = case.kline_frames()
    expected = expected_bars(case, frames)
    # Candles 0-9 arrive, the server drops the connection, candles 10-14 are lost; the new
    # connection first repeats 8 and 9, then streams 15-29.
    script: list[Frame] = [*frames[:10], Command.DROP, *frames[8:10], *frames[15:]]

    async def scenario() -> tuple[FeedSupervisor, Collector, VenueServer, StubSession]:
        seen = Collector()
        seen.watch(VenueStatus, VenueError)
        async with venue(case, script) as (client, server, session):
            sup = supervise(client, bars_of(client, case), seen)
            async with running(sup):
                await eventually(lambda: len(seen.events) == len(expected))
                await asyncio.sleep(0.02)
        return sup, seen, server, session

    sup, seen, server, session = asyncio.run(scenario())
    assert [bar_row(e) for e in seen.events] == expected  # each once, in order
    assert server.connections == 2
    assert server.subscriptions == [[case.kline_topic], [case.kline_topic]]
    assert sup.stats.backfilled == 5  # candles 10-14, over REST
    assert sup.stats.missing_bars == 0
    assert sup.stats.drops == 1
    rest_path = case.rest_path.split(" ", 1)[1]
    assert any(r.path == rest_path for r in session.requests)
    assert [e.kind for e in seen.of(VenueError)] == ["network"]
    assert [s.up for s in seen.of(VenueStatus)] == [True]  # a drop does not flap readiness


# -- garbage and venue errors ------------------------------------------------------------------
GARBAGE = ("this is not json", '{"truncated": ', "[1, 2", "{}", "null")


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_garbage_frames_are_counted_and_dropped_without_a_reconnect(case: VenueCase) -> None:
    frames = case.kline_frames()
    expected = expected_bars(case, frames)
    script: list[Frame] = [*frames[:10], *GARBAGE, *case.bad_frames, *frames[10:]]

    async def scenario() -> tuple[FeedSupervisor, Collector, VenueServer, dict[str, int]]:
        seen = Collector()
        seen.watch(VenueError)
        async with venue(case, script) as (client, server, _):
            sup = supervise(client, bars_of(client, case), seen)
            async with running(sup):
                await eventually(lambda: len(seen.events) == len(expected))
                await asyncio.sleep(0.02)
        return sup, seen, server, client.malformed

    sup, seen, server, malformed = asyncio.run(scenario())
    assert [bar_row(e) for e in seen.events] == expected
    assert server.done
    # Two frames are not JSON that parses; the other three reach ccxt's handler, which
    # ignores them. Each bad frame of the venue's own shape makes ccxt's parser raise.
    assert malformed == {"json": 2, **({"parse": len(case.bad_frames)} if case.bad_frames else {})}
    assert server.connections == 1  # ccxt's receive loop kept reading
    assert (sup.stats.failures, sup.stats.backfilled) == (0, 0)
    assert seen.of(VenueError) == []


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_a_venue_error_frame_surfaces_as_a_failure_and_the_feed_recovers(
    case: VenueCase,
) -> None:
    frames = case.kline_frames()
    expected = expected_bars(case, frames)
    script: list[Frame] = [*frames[:10], case.error_frame, *frames[10:]]

    async def scenario() -> tuple[FeedSupervisor, Collector, VenueServer]:
        seen = Collector()
        seen.watch(VenueError)
        async with venue(case, script) as (client, server, _):
            sup = supervise(client, bars_of(client, case), seen)
            async with running(sup):
                await eventually(lambda: len(seen.events) == len(expected) and server.done)
                await asyncio.sleep(0.02)
        return sup, seen, server

    sup, seen, server = asyncio.run(scenario())
    assert [bar_row(e) for e in seen.events] == expected  # gaps back-filled over REST
    if case.exchange == "mexc":  # ccxt.pro ignores MEXC's `rs.error` push
        assert (server.connections, seen.of(VenueError)) == (1, [])
        return
    assert server.connections == 2
    assert server.subscriptions == [[case.kline_topic], [case.kline_topic]]
    assert sup.stats.failures == 1
    [error] = seen.of(VenueError)
    said = {"binanceusdm": "Invalid request", "bybit": "handler not found"}
    assert error.kind == "other"
    assert said.get(case.exchange, "Invalid params") in error.detail


# -- a stall -----------------------------------------------------------------------------------
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_a_stall_forces_a_real_reconnect(case: VenueCase) -> None:
    frames = case.kline_frames()
    expected = expected_bars(case, frames)
    script: list[Frame] = [*frames[:10], Command.STALL, *frames[10:]]
    config = FeedConfig(
        backoff_initial_s=0.001, backoff_jitter_s=0.001, stall_timeout_s=0.3, max_lag_s=None
    )

    async def scenario() -> tuple[FeedSupervisor, Collector, VenueServer]:
        seen = Collector()
        seen.watch(VenueError)
        async with venue(case, script) as (client, server, _):
            sup = supervise(client, bars_of(client, case), seen, config=config)
            async with running(sup):
                await eventually(lambda: len(seen.events) == len(expected))
                await asyncio.sleep(0.02)
        return sup, seen, server

    sup, seen, server = asyncio.run(scenario())
    assert [bar_row(e) for e in seen.events] == expected
    assert server.connections == 2  # ccxt's stalled client was closed, a new one dialled
    assert server.subscriptions == [[case.kline_topic], [case.kline_topic]]
    assert (sup.stats.stalls, sup.stats.failures, sup.stats.attempts) == (1, 1, 2)
    assert [e.kind for e in seen.of(VenueError)] == ["timeout"]


# -- refused connections: circuit, safe mode, recovery ----------------------------------------
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_five_refused_connections_open_the_circuit_and_recovery_closes_it(
    case: VenueCase,
) -> None:
    frames = case.kline_frames()
    expected = expected_bars(case, frames)

    async def scenario() -> None:
        seen = Collector()
        seen.watch(VenueStatus, VenueError, RiskStateChanged)
        risk = risk_engine()
        risk.breakers.publish = seen.bus.publish
        assert not opening_denied(risk)
        async with venue(case, list(frames)) as (client, server, _):
            server.refusing = True
            sup = supervise(client, bars_of(client, case), seen, safe_mode=risk.breakers)
            async with running(sup):
                await eventually(lambda: sup.stats.failures >= 6)  # open; a probe failed too
                assert sup.stats.circuit_opens == 1
                assert server.refused >= 6
                assert sup.circuit in (CircuitState.OPEN, CircuitState.HALF_OPEN)
                status = seen.of(VenueStatus)
                assert [s.up for s in status] == [False]
                assert "5 connection attempts failed" in status[0].reason
                source = f"safe_mode:feed:{client.venue}"
                assert risk.state.active.keys() == {source}
                assert opening_denied(risk)  # safe mode: closing orders only

                server.refusing = False
                await eventually(lambda: len(seen.events) == len(expected))
            assert sup.circuit is CircuitState.CLOSED
            assert [s.up for s in seen.of(VenueStatus)] == [False, True]
            assert risk.state.active == {}
            assert not opening_denied(risk)
            changes = [(c.block, c.active) for c in seen.of(RiskStateChanged)]
            assert changes == [(source, True), (source, False)]
            assert {e.kind for e in seen.of(VenueError)} == {"network"}
            assert [bar_row(e) for e in seen.events] == expected

    asyncio.run(scenario())


# -- Deribit: ccxt keeps only the latest candle ------------------------------------------------
DERIBIT = next(case for case in CASES if case.exchange == "deribit")


def test_ccxt_deribit_keeps_one_candle_so_a_burst_loses_candles_between_two_reads() -> None:
    """ccxt 4.5.90 ``deribit.handle_ohlcv`` checks its candle cache with ``safe_dict``, which
    is None for the list-like cache, so every frame starts a new cache of one candle."""
    frames = DERIBIT.kline_frames()[:3]

    async def scenario() -> list[Any]:
        async with venue(DERIBIT, []) as (client, _, _):
            pro = await client._pro("watchOHLCV")
            ws = pro.client("ws://127.0.0.1:1/unused")
            for frame in frames:
                pro.handle_message(ws, json.loads(frame))
            return list(pro.ohlcvs[DERIBIT.symbol]["1m"])

    cached = asyncio.run(scenario())
    assert [row[0] for row in cached] == [DERIBIT.bar_row(frames[-1])[0]]


def test_a_deribit_burst_is_completed_by_the_back_fill() -> None:
    frames = DERIBIT.kline_frames()
    expected = expected_bars(DERIBIT, frames)

    async def scenario() -> tuple[FeedSupervisor, Collector]:
        seen = Collector()
        async with venue(DERIBIT, list(frames), pace_s=0) as (client, _, _):
            sup = supervise(client, bars_of(client, DERIBIT), seen)
            async with running(sup):
                await eventually(lambda: len(seen.events) == len(expected))
                await asyncio.sleep(0.02)
        return sup, seen

    sup, seen = asyncio.run(scenario())
    # However many candles ccxt lost between two reads (most, at this pace), each came once,
    # in order: the lost ones over REST.
    assert [bar_row(e) for e in seen.events] == expected
    assert (sup.stats.missing_bars, sup.stats.failures) == (0, 0)
