"""Invariants of the batch indicators on generated bars (hypothesis), and their input checks."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from tradebot.indicators import batch as ind

Array = np.ndarray
Bars = tuple[Array, Array, Array, Array, Array]

SLACK = 1e-9
"""On a 0–100 scale: ratios of smoothed or slid sums can pass a bound by rounding (~1e-14)."""


@st.composite
def ohlcv(draw: st.DrawFn, min_size: int = 0, max_size: int = 250) -> Bars:
    """Valid bars at one price level: 0 < low ≤ open, close ≤ high; volume ≥ 0, often 0.

    Values are drawn from few distinct numbers often enough that flat windows, doji and
    repeated extremes turn up, which is where the zero-division guards live.
    """
    size = draw(st.integers(min_size, max_size))
    scale = draw(st.sampled_from([1e-6, 1e-2, 1.0, 250.0, 3e4]))
    price = st.one_of(st.floats(1.0, 2.0), st.sampled_from([1.0, 1.25, 1.5]))
    corners = [draw(arrays(np.float64, size, elements=price)) for _ in range(4)]
    o, c = corners[0] * scale, corners[1] * scale
    low = np.minimum.reduce(corners) * scale
    high = np.maximum.reduce(corners) * scale
    v = draw(arrays(np.float64, size, elements=st.one_of(st.just(0.0), st.floats(1e-3, 1e6))))
    return o, high, low, c, v


period = st.integers(1, 30)


def _valid(x: Array) -> Array:
    return x[~np.isnan(x)]


def _in_range(values: Array, low: float, high: float) -> None:
    valid = _valid(values)
    assert np.all(valid >= low - SLACK)
    assert np.all(valid <= high + SLACK)


@settings(max_examples=80, deadline=None)
@given(ohlcv(), period, st.integers(1, 5))
def test_oscillators_stay_in_their_range(bars: Bars, n: int, d: int) -> None:
    o, h, lo, c, v = bars
    for values in (
        ind.rsi(c, n),
        ind.mfi(h, lo, c, v, n),
        ind.imi(o, c, n),
        *ind.stoch(h, lo, c, n, d),
        ind.adx(h, lo, c, n),
        ind.plus_di(h, lo, c, n),
        ind.minus_di(h, lo, c, n),
    ):
        _in_range(values, 0.0, 100.0)
    _in_range(ind.willr(h, lo, c, n), -100.0, 0.0)


@settings(max_examples=80, deadline=None)
@given(ohlcv(), period, st.floats(0.0, 4.0), st.floats(0.1, 4.0))
def test_bands_are_ordered_exactly(bars: Bars, n: int, k: float, mult: float) -> None:
    _, h, lo, c, _ = bars
    for upper, middle, lower in (ind.bbands(c, n, k), ind.keltner(h, lo, c, n, mult)):
        ok = ~np.isnan(middle)
        assert np.all(lower[ok] <= middle[ok])
        assert np.all(middle[ok] <= upper[ok])
        np.testing.assert_array_equal(np.isnan(upper), ~ok)


@settings(max_examples=60, deadline=None)
@given(st.floats(1e-6, 1e6), st.integers(1, 40), period, st.floats(0.5, 3.0))
def test_bollinger_bands_close_on_a_constant_window(
    level: float, size: int, n: int, k: float
) -> None:
    """A flat window has no deviation at all, not rounding noise of the price level."""
    x = np.r_[np.linspace(level, 2 * level, size), np.full(n, level)]
    upper, middle, lower = ind.bbands(x, n, k)
    assert upper[-1] == middle[-1] == lower[-1]


@settings(max_examples=60, deadline=None)
@given(ohlcv(), period)
def test_average_true_range_is_never_negative(bars: Bars, n: int) -> None:
    _, h, lo, c, _ = bars
    assert np.all(_valid(ind.atr(h, lo, c, n)) >= 0)


@settings(max_examples=80, deadline=None)
@given(ohlcv(min_size=1), st.integers(1, 15), st.floats(0.2, 4.0))
def test_supertrend_line_holds_on_the_right_side_except_on_a_flip(
    bars: Bars, n: int, mult: float
) -> None:
    """Between flips the line is a support below the close (+1) or a resistance above it (−1),
    and it only ratchets: up under an up trend, down under a down trend. On the bar of a flip
    it jumps to the other band, which need not be on the close's side yet (see below)."""
    _, h, lo, c, _ = bars
    line, direction = ind.supertrend(h, lo, c, n, mult)
    assert np.all(np.isnan(direction[:n]))
    assert np.all(np.isnan(line[:n]))
    assert set(np.unique(direction[n:])) <= {-1.0, 1.0}
    previous = np.r_[np.nan, direction[:-1]]
    steady = (direction == previous) | (np.arange(c.size) == n)
    up, down = steady & (direction == 1.0), steady & (direction == -1.0)
    assert np.all(line[up] <= c[up])
    assert np.all(line[down] >= c[down])
    run = steady[1:] & steady[:-1] & (direction[1:] == direction[:-1])
    rising = run & (direction[1:] == 1.0)
    falling = run & (direction[1:] == -1.0)
    assert np.all(line[1:][rising] >= line[:-1][rising])
    assert np.all(line[1:][falling] <= line[:-1][falling])


