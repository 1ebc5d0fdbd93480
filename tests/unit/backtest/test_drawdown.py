"""Max drawdown and its duration on curves whose answer is obvious from construction."""

from __future__ import annotations

import numpy as np
import pytest

from tradebot.backtest.drawdown import drawdown, max_drawdown_duration
from tradebot.backtest.metrics import compute_metrics

from .factories import DAY, HOUR, NS, T0, result


def _peak_trough_recovery(peak: int, trough: int, recovery: int, end: int) -> np.ndarray:
    """Daily curve: rising to 110 at ``peak``, 100 at ``trough``, 110 again at ``recovery``."""
    up = np.linspace(110 - peak, 110, peak + 1)
    down = np.linspace(110, 100, trough - peak + 1)[1:]
    back = np.linspace(100, 110, recovery - trough + 1)[1:]
    after = 110 + np.arange(1, end - recovery + 1)
    return np.concatenate((up, down, back, after))


@pytest.mark.parametrize(
    ("peak", "trough", "recovery", "end"),
    [(10, 15, 30, 35), (0, 5, 9, 9), (3, 20, 21, 40)],
)
def test_duration_runs_from_peak_to_recovery(
    peak: int, trough: int, recovery: int, end: int
) -> None:
    eq = _peak_trough_recovery(peak, trough, recovery, end)

    m = compute_metrics(result(eq))

    assert m.max_drawdown == pytest.approx(10 / 110)
    assert m.max_drawdown_duration == pytest.approx((recovery - peak) * 86_400)


def test_unrecovered_drawdown_lasts_until_the_end() -> None:
    # Peak on day 1, never regained by day 4.
    m = compute_metrics(result([100, 120, 90, 95, 100]))

    assert m.max_drawdown == pytest.approx(30 / 120)
    assert m.max_drawdown_duration == pytest.approx(3 * 86_400)


def test_longest_drawdown_wins_over_deepest() -> None:
    # Shallow but long: days 0..6 under 100. Deep but short: days 8..10 under 200.
    eq = [100, 99, 98, 97, 98, 99, 100, 200, 100, 150, 200, 210]

    m = compute_metrics(result(eq))

    assert m.max_drawdown == pytest.approx(0.5)
    assert m.max_drawdown_duration == pytest.approx(6 * 86_400)


def test_plateau_at_the_peak_counts_from_its_last_day() -> None:
    eq = [100, 110, 110, 110, 105, 110]  # at the peak on days 1-3, under water on day 4 only

    assert max_drawdown_duration(T0 + np.arange(6) * DAY, np.asarray(eq, float)) == 2 * 86_400


@pytest.mark.parametrize(
    "equity",
    [[100, 101, 102, 103], [100, 100, 100], [5, 6]],
    ids=["rising", "flat", "two-points"],
)
def test_a_curve_that_never_falls_has_no_drawdown(equity: list[float]) -> None:
    eq = np.asarray(equity, dtype=np.float64)
    ts = T0 + np.arange(len(eq), dtype=np.int64) * DAY

    assert max_drawdown_duration(ts, eq) == 0.0
    assert drawdown(eq).max() == 0.0


def test_duration_uses_timestamps_not_sample_counts() -> None:
    # Irregular samples: peak at 1 h, back at 10 h, though only one sample lies between.
    ts = T0 + np.array([0, 1, 2, 10, 11], dtype=np.int64) * HOUR
    eq = np.array([100.0, 120.0, 90.0, 121.0, 122.0])

    assert max_drawdown_duration(ts, eq) == 9 * HOUR / NS


def test_drawdown_is_a_positive_fraction_of_the_running_peak() -> None:
    eq = np.array([100.0, 200.0, 150.0, 50.0, 300.0, 240.0])

    assert drawdown(eq) == pytest.approx([0, 0, 0.25, 0.75, 0, 0.2])
