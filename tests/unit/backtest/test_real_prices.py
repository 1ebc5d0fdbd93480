"""Metrics on an equity curve built from real BTC-USD 4h closes (resources/PROVENANCE.md).

The reference pipeline is independent of the code under test: pandas resamples to daily
closes, empyrical computes the ratios, and a plain loop measures drawdown durations.
"""

from __future__ import annotations

import empyrical
import numpy as np
import pandas as pd
import pytest

from tradebot.backtest.metrics import compute_metrics
from tradebot.backtest.result import RunResult

from .factories import NS, btc_4h_closes, result


def _hold_run(cash: float = 10_000.0) -> RunResult:
    ts, close = btc_4h_closes()
    return result(cash * close / close[0], ts=ts, exposure=np.ones(len(close)))


def _reference_daily_returns(run: RunResult) -> pd.Series:
    curve = pd.Series(run.equity, index=pd.to_datetime(run.equity_ts, unit="ns", utc=True))
    closes = curve.resample("1D", closed="right", label="right").last()
    closes = closes.loc[closes.first_valid_index() : closes.last_valid_index()].ffill()
    if curve.index[0] not in closes.index:  # the first sample opens the first day
        closes = pd.concat([curve.iloc[:1], closes])
    return closes.pct_change().dropna()


def _reference_longest_underwater_seconds(ts: np.ndarray, eq: np.ndarray) -> float:
    longest, peak_i, peak_v = 0, 0, eq[0]
    for i in range(1, len(eq)):
        if eq[i] >= peak_v:
            longest = max(longest, ts[i] - ts[peak_i]) if i - peak_i > 1 else longest
            peak_i, peak_v = i, eq[i]
    if peak_i < len(eq) - 1:
        longest = max(longest, ts[-1] - ts[peak_i])
    return longest / NS


def test_the_resource_holds_a_hundred_days_of_4h_bars() -> None:
    ts, close = btc_4h_closes()

    assert len(close) == 600
    assert np.all(np.diff(ts) == 4 * 3_600 * NS)
    assert 15_000 < close.min() < close.max() < 45_000


def test_buy_and_hold_btc_matches_pandas_and_empyrical() -> None:
    run = _hold_run()
    daily = _reference_daily_returns(run).to_numpy()
    bar_returns = run.equity[1:] / run.equity[:-1] - 1

    m = compute_metrics(run)

    assert len(daily) == 100  # 1 May .. 8 Aug 2022
    assert m.sharpe == pytest.approx(empyrical.sharpe_ratio(daily, annualization=365), rel=1e-9)
    assert m.sortino == pytest.approx(empyrical.sortino_ratio(daily, annualization=365), rel=1e-9)
    assert m.volatility == pytest.approx(
        empyrical.annual_volatility(daily, annualization=365), rel=1e-9
    )
    # Drawdown uses every sample, not only daily closes.
    assert m.max_drawdown == pytest.approx(-empyrical.max_drawdown(bar_returns), rel=1e-9)
    assert m.max_drawdown_duration == pytest.approx(
        _reference_longest_underwater_seconds(run.equity_ts, run.equity)
    )
    assert m.exposure == pytest.approx(1.0)


def test_buy_and_hold_btc_cagr_and_calmar() -> None:
    run = _hold_run()
    start, end = pd.to_datetime(run.equity_ts[[0, -1]], unit="ns", utc=True)
    days = (end - start) / pd.Timedelta(days=1)
    growth = run.equity[-1] / run.equity[0]
    mdd = -empyrical.max_drawdown(run.equity[1:] / run.equity[:-1] - 1)

    m = compute_metrics(run)

    assert m.total_return == pytest.approx(growth - 1, rel=1e-12)
    assert m.cagr == pytest.approx(growth ** (365.25 / days) - 1, rel=1e-9)
    assert m.calmar == pytest.approx(m.cagr / mdd, rel=1e-9)
    assert m.start == "2022-05-01T04:00:00Z"
    assert m.end == "2022-08-09T00:00:00Z"