def test_supertrend_line_can_sit_above_the_close_on_an_upward_flip() -> None:
    """With the default (10, 3): a steady decline, then one bar spikes far up and closes just
    above the resistance. The trend turns up, but the support it switches to (hl2 − 3·ATR of
    that wide bar) is still above the close."""
    decline = 100 - 0.1 * np.arange(40)
    line, _ = ind.supertrend(decline + 0.05, decline - 0.05, decline)
    close = np.r_[decline, line[-1] + 0.01]
    high = np.r_[decline + 0.05, close[-1] + 50]
    low = np.r_[decline - 0.05, decline[-1] - 0.05]

    line, direction = ind.supertrend(high, low, close)

    assert direction[-2:].tolist() == [-1.0, 1.0]
    assert line[-1] > close[-1]


@settings(max_examples=60, deadline=None)
@given(
    arrays(np.float64, st.integers(1, 200), elements=st.floats(-1e4, 1e4)),
    period,
    st.floats(-1e4, 1e4),
)
def test_moving_averages_shift_with_their_input(x: Array, n: int, shift: float) -> None:
    tolerance = 1e-12 * (np.abs(x).max() + abs(shift) + 1.0)
    for average in (ind.sma, ind.ema, ind.wma):
        np.testing.assert_allclose(average(x + shift, n), average(x, n) + shift, atol=tolerance)


@settings(max_examples=60, deadline=None)
@given(st.floats(1e-6, 1e6), st.integers(1, 100), period)
def test_averages_of_a_constant_are_the_constant(value: float, size: int, n: int) -> None:
    x = np.full(size, value)
    for average in (ind.sma, ind.ema, ind.wma):
        np.testing.assert_allclose(_valid(average(x, n)), value, rtol=1e-12)


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.integers(1, 120), elements=st.floats(-1e4, 1e4)), period)
def test_simple_and_weighted_averages_are_window_means(x: Array, n: int) -> None:
    if x.size < n:
        return
    windows = np.lib.stride_tricks.sliding_window_view(x, n)
    weights = np.arange(1, n + 1, dtype=np.float64)
    tolerance = 1e-12 * (np.abs(x).max() + 1.0)
    np.testing.assert_allclose(ind.sma(x, n)[n - 1 :], windows.mean(axis=1), atol=tolerance)
    np.testing.assert_allclose(
        ind.wma(x, n)[n - 1 :], windows @ weights / weights.sum(), atol=tolerance
    )


@pytest.mark.parametrize("n", [30, 2000])
def test_running_sums_do_not_drift_over_a_long_series(n: int) -> None:
    """A million-scale offset over 200,000 bars: cumulative or purely sliding sums would lose
    digits here; the periodic re-summation keeps every window mean exact to ~1e-14."""
    rng = np.random.default_rng(11)
    x = 1e6 + rng.normal(0, 5, 200_000)
    averages = ind.sma(x, n)
    middle = ind.bbands(x, n)[1]
    for i in rng.integers(n - 1, x.size, 200):
        exact = math.fsum(x[i - n + 1 : i + 1]) / n
        assert averages[i] == pytest.approx(exact, rel=1e-13)
        assert middle[i] == averages[i]


