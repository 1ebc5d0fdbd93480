"""Metrics against empyrical (an independent implementation) and cases built by hand."""

from __future__ import annotations

import math

import empyrical
import msgspec
import numpy as np
import pytest

from tradebot.backtest.metrics import Metrics, compute_metrics

from .factories import DAY, HOUR, T0, fill, random_walk, result, trade


@pytest.fixture
def curve() -> np.ndarray:
    """400 daily equity values (a seeded random walk), sampled at 00:00 UTC."""
    return random_walk(400, seed=7)


def _daily(curve: np.ndarray) -> np.ndarray:
    return curve[1:] / curve[:-1] - 1


@pytest.mark.parametrize("seed", [1, 7, 42])
def test_risk_figures_match_empyrical(seed: int) -> None:
    curve = random_walk(400, seed=seed)
    daily = _daily(curve)

    m = compute_metrics(result(curve))

    assert m.sharpe == pytest.approx(empyrical.sharpe_ratio(daily, annualization=365), rel=1e-9)
    assert m.sortino == pytest.approx(empyrical.sortino_ratio(daily, annualization=365), rel=1e-9)
    assert m.volatility == pytest.approx(
        empyrical.annual_volatility(daily, annualization=365), rel=1e-9
    )
    assert m.max_drawdown == pytest.approx(-empyrical.max_drawdown(daily), rel=1e-9)


def test_cagr_matches_empyrical_over_calendar_years(curve: np.ndarray) -> None:
    # CAGR annualises by elapsed time (365.25-day years), so empyrical counts 365.25 days a
    # year here: one daily return per elapsed day.
    daily = _daily(curve)

    m = compute_metrics(result(curve))

    assert m.cagr == pytest.approx(empyrical.cagr(daily, annualization=365.25), rel=1e-9)


def test_risk_free_rate_is_annual_and_spread_per_day(curve: np.ndarray) -> None:
    daily = _daily(curve)
    rf = 0.05

    m = compute_metrics(result(curve), risk_free_rate=rf)

    assert m.sharpe == pytest.approx(
        empyrical.sharpe_ratio(daily, risk_free=rf / 365, annualization=365), rel=1e-9
    )
    assert m.sortino == pytest.approx(
        empyrical.sortino_ratio(daily, required_return=rf / 365, annualization=365), rel=1e-9
    )


def test_periods_per_year_overrides_the_annualisation(curve: np.ndarray) -> None:
    daily = _daily(curve)

    m = compute_metrics(result(curve), periods_per_year=252)

    assert m.sharpe == pytest.approx(empyrical.sharpe_ratio(daily, annualization=252), rel=1e-9)
    assert m.volatility == pytest.approx(
        empyrical.annual_volatility(daily, annualization=252), rel=1e-9
    )


