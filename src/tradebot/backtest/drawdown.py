"""Drawdown of an equity curve: how deep, and how long under water.

Conventions
-----------
- Drawdown at each point is ``1 − equity / running peak``, a positive fraction (0.23 = 23 %
  below the best value so far); 0 while the peak is not positive.
- A peak is the *last* point at the running maximum before equity falls below it, and the
  recovery is the first later point back at (≥) that maximum. The drawdown duration is the
  time between them, or from the peak to the last sample when equity never recovers. A curve
  that never falls has duration 0.
"""

from __future__ import annotations

import numpy as np

from tradebot.backtest.result import FloatArray, IntArray

_NS_PER_S = 1e9


def drawdown(equity: FloatArray) -> FloatArray:
    """Drawdown as a positive fraction of the running peak at each point."""
    peak = np.maximum.accumulate(equity)
    safe_peak = np.where(peak > 0, peak, 1.0)
    return np.where(peak > 0, 1.0 - equity / safe_peak, 0.0)


def max_drawdown_duration(ts: IntArray, equity: FloatArray) -> float:
    """Longest peak-to-recovery time in seconds (to the end when never recovered).

    Parameters
    ----------
    ts : array of int
        UTC nanosecond timestamps, non-decreasing.
    equity : array of float
        Equity at those timestamps, all finite.
    """
    n = len(equity)
    if n < 2:
        return 0.0
    at_high = equity >= np.maximum.accumulate(equity)
    highs = np.flatnonzero(at_high)
    following = np.concatenate((highs[1:], [n - 1]))
    # Between two consecutive highs equity was under water only if a sample lies between them;
    # after the last high, any remaining sample is under water.
    under_water = np.concatenate((np.diff(highs) > 1, [highs[-1] < n - 1]))
    spans = (ts[following] - ts[highs])[under_water]
    return float(spans.max()) / _NS_PER_S if len(spans) else 0.0


__all__ = ["drawdown", "max_drawdown_duration"]