@settings(max_examples=60, deadline=None)
@given(ohlcv(min_size=1), st.integers(1, 9), st.integers(1, 12), st.integers(1, 20))
def test_ichimoku_lines_are_midprices_shifted_forward(
    bars: Bars, tenkan_n: int, kijun_n: int, senkou_n: int
) -> None:
    _, h, lo, c, _ = bars
    tenkan, kijun, span_a, span_b, chikou = ind.ichimoku(h, lo, c, tenkan_n, kijun_n, senkou_n)
    for i in range(tenkan_n - 1, c.size):
        window = slice(i - tenkan_n + 1, i + 1)
        assert lo[window].min() <= tenkan[i] <= h[window].max()
    np.testing.assert_array_equal(tenkan, ind.midprice(h, lo, tenkan_n))
    np.testing.assert_array_equal(kijun, ind.midprice(h, lo, kijun_n))
    k = kijun_n
    np.testing.assert_array_equal(span_a[k:], ((tenkan + kijun) / 2)[:-k])
    np.testing.assert_array_equal(span_b[k:], ind.midprice(h, lo, senkou_n)[:-k])
    np.testing.assert_array_equal(chikou[k:], c[:-k])
    assert np.all(np.isnan(span_a[:k]))
    assert np.all(np.isnan(span_b[:k]))
    assert np.all(np.isnan(chikou[:k]))


def _outputs(result: Any) -> list[Array]:
    return list(result) if isinstance(result, tuple) else [result]


Call = Callable[[Bars, int], Any]
"""An indicator applied to bars with one period ``n`` (the others fixed or derived)."""

CALLS: dict[str, tuple[Call, Callable[[int], list[int]]]] = {
    # name: (call, first valid index of each output for period n)
    "sma": (lambda b, n: ind.sma(b[3], n), lambda n: [n - 1]),
    "ema": (lambda b, n: ind.ema(b[3], n), lambda n: [n - 1]),
    "wma": (lambda b, n: ind.wma(b[3], n), lambda n: [n - 1]),
    "rsi": (lambda b, n: ind.rsi(b[3], n), lambda n: [n]),
    "imi": (lambda b, n: ind.imi(b[0], b[3], n), lambda n: [n - 1]),
    "bbands": (lambda b, n: ind.bbands(b[3], n), lambda n: [n - 1] * 3),
    "atr": (lambda b, n: ind.atr(b[1], b[2], b[3], n), lambda n: [n]),
    "macd": (lambda b, n: ind.macd(b[3], n + 1, 2 * n + 1, n), lambda n: [3 * n - 1] * 3),
    "adx": (lambda b, n: ind.adx(b[1], b[2], b[3], n), lambda n: [2 * n - 1]),
    "plus_di": (lambda b, n: ind.plus_di(b[1], b[2], b[3], n), lambda n: [n]),
    "minus_di": (lambda b, n: ind.minus_di(b[1], b[2], b[3], n), lambda n: [n]),
    "stoch": (lambda b, n: ind.stoch(b[1], b[2], b[3], n, 3), lambda n: [n + 1] * 2),
    "cci": (lambda b, n: ind.cci(b[1], b[2], b[3], n), lambda n: [n - 1]),
    "willr": (lambda b, n: ind.willr(b[1], b[2], b[3], n), lambda n: [n - 1]),
    "mfi": (lambda b, n: ind.mfi(b[1], b[2], b[3], b[4], n), lambda n: [n]),
    "obv": (lambda b, n: ind.obv(b[3], b[4]), lambda n: [0]),
    "keltner": (lambda b, n: ind.keltner(b[1], b[2], b[3], n), lambda n: [n] * 3),
    "supertrend": (lambda b, n: ind.supertrend(b[1], b[2], b[3], n), lambda n: [n] * 2),
    "midprice": (lambda b, n: ind.midprice(b[1], b[2], n), lambda n: [n - 1]),
    "ichimoku": (
        lambda b, n: ind.ichimoku(b[1], b[2], b[3], n, n + 2, 2 * n),
        lambda n: [n - 1, n + 1, 2 * n + 3, 3 * n + 1, n + 2],
    ),
}


