"""Trend: directional movement (+DI, −DI, ADX), SuperTrend, midprice and the Ichimoku lines."""

from __future__ import annotations

import numba
import numpy as np
import numpy.typing as npt

from tradebot.indicators.kernels.fused import fma
from tradebot.indicators.kernels.moving import fill_nan
from tradebot.indicators.kernels.volatility import mean_true_range, true_range, wilder_weights
from tradebot.indicators.kernels.window import CHUNK, extremes

Array = npt.NDArray[np.float64]


@numba.njit(cache=True)
def _movement(high: Array, low: Array, i: int) -> tuple[float, float]:
    """(+DM, −DM) at bar ``i ≥ 1``: the larger of the two moves counts, the other is 0."""
    up = high[i] - high[i - 1]
    down = low[i - 1] - low[i]
    # Selects, not branches: which move is larger is a coin toss to the CPU.
    plus = up if (up > 0) & (up > down) else 0.0
    minus = down if (down > 0) & (up < down) else 0.0
    return plus, minus


@numba.njit(cache=True)
def dmi(
    high: Array, low: Array, close: Array, n: int, plus_di: Array, minus_di: Array, adx: Array
) -> None:
    """+DI and −DI from bar ``n``, ADX from bar ``2n − 1``, with TA-Lib's Wilder sums.

    An output of length 0 is skipped, so ADX alone costs no stores for the two DI lines.
    """
    size = close.shape[0]
    want_di = plus_di.shape[0] > 0
    want_adx = adx.shape[0] > 0
    if want_di:
        fill_nan(plus_di, n)
        fill_nan(minus_di, n)
    if want_adx:
        fill_nan(adx, 2 * n - 1)
    if size <= n:
        return
    s_plus = 0.0
    s_minus = 0.0
    s_tr = 0.0
    for i in range(1, n):
        p, m = _movement(high, low, i)
        s_plus += p
        s_minus += m
        s_tr += true_range(high[i], low[i], close[i - 1])
    sum_dx = 0.0
    average = 0.0
    for i in range(n, size):
        p, m = _movement(high, low, i)
        s_plus = s_plus - s_plus / n + p
        s_minus = s_minus - s_minus / n + m
        s_tr = s_tr - s_tr / n + true_range(high[i], low[i], close[i - 1])
        dx = np.nan
        pdi = 0.0
        mdi = 0.0
        # Exact zero tests, as TA-Lib 0.8: a fixed band (older TA-Lib's 1e-8) would call every
        # bar of an instrument quoted far below 1 directionless.
        if s_tr != 0.0:
            pdi = 100.0 * (s_plus / s_tr)
            mdi = 100.0 * (s_minus / s_tr)
            total = pdi + mdi
            if total != 0.0:
                dx = 100.0 * (abs(mdi - pdi) / total)
        if want_di:
            plus_di[i] = pdi
            minus_di[i] = mdi
        if not want_adx:
            continue
        # A bar whose DX is undefined leaves the sum or the average where it was (TA-Lib).
        if i < 2 * n - 1:
            if dx == dx:
                sum_dx += dx
        elif i == 2 * n - 1:
            if dx == dx:
                sum_dx += dx
            average = sum_dx / n
            adx[i] = average
        else:
            if dx == dx:
                average = (average * (n - 1) + dx) / n
            adx[i] = average


@numba.njit(cache=True)
def supertrend(
    high: Array, low: Array, close: Array, n: int, mult: float, line: Array, direction: Array
) -> None:
    """Bands hl2 ± mult·ATR that only tighten until the previous close crosses them; the trend
    flips when the close crosses the band it rides on. The ATR recursion is :func:`atr`'s, run
    in the same loop so its latency overlaps the bands'.
    """
    size = close.shape[0]
    fill_nan(line, n)
    fill_nan(direction, n)
    if size <= n:
        return
    average = mean_true_range(high, low, close, n)
    keep, share = wilder_weights(n)
    mid = (high[n] + low[n]) / 2.0
    upper = mid + mult * average
    lower = mid - mult * average
    up = close[n] >= mid
    direction[n] = 1.0 if up else -1.0
    line[n] = lower if up else upper
    prev_close = close[n]
    # Views indexed from 0 let the compiler see no index is negative (no wraparound checks).
    highs, lows, closes = high[n + 1 :], low[n + 1 :], close[n + 1 :]
    lines, directions = line[n + 1 :], direction[n + 1 :]
    for j in range(closes.shape[0]):
        hi = highs[j]
        lo = lows[j]
        average = fma(keep, average, share * true_range(hi, lo, prev_close))
        mid = (hi + lo) / 2.0
        width = mult * average
        basic_upper = mid + width
        basic_lower = mid - width
        # `|` not `or`: both sides are cheap, and no branch then depends on the prices.
        upper = basic_upper if (basic_upper < upper) | (prev_close > upper) else upper
        lower = basic_lower if (basic_lower > lower) | (prev_close < lower) else lower
        now = closes[j]
        up = now >= lower if up else now > upper
        directions[j] = 1.0 if up else -1.0
        lines[j] = lower if up else upper
        prev_close = now


@numba.njit(cache=True)
def midprice(high: Array, low: Array, n: int, out: Array, shift: int) -> None:
    """(highest high + lowest low) / 2 over ``n`` bars, written ``shift`` bars later.

    ``out[i + shift]`` is the midprice of bars ``i − n + 1 … i``; the first ``n − 1 + shift``
    values are NaN and midprices that would land past the end are dropped.
    """
    size = high.shape[0]
    fill_nan(out, n - 1 + shift)
    top = np.empty(CHUNK)
    bottom = np.empty(CHUNK)
    suffix_high = np.empty(n + 1)
    suffix_low = np.empty(n + 1)
    stop = size - shift
    for start in range(n - 1, stop, CHUNK):
        end = min(start + CHUNK, stop)
        extremes(high, low, n, start, end, top, bottom, suffix_high, suffix_low)
        # A view indexed from 0 lets the compiler see the index is never negative.
        dest = out[start + shift : end + shift]
        for j in range(end - start):
            dest[j] = (top[j] + bottom[j]) / 2.0


@numba.njit(cache=True)
def ichimoku(
    high: Array,
    low: Array,
    close: Array,
    tenkan_n: int,
    kijun_n: int,
    senkou_n: int,
    tenkan: Array,
    kijun: Array,
    span_a: Array,
    span_b: Array,
    chikou: Array,
) -> None:
    """Every line as known at its own bar: the cloud and the lagging close are shifted forward
    by ``kijun_n`` bars, never backward."""
    size = close.shape[0]
    midprice(high, low, tenkan_n, tenkan, 0)
    midprice(high, low, kijun_n, kijun, 0)
    midprice(high, low, senkou_n, span_b, kijun_n)
    first = max(tenkan_n, kijun_n) - 1
    fill_nan(span_a, first + kijun_n)
    if size > first + kijun_n:
        dest = span_a[first + kijun_n :]
        fast = tenkan[first : size - kijun_n]
        slow = kijun[first : size - kijun_n]
        for j in range(dest.shape[0]):
            dest[j] = (fast[j] + slow[j]) / 2.0
    fill_nan(chikou, kijun_n)
    if size > kijun_n:
        chikou[kijun_n:] = close[: size - kijun_n]
