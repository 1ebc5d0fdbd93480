"""Indicators over whole NumPy arrays: one call per series, compiled loops underneath.

Most indicators here are recursions (EMA, Wilder's smoothing in RSI/ATR/ADX, SuperTrend's
ratcheting bands) where each value needs the previous one, so NumPy cannot vectorise them;
the rolling ones would need a window view per bar. Each runs instead as one Numba-compiled
loop (:mod:`tradebot.indicators.kernels`), which keeps every indicator within TA-Lib's speed
and the values equal to TA-Lib's (0.8) where TA-Lib has the indicator: to 1e-9 relative on real
candles for all of them, bit for bit for most (EMA, MACD, ATR, ADX/DI, STOCHF, WILLR, MFI,
OBV, IMI, MIDPRICE). SMA, WMA and Bollinger bands re-sum their windows now and then, so long
series do not drift; that is where they part from TA-Lib's last bits.

Each function checks its input once (1-D, equal lengths, periods ≥ 1), converts it to
contiguous float64 and returns float64 arrays of the input's length, NaN during the warm-up.
Outputs are allocated here with NumPy, not inside the kernels: NumPy asks the kernel for huge
pages on big arrays, which makes first-touching a million-bar output several times cheaper.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from tradebot.indicators.kernels import momentum, moving, ranges, trend, volatility
from tradebot.indicators.kernels import volume as volume_kernels

Array = npt.NDArray[np.float64]
ArrayLike = npt.ArrayLike

_SKIP: Array = np.empty(0)
"""Passed for an output the caller does not want; kernels skip zero-length outputs."""


def _series(name: str, values: ArrayLike) -> Array:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional; it has shape {array.shape}")
    return np.ascontiguousarray(array)


def _columns(**columns: ArrayLike) -> list[Array]:
    arrays = [_series(name, values) for name, values in columns.items()]
    names = list(columns)
    for name, array in zip(names[1:], arrays[1:], strict=True):
        if array.shape[0] != arrays[0].shape[0]:
            raise ValueError(
                f"{names[0]} and {name} have different lengths "
                f"({arrays[0].shape[0]} vs {array.shape[0]})"
            )
    return arrays


def _period(name: str, value: int, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"{name} was {value!r}; it must be a whole number of bars")
    if value < minimum:
        raise ValueError(f"{name} was {value}; it must be at least {minimum}")
    return int(value)


def _multiplier(name: str, value: float, *, zero_ok: bool) -> float:
    number = float(value)
    if not np.isfinite(number) or number < 0 or (number == 0 and not zero_ok):
        need = "0 or more" if zero_ok else "more than 0"
        raise ValueError(f"{name} was {value!r}; it must be a finite number {need}")
    return number


def _empty(like: Array) -> Array:
    return np.empty(like.shape[0], dtype=np.float64)


def sma(x: ArrayLike, n: int) -> Array:
    """Simple moving average over ``n`` values; first value at index ``n − 1``."""
    values = _series("x", x)
    out = _empty(values)
    moving.sma(values, _period("sma period", n), out)
    return out


def ema(x: ArrayLike, n: int) -> Array:
    """Exponential moving average, α = 2/(n+1), seeded with the SMA of the first ``n``."""
    values = _series("x", x)
    out = _empty(values)
    moving.ema(values, _period("ema period", n), 0, out)
    return out


def wma(x: ArrayLike, n: int) -> Array:
    """Linearly weighted moving average, weights 1 … ``n`` with the newest heaviest."""
    values = _series("x", x)
    out = _empty(values)
    moving.wma(values, _period("wma period", n), out)
    return out


def rsi(close: ArrayLike, n: int = 14) -> Array:
    """Wilder's relative strength index, in [0, 100]; first value at index ``n``."""
    c = _series("close", close)
    out = _empty(c)
    momentum.rsi(c, _period("rsi period", n), out)
    return out


def imi(open: ArrayLike, close: ArrayLike, n: int = 14) -> Array:
    """Intraday momentum index: share of the window's candle bodies that closed up, in [0, 100]."""
    o, c = _columns(open=open, close=close)
    out = _empty(c)
    momentum.imi(o, c, _period("imi period", n), out)
    return out