@settings(max_examples=25, deadline=None)
@given(ohlcv(min_size=1), st.integers(1, 12))
@pytest.mark.parametrize("name", list(CALLS))
def test_warm_up_is_nan_and_nothing_after_it_is(name: str, bars: Bars, n: int) -> None:
    call, first_valid = CALLS[name]
    for values, first in zip(_outputs(call(bars, n)), first_valid(n), strict=True):
        assert values.shape == bars[3].shape
        assert values.dtype == np.float64
        assert np.all(np.isnan(values[:first]))
        assert not np.any(np.isnan(values[first:]))


@settings(max_examples=25, deadline=None)
@given(ohlcv(min_size=2), st.integers(1, 12), st.data())
@pytest.mark.parametrize("name", list(CALLS))
def test_no_value_depends_on_a_later_bar(name: str, bars: Bars, n: int, data: Any) -> None:
    """Each value is what a live run would have had at that bar: cutting the series after any
    bar leaves every value up to it unchanged, to the bit."""
    cut = data.draw(st.integers(1, bars[3].size))
    call, _ = CALLS[name]
    whole = _outputs(call(bars, n))
    head = _outputs(call(tuple(column[:cut] for column in bars), n))
    for full, part in zip(whole, head, strict=True):
        np.testing.assert_array_equal(full[:cut], part)


@settings(max_examples=40, deadline=None)
@given(ohlcv(min_size=1), st.integers(1, 12))
def test_composite_lines_are_made_of_their_parts(bars: Bars, n: int) -> None:
    _, h, lo, c, _ = bars
    np.testing.assert_array_equal(ind.bbands(c, n)[1], ind.sma(c, n))
    middle = ind.keltner(h, lo, c, n)[1]
    np.testing.assert_array_equal(middle[n:], ind.ema(c, n)[n:])
    line, signal, hist = ind.macd(c, n + 1, 2 * n + 1, n)
    np.testing.assert_array_equal(hist, line - signal)


@settings(max_examples=60, deadline=None)
@given(ohlcv(min_size=1))
def test_vwap_is_a_volume_weighted_typical_price_per_session(bars: Bars) -> None:
    _, h, lo, c, v = bars
    tp = (h + lo + c) / 3
    per_bar = ind.vwap(h, lo, c, v, np.ones(c.size, dtype=bool))
    traded = v > 0
    np.testing.assert_allclose(per_bar[traded], tp[traded], rtol=1e-14)
    assert np.all(np.isnan(per_bar[~traded]))
    running = ind.vwap(h, lo, c, v)
    seen = np.cumsum(v) > 0
    assert np.all(np.isnan(running[~seen]))
    # A weighted mean lies within the range of what it averages.
    assert np.all(running[seen] >= np.minimum.accumulate(tp)[seen] * (1 - 1e-14))
    assert np.all(running[seen] <= np.maximum.accumulate(tp)[seen] * (1 + 1e-14))


@settings(max_examples=40, deadline=None)
@given(ohlcv(min_size=1))
def test_obv_moves_by_the_volume_in_the_closes_direction(bars: Bars) -> None:
    _, _, _, c, v = bars
    values = ind.obv(c, v)
    assert values[0] == v[0]
    expected = np.sign(np.diff(c)) * v[1:]
    np.testing.assert_allclose(np.diff(values), expected, atol=1e-9 * (np.abs(values).max() + 1))


def test_inputs_may_be_lists_or_strided_views() -> None:
    rng = np.random.default_rng(3)
    x = 100 + rng.normal(0, 1, 400)
    strided = x[::2]
    np.testing.assert_array_equal(ind.ema(strided, 10), ind.ema(strided.copy(), 10))
    np.testing.assert_array_equal(ind.sma(strided.tolist(), 10), ind.sma(strided.copy(), 10))
    assert ind.rsi(np.arange(30, dtype=np.int64), np.int32(5)).dtype == np.float64


