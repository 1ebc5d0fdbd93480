"""Periodic returns of an equity curve and the risk ratios built on them.

Conventions
-----------
- A curve spanning at least two days is resampled to **daily closes**: for every UTC calendar
  day the curve touches, the last equity value at or before the midnight that ends it. Samples
  are stamped when they are known (a bar at its close), so a sample at exactly 00:00 closes
  the day before (intervals closed on the right, like pandas' ``resample("1D",
  closed="right")``). A day without samples repeats the previous close (nothing was marked, so
  nothing changed), so gaps neither merge two days into one return nor vanish. The first
  return runs from the curve's first sample to the close of its first day; when that first
  sample is itself the first day's close, it adds no return. Crypto trades every day, so daily
  returns are annualised with 365 periods a year.
- A shorter curve keeps its native samples, annualised by its own frequency:
  ``periods = 365 days / median(step)``.
- ``periods_per_year`` overrides the annualisation factor in both cases.
- ``risk_free_rate`` is annual and is spread evenly: ``rf / periods`` per period.
- Sharpe = mean(r − rf/periods) / std(r, ddof=1) × √periods.
- Sortino = mean(r − rf/periods) / √mean(min(r − rf/periods, 0)²) × √periods (the downside
  deviation over *all* periods, as empyrical and most references do).
- Volatility = std(r, ddof=1) × √periods.
- Any of them is NaN when it cannot be computed: fewer than two returns, zero deviation.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from tradebot.backtest.result import FloatArray, IntArray

DAY_NS = 86_400 * 1_000_000_000
DAILY_PERIODS_PER_YEAR = 365.0
_MIN_DAILY_SPAN_NS = 2 * DAY_NS


class RiskRatios(NamedTuple):
    """Annualised Sharpe, Sortino and volatility (NaN when undefined)."""

    sharpe: float
    sortino: float
    volatility: float


def daily_closes(ts: IntArray, equity: FloatArray) -> FloatArray:
    """Equity at each UTC day's close, preceded by the first sample when it is not a close.

    Parameters
    ----------
    ts : array of int
        UTC nanosecond timestamps, non-decreasing, at least one.
    equity : array of float
        Equity at those timestamps.
    """
    # Day d is (d·DAY, (d+1)·DAY]: a sample at exactly midnight closes the day before.
    first_day, last_day = int((ts[0] - 1) // DAY_NS), int((ts[-1] - 1) // DAY_NS)
    day_ends = (np.arange(first_day, last_day + 1, dtype=np.int64) + 1) * DAY_NS
    last_sample = np.searchsorted(ts, day_ends, side="right") - 1
    closes = equity[last_sample]
    if last_sample[0] != 0:  # the first sample is not its day's close: start from it
        closes = np.concatenate((equity[:1], closes))
    return closes


def periodic_returns(
    ts: IntArray, equity: FloatArray, periods_per_year: float | None = None
) -> tuple[FloatArray, float]:
    """Simple returns used for the risk ratios and how many such periods make a year.

    Returns
    -------
    returns : array of float
        Daily (or native, for short curves) simple returns; non-finite ones (from a zero or
        negative equity) are dropped.
    periods : float
        Periods per year for annualising; NaN when it cannot be known (one sample, or every
        sample at the same time).
    """
    if len(equity) < 2:
        return np.empty(0), float("nan") if periods_per_year is None else periods_per_year
    if int(ts[-1] - ts[0]) >= _MIN_DAILY_SPAN_NS:
        closes = daily_closes(ts, equity)
        periods = DAILY_PERIODS_PER_YEAR
    else:
        closes = equity
        step = float(np.median(np.diff(ts)))
        periods = DAILY_PERIODS_PER_YEAR * DAY_NS / step if step > 0 else float("nan")
    if periods_per_year is not None:
        periods = periods_per_year
    with np.errstate(divide="ignore", invalid="ignore"):
        rets = closes[1:] / closes[:-1] - 1.0
    keep = np.isfinite(rets) & (closes[:-1] > 0)
    return rets[keep], periods


def risk_ratios(returns: FloatArray, periods: float, risk_free_rate: float = 0.0) -> RiskRatios:
    """Sharpe, Sortino and volatility of ``returns``, annualised with ``periods`` a year."""
    nan = float("nan")
    if len(returns) < 2 or not math.isfinite(periods) or periods <= 0:
        return RiskRatios(nan, nan, nan)
    root = math.sqrt(periods)
    excess = returns - risk_free_rate / periods
    mean_excess = float(np.mean(excess))
    sd = float(np.std(returns, ddof=1))
    downside = math.sqrt(float(np.mean(np.square(np.minimum(excess, 0.0)))))
    sharpe = mean_excess / sd * root if sd > 0 else nan
    sortino = mean_excess / downside * root if downside > 0 else nan
    return RiskRatios(sharpe, sortino, sd * root)


__all__ = [
    "DAILY_PERIODS_PER_YEAR",
    "DAY_NS",
    "RiskRatios",
    "daily_closes",
    "periodic_returns",
    "risk_ratios",
]