def bbands(close: ArrayLike, n: int = 20, k: float = 2.0) -> tuple[Array, Array, Array]:
    """Bollinger bands ``(upper, middle, lower)``: SMA ± ``k`` population deviations.

    The deviation is computed without cancelling price² terms, and is exactly 0 on a
    constant window; first values at index ``n − 1``.
    """
    c = _series("close", close)
    period = _period("bbands period", n)
    width = _multiplier("bbands k", k, zero_ok=True)
    upper, middle, lower = _empty(c), _empty(c), _empty(c)
    volatility.bbands(c, period, width, upper, middle, lower)
    return upper, middle, lower


def atr(high: ArrayLike, low: ArrayLike, close: ArrayLike, n: int = 14) -> Array:
    """Average true range, Wilder-smoothed; first value at index ``n``."""
    h, lo, c = _columns(high=high, low=low, close=close)
    out = _empty(c)
    volatility.atr(h, lo, c, _period("atr period", n), out)
    return out


def macd(
    close: ArrayLike, fast: int = 12, slow: int = 26, signal: int = 9
) -> tuple[Array, Array, Array]:
    """``(macd, signal, histogram)``; all three NaN until index ``slow + signal − 2``.

    Periods as TA-Lib takes them: the EMAs need at least 2 bars, and a ``fast`` longer than
    ``slow`` is swapped.
    """
    c = _series("close", close)
    periods = (
        _period("macd fast", fast, 2),
        _period("macd slow", slow, 2),
        _period("macd signal", signal),
    )
    line, sig, hist = _empty(c), _empty(c), _empty(c)
    momentum.macd(c, *periods, line, sig, hist)
    return line, sig, hist


def adx(high: ArrayLike, low: ArrayLike, close: ArrayLike, n: int = 14) -> Array:
    """Average directional index, in [0, 100]; first value at index ``2n − 1``."""
    h, lo, c = _columns(high=high, low=low, close=close)
    out = _empty(c)
    trend.dmi(h, lo, c, _period("adx period", n), _SKIP, _SKIP, out)
    return out


def plus_di(high: ArrayLike, low: ArrayLike, close: ArrayLike, n: int = 14) -> Array:
    """Plus directional indicator, in [0, 100]; first value at index ``n``.

    Also on the 0–100 scale for ``n = 1``, where TA-Lib's PLUS_DI returns the bare 0–1 ratio.
    """
    return _directional("plus_di", high, low, close, n)[0]


def minus_di(high: ArrayLike, low: ArrayLike, close: ArrayLike, n: int = 14) -> Array:
    """Minus directional indicator, in [0, 100]; first value at index ``n`` (0–100 for
    ``n = 1`` too, as :func:`plus_di`)."""
    return _directional("minus_di", high, low, close, n)[1]


def _directional(
    name: str, high: ArrayLike, low: ArrayLike, close: ArrayLike, n: int
) -> tuple[Array, Array]:
    h, lo, c = _columns(high=high, low=low, close=close)
    plus, minus = _empty(c), _empty(c)
    trend.dmi(h, lo, c, _period(f"{name} period", n), plus, minus, _SKIP)
    return plus, minus


def stoch(
    high: ArrayLike, low: ArrayLike, close: ArrayLike, k: int = 14, d: int = 3
) -> tuple[Array, Array]:
    """Fast stochastic ``(%K, %D)`` (TA-Lib STOCHF), %D the SMA of %K over ``d``.

    Both are NaN until index ``k + d − 2``, where the first %D exists.
    """
    h, lo, c = _columns(high=high, low=low, close=close)
    k_period, d_period = _period("stoch k", k), _period("stoch d", d)
    fast_k, fast_d = _empty(c), _empty(c)
    ranges.stochf(h, lo, c, k_period, d_period, fast_k, fast_d)
    return fast_k, fast_d


def cci(high: ArrayLike, low: ArrayLike, close: ArrayLike, n: int = 14) -> Array:
    """Commodity channel index of the typical price; first value at index ``n − 1``."""
    h, lo, c = _columns(high=high, low=low, close=close)
    out = _empty(c)
    momentum.cci(h, lo, c, _period("cci period", n), out)
    return out


def willr(high: ArrayLike, low: ArrayLike, close: ArrayLike, n: int = 14) -> Array:
    """Williams %R, in [−100, 0]; first value at index ``n − 1``."""
    h, lo, c = _columns(high=high, low=low, close=close)
    out = _empty(c)
    ranges.willr(h, lo, c, _period("willr period", n), out)
    return out


