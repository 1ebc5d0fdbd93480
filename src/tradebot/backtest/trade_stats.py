"""Statistics of the closed round trips of a run.

Conventions
-----------
- A win is a trade with net P&L (after fees and funding) above 0; a loss, below 0; a trade at
  exactly 0 counts in the number of trades but in neither group.
- Win rate = wins / trades.
- Profit factor = gross wins / gross losses (sum of winning net P&L over the absolute sum of
  losing net P&L): ``inf`` when there are wins and no losses, NaN when there is neither.
- Expectancy = mean net P&L per trade, in the trades' settlement currency.
- Best, worst and average trade are the trades' ``return_pct`` (net P&L / entry notional).
- Every figure except the count is NaN without trades.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from tradebot.model.positions import TradeRecord


class TradeStats(NamedTuple):
    """Figures over closed trades (NaN where undefined)."""

    number_of_trades: int
    win_rate: float
    profit_factor: float
    expectancy: float
    best_trade: float
    worst_trade: float
    avg_trade_return: float
    fees: float


def trade_stats(trades: Sequence[TradeRecord]) -> TradeStats:
    """Compute :class:`TradeStats` of ``trades`` (see the module docstring)."""
    nan = float("nan")
    n = len(trades)
    if n == 0:
        return TradeStats(0, nan, nan, nan, nan, nan, nan, 0.0)
    pnl = np.fromiter((t.pnl for t in trades), dtype=np.float64, count=n)
    ret = np.fromiter((t.return_pct for t in trades), dtype=np.float64, count=n)
    fees = np.fromiter((t.fees for t in trades), dtype=np.float64, count=n)
    gross_win = float(pnl[pnl > 0].sum())
    gross_loss = float(-pnl[pnl < 0].sum())
    if gross_loss > 0:
        profit_factor = gross_win / gross_loss
    else:
        profit_factor = float("inf") if gross_win > 0 else nan
    return TradeStats(
        number_of_trades=n,
        win_rate=float(np.count_nonzero(pnl > 0)) / n,
        profit_factor=profit_factor,
        expectancy=float(pnl.mean()),
        best_trade=float(ret.max()),
        worst_trade=float(ret.min()),
        avg_trade_return=float(ret.mean()),
        fees=float(fees.sum()),
    )


__all__ = ["TradeStats", "trade_stats"]