def test_empty_and_short_input_gives_empty_and_all_nan_output() -> None:
    empty = np.array([], dtype=np.float64)
    for name, (call, _) in CALLS.items():
        for values in _outputs(call((empty,) * 5, 3)):
            assert values.shape == (0,), name
    short = (np.ones(2), np.full(2, 2.0), np.ones(2), np.full(2, 1.5), np.ones(2))
    for name, (call, _) in CALLS.items():
        if name != "obv":
            for values in _outputs(call(short, 3)):
                assert np.all(np.isnan(values)), name


ONE = [1.0, 2.0, 3.0]


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: ind.sma(ONE, 0), "sma period was 0; it must be at least 1"),
        (lambda: ind.ema(ONE, -2), "ema period was -2; it must be at least 1"),
        (lambda: ind.wma(ONE, 2.5), "wma period was 2.5; it must be a whole number"),
        (lambda: ind.rsi(ONE, True), "rsi period was True"),
        (lambda: ind.imi(ONE, ONE, 0), "imi period was 0"),
        (lambda: ind.bbands(ONE, 0), "bbands period was 0"),
        (lambda: ind.bbands(ONE, 2, -1.0), "bbands k was -1.0"),
        (lambda: ind.bbands(ONE, 2, math.nan), "bbands k was nan"),
        (lambda: ind.atr(ONE, ONE, ONE, 0), "atr period was 0"),
        (lambda: ind.macd(ONE, 1, 26, 9), "macd fast was 1; it must be at least 2"),
        (lambda: ind.macd(ONE, 12, 26, 0), "macd signal was 0"),
        (lambda: ind.adx(ONE, ONE, ONE, 0), "adx period was 0"),
        (lambda: ind.plus_di(ONE, ONE, ONE, 0), "plus_di period was 0"),
        (lambda: ind.minus_di(ONE, ONE, ONE, 0), "minus_di period was 0"),
        (lambda: ind.stoch(ONE, ONE, ONE, 0, 3), "stoch k was 0"),
        (lambda: ind.stoch(ONE, ONE, ONE, 14, 0), "stoch d was 0"),
        (lambda: ind.cci(ONE, ONE, ONE, 0), "cci period was 0"),
        (lambda: ind.willr(ONE, ONE, ONE, 0), "willr period was 0"),
        (lambda: ind.mfi(ONE, ONE, ONE, ONE, 0), "mfi period was 0"),
        (lambda: ind.keltner(ONE, ONE, ONE, 0), "keltner period was 0"),
        (lambda: ind.keltner(ONE, ONE, ONE, 20, 0.0), "keltner mult was 0.0"),
        (lambda: ind.supertrend(ONE, ONE, ONE, 10, -3.0), "supertrend mult was -3.0"),
        (lambda: ind.midprice(ONE, ONE, 0), "midprice period was 0"),
        (lambda: ind.ichimoku(ONE, ONE, ONE, 9, 0), "ichimoku kijun was 0"),
        (lambda: ind.atr(ONE, ONE[:2], ONE), r"high and low have different lengths \(3 vs 2\)"),
        (lambda: ind.mfi(ONE, ONE, ONE, [1.0]), r"high and volume have different lengths"),
        (lambda: ind.obv(ONE, ONE[:1]), r"close and volume have different lengths \(3 vs 1\)"),
        (lambda: ind.sma(np.ones((2, 2)), 2), r"x must be one-dimensional; it has shape \(2, 2\)"),
        (lambda: ind.rsi(5.0), "close must be one-dimensional"),
        (lambda: ind.vwap(ONE, ONE, ONE, ONE, [True]), "vwap reset has shape"),
    ],
)
def test_bad_arguments_name_the_argument_and_its_value(call: Callable[[], Any], words: str) -> None:
    with pytest.raises(ValueError, match=words):
        call()
