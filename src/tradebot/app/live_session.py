"""Sessions on a real venue's live market data: paper trading, testnet and mainnet trading.

``tradebot run --venue X --symbol S`` (no ``--testnet``): paper trading on the venue's public
market data, no keys. ``--testnet``: the same feed, orders through the live execution client to
the venue's testnet. ``--live --confirm-mainnet`` (and ``venue.confirm_mainnet: true`` in the
YAML configuration): the same on mainnet.

One engine in all three, on a wall clock, driven by :class:`~tradebot.engine.live_runner.
LiveRunner`. Market data: closed bars (and ticker quotes) of ``--symbol`` from ccxt.pro streams
when the venue has them, else REST polling, each source under a
:class:`~tradebot.venues.feed.FeedSupervisor` (reconnects, safe mode through the risk breakers,
bar gaps back-filled over REST, ``MarketDataLag`` on the bus). Reports are written at the end
as by ``tradebot run``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from tradebot.app.session import SessionOutcome
from tradebot.backtest import compute_metrics, write_html, write_json
from tradebot.backtest.collect import collect_result
from tradebot.engine.bus import MessageBus
from tradebot.engine.clock import WallClock
from tradebot.engine.config import SessionConfig
from tradebot.engine.live_runner import LiveRunner
from tradebot.engine.runners import build_paper_engine
from tradebot.engine.trading_engine import TradingEngine
from tradebot.errors import ConfigError
from tradebot.execution.gateway import VenueGateway
from tradebot.execution.live_client import LiveClientConfig, LiveExecutionClient
from tradebot.model.account import Account
from tradebot.model.data import Bar, MarketEvent, QuoteTick
from tradebot.model.identifiers import InstrumentId
from tradebot.model.instruments import Instrument
from tradebot.model.timeframes import timeframe_ns
from tradebot.portfolio.portfolio import Portfolio
from tradebot.risk.engine import RiskEngine
from tradebot.strategies.base import Strategy
from tradebot.strategies.manager.config import ManagerConfig
from tradebot.strategies.manager.manager import StrategyManager
from tradebot.venues.ccxt.data import CcxtDataClient
from tradebot.venues.feed import FeedConfig, FeedSupervisor, SourceItem

log = logging.getLogger("tradebot.live_session")
Observer = Callable[[TradingEngine, MessageBus], Callable[[MarketEvent], None]]
Mode = Literal["paper", "testnet", "mainnet"]


@dataclass
class LiveSessionSpec:
    """What to trade and how.

    ``bar_poll_s`` / ``quote_poll_s``: REST polling intervals when there is no stream.
    ``feed``: supervisor settings; None derives them from the timeframe (a stall is two bars
    without a message; bars may arrive up to one poll plus 10 s late before safe mode).
    """

    venue: str
    mode: Mode
    symbol: str
    strategies: list[Strategy[Any]]
    params: dict[str, Any]
    config: SessionConfig
    timeframe: str = "1m"
    json_path: Path | None = None
    report_path: Path | None = None
    streams: bool = True
    quotes: bool = True
    bar_poll_s: float = 5.0
    quote_poll_s: float = 1.0
    tick_s: float = 1.0
    feed: FeedConfig | None = None
    client: LiveClientConfig | None = None
    max_events: int | None = None
    duration_s: float = 0.0
    """Stop after this many seconds (0: until Ctrl-C / SIGTERM)."""
    clock: WallClock | None = None
    """The engine's clock (default a :class:`WallClock`; tests pass an accelerated one)."""
    install_signals: bool = True
    shutdown_timeout_s: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class LiveSession:
    """A built session, before it runs (tests reach into it)."""

    engine: TradingEngine
    runner: LiveRunner
    supervisors: list[FeedSupervisor]
    instrument: Instrument
    client: LiveExecutionClient | None
    initial_equity: list[float] = field(default_factory=list)


def _bar_feed_config(spec: LiveSessionSpec) -> FeedConfig:
    if spec.feed is not None:
        return spec.feed
    bar_s = timeframe_ns(spec.timeframe) / 1e9
    return FeedConfig(stall_timeout_s=2 * bar_s + spec.bar_poll_s, max_lag_s=spec.bar_poll_s + 10)


