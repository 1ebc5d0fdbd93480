"""Indicators over whole NumPy arrays: one call per series, compiled loops underneath.

Each function checks its input once (1-D, equal lengths, periods ≥ 1), converts to contiguous
float64 and returns float64 arrays of the input's length, NaN during the warm-up. Where TA-Lib
has the indicator the values equal TA-Lib's (tested to 1e-9 relative on real candles).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from tradebot.indicators.kernels import moving, oscillators, trend, volatility
from tradebot.indicators.kernels import volume as volume_kernels

Array = npt.NDArray[np.float64]
ArrayLike = npt.ArrayLike


def _series(name: str, values: ArrayLike) -> Array:
    array = np.ascontiguousarray(values, dtype=np.float64)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional; it has shape {array.shape}")
    return array


def _columns(**columns: ArrayLike) -> list[Array]:
    arrays = [_series(name, values) for name, values in columns.items()]
    lengths = {a.shape[0] for a in arrays}
    if len(lengths) > 1:
        sizes = ", ".join(f"{n} {a.shape[0]}" for n, a in zip(columns, arrays, strict=True))
        raise ValueError(f"input columns have different lengths ({sizes})")
    return arrays


def _period(name: str, value: int, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ValueError(f"{name} was {value!r}; it must be a whole number ≥ {minimum}")
    return int(value)


def _positive(name: str, value: float) -> float:
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} was {value!r}; it must be a positive number")
    return float(value)


def _out(value: Any) -> Array:
    result: Array = value
    return result


def sma(x: ArrayLike, n: int) -> Array:
    """Simple moving average over ``n`` values."""
    return _out(moving.sma(_series("x", x), _period("sma period", n)))


def ema(x: ArrayLike, n: int) -> Array:
    """Exponential moving average, α = 2/(n+1), seeded with the SMA of the first ``n``."""
    return _out(moving.ema(_series("x", x), _period("ema period", n)))


def wma(x: ArrayLike, n: int) -> Array:
    """Linearly weighted moving average (newest weight ``n``)."""
    return _out(moving.wma(_series("x", x), _period("wma period", n)))


def rsi(close: ArrayLike, n: int = 14) -> Array:
    """Wilder's relative strength index, in [0, 100]."""
    return _out(oscillators.rsi(_series("close", close), _period("rsi period", n)))


def imi(open: ArrayLike, close: ArrayLike, n: int = 14) -> Array:
    """Intraday momentum index: share of the window's candle bodies that closed up, in [0, 100]."""
    o, c = _columns(open=open, close=close)
    return _out(oscillators.imi(o, c, _period("imi period", n)))


def bbands(close: ArrayLike, n: int = 20, k: float = 2.0) -> tuple[Array, Array, Array]:
    """Bollinger bands ``(upper, middle, lower)``: SMA ± ``k`` population deviations."""
    if not np.isfinite(k) or k < 0:
        raise ValueError(f"bbands k was {k!r}; it must be 0 or a positive number")
    upper, middle, lower = volatility.bbands(
        _series("close", close), _period("bbands period", n), float(k)
    )
    return upper, middle, lower


def atr(high: ArrayLike, low: ArrayLike, close: ArrayLike, n: int = 14) -> Array:
    """Average true range, Wilder-smoothed."""
    h, lo, c = _columns(high=high, low=low, close=close)
    return _out(volatility.atr(h, lo, c, _period("atr period", n)))


def macd(
    close: ArrayLike, fast: int = 12, slow: int = 26, signal: int = 9
) -> tuple[Array, Array, Array]:
    """``(macd, signal, histogram)``; all three NaN until index ``slow + signal − 2``."""
    line, sig, hist = oscillators.macd(
        _series("close", close),
        _period("macd fast", fast, 2),
        _period("macd slow", slow, 2),
        _period("macd signal", signal),
    )
    return line, sig, hist


def adx(high: ArrayLike, low: ArrayLike, close: ArrayLike, n: int = 14) -> Array:
    """Average directional index, in [0, 100]; first value at index ``2n − 1``."""
    h, lo, c = _columns(high=high, low=low, close=close)
    return _out(trend.dmi(h, lo, c, _period("adx period", n))[2])


def plus_di(high: ArrayLike, low: ArrayLike, close: ArrayLike, n: int = 14) -> Array:
    """Plus directional indicator; first value at index ``n``."""
    h, lo, c = _columns(high=high, low=low, close=close)
    return _out(trend.dmi(h, lo, c, _period("plus_di period", n))[0])


def minus_di(high: ArrayLike, low: ArrayLike, close: ArrayLike, n: int = 14) -> Array:
    """Minus directional indicator; first value at index ``n``."""
    h, lo, c = _columns(high=high, low=low, close=close)
    return _out(trend.dmi(h, lo, c, _period("minus_di period", n))[1])


