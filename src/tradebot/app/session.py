"""Run a backtest or a paper session end to end and write its reports."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tradebot.app.data_selection import DataSelection
from tradebot.backtest import compute_metrics, write_html, write_json
from tradebot.backtest.collect import collect_result
from tradebot.backtest.metrics import Metrics
from tradebot.backtest.result import RunResult
from tradebot.engine.bus import MessageBus
from tradebot.engine.config import SessionConfig
from tradebot.engine.runners import ProgressCallback, build_paper_engine, run_events, run_replay
from tradebot.engine.trading_engine import TradingEngine
from tradebot.model.data import MarketEvent
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
) -> SessionOutcome:
    """Backtest ``strategies`` (several run under a strategy manager) and write the reports."""
    engine = build_paper_engine(data.instruments, strategies, config)
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
) -> SessionOutcome:
    """Paper-trade ``strategies`` on a replay of ``data``; Ctrl-C stops cleanly.

    On a stop request the replay ends at the current event, open orders are canceled, and the
    reports cover the part that ran.
    """
    bus = MessageBus()
    engine = build_paper_engine(data.instruments, strategies, config, bus=bus)
    on_event = observe(engine, bus)

    async def main() -> bool:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signal.SIGINT, stop.set)
            loop.add_signal_handler(signal.SIGTERM, stop.set)
        try:
            return await run_replay(
                engine, iter(data.source), speed=speed, stop=stop, on_event=on_event
            )
        finally:
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(signal.SIGINT)
                loop.remove_signal_handler(signal.SIGTERM)

    completed = asyncio.run(main())
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
