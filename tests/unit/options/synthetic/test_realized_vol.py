"""Realised volatility: the streaming estimate equals numpy on the same real closes."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tradebot.model.data import Bar
from tradebot.options.synthetic import RealizedVol, timeframe_ns

YEAR_4H_BARS = 365 * 6


def _numpy_vol(closes: np.ndarray, end: int, window: int, bars_per_year: float) -> float:
    """Sample std (ddof=1) of the last ``window`` log returns up to close ``end``."""
    r = np.diff(np.log(closes[: end + 1]))[-window:]
    return float(np.std(r, ddof=1) * np.sqrt(bars_per_year))


def test_streaming_vol_equals_numpy_on_real_btc_closes(btc_4h_bars: list[Bar]) -> None:
    closes = np.array([b.close for b in btc_4h_bars[:6000]])
    vol = RealizedVol(window=180, min_returns=20)
    values = [
        vol.update_bar(b.close, b.ts_open, b.ts_event, b.timeframe) for b in btc_4h_bars[:6000]
    ]
    assert vol.bar_ns == 4 * 3_600 * 10**9
    for end in (20, 21, 100, 180, 181, 500, 2999, 5999):
        window = min(end, 180)
        expected = _numpy_vol(closes, end, window, YEAR_4H_BARS)
        assert values[end] == pytest.approx(expected, rel=1e-9), end
    assert all(math.isnan(v) for v in values[:20])


def test_warm_up_bad_closes_and_bar_length() -> None:
    vol = RealizedVol(window=5, min_returns=3, bar_ns=86_400 * 10**9)
    assert math.isnan(vol.update(100.0))
    vol.update(101.0)
    vol.update(0.0)  # ignored: no log return from it
    vol.update(float("nan"))  # ignored
    assert vol.count == 1
    vol.update(99.0)
    got = vol.update(102.0)
    r = np.diff(np.log([100.0, 101.0, 99.0, 102.0]))
    assert got == pytest.approx(np.std(r, ddof=1) * math.sqrt(365), rel=1e-12)


def test_constant_prices_give_zero_not_negative_variance() -> None:
    vol = RealizedVol(window=4, min_returns=2, bar_ns=3_600 * 10**9)
    for _ in range(20):
        value = vol.update(50_000.0)
    assert value == 0.0


def test_timeframe_strings() -> None:
    assert timeframe_ns("4h") == 4 * 3_600 * 10**9
    assert timeframe_ns("1m") == 60 * 10**9
    assert timeframe_ns("1d") == 86_400 * 10**9
    assert timeframe_ns("bogus") is None
    assert timeframe_ns("0h") is None


@pytest.mark.parametrize(
    "kwargs", [{"window": 1}, {"window": 10, "min_returns": 11}, {"bar_ns": 0}]
)
def test_bad_settings_are_refused(kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError, match="must be"):
        RealizedVol(**kwargs)
