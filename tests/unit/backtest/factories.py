"""Small builders of run results for the metrics and report tests."""

from __future__ import annotations

import numpy as np

from tradebot.backtest.result import PriceSeries, RunResult
from tradebot.model.identifiers import InstrumentId, StrategyId
from tradebot.model.positions import TradeRecord

DAY = 86_400 * 10**9
T0 = 1_599_955_200 * 10**9  # 2020-09-13 00:00 UTC
IID = InstrumentId("BTC/USDT", "TEST")


def trade(pnl: float, *, ret: float = 0.01, fees: float = 0.0, day: int = 0) -> TradeRecord:
    """A closed long trade with the given net P&L."""
    return TradeRecord(
        instrument_id=IID,
        strategy_id=StrategyId("t"),
        side="long",
        quantity=1.0,
        entry_time=T0 + day * DAY,
        exit_time=T0 + (day + 1) * DAY,
        entry_price=100.0,
        exit_price=100.0 + pnl,
        gross_pnl=pnl + fees,
        fees=fees,
        funding=0.0,
        pnl=pnl,
        return_pct=ret,
        currency="USDT",
        exit_tag="exit",
    )


def result(
    equity: list[float] | np.ndarray,
    *,
    step: int = DAY,
    trades: list[TradeRecord] | None = None,
    exposure: list[float] | np.ndarray | None = None,
    start: int = T0,
) -> RunResult:
    """A run whose equity curve is ``equity`` sampled every ``step`` ns."""
    eq = np.asarray(equity, dtype=np.float64)
    ts = start + np.arange(len(eq), dtype=np.int64) * step
    exp = np.zeros(len(eq)) if exposure is None else np.asarray(exposure, dtype=np.float64)
    return RunResult(
        strategy="test",
        params={"a": 1},
        currency="USDT",
        initial_equity=float(eq[0]),
        final_equity=float(eq[-1]),
        equity_ts=ts,
        equity=eq,
        exposure=exp,
        trades=trades or [],
        fills=[],
        prices=[PriceSeries(str(IID), ts, eq / 100.0)],
    )
