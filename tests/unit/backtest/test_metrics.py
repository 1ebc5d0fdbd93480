"""Metrics against empyrical (an independent implementation) and hand-built cases."""

from __future__ import annotations

import math

import empyrical
import numpy as np
import pytest

from tradebot.backtest.metrics import compute_metrics

from .factories import DAY, T0, result, trade


@pytest.fixture
def curve() -> np.ndarray:
    rng = np.random.default_rng(7)
    return 10_000 * np.cumprod(1 + rng.normal(0.001, 0.03, 400))


def test_risk_ratios_match_empyrical(curve: np.ndarray) -> None:
    daily = curve[1:] / curve[:-1] - 1

    m = compute_metrics(result(curve))

    assert m.sharpe == pytest.approx(empyrical.sharpe_ratio(daily, annualization=365), rel=1e-9)
    assert m.sortino == pytest.approx(empyrical.sortino_ratio(daily, annualization=365), rel=1e-9)
    assert m.volatility == pytest.approx(
        empyrical.annual_volatility(daily, annualization=365), rel=1e-9
    )
    assert m.max_drawdown == pytest.approx(-empyrical.max_drawdown(daily), rel=1e-9)


def test_intraday_samples_are_resampled_to_daily_closes(curve: np.ndarray) -> None:
    # One sample at 23:00 on day 0, then each later day's value held for 24 hourly samples.
    hourly = np.r_[curve[0], np.repeat(curve[1:], 24)]
    daily = curve[1:] / curve[:-1] - 1

    m = compute_metrics(result(hourly, step=DAY // 24, start=T0 + 23 * DAY // 24))

    assert m.sharpe == pytest.approx(empyrical.sharpe_ratio(daily, annualization=365), rel=1e-9)


def test_cagr_and_calmar_follow_their_definitions(curve: np.ndarray) -> None:
    years = (len(curve) - 1) / 365.25

    m = compute_metrics(result(curve))

    expected = (curve[-1] / curve[0]) ** (1 / years) - 1
    assert m.cagr == pytest.approx(expected, rel=1e-12)
    assert m.calmar == pytest.approx(expected / m.max_drawdown, rel=1e-12)
    assert m.total_return == pytest.approx(curve[-1] / curve[0] - 1, rel=1e-12)


def test_drawdown_duration_runs_from_peak_to_recovery() -> None:
    # Peak on day 10, trough on day 15, back to the peak on day 30, then higher.
    eq = np.concatenate(
        [np.linspace(100, 110, 11), np.linspace(108, 100, 5), np.linspace(101, 110, 15), [111, 112]]
    )

    m = compute_metrics(result(eq))

    assert m.max_drawdown == pytest.approx(10 / 110)
    assert m.max_drawdown_duration == pytest.approx(20 * 86_400)


def test_unrecovered_drawdown_lasts_until_the_end() -> None:
    eq = [100, 120, 90, 95, 100]

    m = compute_metrics(result(eq))

    assert m.max_drawdown_duration == pytest.approx(3 * 86_400)


def test_trade_statistics() -> None:
    trades = [
        trade(50, ret=0.05, fees=1),
        trade(-20, ret=-0.02, fees=1),
        trade(30, ret=0.03, fees=1),
        trade(-10, ret=-0.01, fees=1),
    ]

    m = compute_metrics(result([100, 101, 102, 103], trades=trades))

    assert m.number_of_trades == 4
    assert m.win_rate == 0.5
    assert m.profit_factor == pytest.approx(80 / 30)
    assert m.expectancy == pytest.approx(12.5)
    assert m.best_trade == 0.05
    assert m.worst_trade == -0.01 - 0.01
    assert m.total_fees == 4


def test_exposure_is_time_weighted_share_in_the_market() -> None:
    m = compute_metrics(result([100, 100, 100, 100, 100], exposure=[0, 1, 1, 0, 0]))

    assert m.exposure == pytest.approx(0.5)


@pytest.mark.parametrize(
    "equity",
    [[100.0, 100.0], [100.0, 100.0, 100.0, 100.0], [100.0, 105.0]],
    ids=["two-points", "flat", "one-return"],
)
def test_degenerate_curves_give_none_not_errors(equity: list[float]) -> None:
    m = compute_metrics(result(equity))

    assert m.number_of_trades == 0
    assert m.win_rate is None
    assert m.profit_factor is None
    assert m.sharpe is None or math.isfinite(m.sharpe)
    assert m.cagr is None  # under 30 days


def test_profit_factor_without_losses_is_infinite() -> None:
    m = compute_metrics(result([100, 110], trades=[trade(10)]))

    assert m.profit_factor == math.inf
