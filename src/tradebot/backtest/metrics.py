"""Headline performance metrics of a run.

Conventions
-----------
- Risk ratios (Sharpe, Sortino, volatility) use daily UTC closes for curves of two days or
  more, annualised with 365 periods (crypto trades every day), and the native bar returns
  annualised by the median step for shorter curves; see :mod:`tradebot.backtest.returns`.
- Total return = final / initial − 1, from the run's ``initial_equity`` and ``final_equity``.
- CAGR = (final / initial)^(365.25 days / duration) − 1, where duration is the time from the
  first to the last equity sample. It is only given for runs of 30 days or more: annualising a
  few days gives absurd figures (+10⁶ %, −100 %) that look like results.
- Calmar = CAGR / max drawdown.
- Max drawdown and its duration follow :mod:`tradebot.backtest.drawdown` (positive fraction;
  seconds from the peak to its recovery, or to the end).
- Exposure = share of the run's time with a position: each sample's ``exposure > 0`` holds
  until the next sample, weighted by that interval.
- Trade figures follow :mod:`tradebot.backtest.trade_stats`.
- Total fees = sum of the fees of every fill charged in the account currency
  (``result.fills``, so fees of positions still open are included; fees charged in another
  currency are left out here and are listed per currency in ``extra``); for a result without
  fills, the closed trades' fees.
- Non-finite equity samples (an instrument not yet marked) are left out of the curve figures.
- A figure that cannot be computed (no trades, flat equity, a single sample, a run too short
  for CAGR) is ``None``; never NaN, never a warning. The one exception is ``profit_factor``,
  which is ``inf`` when there are winning trades and no losing one; JSON has no infinity, so
  :func:`msgspec.json.encode` and the JSON report write it as ``null``.
"""

from __future__ import annotations

import math

import msgspec
import numpy as np

from tradebot.backtest.drawdown import drawdown, max_drawdown_duration
from tradebot.backtest.result import RunResult
from tradebot.backtest.returns import DAY_NS, periodic_returns, risk_ratios
from tradebot.backtest.timefmt import iso
from tradebot.backtest.trade_stats import trade_stats

_YEAR_NS = 365.25 * DAY_NS
MIN_CAGR_DAYS = 30.0
"""Shortest run, in days, for which CAGR (and so Calmar) is reported."""


class Metrics(msgspec.Struct, frozen=True, kw_only=True):
    """Headline figures of a run (definitions in the module docstring).

    Attributes
    ----------
    total_return : float or None
        final / initial − 1, a fraction.
    cagr : float or None
        Compound annual growth rate, a fraction; None under 30 days.
    sharpe, sortino : float or None
        Annualised ratios of excess returns.
    calmar : float or None
        CAGR / max drawdown.
    max_drawdown : float or None
        Deepest fall below the running peak, a positive fraction (0.23 = 23 %).
    max_drawdown_duration : float or None
        Longest time under water, in seconds.
    win_rate : float or None
        Share of trades with positive net P&L.
    profit_factor : float or None
        Gross wins / gross losses; ``inf`` without losses (``null`` in JSON).
    expectancy : float or None
        Mean net P&L per trade, in the settlement currency.
    exposure : float or None
        Share of time with a position open.
    number_of_trades : int
        Closed round trips.
    start, end : str or None
        First and last equity sample, ISO 8601 UTC.
    duration_days : float or None
        Time between them, in days.
    initial_equity, final_equity : float
        As in the run result.
    volatility : float or None
        Annualised standard deviation of returns.
    best_trade, worst_trade, avg_trade_return : float or None
        Highest, lowest and mean trade return (net P&L / entry notional).
    total_fees : float
        Fees paid over the run in the account currency (negative for net rebates).
    """

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


def _known(x: float) -> float | None:
    """The figure, or None when it is NaN (could not be computed); inf is kept."""
    return None if math.isnan(x) else x


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def _cagr(initial: float, final: float, duration_ns: int) -> float:
    if initial <= 0 or final < 0 or duration_ns < MIN_CAGR_DAYS * DAY_NS:
        return float("nan")
    return float((final / initial) ** (_YEAR_NS / duration_ns) - 1.0)


def _exposure(dt: np.ndarray, in_market: np.ndarray) -> float:
    total = float(dt.sum())
    return float(dt[in_market].sum()) / total if total > 0 else float("nan")


def _total_fees(result: RunResult, closed_trade_fees: float) -> float:
    if not result.fills:
        return closed_trade_fees
    return math.fsum(f.fee for f in result.fills if f.fee_currency == result.currency)


def compute_metrics(
    result: RunResult,
    *,
    risk_free_rate: float = 0.0,
    periods_per_year: float | None = None,
) -> Metrics:
    """Metrics of ``result``'s equity curve and trades.

    Parameters
    ----------
    result : RunResult
        A finished run.
    risk_free_rate : float, default 0.0
        Annual risk-free rate, a fraction, subtracted from returns in Sharpe and Sortino.
    periods_per_year : float, optional
        Annualisation factor for Sharpe, Sortino and volatility. By default 365 for daily
        returns, or the bar frequency for curves shorter than two days.

    Returns
    -------
    Metrics
        Every figure; those that cannot be computed are None.
    """
    finite = np.isfinite(result.equity)
    ts, eq = result.equity_ts[finite], result.equity[finite]
    ex = result.exposure[finite]
    initial, final = result.initial_equity, result.final_equity
    has_curve = len(eq) >= 2
    duration_ns = int(ts[-1] - ts[0]) if has_curve else 0

    rets, periods = periodic_returns(ts, eq, periods_per_year)
    ratios = risk_ratios(rets, periods, risk_free_rate)
    mdd = float(drawdown(eq).max()) if has_curve else float("nan")
    cagr = _cagr(initial, final, duration_ns)
    calmar = cagr / mdd if mdd > 0 and math.isfinite(cagr) else float("nan")
    stats = trade_stats(result.trades)
    exposure = _exposure(np.diff(ts), ex[:-1] > 0) if has_curve else float("nan")

    return Metrics(
        total_return=_finite(final / initial - 1.0) if initial > 0 else None,
        cagr=_finite(cagr),
        sharpe=_finite(ratios.sharpe),
        sortino=_finite(ratios.sortino),
        calmar=_finite(calmar),
        max_drawdown=_finite(mdd),
        max_drawdown_duration=max_drawdown_duration(ts, eq) if has_curve else None,
        win_rate=_known(stats.win_rate),
        profit_factor=_known(stats.profit_factor),
        expectancy=_known(stats.expectancy),
        exposure=_finite(exposure),
        number_of_trades=stats.number_of_trades,
        start=iso(int(ts[0])) if len(ts) else None,
        end=iso(int(ts[-1])) if len(ts) else None,
        duration_days=duration_ns / DAY_NS if len(ts) else None,
        initial_equity=initial,
        final_equity=final,
        volatility=_finite(ratios.volatility),
        best_trade=_known(stats.best_trade),
        worst_trade=_known(stats.worst_trade),
        avg_trade_return=_known(stats.avg_trade_return),
        total_fees=_total_fees(result, stats.fees),
    )


__all__ = ["MIN_CAGR_DAYS", "Metrics", "compute_metrics"]
