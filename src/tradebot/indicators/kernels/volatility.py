"""Volatility: average true range (Wilder), Bollinger bands and Keltner channels."""

from __future__ import annotations

import math

import numba
import numpy as np
import numpy.typing as npt

from tradebot.indicators.kernels.fused import fma
from tradebot.indicators.kernels.moving import RESUM, fill_nan

Array = npt.NDArray[np.float64]


@numba.njit(cache=True)
def true_range(high: float, low: float, prev_close: float) -> float:
    """max(high − low, |high − previous close|, |low − previous close|)."""
    tr = high - low
    up = abs(high - prev_close)
    down = abs(low - prev_close)
    tr = up if up > tr else tr
    return down if down > tr else tr


@numba.njit(cache=True)
def mean_true_range(high: Array, low: Array, close: Array, n: int) -> float:
    """The mean true range of bars 1 … n: Wilder's seed (and TA-Lib's) for the ATR at bar n."""
    total = 0.0
    for i in range(1, n + 1):
        total += true_range(high[i], low[i], close[i - 1])
    return total / n


@numba.njit(cache=True)
def wilder_weights(n: int) -> tuple[float, float]:
    """(keep, share) of Wilder's step ``keep·prev + share·x``: keep = (n − 1)/n first, then
    share = 1 − keep, which makes keep + share exactly 1 (TA-Lib's order, for its bits)."""
    keep = (n - 1) / n
    return keep, 1.0 - keep


@numba.njit(cache=True)
def atr(high: Array, low: Array, close: Array, n: int, out: Array) -> None:
    """Wilder's ATR: the mean true range of bars 1 … n, then ``keep·prev + share·tr`` with the
    multiply-add fused: no division on the recursion's critical path, and TA-Lib's bits."""
    size = close.shape[0]
    fill_nan(out, n)
    if size <= n:
        return
    prev = mean_true_range(high, low, close, n)
    out[n] = prev
    keep, share = wilder_weights(n)
    # Views indexed from 0 let the compiler see no index is negative (no wraparound checks).
    highs, lows, prev_closes, dest = high[n + 1 :], low[n + 1 :], close[n:-1], out[n + 1 :]
    for j in range(dest.shape[0]):
        prev = fma(keep, prev, share * true_range(highs[j], lows[j], prev_closes[j]))
        dest[j] = prev


@numba.njit(cache=True)
def _centred_sums(x: Array, stop: int, n: int, pivot: float) -> tuple[float, float]:
    """Σ(x − pivot) and Σ(x − pivot)² over the ``n`` values ending at ``stop − 1``."""
    s1 = 0.0
    s2 = 0.0
    for j in range(stop - n, stop):
        d = x[j] - pivot
        s1 += d
        s2 += d * d
    return s1, s2


@numba.njit(cache=True)
def bbands(x: Array, n: int, k: float, upper: Array, middle: Array, lower: Array) -> None:
    """Middle = SMA (the sliding sum of :func:`sma`, bit for bit); the population variance
    comes from sliding sums of ``x − pivot`` and its square.

    Measured from a pivot near the window, E[d²] − E[d]² stays at the variance's own scale
    instead of cancelling two price² quantities. The sums are rebuilt from the window, with the
    pivot moved to the window mean, every ``RESUM`` bars and whenever the variance falls below
    1e-6 of the largest E[d²] since the last rebuild: the rounding the sliding sums carry
    scales with that peak, so a variance that small is mostly rounding (the pivot has drifted
    far from a quiet window, or a spike has left it). A window still flat to the rounding of
    its mean is rebuilt around its newest value, which makes a constant window's deviation
    exactly 0.
    """
    size = x.shape[0]
    fill_nan(upper, n - 1)
    fill_nan(middle, n - 1)
    fill_nan(lower, n - 1)
    if size < n:
        return
    pivot = x[0]
    total = 0.0
    for j in range(n - 1):
        total += x[j]
    s1, s2 = _centred_sums(x, n - 1, n - 1, pivot)
    peak = s2
    # Multiplying by 1/n (one rounding more than dividing) keeps divisions, slow and not
    # pipelined as well, off the per-bar path; the middle keeps its division to equal the SMA.
    inv = 1.0 / n
    for i in range(n - 1, size):
        value = x[i]
        if i % RESUM == 0:
            total = 0.0
            for j in range(i - n + 1, i + 1):
                total += x[j]
        else:
            total += value
        d = value - pivot
        s1 += d
        s2 += d * d
        peak = s2 if s2 > peak else peak
        shift = s1 * inv
        variance = s2 * inv - shift * shift
        if variance < 1e-6 * (peak * inv) or i % RESUM == 0:
            pivot = total / n
            s1, s2 = _centred_sums(x, i + 1, n, pivot)
            shift = s1 * inv
            variance = s2 * inv - shift * shift
            if variance < 1e-6 * (s2 * inv):
                pivot = value
                s1, s2 = _centred_sums(x, i + 1, n, pivot)
                shift = s1 * inv
                variance = s2 * inv - shift * shift
            peak = s2
        mean = total / n
        width = k * math.sqrt(variance) if variance > 0.0 else 0.0
        middle[i] = mean
        upper[i] = mean + width
        lower[i] = mean - width
        old = x[i - n + 1]
        total -= old
        d = old - pivot
        s1 -= d
        s2 -= d * d


@numba.njit(cache=True)
def keltner(
    high: Array,
    low: Array,
    close: Array,
    n: int,
    mult: float,
    upper: Array,
    middle: Array,
    lower: Array,
) -> None:
    """EMA(close, n) ± mult · ATR(n) in one pass; NaN until both exist (bar ``n``).

    The EMA and ATR recursions are the ones of :func:`ema` and :func:`atr`, bit for bit.
    """
    size = close.shape[0]
    fill_nan(upper, n)
    fill_nan(middle, n)
    fill_nan(lower, n)
    if size <= n:
        return
    k = 2.0 / (n + 1)
    keep, share = wilder_weights(n)
    average = 0.0
    for i in range(n):
        average += close[i]
    average /= n
    average = fma(close[n] - average, k, average)
    width = mean_true_range(high, low, close, n)
    middle[n] = average
    upper[n] = average + mult * width
    lower[n] = average - mult * width
    highs, lows, closes, prev_closes = high[n + 1 :], low[n + 1 :], close[n + 1 :], close[n:-1]
    ups, mids, downs = upper[n + 1 :], middle[n + 1 :], lower[n + 1 :]
    for j in range(closes.shape[0]):
        width = fma(keep, width, share * true_range(highs[j], lows[j], prev_closes[j]))
        average = fma(closes[j] - average, k, average)
        band = mult * width
        mids[j] = average
        ups[j] = average + band
        downs[j] = average - band
