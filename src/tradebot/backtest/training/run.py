"""Run covered-call backtests that record training data: one strategy, or training mode.

Training mode (seed 003's ``TRAINING_MODE``) runs the ``conservative``, ``moderate`` and
``aggressive`` profiles (``TRAINING_PROFILES`` of
:mod:`tradebot.strategies.options.covered_call_presets`) as three ``covered_call``
instances in one account, each with its own id and its own book, so the result reports P&L
per profile. They run without the strategy manager: the manager scales
every opening signal to the strategy's share, which would sell calls on a fraction of the
coin each profile holds, leaving it part uncovered.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from tradebot.backtest.training.dataset import candidate_rows
from tradebot.backtest.training.outcomes import OutcomeTracker
from tradebot.engine.config import SessionConfig
from tradebot.engine.runners import ProgressCallback, build_paper_engine, run_events
from tradebot.engine.trading_engine import TradingEngine
from tradebot.model.data import MarketEvent
from tradebot.model.instruments import Instrument
from tradebot.options.market import OptionMarket
from tradebot.strategies.options.covered_call import CoveredCallParams, CoveredCallStrategy
from tradebot.strategies.options.covered_call_presets import TRAINING_PROFILES


@dataclass(frozen=True, slots=True)
class TrainingRun:
    """A finished run: the engine (for the usual result and reports) and the dataset rows."""

    engine: TradingEngine
    strategies: list[CoveredCallStrategy]
    tracker: OutcomeTracker
    rows: list[dict[str, Any]]


def training_strategies(asset: str) -> list[CoveredCallStrategy]:
    """The three training profiles on ``asset``, ids ``covered_call_<profile>``."""
    return [
        CoveredCallStrategy(
            CoveredCallParams(**values, asset=asset), strategy_id=f"covered_call_{profile}"
        )
        for profile, values in TRAINING_PROFILES.items()
    ]


def build_engine(
    instruments: list[Instrument],
    strategies: list[CoveredCallStrategy],
    config: SessionConfig,
    market: OptionMarket,
) -> TradingEngine:
    """A paper engine with options and no strategy manager (each strategy keeps its book)."""
    return build_paper_engine(
        instruments, list(strategies), config, options=market, use_manager=False
    )


def run_training(
    instruments: list[Instrument],
    events: Iterable[MarketEvent],
    strategies: list[CoveredCallStrategy],
    config: SessionConfig,
    market: OptionMarket,
    *,
    progress: ProgressCallback | None = None,
) -> TrainingRun:
    """Backtest ``strategies`` on ``events`` and follow every candidate they consider."""
    engine = build_engine(instruments, strategies, config, market)
    tracker = OutcomeTracker(market, list(strategies))

    def tapped() -> Iterator[MarketEvent]:
        for event in events:
            yield event
            tracker.after_event(event.ts_event)  # the engine has processed it by now

    run_events(engine, tapped(), progress=progress)
    rows = candidate_rows(strategies, tracker.outcomes)
    return TrainingRun(engine, list(strategies), tracker, rows)


__all__ = ["TrainingRun", "build_engine", "run_training", "training_strategies"]
