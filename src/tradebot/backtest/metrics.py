"""Performance metrics of a run.

Conventions
-----------
- Returns are simple returns of the equity curve resampled to daily closes (UTC days) when
  the curve spans at least two days, annualised with 365 periods (crypto trades every day);
  shorter curves use their native step, annualised by the median step.
- Sharpe = mean(r − rf) / std(r, ddof=1) × √periods; Sortino uses the downside deviation
  √mean(min(r − rf, 0)²) × √periods; volatility = std(r, ddof=1) × √periods.
- CAGR = (final / initial)^(365.25 days / duration) − 1, only for runs of 30 days or more;
  Calmar = CAGR / max drawdown.
- Max drawdown is a positive fraction of the running peak; its duration is the longest time
  (seconds) from a peak to the moment equity regains it, or to the end if it never does.
- Exposure is the share of time with a position open (time-weighted).
- A metric that cannot be computed (no trades, flat equity, one point) is None.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

import msgspec
import numpy as np

from tradebot.backtest.result import FloatArray, IntArray, RunResult

_DAY_NS = 86_400 * 1_000_000_000
_YEAR_DAYS = 365.25
_MIN_CAGR_YEARS = 30 / 365.25


class Metrics(msgspec.Struct, frozen=True, kw_only=True):
    """Headline figures of a run (see the module docstring for the definitions)."""

    total_return: float | None
    cagr: float | None
    sharpe: float | None
    sortino: float | None
    calmar: float | None
    max_drawdown: float | None
    max_drawdown_duration: float | None
    win_rate: float | None
    profit_factor: float | None
    expectancy: float | None
    exposure: float | None
    number_of_trades: int
    start: str | None
    end: str | None
    duration_days: float | None
    initial_equity: float
    final_equity: float
    volatility: float | None
    best_trade: float | None
    worst_trade: float | None
    avg_trade_return: float | None
    total_fees: float


def _iso(ns: int) -> str:
    return datetime.fromtimestamp(ns / 1e9, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def periodic_returns(ts: IntArray, equity: FloatArray) -> tuple[FloatArray, float]:
    """Returns used for risk ratios and the number of such periods per year."""
    if len(equity) < 2:
        return np.empty(0), float("nan")
    if ts[-1] - ts[0] >= 2 * _DAY_NS:
        day = ts // _DAY_NS
        last_of_day = np.flatnonzero(np.r_[day[1:] != day[:-1], True])
        closes = equity[last_of_day]
        if last_of_day[0] != 0:  # the first day has several samples: start from the first
            closes = np.r_[equity[0], closes]
        periods = 365.0
    else:
        closes = equity
        step = float(np.median(np.diff(ts)))
        periods = 365.0 * _DAY_NS / step if step > 0 else float("nan")
    with np.errstate(divide="ignore", invalid="ignore"):
        rets = closes[1:] / closes[:-1] - 1.0
    return rets[np.isfinite(rets)], periods


def drawdown(equity: FloatArray) -> FloatArray:
    """Drawdown as a positive fraction of the running peak at each point."""
    peak = np.maximum.accumulate(equity)
    with np.errstate(divide="ignore", invalid="ignore"):
        dd = np.where(peak > 0, 1.0 - equity / peak, 0.0)
    return dd


def max_drawdown_duration(ts: IntArray, equity: FloatArray) -> float:
    """Longest peak-to-recovery time in seconds (to the end when never recovered)."""
    if len(equity) < 2:
        return 0.0
    peak = np.maximum.accumulate(equity)
    new_high = np.r_[True, equity[1:] >= peak[:-1]]
    high_ts = ts[new_high]
    gaps = np.diff(np.r_[high_ts, ts[-1]])
    return float(gaps.max()) / 1e9 if len(gaps) else 0.0


def _ratios(rets: FloatArray, periods: float, rf: float) -> tuple[float, float, float]:
    if len(rets) < 2 or not math.isfinite(periods):
        return float("nan"), float("nan"), float("nan")
    excess = rets - rf / periods
    sd = float(np.std(rets, ddof=1))
    vol = sd * math.sqrt(periods)
    sharpe = float(np.mean(excess)) / sd * math.sqrt(periods) if sd > 0 else float("nan")
    downside = math.sqrt(float(np.mean(np.minimum(excess, 0.0) ** 2)))
    sortino = (
        float(np.mean(excess)) / downside * math.sqrt(periods) if downside > 0 else float("nan")
    )
    return sharpe, sortino, vol


def compute_metrics(result: RunResult, *, risk_free_rate: float = 0.0) -> Metrics:
    """Metrics of ``result``'s equity curve and trades."""
    ts, eq = result.equity_ts, result.equity
    initial, final = result.initial_equity, result.final_equity
    total_return = final / initial - 1.0 if initial > 0 else float("nan")
    duration_ns = int(ts[-1] - ts[0]) if len(ts) > 1 else 0
    years = duration_ns / _DAY_NS / _YEAR_DAYS
    # Annualising less than a month of data gives absurd figures (−100 %, +10⁶ %): report none.
    cagr = (
        (final / initial) ** (1.0 / years) - 1.0
        if years >= _MIN_CAGR_YEARS and final > 0
        else float("nan")
    )
    rets, periods = periodic_returns(ts, eq)
    sharpe, sortino, vol = _ratios(rets, periods, risk_free_rate)
    mdd = float(drawdown(eq).max()) if len(eq) else float("nan")
    calmar = cagr / mdd if mdd > 0 and math.isfinite(cagr) else float("nan")
    pnls = np.array([t.pnl for t in result.trades], dtype=np.float64)
    wins, losses = pnls[pnls > 0], pnls[pnls < 0]
    n = len(pnls)
    profit_factor = (
        float(wins.sum() / -losses.sum())
        if len(losses)
        else (float("inf") if len(wins) else float("nan"))
    )
    trade_rets = np.array([t.return_pct for t in result.trades], dtype=np.float64)
    if len(ts) > 1:
        dt = np.diff(ts).astype(np.float64)
        exposure = float(np.sum(dt * (result.exposure[:-1] > 1e-12)) / dt.sum())
    else:
        exposure = float("nan")
    return Metrics(
        total_return=_finite(total_return),
        cagr=_finite(cagr),
        sharpe=_finite(sharpe),
        sortino=_finite(sortino),
        calmar=_finite(calmar),
        max_drawdown=_finite(mdd),
        max_drawdown_duration=max_drawdown_duration(ts, eq) if len(ts) > 1 else None,
        win_rate=len(wins) / n if n else None,
        profit_factor=profit_factor if n and not math.isnan(profit_factor) else None,
        expectancy=float(pnls.mean()) if n else None,
        exposure=_finite(exposure),
        number_of_trades=n,
        start=_iso(int(ts[0])) if len(ts) else None,
        end=_iso(int(ts[-1])) if len(ts) else None,
        duration_days=duration_ns / _DAY_NS if len(ts) else None,
        initial_equity=initial,
        final_equity=final,
        volatility=_finite(vol),
        best_trade=float(trade_rets.max()) if n else None,
        worst_trade=float(trade_rets.min()) if n else None,
        avg_trade_return=float(trade_rets.mean()) if n else None,
        total_fees=float(sum(t.fees for t in result.trades)),
    )


__all__ = ["Metrics", "compute_metrics", "drawdown", "max_drawdown_duration", "periodic_returns"]