def stoch(
    high: ArrayLike, low: ArrayLike, close: ArrayLike, k: int = 14, d: int = 3
) -> tuple[Array, Array]:
    """Fast stochastic ``(%K, %D)`` (TA-Lib STOCHF), %D the SMA of %K over ``d``."""
    h, lo, c = _columns(high=high, low=low, close=close)
    fast_k, fast_d = oscillators.stochf(h, lo, c, _period("stoch k", k), _period("stoch d", d))
    return fast_k, fast_d


def cci(high: ArrayLike, low: ArrayLike, close: ArrayLike, n: int = 14) -> Array:
    """Commodity channel index over the typical price."""
    h, lo, c = _columns(high=high, low=low, close=close)
    return _out(oscillators.cci(h, lo, c, _period("cci period", n)))


def willr(high: ArrayLike, low: ArrayLike, close: ArrayLike, n: int = 14) -> Array:
    """Williams %R, in [−100, 0]."""
    h, lo, c = _columns(high=high, low=low, close=close)
    return _out(oscillators.willr(h, lo, c, _period("willr period", n)))


def mfi(high: ArrayLike, low: ArrayLike, close: ArrayLike, volume: ArrayLike, n: int = 14) -> Array:
    """Money flow index, in [0, 100]."""
    h, lo, c, v = _columns(high=high, low=low, close=close, volume=volume)
    return _out(oscillators.mfi(h, lo, c, v, _period("mfi period", n)))


def obv(close: ArrayLike, volume: ArrayLike) -> Array:
    """On-balance volume, starting from the first bar's volume."""
    c, v = _columns(close=close, volume=volume)
    return _out(volume_kernels.obv(c, v))


def vwap(
    high: ArrayLike,
    low: ArrayLike,
    close: ArrayLike,
    volume: ArrayLike,
    reset: ArrayLike | None = None,
) -> Array:
    """Volume-weighted typical price since the last bar where ``reset`` is True (or the start)."""
    h, lo, c, v = _columns(high=high, low=low, close=close, volume=volume)
    if reset is None:
        starts = np.zeros(c.shape[0], dtype=np.bool_)
    else:
        starts = np.ascontiguousarray(reset, dtype=np.bool_)
        if starts.shape != c.shape:
            raise ValueError(f"vwap reset has shape {starts.shape}; the prices have {c.shape}")
    return _out(volume_kernels.vwap(h, lo, c, v, starts))


def keltner(
    high: ArrayLike, low: ArrayLike, close: ArrayLike, n: int = 20, mult: float = 2.0
) -> tuple[Array, Array, Array]:
    """Keltner channel ``(upper, middle, lower)``: EMA(close, n) ± ``mult`` × ATR(n)."""
    h, lo, c = _columns(high=high, low=low, close=close)
    upper, middle, lower = volatility.keltner(
        h, lo, c, _period("keltner period", n), _positive("keltner mult", mult)
    )
    return upper, middle, lower


def supertrend(
    high: ArrayLike, low: ArrayLike, close: ArrayLike, n: int = 10, mult: float = 3.0
) -> tuple[Array, Array]:
    """SuperTrend ``(line, direction)``: direction +1 (line below, support) or −1 (resistance)."""
    h, lo, c = _columns(high=high, low=low, close=close)
    line, direction = trend.supertrend(
        h, lo, c, _period("supertrend period", n), _positive("supertrend mult", mult)
    )
    return line, direction


def midprice(high: ArrayLike, low: ArrayLike, n: int) -> Array:
    """(highest high + lowest low) / 2 over ``n`` bars."""
    h, lo = _columns(high=high, low=low)
    return _out(trend.midprice(h, lo, _period("midprice period", n)))


def ichimoku(
    high: ArrayLike,
    low: ArrayLike,
    close: ArrayLike,
    tenkan: int = 9,
    kijun: int = 26,
    senkou: int = 52,
) -> tuple[Array, Array, Array, Array, Array]:
    """Ichimoku ``(tenkan, kijun, span_a, span_b, chikou)``, every line known at its bar.

    ``span_a``/``span_b`` at bar i are the cloud drawn at i, computed from data up to
    i − ``kijun``. ``chikou`` at bar i is the close ``kijun`` bars earlier, the price the
    lagging line is compared with (bullish when close > chikou). The chart habit of drawing the
    close ``kijun`` bars back would need future closes at bar i and is not offered.
    """
    h, lo, c = _columns(high=high, low=low, close=close)
    lines = trend.ichimoku(
        h,
        lo,
        c,
        _period("ichimoku tenkan", tenkan),
        _period("ichimoku kijun", kijun),
        _period("ichimoku senkou", senkou),
    )
    return lines[0], lines[1], lines[2], lines[3], lines[4]


__all__ = [
    "adx",
    "atr",
    "bbands",
    "cci",
    "ema",
    "ichimoku",
    "imi",
    "keltner",
    "macd",
    "mfi",
    "midprice",
    "minus_di",
    "obv",
    "plus_di",
    "rsi",
    "sma",
    "stoch",
    "supertrend",
    "vwap",
    "willr",
    "wma",
]
