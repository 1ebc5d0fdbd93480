"""Runners: drive the one ``TradingEngine`` from a clock and a stream of market events.

``run_events`` is the backtest loop (simulated clock, as fast as possible). ``run_replay``
is paper trading on recorded data: the same engine, paced against the wall clock at a chosen
speed, stoppable at any moment. Live trading will add a runner fed by a venue's stream.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import time
from collections.abc import Callable, Iterable
from typing import Any

from tradebot.engine.bus import MessageBus
from tradebot.engine.clock import SimulatedClock
from tradebot.engine.config import SessionConfig
from tradebot.engine.option_greeks import option_greeks
from tradebot.engine.trading_engine import TradingEngine
from tradebot.model.account import Account
from tradebot.model.data import MarketEvent
from tradebot.model.instruments import Instrument
from tradebot.options.market import OptionMarket
from tradebot.portfolio.portfolio import Portfolio
from tradebot.risk.engine import RiskEngine
from tradebot.strategies.base import Strategy
from tradebot.strategies.manager.config import ManagerConfig
from tradebot.strategies.manager.manager import StrategyManager
from tradebot.venues.paper.venue import PaperVenue

ProgressCallback = Callable[[int], None]


def build_paper_engine(
    instruments: list[Instrument],
    strategies: list[Strategy[Any]],
    config: SessionConfig,
    *,
    clock: SimulatedClock | None = None,
    bus: MessageBus | None = None,
    options: OptionMarket | None = None,
    use_manager: bool | None = None,
) -> TradingEngine:
    """An engine trading on the paper venue, as used by backtests and paper sessions.

    With ``options`` the strategies get option chains, the venue fills option orders at the
    option market's prices and the risk manager checks the portfolio greeks with it.
    ``use_manager`` None puts several strategies (or a configured manager) under the strategy
    manager; False runs them side by side, each at its own size (training profiles).
    """
    if not instruments:
        raise ValueError("a session needs at least one instrument")
    clock = clock or SimulatedClock()
    currency = config.currency or instruments[0].quote
    account = Account(currency, {currency: config.cash}, config.leverage)
    portfolio = Portfolio(account, instruments, convert_option_cash=config.convert_option_cash)
    venue = PaperVenue(config.venue, portfolio, clock.now_ns, options)
    greeks = option_greeks(options, portfolio, clock.now_ns) if options is not None else None
    risk = RiskEngine(config.risk, portfolio, greeks=greeks)
    manager = None
    if use_manager is None:
        use_manager = config.manager is not None or len(strategies) > 1
    if use_manager:
        manager = StrategyManager(config.manager or ManagerConfig(), strategies)
    return TradingEngine(
        clock=clock,
        portfolio=portfolio,
        risk=risk,
        venue=venue,
        strategies=strategies,
        bus=bus,
        manager=manager,
        options=options,
    )


def run_events(
    engine: TradingEngine,
    events: Iterable[MarketEvent],
    *,
    progress: ProgressCallback | None = None,
    progress_every: int = 50_000,
) -> TradingEngine:
    """Feed every event to ``engine`` as fast as possible, then stop it (the backtest loop).

    Objects alive before the loop are frozen out of the cyclic garbage collector: the loop
    creates no reference cycles, and without this a run over millions of pre-loaded events
    spends most of its time re-scanning them.
    """
    engine.start()
    on_event = engine.on_event
    gc.freeze()
    try:
        if progress is None:
            for event in events:
                on_event(event)
        else:
            count = 0
            for event in events:
                on_event(event)
                count += 1
                if count % progress_every == 0:
                    progress(count)
            progress(count)
    finally:
        gc.unfreeze()
    engine.stop()
    return engine


async def run_replay(
    engine: TradingEngine,
    events: Iterable[MarketEvent],
    *,
    speed: float,
    stop: asyncio.Event,
    on_event: Callable[[MarketEvent], None] | None = None,
) -> bool:
    """Replay recorded events through ``engine``, paced so that data time runs ``speed``× real time.

    ``speed`` 0 replays as fast as possible but still yields to the event loop, so a stop
    request is honoured at once. Returns True when the replay ran to its end, False when it
    was stopped. The engine is stopped either way (open orders canceled). An engine already
    started (a session resumed after a restart) is not started again.
    """
    if not engine.started:
        engine.start()
    start_wall = time.monotonic()
    first_ts: int | None = None
    completed = True
    try:
        for i, event in enumerate(events):
            if stop.is_set():
                completed = False
                break
            if first_ts is None:
                first_ts = event.ts_event
            if speed > 0:
                due = start_wall + (event.ts_event - first_ts) / 1e9 / speed
                delay = due - time.monotonic()
                if delay > 0:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), timeout=delay)
                    if stop.is_set():
                        completed = False
                        break
            elif i % 1000 == 0:
                await asyncio.sleep(0)
            engine.on_event(event)
            if on_event is not None:
                on_event(event)
    finally:
        engine.stop()
    return completed


__all__ = ["ProgressCallback", "build_paper_engine", "run_events", "run_replay"]