def test_intraday_samples_are_resampled_to_daily_closes(curve: np.ndarray) -> None:
    # Hourly samples from 00:00 of day 0 to 00:00 of the last day. At each midnight equity is
    # the daily curve's value (the close of the day before); in between it wanders by up to
    # ±5 %. Only the closes may count.
    hours = np.arange(24 * (len(curve) - 1) + 1)
    wander = np.random.default_rng(11).uniform(-0.05, 0.05, len(hours))
    wander[hours % 24 == 0] = 0.0
    hourly = curve[hours // 24] * (1 + wander)

    m = compute_metrics(result(hourly, step=HOUR))

    assert m.sharpe == pytest.approx(empyrical.sharpe_ratio(_daily(curve), annualization=365))
    assert m.volatility == pytest.approx(
        empyrical.annual_volatility(_daily(curve), annualization=365)
    )


def test_the_first_return_runs_from_the_first_sample_to_its_day_close() -> None:
    # Starts at 12:00 on day 0, samples every 12 h: days 0-2 close at the next 00:00 sample,
    # the unfinished day 3 at its last sample (12:00).
    equity = [100.0, 90.0, 110.0, 95.0, 121.0, 130.0, 99.0]
    closes = np.array([100.0, 90.0, 95.0, 130.0, 99.0])  # first sample, then each close

    m = compute_metrics(result(equity, step=12 * HOUR, start=T0 + 12 * HOUR))

    assert m.sharpe == pytest.approx(empyrical.sharpe_ratio(_daily(closes), annualization=365))


def test_a_day_without_samples_is_a_zero_return_day() -> None:
    # Daily samples with day 3 missing: the close of day 2 carries over to day 3.
    days = np.array([0, 1, 2, 4, 5, 6], dtype=np.int64)
    equity = np.array([100.0, 101.0, 99.0, 103.0, 104.0, 102.0])
    filled = np.array([100.0, 101.0, 99.0, 99.0, 103.0, 104.0, 102.0])

    m = compute_metrics(result(equity, ts=T0 + days * DAY))

    assert m.sharpe == pytest.approx(
        empyrical.sharpe_ratio(_daily(filled), annualization=365), rel=1e-9
    )


def test_short_curves_use_native_bars_annualised_by_their_frequency() -> None:
    # 6 hours of 1-minute samples: under two days, so no daily resampling.
    equity = random_walk(361, seed=3, vol=0.001, drift=0.0)
    per_year = 365 * 24 * 60

    m = compute_metrics(result(equity, step=60 * 10**9))

    assert m.sharpe == pytest.approx(
        empyrical.sharpe_ratio(_daily(equity), annualization=per_year), rel=1e-9
    )
    assert m.volatility == pytest.approx(
        empyrical.annual_volatility(_daily(equity), annualization=per_year), rel=1e-9
    )


def test_cagr_calmar_and_total_return_follow_their_definitions(curve: np.ndarray) -> None:
    years = (len(curve) - 1) / 365.25
    peak = np.maximum.accumulate(curve)
    mdd = float(np.max(1 - curve / peak))

    m = compute_metrics(result(curve))

    expected = (curve[-1] / curve[0]) ** (1 / years) - 1
    assert m.cagr == pytest.approx(expected, rel=1e-12)
    assert m.calmar == pytest.approx(expected / mdd, rel=1e-9)
    assert m.total_return == pytest.approx(curve[-1] / curve[0] - 1, rel=1e-12)
    assert m.duration_days == len(curve) - 1
    assert m.start == "2020-09-13T00:00:00Z"


@pytest.mark.parametrize(
    ("exposure", "expected"),
    [
        ([1, 0, 0, 0], 1 / 4),  # in the market for the first hour of four
        ([0, 1, 0, 0], 2 / 4),  # the second sample's position is held for two hours
        ([0, 0, 0, 1], 0.0),  # the last sample's position is held for no time
        ([0.5, 2.0, 0.1, 0], 1.0),  # any positive gross exposure counts, not its size
    ],
)
def test_exposure_is_weighted_by_time(exposure: list[float], expected: float) -> None:
    ts = T0 + np.array([0, 1, 3, 4], dtype=np.int64) * HOUR

    m = compute_metrics(result([100.0] * 4, ts=ts, exposure=exposure))

    assert m.exposure == pytest.approx(expected)


def test_total_fees_count_every_fill_in_the_account_currency() -> None:
    fills = [fill(1.5), fill(2.0), fill(-0.25), fill(0.001, currency="BTC")]
    trades = [trade(10, fees=1.5)]  # only part of the fees belong to closed trades

    m = compute_metrics(result([100.0, 110.0], trades=trades, fills=fills))

    assert m.total_fees == pytest.approx(1.5 + 2.0 - 0.25)


def test_total_fees_fall_back_to_trades_without_fills() -> None:
    m = compute_metrics(result([100.0, 110.0], trades=[trade(5, fees=1), trade(5, fees=2)]))

    assert m.total_fees == pytest.approx(3.0)


def test_under_thirty_days_cagr_and_calmar_are_none() -> None:
    m = compute_metrics(result(random_walk(29, seed=5)))

    assert m.cagr is None
    assert m.calmar is None
    assert m.sharpe is not None


def _none_or_finite(m: Metrics) -> list[str]:
    """Names of fields that are neither None nor a finite number (profit factor aside)."""
    bad = []
    for name, value in msgspec.structs.asdict(m).items():
        if isinstance(value, float) and not math.isfinite(value) and name != "profit_factor":
            bad.append(name)
    return bad


@pytest.mark.parametrize(
    ("equity", "ts"),
    [
        ([100.0], None),
        ([100.0, 100.0], None),
        ([100.0, 100.0, 100.0, 100.0], None),
        ([100.0, 105.0], None),
        ([], None),
        ([100.0, 100.0, 101.0], np.full(3, T0, dtype=np.int64)),  # all at one instant
        ([math.nan, math.nan, 100.0, 102.0, 101.0], None),  # not yet marked
        ([100.0, 0.0, 0.0], None),  # wiped out
    ],
    ids=["one-point", "two-flat", "flat", "two-points", "empty", "one-instant", "nan", "zero"],
)
def test_degenerate_curves_give_none_not_errors(equity: list[float], ts: np.ndarray) -> None:
    m = compute_metrics(result(equity, ts=ts))

    assert m.number_of_trades == 0
    assert (m.win_rate, m.profit_factor, m.expectancy, m.best_trade) == (None, None, None, None)
    assert m.cagr is None  # under 30 days
    assert _none_or_finite(m) == []
    assert msgspec.json.decode(msgspec.json.encode(m), type=Metrics) == m


@pytest.mark.parametrize("n", [2, 4, 60])
def test_flat_equity_has_no_risk_ratios_and_no_drawdown(n: int) -> None:
    m = compute_metrics(result([100.0] * n))

    assert m.sharpe is None
    assert m.sortino is None
    assert m.calmar is None
    assert m.max_drawdown == 0.0
    assert m.max_drawdown_duration == 0.0
    assert m.total_return == 0.0


def test_a_single_point_has_no_curve_figures() -> None:
    m = compute_metrics(result([100.0]))

    assert m.max_drawdown is None
    assert m.max_drawdown_duration is None
    assert m.exposure is None
    assert m.volatility is None
    assert m.start == m.end == "2020-09-13T00:00:00Z"
    assert m.duration_days == 0.0


def test_metrics_serialise_to_json_with_infinite_profit_factor_as_null() -> None:
    m = compute_metrics(result([100.0, 110.0], trades=[trade(10)]))

    doc = msgspec.json.decode(msgspec.json.encode(m))

    assert m.profit_factor == math.inf
    assert doc["profit_factor"] is None
    assert set(doc) == set(msgspec.structs.asdict(m))