def mfi(high: ArrayLike, low: ArrayLike, close: ArrayLike, volume: ArrayLike, n: int = 14) -> Array:
    """Money flow index, in [0, 100]; first value at index ``n``."""
    h, lo, c, v = _columns(high=high, low=low, close=close, volume=volume)
    out = _empty(c)
    volume_kernels.mfi(h, lo, c, v, _period("mfi period", n), out)
    return out


def obv(close: ArrayLike, volume: ArrayLike) -> Array:
    """On-balance volume, starting from the first bar's volume."""
    c, v = _columns(close=close, volume=volume)
    out = _empty(c)
    volume_kernels.obv(c, v, out)
    return out


def vwap(
    high: ArrayLike,
    low: ArrayLike,
    close: ArrayLike,
    volume: ArrayLike,
    reset: ArrayLike | None = None,
) -> Array:
    """Volume-weighted typical price since the last bar where ``reset`` is True (or the start).

    ``reset`` marks the first bar of each session; NaN while the session has traded nothing.
    """
    h, lo, c, v = _columns(high=high, low=low, close=close, volume=volume)
    if reset is None:
        starts = np.zeros(c.shape[0], dtype=np.bool_)
    else:
        starts = np.ascontiguousarray(reset, dtype=np.bool_)
        if starts.shape != c.shape:
            raise ValueError(f"vwap reset has shape {starts.shape}; the prices have {c.shape}")
    out = _empty(c)
    volume_kernels.vwap(h, lo, c, v, starts, out)
    return out


def keltner(
    high: ArrayLike, low: ArrayLike, close: ArrayLike, n: int = 20, mult: float = 2.0
) -> tuple[Array, Array, Array]:
    """Keltner channel ``(upper, middle, lower)``: EMA(close, n) ± ``mult`` × ATR(n).

    NaN until index ``n``, where both the EMA and the ATR exist.
    """
    h, lo, c = _columns(high=high, low=low, close=close)
    period = _period("keltner period", n)
    width = _multiplier("keltner mult", mult, zero_ok=False)
    upper, middle, lower = _empty(c), _empty(c), _empty(c)
    volatility.keltner(h, lo, c, period, width, upper, middle, lower)
    return upper, middle, lower


def supertrend(
    high: ArrayLike, low: ArrayLike, close: ArrayLike, n: int = 10, mult: float = 3.0
) -> tuple[Array, Array]:
    """SuperTrend ``(line, direction)`` on ATR(n) bands around (high + low)/2.

    ``direction`` is +1.0 in an up trend (the line is the lower band, a support) and −1.0 in
    a down trend (the upper band, a resistance); both NaN until index ``n``. On the bar where
    the trend flips, the line jumps to the other band, which need not be on the close's
    proper side yet.
    """
    h, lo, c = _columns(high=high, low=low, close=close)
    period = _period("supertrend period", n)
    width = _multiplier("supertrend mult", mult, zero_ok=False)
    line, direction = _empty(c), _empty(c)
    trend.supertrend(h, lo, c, period, width, line, direction)
    return line, direction


def midprice(high: ArrayLike, low: ArrayLike, n: int) -> Array:
    """(highest high + lowest low) / 2 over ``n`` bars (TA-Lib MIDPRICE)."""
    h, lo = _columns(high=high, low=low)
    out = _empty(h)
    trend.midprice(h, lo, _period("midprice period", n), out, 0)
    return out


def ichimoku(
    high: ArrayLike,
    low: ArrayLike,
    close: ArrayLike,
    tenkan: int = 9,
    kijun: int = 26,
    senkou: int = 52,
) -> tuple[Array, Array, Array, Array, Array]:
    """Ichimoku ``(tenkan, kijun, span_a, span_b, chikou)``, every line known at its own bar.

    ``tenkan``/``kijun`` are midprices over their periods. ``span_a``/``span_b`` at bar i are
    the cloud drawn at i, computed from data up to i − ``kijun``. ``chikou`` at bar i is the
    close ``kijun`` bars earlier, the price the lagging line is compared with (bullish when
    close > chikou). The chart habit of plotting today's close ``kijun`` bars back would put
    future closes into past bars; it is deliberately not offered.
    """
    h, lo, c = _columns(high=high, low=low, close=close)
    periods = (
        _period("ichimoku tenkan", tenkan),
        _period("ichimoku kijun", kijun),
        _period("ichimoku senkou", senkou),
    )
    lines = _empty(c), _empty(c), _empty(c), _empty(c), _empty(c)
    trend.ichimoku(h, lo, c, *periods, *lines)
    return lines


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