def _quote_feed_config(spec: LiveSessionSpec) -> FeedConfig:
    if spec.feed is not None:
        return spec.feed
    return FeedConfig(stall_timeout_s=max(10.0, 10 * spec.quote_poll_s))


def _live_engine(
    spec: LiveSessionSpec,
    instrument: Instrument,
    gateway: VenueGateway,
    clock: WallClock,
    bus: MessageBus,
) -> tuple[TradingEngine, LiveExecutionClient]:
    """The engine with a live execution client as its venue; the account starts empty and the
    start reconciliation seeds it from the venue's balances and positions."""
    config = spec.config
    currency = config.currency or instrument.settlement_currency
    account = Account(currency, {currency: 0.0}, config.leverage)
    portfolio = Portfolio(account, [instrument], convert_option_cash=config.convert_option_cash)
    holder: list[TradingEngine] = []
    books: dict[InstrumentId, tuple[float, float]] = {}

    def on_halt(reason: str) -> None:
        if holder:
            holder[0].pause(reason)

    client = LiveExecutionClient(
        gateway,
        clock=clock,
        portfolio=portfolio,
        config=spec.client,
        publish=bus.publish,
        on_halt=on_halt,
        quotes=books.get,
    )
    bus.subscribe(QuoteTick, lambda q: books.__setitem__(q.instrument_id, (q.bid, q.ask)))
    risk = RiskEngine(config.risk, portfolio)
    manager = None
    if config.manager is not None or len(spec.strategies) > 1:
        manager = StrategyManager(config.manager or ManagerConfig(), spec.strategies)
    engine = TradingEngine(
        clock=clock,
        portfolio=portfolio,
        risk=risk,
        venue=client,
        strategies=spec.strategies,
        bus=bus,
        manager=manager,
    )
    holder.append(engine)
    return engine, client


def _sources(
    spec: LiveSessionSpec, data: CcxtDataClient
) -> list[tuple[str, Callable[[], AsyncIterator[SourceItem]], FeedConfig]]:
    """(name, source factory, feed settings) of the bars and, optionally, the quotes."""
    pro = data.stream_exchange
    has = (pro.has if pro is not None else {}) if spec.streams else {}
    symbol, tf = spec.symbol, spec.timeframe
    out: list[tuple[str, Callable[[], AsyncIterator[SourceItem]], FeedConfig]] = []
    if has.get("watchOHLCV"):
        out.append(
            (data.venue, lambda: _items(data.stream_bars(symbol, tf)), _bar_feed_config(spec))
        )
    else:
        out.append(
            (
                data.venue,
                lambda: _items(data.poll_bars(symbol, tf, spec.bar_poll_s)),
                _bar_feed_config(spec),
            )
        )
    if spec.quotes:
        if has.get("watchTicker"):

            def quotes() -> AsyncIterator[SourceItem]:
                return _items(data.stream_quotes(symbol))

        else:

            def quotes() -> AsyncIterator[SourceItem]:
                return _items(data.poll_quotes(symbol, spec.quote_poll_s))

        out.append((f"{data.venue}:quotes", quotes, _quote_feed_config(spec)))
    return out


async def _items(events: AsyncIterator[Any]) -> AsyncIterator[SourceItem]:
    async for event in events:
        yield event


