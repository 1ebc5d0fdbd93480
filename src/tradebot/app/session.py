"""Run a backtest or a paper session end to end and write its reports."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tradebot.app.data_selection import DataSelection
from tradebot.app.persistence import StoredSession, start_stored_session
from tradebot.backtest import compute_metrics, write_html, write_json
from tradebot.backtest.collect import collect_result
from tradebot.backtest.metrics import Metrics
from tradebot.backtest.result import RunResult
from tradebot.engine.bus import MessageBus
from tradebot.engine.config import SessionConfig
from tradebot.engine.runners import ProgressCallback, build_paper_engine, run_events, run_replay
from tradebot.engine.trading_engine import TradingEngine
from tradebot.model.data import MarketEvent
from tradebot.options.market import OptionMarket
from tradebot.strategies.base import Strategy


@dataclass(frozen=True, slots=True)
class SessionOutcome:
    """A finished session: its result, metrics, and where the reports went."""

    result: RunResult
    metrics: Metrics
    json_path: Path | None
    report_path: Path | None
    completed: bool


def _finish(
    engine: TradingEngine,
    *,
    params: dict[str, Any],
    config: SessionConfig,
    data: DataSelection,
    mode: str,
    json_path: Path | None,
    report_path: Path | None,
    completed: bool,
) -> SessionOutcome:
    venue = config.venue
    result = collect_result(
        engine,
        strategy=",".join(s.name for s in engine.strategies),
        params=params,
        initial_equity=config.cash,
        extra={
            "mode": mode,
            "data": data.description,
            "instruments": [str(i.id) for i in data.instruments],
            "maker_fee": venue.maker_fee,
            "taker_fee": venue.taker_fee,
            "slippage": venue.slippage,
            "latency_ms": venue.latency_ms,
            "leverage": config.leverage,
            "completed": completed,
        },
    )
    metrics = compute_metrics(result)
    if json_path is not None:
        write_json(json_path, result, metrics)
    if report_path is not None:
        write_html(report_path, result, metrics)
    return SessionOutcome(result, metrics, json_path, report_path, completed)


def run_backtest_session(
    data: DataSelection,
    strategies: list[Strategy[Any]],
    params: dict[str, Any],
    config: SessionConfig,
    *,
    json_path: Path | None,
    report_path: Path | None,
    progress: ProgressCallback | None = None,
    options: OptionMarket | None = None,
    attach: Callable[[TradingEngine], None] | None = None,
) -> SessionOutcome:
    """Backtest ``strategies`` (several run under a strategy manager) and write the reports.

    ``options`` lists and prices options for strategies that trade them.
    """
    engine = build_paper_engine(data.instruments, strategies, config, options=options)
    if attach is not None:  # metrics, scheduler, reloader (tradebot.app.runtime)
        attach(engine)
    run_events(engine, iter(data.source), progress=progress)
    return _finish(
        engine,
        params=params,
        config=config,
        data=data,
        mode="backtest",
        json_path=json_path,
        report_path=report_path,
        completed=True,
    )


def run_paper_session(
    data: DataSelection,
    strategies: list[Strategy[Any]],
    params: dict[str, Any],
    config: SessionConfig,
    *,
    speed: float,
    json_path: Path | None,
    report_path: Path | None,
    observe: Callable[[TradingEngine, MessageBus], Callable[[MarketEvent], None]],
    options: OptionMarket | None = None,
    db_url: str | None = None,
    attach: Callable[[TradingEngine], None] | None = None,
) -> SessionOutcome:
    """Paper-trade ``strategies`` on a replay of ``data``; Ctrl-C stops cleanly.

    On a stop request (SIGINT, SIGTERM) the replay ends at the current event, open orders are
    canceled, and the reports cover the part that ran. With ``db_url`` the session is stored
    as it runs (orders written ahead of sending, a checkpoint after every event) and the
    final state is persisted on a stop; started again on the same database it resumes after
    the last checkpoint (:mod:`tradebot.app.persistence`).
    """
    bus = MessageBus()
    engine = build_paper_engine(data.instruments, strategies, config, bus=bus, options=options)
    if attach is not None:  # metrics, scheduler, reloader (tradebot.app.runtime)
        attach(engine)
    events: Iterator[MarketEvent] = iter(data.source)
    stored: StoredSession | None = None
    if db_url is not None:
        stored, events = start_stored_session(
            db_url, engine, events, data=data, strategies=strategies, params=params, config=config
        )
    on_event = observe(engine, bus)
    if stored is not None:
        on_event = stored.observer(on_event)

    async def main() -> bool:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signal.SIGINT, stop.set)
            loop.add_signal_handler(signal.SIGTERM, stop.set)
        try:
            return await run_replay(engine, events, speed=speed, stop=stop, on_event=on_event)
        finally:
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(signal.SIGINT)
                loop.remove_signal_handler(signal.SIGTERM)

    completed = False
    try:
        completed = asyncio.run(main())
    finally:
        if stored is not None:
            stored.close(completed=completed)
    return _finish(
        engine,
        params=params,
        config=config,
        data=data,
        mode="paper",
        json_path=json_path,
        report_path=report_path,
        completed=completed,
    )


__all__ = ["SessionOutcome", "run_backtest_session", "run_paper_session"]
