"""What a finished run hands to the metrics and the reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from tradebot.model.events import OrderFilled
from tradebot.model.positions import TradeRecord
from tradebot.portfolio.strategy_book import StrategyPnl

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class PriceSeries:
    """Close prices of one instrument, for the price chart with trade markers."""

    instrument: str
    ts: IntArray
    close: FloatArray


def empty_risk() -> dict[str, Any]:
    """The risk section of a run in which the risk manager did nothing."""
    return {"rejections": {}, "resizes": {}, "seconds_in": {}, "events": [], "exits": {}}


@dataclass(frozen=True, slots=True)
class RunResult:
    """Everything a backtest or paper session produced.

    Parameters
    ----------
    strategy : str
        Registry name(s) of the strategy, comma-separated for a managed set.
    params : dict[str, Any]
        Strategy parameters as resolved (defaults included).
    currency : str
        Currency of every money figure (the account's base currency).
    initial_equity, final_equity : float
        Net liquidation value at the start and at the end.
    equity_ts, equity : arrays
        Equity curve: UTC ns timestamps and net liquidation value after each market step.
    exposure : array
        Gross position value / equity at the same timestamps (0 when flat).
    trades : list[TradeRecord]
        Closed round trips.
    fills : list[OrderFilled]
        Every execution, in order.
    prices : list[PriceSeries]
        Close prices per instrument.
    open_positions : dict[str, float]
        Signed quantity still held at the end, per instrument.
    breakdown : list[StrategyPnl]
        P&L per strategy (one row for a single strategy).
    risk : dict[str, Any]
        What the risk manager did: signals refused and resized by rule, time under each
        circuit breaker, breaker events, exits by reason.
    extra : dict[str, Any]
        Other run facts (data files, fee and slippage settings, funding paid …).
    """

    strategy: str
    params: dict[str, Any]
    currency: str
    initial_equity: float
    final_equity: float
    equity_ts: IntArray
    equity: FloatArray
    exposure: FloatArray
    trades: list[TradeRecord]
    fills: list[OrderFilled]
    prices: list[PriceSeries]
    open_positions: dict[str, float] = field(default_factory=dict)
    breakdown: list[StrategyPnl] = field(default_factory=list)
    risk: dict[str, Any] = field(default_factory=lambda: empty_risk())
    extra: dict[str, Any] = field(default_factory=dict)


__all__ = ["FloatArray", "IntArray", "PriceSeries", "RunResult", "empty_risk"]