async def build_live_session(
    spec: LiveSessionSpec,
    data: CcxtDataClient,
    gateway: VenueGateway | None,
    *,
    attach: Callable[[TradingEngine], None] | None = None,
    observe: Observer | None = None,
) -> LiveSession:
    """Load the venue's instruments and wire feed, engine and (with ``gateway``) live client.

    Raises
    ------
    ConfigError
        When the venue lists no market ``spec.symbol``.
    """
    instruments = await data.load_instruments()
    instrument = instruments.get(spec.symbol)
    if instrument is None:
        raise ConfigError(f"--symbol {spec.symbol}: {spec.venue} lists no such market")
    clock = spec.clock or WallClock()
    bus = MessageBus()
    client: LiveExecutionClient | None = None
    if gateway is None:
        engine = build_paper_engine(
            [instrument], spec.strategies, spec.config, clock=clock, bus=bus
        )
    else:
        engine, client = _live_engine(spec, instrument, gateway, clock, bus)
    if attach is not None:
        attach(engine)
    on_event = observe(engine, bus) if observe is not None else None
    session_holder: list[LiveSession] = []

    def seen(event: MarketEvent) -> None:
        session = session_holder[0]
        if not session.initial_equity:
            session.initial_equity.append(engine.equity())
        if on_event is not None:
            on_event(event)

    runner = LiveRunner(
        engine,
        clients=[client] if client is not None else [],
        tick_s=spec.tick_s,
        on_event=seen,
        install_signals=spec.install_signals,
        shutdown_timeout_s=spec.shutdown_timeout_s,
        max_events=spec.max_events,
    )

    async def backfill(iid: InstrumentId, timeframe: str, since: int, until: int) -> list[Bar]:
        return await data.fetch_bars_range(iid.symbol, timeframe, since, until)

    supervisors = [
        FeedSupervisor(
            name,
            source,
            runner.push,
            clock=clock,
            bus=bus,
            safe_mode=engine.risk.breakers,
            backfill=backfill,
            config=feed_config,
        )
        for name, source, feed_config in _sources(spec, data)
    ]
    for supervisor in supervisors:
        runner.on_stop(supervisor.stop)
    session = LiveSession(engine, runner, supervisors, instrument, client)
    session_holder.append(session)
    return session


async def run_live_session(
    spec: LiveSessionSpec,
    data: CcxtDataClient,
    gateway: VenueGateway | None,
    *,
    attach: Callable[[TradingEngine], None] | None = None,
    observe: Observer | None = None,
    built: Callable[[LiveSession], None] | None = None,
) -> SessionOutcome:
    """Build and run a session until it is stopped (Ctrl-C, SIGTERM, ``spec.duration_s``,
    ``spec.max_events``), then write its reports."""
    try:
        session = await build_live_session(spec, data, gateway, attach=attach, observe=observe)
        if built is not None:
            built(session)
        timer = None
        if spec.duration_s:
            loop = asyncio.get_running_loop()
            timer = loop.call_later(spec.duration_s, session.runner.stop, "limit")
        try:
            stats = await session.runner.run(producers=[_producer(s) for s in session.supervisors])
        finally:
            if timer is not None:
                timer.cancel()
    finally:
        await data.close()
        if gateway is not None:  # the live client closed it at shutdown; a failed start not
            with contextlib.suppress(Exception):
                await gateway.close()
    return finish_live_session(spec, session, completed=stats.stopped_by in ("signal", "limit"))


def _producer(supervisor: FeedSupervisor) -> Callable[[Callable[[MarketEvent], None]], Any]:
    async def produce(push: Callable[[MarketEvent], None]) -> None:
        await supervisor.run()

    return produce


def finish_live_session(
    spec: LiveSessionSpec, session: LiveSession, *, completed: bool
) -> SessionOutcome:
    """Collect the result and write the JSON and HTML reports."""
    engine = session.engine
    initial = session.initial_equity[0] if session.initial_equity else engine.equity()
    venue = spec.config.venue
    extra: dict[str, Any] = {
        "mode": f"live-{spec.mode}",
        "venue": spec.venue,
        "data": f"{spec.venue} {spec.symbol} {spec.timeframe} (live)",
        "instruments": [str(session.instrument.id)],
        "leverage": spec.config.leverage,
        "completed": completed,
        **spec.extra,
    }
    if session.client is None:
        extra.update(
            maker_fee=venue.maker_fee,
            taker_fee=venue.taker_fee,
            slippage=venue.slippage,
            latency_ms=venue.latency_ms,
        )
    result = collect_result(
        engine,
        strategy=",".join(s.name for s in engine.strategies),
        params=spec.params,
        initial_equity=initial,
        extra=extra,
    )
    metrics = compute_metrics(result)
    if spec.json_path is not None:
        write_json(spec.json_path, result, metrics)
    if spec.report_path is not None:
        write_html(spec.report_path, result, metrics)
    return SessionOutcome(result, metrics, spec.json_path, spec.report_path, completed)


__all__ = [
    "LiveSession",
    "LiveSessionSpec",
    "Mode",
    "build_live_session",
    "finish_live_session",
    "run_live_session",
]
