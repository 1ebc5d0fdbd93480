"""Regime detection: rolling percentile rank and the classification of crafted markets."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from tradebot.model.regime import Regime
from tradebot.strategies.manager import RegimeConfig, RegimeDetector, RollingRank


@given(
    st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=80),
    st.integers(1, 20),
)
def test_rolling_rank_equals_the_share_of_the_window_at_or_below(
    values: list[float], n: int
) -> None:
    rank = RollingRank(n)
    for i, x in enumerate(values):
        got = rank.update(x)
        if i + 1 < n:
            assert math.isnan(got)
        else:
            window = np.array(values[i + 1 - n : i + 1])
            assert got == np.count_nonzero(window <= x) / n


def _feed(detector: RegimeDetector, closes: np.ndarray, spread: np.ndarray) -> list[Regime | None]:
    out = []
    for c, s in zip(closes, spread, strict=True):
        out.append(detector.update(c + s, c - s, c))
    return out


def test_a_steady_climb_is_trending() -> None:
    closes = 100 * 1.004 ** np.arange(500)
    regimes = _feed(RegimeDetector(RegimeConfig()), closes, closes * 0.002)

    assert regimes[-1] is Regime.TRENDING


def test_a_narrow_oscillation_is_ranging() -> None:
    rng = np.random.default_rng(7)
    closes = 100 + np.sin(np.arange(600) / 3.0) + rng.normal(0, 0.05, 600)
    regimes = _feed(RegimeDetector(RegimeConfig()), closes, np.full(600, 0.3))

    assert regimes[-1] is Regime.RANGING


def test_a_burst_of_wide_bars_is_high_volatility() -> None:
    rng = np.random.default_rng(3)
    closes = 100 + np.sin(np.arange(600) / 3.0) + rng.normal(0, 0.05, 600)
    spread = np.full(600, 0.3)
    spread[-5:] = 6.0  # ranges twenty times the usual
    regimes = _feed(RegimeDetector(RegimeConfig()), closes, spread)

    assert regimes[-1] is Regime.HIGH_VOLATILITY
    assert regimes[-6] is Regime.RANGING


def test_the_regime_is_unknown_until_the_lookback_is_full() -> None:
    closes = 100 * 1.004 ** np.arange(60)
    regimes = _feed(RegimeDetector(RegimeConfig(lookback=100)), closes, closes * 0.002)

    assert set(regimes) == {None}
