"""Invariants of the streaming indicators on generated bars (hypothesis), running sums that do
not drift over long runs, and the checking of arguments and inputs."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs
from hypothesis.extra.numpy import arrays

from tradebot.indicators import streaming as st

Bar = tuple[float, float, float, float, float]
"""open, high, low, close, volume"""

SLACK = 1e-9
"""For averages of values on a bound (%D, ADX), whose last bit may round past it."""


@hs.composite
def bars(draw: hs.DrawFn, min_size: int = 1, max_size: int = 150) -> list[Bar]:
    """Valid bars: positive prices with low ≤ open, close ≤ high, and volume ≥ 0; prices
    repeat often, so flat windows and unchanged closes are common."""
    size = draw(hs.integers(min_size, max_size))
    price = hs.one_of(
        hs.floats(0.01, 1e6, allow_nan=False, allow_infinity=False),
        hs.sampled_from([1.0, 100.0, 100.5]),
    )
    a, b, o, c = (draw(arrays(np.float64, size, elements=price)) for _ in range(4))
    v = draw(arrays(np.float64, size, elements=hs.one_of(hs.just(0.0), hs.floats(0, 1e6))))
    high = np.maximum.reduce([a, b, o, c])
    low = np.minimum.reduce([a, b, o, c])
    return list(zip(o.tolist(), high.tolist(), low.tolist(), c.tolist(), v.tolist(), strict=True))


def _feed(indicator: Any, fields: str, rows: list[Bar]) -> np.ndarray:
    index = {"o": 0, "h": 1, "l": 2, "c": 3, "v": 4}
    picks = [index[f] for f in fields]
    return np.array([indicator.update(*(row[p] for p in picks)) for row in rows], dtype=np.float64)


def _valid(x: np.ndarray) -> np.ndarray:
    return x[~np.isnan(x)]


period = hs.integers(1, 30)


@settings(max_examples=80, deadline=None)
@given(bars(), period)
def test_bounded_oscillators_stay_in_range(rows: list[Bar], n: int) -> None:
    for indicator, fields in (
        (st.RSI(n), "c"),
        (st.MFI(n), "hlcv"),
        (st.IMI(n), "oc"),
        (st.Stochastic(n, 3), "hlc"),
    ):
        values = _valid(_feed(indicator, fields, rows))
        assert np.all((values >= -SLACK) & (values <= 100 + SLACK)), type(indicator).__name__
    adx = st.ADX(n)
    for _, h, lo, c, _ in rows:
        adx.update(h, lo, c)
        for value in (adx.value, adx.plus_di, adx.minus_di):
            assert math.isnan(value) or -SLACK <= value <= 100 + SLACK
    willr = _valid(_feed(st.WilliamsR(n), "hlc", rows))
    assert np.all((willr >= -100) & (willr <= 0))


@settings(max_examples=80, deadline=None)
@given(bars(), period, hs.floats(0.1, 4))
def test_bands_are_ordered(rows: list[Bar], n: int, k: float) -> None:
    for indicator, fields in ((st.BollingerBands(n, k), "c"), (st.Keltner(n, k), "hlc")):
        upper, middle, lower = _feed(indicator, fields, rows).T
        ok = ~np.isnan(middle)
        assert np.all(lower[ok] <= middle[ok])
        assert np.all(middle[ok] <= upper[ok])


@settings(max_examples=60, deadline=None)
@given(bars(), period)
def test_true_range_average_is_non_negative(rows: list[Bar], n: int) -> None:
    assert np.all(_valid(_feed(st.ATR(n), "hlc", rows)) >= 0)


@settings(max_examples=60, deadline=None)
@given(bars(min_size=30), hs.integers(1, 20), hs.floats(0.5, 4))
def test_supertrend_line_sits_on_the_proper_side_of_the_close(
    rows: list[Bar], n: int, mult: float
) -> None:
    """Support below the close in an up trend, resistance above it in a down trend, except on
    the bar of a flip, where the line jumps to the other band wherever that band is."""
    line, direction = _feed(st.SuperTrend(n, mult), "hlc", rows).T
    close = np.array([r[3] for r in rows])
    assert np.all(np.isnan(direction[:n]))
    assert np.all((direction[n:] == 1.0) | (direction[n:] == -1.0))
    held = np.r_[False, direction[1:] == direction[:-1]]
    held[n : n + 1] = True  # the first bar with a value is not a flip
    up = held & (direction == 1.0)
    down = held & (direction == -1.0)
    assert np.all(line[up] <= close[up])
    assert np.all(line[down] >= close[down])


@settings(max_examples=80, deadline=None)
@given(
    hs.lists(hs.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False), max_size=200),
    period,
)
def test_rolling_extremes_equal_the_window_extremes(x: list[float], n: int) -> None:
    high, low = st.RollingMax(n), st.RollingMin(n)
    for i, value in enumerate(x):
        hi, lo = high.update(value), low.update(value)
        assert high.ready == low.ready == (i + 1 >= n)
        if i + 1 < n:
            assert math.isnan(hi)
            assert math.isnan(lo)
        else:
            assert hi == max(x[i + 1 - n : i + 1])
            assert lo == min(x[i + 1 - n : i + 1])


@settings(max_examples=60, deadline=None)
@given(bars(min_size=5), hs.integers(1, 6), hs.integers(1, 6), hs.integers(1, 8))
def test_ichimoku_lines_come_from_their_windows_without_look_ahead(
    rows: list[Bar], tenkan: int, kijun: int, senkou: int
) -> None:
    high = [r[1] for r in rows]
    low = [r[2] for r in rows]
    close = [r[3] for r in rows]
    cloud = st.Ichimoku(tenkan, kijun, senkou)

    def mid(i: int, n: int) -> float:
        if i + 1 < n:
            return math.nan
        return (max(high[i + 1 - n : i + 1]) + min(low[i + 1 - n : i + 1])) / 2

    for i, row in enumerate(rows):
        t, k, a, b, c = cloud.update(row[1], row[2], row[3])
        was = i - kijun
        expected = (
            mid(i, tenkan),
            mid(i, kijun),
            (mid(was, tenkan) + mid(was, kijun)) / 2 if was >= 0 else math.nan,
            mid(was, senkou) if was >= 0 else math.nan,
            close[was] if was >= 0 else math.nan,
        )
        np.testing.assert_array_equal((t, k, a, b, c), expected)


@settings(max_examples=60, deadline=None)
@given(hs.floats(0.01, 1e6), hs.integers(1, 100), period)
def test_averages_of_a_constant_are_the_constant(value: float, size: int, n: int) -> None:
    for cls in (st.SMA, st.EMA, st.WMA):
        average = cls(n)
        for _ in range(size):
            average.update(value)
        assert average.ready == (size >= n)
        if average.ready:
            assert average.value == pytest.approx(value, rel=1e-12)


@settings(max_examples=60, deadline=None)
@given(
    hs.lists(hs.floats(-1e4, 1e4, allow_nan=False), min_size=1, max_size=200),
    period,
    hs.floats(-1e4, 1e4),
)
def test_moving_averages_shift_with_their_input(x: list[float], n: int, shift: float) -> None:
    for cls in (st.SMA, st.EMA, st.WMA):
        plain, shifted = cls(n), cls(n)
        for value in x:
            a = plain.update(value)
            b = shifted.update(value + shift)
            assert math.isnan(a) == math.isnan(b)
            if not math.isnan(a):
                assert b == pytest.approx(a + shift, abs=1e-6)


Factory = Callable[[], Any]
OUTPUTS: dict[str, tuple[Factory, str, tuple[str, ...], tuple[int, ...]]] = {
    # class: (factory, update fields, output attributes, first bar each output has a value)
    "SMA": (lambda: st.SMA(5), "c", ("value",), (4,)),
    "EMA": (lambda: st.EMA(5), "c", ("value",), (4,)),
    "WMA": (lambda: st.WMA(5), "c", ("value",), (4,)),
    "RSI": (lambda: st.RSI(5), "c", ("value",), (5,)),
    "IMI": (lambda: st.IMI(5), "oc", ("value",), (4,)),
    "MACD": (lambda: st.MACD(3, 6, 4), "c", ("macd", "signal", "hist"), (8, 8, 8)),
    "Stochastic": (lambda: st.Stochastic(5, 3), "hlc", ("k", "d"), (6, 6)),
    "CCI": (lambda: st.CCI(5), "hlc", ("value",), (4,)),
    "WilliamsR": (lambda: st.WilliamsR(5), "hlc", ("value",), (4,)),
    "MFI": (lambda: st.MFI(5), "hlcv", ("value",), (5,)),
    "ATR": (lambda: st.ATR(5), "hlc", ("value",), (5,)),
    "BollingerBands": (
        lambda: st.BollingerBands(5, 2.0),
        "c",
        ("upper", "middle", "lower"),
        (4, 4, 4),
    ),
    "Keltner": (lambda: st.Keltner(5, 2.0), "hlc", ("upper", "middle", "lower"), (5, 5, 5)),
    "ADX": (lambda: st.ADX(5), "hlc", ("value", "plus_di", "minus_di"), (9, 5, 5)),
    "SuperTrend": (lambda: st.SuperTrend(5, 3.0), "hlc", ("line", "direction"), (5, 5)),
    "Ichimoku": (
        lambda: st.Ichimoku(3, 4, 6),
        "hlc",
        ("tenkan", "kijun", "span_a", "span_b", "chikou"),
        (2, 3, 7, 9, 4),
    ),
    "OBV": (st.OBV, "cv", ("value",), (0,)),
    "VWAP": (st.VWAP, "hlcv", ("value",), (0,)),
    "RollingMax": (lambda: st.RollingMax(5), "h", ("value",), (4,)),
    "RollingMin": (lambda: st.RollingMin(5), "l", ("value",), (4,)),
}


@pytest.mark.parametrize("name", list(OUTPUTS))
def test_update_returns_the_attributes_and_ready_flips_after_the_warm_up(name: str) -> None:
    factory, fields, attributes, first = OUTPUTS[name]
    indicator = factory()
    rng = np.random.default_rng(3)
    index = {"o": 0, "h": 1, "l": 2, "c": 3, "v": 4}
    ready_from = max(first)
    for i in range(40):
        close = 100 + 3 * math.sin(i) + rng.normal()
        bar = (close - 0.5, close + 1.0, close - 1.5, close, 1.0 + i)
        returned = indicator.update(*(bar[index[f]] for f in fields))
        kept = tuple(getattr(indicator, a) for a in attributes)
        outputs = returned if isinstance(returned, tuple) else (returned,)
        np.testing.assert_array_equal(outputs, kept[: len(outputs)])
        for value, start in zip(kept, first, strict=True):
            assert math.isnan(value) == (i < start), (name, i)
        assert indicator.ready == (i >= ready_from), (name, i)
    assert isinstance(type(indicator).__slots__, tuple)
    assert not hasattr(indicator, "__dict__")


def _spiky(size: int, seed: int) -> np.ndarray:
    """Prices around 1e5 with three 1e12 spikes, the last long before the end: a sliding sum
    keeps the rounding of a spike (~1e-4) after it has left the window, unless it is rebuilt."""
    rng = np.random.default_rng(seed)
    x = 1e5 + rng.normal(0, 50, size)
    x[[1000, 5000, size // 3]] = 1e12
    return x


def test_sma_does_not_drift_over_a_million_updates() -> None:
    x = _spiky(1_000_000, 11)
    sma = st.SMA(30)
    for value in x.tolist():
        sma.update(value)
    assert sma.value == pytest.approx(math.fsum(x[-30:]) / 30, rel=1e-12)


def test_window_sums_do_not_drift_over_a_long_run() -> None:
    x = _spiky(200_000, 12)
    n = 30
    wma, bands, imi, mfi = st.WMA(n), st.BollingerBands(n, 1.0), st.IMI(n), st.MFI(n)
    volume = 1.0 + np.arange(x.shape[0]) % 7
    prev = x[0]
    for close, traded in zip(x.tolist(), volume.tolist(), strict=True):
        wma.update(close)
        bands.update(close)
        imi.update(prev, close)
        mfi.update(close, close, close, traded)
        prev = close
    window = x[-n:]
    mean = math.fsum(window) / n
    assert wma.value == pytest.approx(math.fsum(window * np.arange(1, n + 1)) / 465, rel=1e-12)
    assert bands.middle == pytest.approx(mean, rel=1e-12)
    sd = math.sqrt(math.fsum((window - mean) ** 2) / n)
    assert bands.upper - bands.middle == pytest.approx(sd, rel=1e-9)
    bodies = np.diff(x[-n - 1 :])
    up, down = math.fsum(bodies[bodies > 0]), -math.fsum(bodies[bodies < 0])
    assert imi.value == pytest.approx(100 * up / (up + down), rel=1e-12)
    typical = (x[-n - 1 :] * 3) / 3  # (h + l + c) / 3 with h = l = c, rounded alike
    moves = np.diff(typical)
    flows = typical[1:] * volume[-n:]
    inflow = math.fsum(flows[moves > 0])
    assert mfi.value == pytest.approx(100 * inflow / math.fsum(flows[moves != 0]), rel=1e-12)


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda: st.SMA(0), "SMA period was 0; it must be at least 1"),
        (lambda: st.EMA(-3), "EMA period was -3"),
        (lambda: st.WMA(2.5), "WMA period was 2.5; it must be a whole number"),
        (lambda: st.RSI(True), "RSI period was True"),
        (lambda: st.IMI(0), "IMI period"),
        (lambda: st.MACD(1, 26, 9), "MACD fast was 1; it must be at least 2"),
        (lambda: st.MACD(12, 26, 0), "MACD signal"),
        (lambda: st.Stochastic(14, 0), "Stochastic d"),
        (lambda: st.CCI(0), "CCI period"),
        (lambda: st.WilliamsR(0), "WilliamsR period"),
        (lambda: st.MFI(0), "MFI period"),
        (lambda: st.ATR(0), "ATR period"),
        (lambda: st.BollingerBands(0), "BollingerBands period"),
        (lambda: st.BollingerBands(20, -1.0), "BollingerBands k was -1.0"),
        (lambda: st.BollingerBands(20, math.nan), "BollingerBands k was nan"),
        (lambda: st.Keltner(20, 0.0), "Keltner mult was 0.0; it must be a finite number more"),
        (lambda: st.ADX(0), "ADX period"),
        (lambda: st.SuperTrend(10, -3.0), "SuperTrend mult"),
        (lambda: st.SuperTrend(0, 3.0), "SuperTrend period"),
        (lambda: st.Ichimoku(9, 0, 52), "Ichimoku kijun"),
        (lambda: st.RollingMax(0), "RollingMax period"),
        (lambda: st.RollingMin(0), "RollingMin period"),
    ],
)
def test_bad_arguments_name_the_argument(make: Callable[[], Any], words: str) -> None:
    with pytest.raises(ValueError, match=words.replace("(", r"\(")):
        make()


def test_periods_may_be_numpy_integers() -> None:
    assert st.SMA(np.int64(3)).period == 3


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("name", list(OUTPUTS))
def test_a_non_finite_input_is_refused_and_leaves_the_indicator_as_it_was(
    name: str, bad: float
) -> None:
    factory, fields, _, _ = OUTPUTS[name]
    rng = np.random.default_rng(5)
    rows = [(c - 0.5, c + 1.0, c - 1.5, c, 10.0) for c in (100 + rng.normal(0, 2, 30)).tolist()]
    index = {"o": 0, "h": 1, "l": 2, "c": 3, "v": 4}
    for position, field in enumerate(fields):
        refused, clean = factory(), factory()
        for i, row in enumerate(rows):
            values = [row[index[f]] for f in fields]
            if i == 12:
                spoiled = values.copy()
                spoiled[position] = bad
                label = {"o": "open", "h": "high", "l": "low", "c": "close", "v": "volume"}
                expected = "x" if fields in ("c", "h", "l") and name != "MACD" else label[field]
                with pytest.raises(ValueError, match=f"{name} got {expected}={bad}"):
                    refused.update(*spoiled)
            np.testing.assert_array_equal(refused.update(*values), clean.update(*values))
