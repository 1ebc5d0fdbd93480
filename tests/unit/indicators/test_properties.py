"""Invariants of the indicators on generated bars (hypothesis), and input checking."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from tradebot import indicators as ind


@st.composite
def ohlcv(draw: st.DrawFn, min_size: int = 1, max_size: int = 300) -> tuple[np.ndarray, ...]:
    """Valid bars: positive prices, low ≤ open, close ≤ high, volume ≥ 0."""
    n = draw(st.integers(min_size, max_size))
    elements = st.floats(0.01, 1e6, allow_nan=False, allow_infinity=False)
    a = draw(arrays(np.float64, n, elements=elements))
    b = draw(arrays(np.float64, n, elements=elements))
    o = draw(arrays(np.float64, n, elements=elements))
    c = draw(arrays(np.float64, n, elements=elements))
    v = draw(arrays(np.float64, n, elements=st.floats(0, 1e6)))
    low = np.minimum.reduce([a, b, o, c])
    high = np.maximum.reduce([a, b, o, c])
    return o, high, low, c, v


period = st.integers(1, 30)
SLACK = 1e-9


def _valid(x: np.ndarray) -> np.ndarray:
    return x[~np.isnan(x)]


@settings(max_examples=60, deadline=None)
@given(ohlcv(), period)
def test_bounded_oscillators_stay_in_range(bars: tuple[np.ndarray, ...], n: int) -> None:
    o, h, lo, c, v = bars
    for values in (
        ind.rsi(c, n),
        ind.mfi(h, lo, c, v, n),
        ind.imi(o, c, n),
        *ind.stoch(h, lo, c, n, 3),
        ind.adx(h, lo, c, max(n, 2)),
    ):
        valid = _valid(values)
        assert np.all(valid >= -SLACK)
        assert np.all(valid <= 100 + SLACK)
    willr = _valid(ind.willr(h, lo, c, n))
    assert np.all((willr >= -100 - SLACK) & (willr <= SLACK))


@settings(max_examples=60, deadline=None)
@given(ohlcv(), period, st.floats(0.1, 4))
def test_bands_are_ordered(bars: tuple[np.ndarray, ...], n: int, k: float) -> None:
    _, h, lo, c, _ = bars
    for upper, middle, lower in (ind.bbands(c, n, k), ind.keltner(h, lo, c, n, k)):
        ok = ~np.isnan(middle)
        scale = np.abs(middle[ok]) * 1e-12
        assert np.all(lower[ok] <= middle[ok] + scale)
        assert np.all(middle[ok] <= upper[ok] + scale)


@settings(max_examples=60, deadline=None)
@given(ohlcv(), period)
def test_true_range_measures_are_non_negative(bars: tuple[np.ndarray, ...], n: int) -> None:
    _, h, lo, c, _ = bars
    assert np.all(_valid(ind.atr(h, lo, c, n)) >= 0)


@settings(max_examples=60, deadline=None)
@given(ohlcv(min_size=60), st.integers(2, 20))
def test_supertrend_line_sits_below_an_uptrend_close(bars: tuple[np.ndarray, ...], n: int) -> None:
    _, h, lo, c, _ = bars
    line, direction = ind.supertrend(h, lo, c, n, 3.0)
    # On the bar the trend flips the line jumps to the other band, wherever the close is.
    steady = np.r_[False, direction[1:] == direction[:-1]]
    up = (direction == 1.0) & steady
    down = (direction == -1.0) & steady
    assert np.all(line[up] <= c[up])
    assert np.all(line[down] >= c[down])
    assert np.all(np.isnan(direction) | (direction == 1.0) | (direction == -1.0))


@settings(max_examples=60, deadline=None)
@given(
    arrays(np.float64, st.integers(1, 200), elements=st.floats(-1e4, 1e4)),
    period,
    st.floats(-1e4, 1e4),
)
def test_moving_averages_shift_with_their_input(x: np.ndarray, n: int, shift: float) -> None:
    for average in (ind.sma, ind.ema, ind.wma):
        np.testing.assert_allclose(average(x + shift, n), average(x, n) + shift, atol=1e-6)


@settings(max_examples=40, deadline=None)
@given(st.floats(0.01, 1e6), st.integers(1, 100), period)
def test_averages_of_a_constant_are_the_constant(value: float, size: int, n: int) -> None:
    x = np.full(size, value)
    for average in (ind.sma, ind.ema, ind.wma):
        np.testing.assert_allclose(_valid(average(x, n)), value, rtol=1e-12)


@settings(max_examples=60, deadline=None)
@given(ohlcv(min_size=5))
def test_ichimoku_conversion_line_lies_within_its_window(bars: tuple[np.ndarray, ...]) -> None:
    _, h, lo, c, _ = bars
    tenkan = ind.ichimoku(h, lo, c, 3, 5, 8)[0]
    for i in range(2, len(c)):
        assert lo[i - 2 : i + 1].min() <= tenkan[i] <= h[i - 2 : i + 1].max()


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.integers(1, 200), elements=st.floats(-1e6, 1e6)), period)
def test_rolling_extremes_equal_the_window_extremes(x: np.ndarray, n: int) -> None:
    high, low = ind.RollingMax(n), ind.RollingMin(n)
    for i, value in enumerate(x.tolist()):
        hi, lo = high.update(value), low.update(value)
        if i + 1 < n:
            assert math.isnan(hi)
            assert math.isnan(lo)
        else:
            assert hi == x[i + 1 - n : i + 1].max()
            assert lo == x[i + 1 - n : i + 1].min()


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: ind.sma([1.0, 2.0], 0), "sma period was 0"),
        (lambda: ind.rsi([1.0, 2.0], -3), "rsi period was -3"),
        (lambda: ind.atr([1.0, 2.0], [1.0], [1.0, 2.0]), "different lengths"),
        (lambda: ind.sma(np.ones((2, 2)), 2), "one-dimensional"),
        (lambda: ind.bbands([1.0], 2, -1.0), "bbands k"),
        (lambda: ind.supertrend([1.0], [1.0], [1.0], 10, 0.0), "supertrend mult"),
        (lambda: ind.SMA(0), "SMA period"),
        (lambda: ind.EMA(0), "EMA period"),
        (lambda: ind.MACD(1, 26, 9), "MACD fast"),
        (lambda: ind.Keltner(20, -1.0), "Keltner mult"),
        (lambda: ind.RollingMax(0), "RollingMax period"),
        (lambda: ind.Ichimoku(9, 0, 52), "Ichimoku kijun"),
    ],
)
def test_bad_arguments_name_the_argument(call: object, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        call()  # type: ignore[operator]


def test_running_sums_do_not_drift_over_a_million_updates() -> None:
    rng = np.random.default_rng(11)
    x = 1e5 + rng.normal(0, 50, 1_000_000)
    sma = ind.SMA(30)
    for value in x.tolist():
        sma.update(value)
    assert sma.value == pytest.approx(math.fsum(x[-30:]) / 30, rel=1e-12)
    np.testing.assert_allclose(ind.sma(x, 30)[-1], math.fsum(x[-30:]) / 30, rtol=1e-12)
