"""Downsampling keeps the extremes and the ends, and bounds the number of points."""

from __future__ import annotations

import numpy as np
import pytest

from tradebot.backtest.downsample import minmax_indices


@pytest.mark.parametrize(("n", "limit"), [(10, 100), (100_003, 2_000), (20_000, 5_000), (7, 4)])
def test_at_most_the_limit_sorted_unique_with_both_ends(n: int, limit: int) -> None:
    values = np.random.default_rng(n).normal(size=n).cumsum()

    keep = minmax_indices(values, limit)

    assert len(keep) <= max(n if n <= limit else limit, 2)
    assert keep[0] == 0
    assert keep[-1] == n - 1
    assert np.all(np.diff(keep) > 0)


def test_spikes_and_troughs_survive() -> None:
    values = np.zeros(100_000)
    values[12_345] = 9.0
    values[67_890] = -9.0

    keep = minmax_indices(values, 500)

    assert 12_345 in keep
    assert 67_890 in keep


def test_nan_is_never_taken_for_an_extreme() -> None:
    values = np.arange(10_000, dtype=np.float64)
    values[:5_000] = np.nan

    keep = minmax_indices(values, 100)

    assert 5_000 in keep  # the first real value is the minimum of its bucket
    assert np.isnan(values[keep]).sum() <= 50  # at most one NaN (its min slot) per NaN bucket
