"""Trend: directional movement (+DI, −DI, ADX), SuperTrend and the Ichimoku lines."""

from __future__ import annotations

import numba
import numpy as np
import numpy.typing as npt

from tradebot.indicators.kernels.volatility import atr
from tradebot.indicators.kernels.window import extremes

_ZERO = 1e-8
"""TA-Lib treats |v| < 1e-8 as zero in the directional-movement ratios."""

Array = npt.NDArray[np.float64]


@numba.njit(cache=True)
def _moves(high: Array, low: Array, close: Array, i: int) -> tuple[float, float, float]:
    up = high[i] - high[i - 1]
    down = low[i - 1] - low[i]
    plus = 0.0
    minus = 0.0
    if down > 0 and up < down:
        minus = down
    elif up > 0 and up > down:
        plus = up
    prev = close[i - 1]
    tr = high[i] - low[i]
    a = abs(high[i] - prev)
    b = abs(low[i] - prev)
    if a > tr:
        tr = a
    if b > tr:
        tr = b
    return plus, minus, tr


@numba.njit(cache=True)
def dmi(high: Array, low: Array, close: Array, n: int) -> tuple[Array, Array, Array]:
    """(+DI, −DI, ADX) with TA-Lib's Wilder sums; +DI/−DI from index n, ADX from 2n − 1."""
    size = close.shape[0]
    plus_di = np.full(size, np.nan)
    minus_di = np.full(size, np.nan)
    adx = np.full(size, np.nan)
    if size <= n:
        return plus_di, minus_di, adx
    s_plus = 0.0
    s_minus = 0.0
    s_tr = 0.0
    for i in range(1, n):
        p, m, tr = _moves(high, low, close, i)
        s_plus += p
        s_minus += m
        s_tr += tr
    sum_dx = 0.0
    prev_adx = 0.0
    for i in range(n, size):
        p, m, tr = _moves(high, low, close, i)
        s_plus = s_plus - s_plus / n + p
        s_minus = s_minus - s_minus / n + m
        s_tr = s_tr - s_tr / n + tr
        dx = np.nan
        if -_ZERO < s_tr < _ZERO:
            plus_di[i] = 0.0
            minus_di[i] = 0.0
        else:
            pdi = 100.0 * (s_plus / s_tr)
            mdi = 100.0 * (s_minus / s_tr)
            plus_di[i] = pdi
            minus_di[i] = mdi
            total = pdi + mdi
            if not (-_ZERO < total < _ZERO):
                dx = 100.0 * (abs(mdi - pdi) / total)
        if i < 2 * n - 1:
            if dx == dx:
                sum_dx += dx
        elif i == 2 * n - 1:
            if dx == dx:
                sum_dx += dx
            prev_adx = sum_dx / n
            adx[i] = prev_adx
        else:
            if dx == dx:
                prev_adx = (prev_adx * (n - 1) + dx) / n
            adx[i] = prev_adx
    return plus_di, minus_di, adx


@numba.njit(cache=True)
def supertrend(high: Array, low: Array, close: Array, n: int, mult: float) -> tuple[Array, Array]:
    size = close.shape[0]
    line = np.full(size, np.nan)
    direction = np.full(size, np.nan)
    if size <= n:
        return line, direction
    width = atr(high, low, close, n)
    upper = 0.0
    lower = 0.0
    trend = 1.0
    for i in range(n, size):
        mid = (high[i] + low[i]) / 2.0
        basic_upper = mid + mult * width[i]
        basic_lower = mid - mult * width[i]
        if i == n:
            upper = basic_upper
            lower = basic_lower
            trend = 1.0 if close[i] >= mid else -1.0
        else:
            prev_close = close[i - 1]
            if basic_upper < upper or prev_close > upper:
                upper = basic_upper
            if basic_lower > lower or prev_close < lower:
                lower = basic_lower
            if trend > 0:
                trend = -1.0 if close[i] < lower else 1.0
            else:
                trend = 1.0 if close[i] > upper else -1.0
        direction[i] = trend
        line[i] = lower if trend > 0 else upper
    return line, direction


@numba.njit(cache=True)
def midprice(high: Array, low: Array, n: int) -> Array:
    top, bottom = extremes(high, low, n)
    return (top + bottom) / 2.0


@numba.njit(cache=True)
def ichimoku(
    high: Array, low: Array, close: Array, tenkan_n: int, kijun_n: int, senkou_n: int
) -> tuple[Array, Array, Array, Array, Array]:
    size = close.shape[0]
    tenkan = midprice(high, low, tenkan_n)
    kijun = midprice(high, low, kijun_n)
    span_b_now = midprice(high, low, senkou_n)
    span_a = np.full(size, np.nan)
    span_b = np.full(size, np.nan)
    chikou = np.full(size, np.nan)
    for i in range(kijun_n, size):
        j = i - kijun_n
        span_a[i] = (tenkan[j] + kijun[j]) / 2.0
        span_b[i] = span_b_now[j]
        chikou[i] = close[j]
    return tenkan, kijun, span_a, span_b, chikou
