"""Volatility: average true range (Wilder) and Bollinger bands (population deviation)."""

from __future__ import annotations

import math

import numba
import numpy as np
import numpy.typing as npt

from tradebot.indicators.kernels.moving import sma

Array = npt.NDArray[np.float64]


@numba.njit(cache=True)
def true_range(high: Array, low: Array, close: Array) -> Array:
    """True range from the second bar on (NaN at 0, as it needs a previous close)."""
    out = np.full(high.shape[0], np.nan)
    for i in range(1, high.shape[0]):
        prev = close[i - 1]
        tr = high[i] - low[i]
        up = abs(high[i] - prev)
        down = abs(low[i] - prev)
        if up > tr:
            tr = up
        if down > tr:
            tr = down
        out[i] = tr
    return out


@numba.njit(cache=True)
def atr(high: Array, low: Array, close: Array, n: int) -> Array:
    size = high.shape[0]
    out = np.empty(size)
    out[: min(n, size)] = np.nan
    if size <= n:
        return out
    keep = (n - 1) / n
    share = 1.0 / n
    total = 0.0
    prev = 0.0
    for i in range(1, size):
        prev_close = close[i - 1]
        tr = high[i] - low[i]
        up = abs(high[i] - prev_close)
        down = abs(low[i] - prev_close)
        if up > tr:
            tr = up
        if down > tr:
            tr = down
        if i < n:
            total += tr
        elif i == n:
            prev = (total + tr) / n
            out[i] = prev
        else:
            # Wilder's (prev·(n−1) + tr)/n with the division folded into constants.
            prev = prev * keep + tr * share
            out[i] = prev
    return out


@numba.njit(cache=True)
def bbands(x: Array, n: int, k: float) -> tuple[Array, Array, Array]:
    """Middle = SMA; deviation from a sliding Welford update, rebuilt exactly every 1,024 bars."""
    size = x.shape[0]
    upper = np.full(size, np.nan)
    lower = np.full(size, np.nan)
    middle = sma(x, n)
    if size < n:
        return upper, middle, lower
    mean = 0.0
    m2 = 0.0
    for i in range(size):
        if i < n:
            delta = x[i] - mean
            mean += delta / (i + 1)
            m2 += delta * (x[i] - mean)
        elif (i % 1024) == 0:
            mean = 0.0
            for j in range(i - n + 1, i + 1):
                mean += x[j]
            mean /= n
            m2 = 0.0
            for j in range(i - n + 1, i + 1):
                m2 += (x[j] - mean) * (x[j] - mean)
        else:
            old = x[i - n]
            new_mean = mean + (x[i] - old) / n
            m2 += (x[i] - old) * (x[i] - new_mean + old - mean)
            mean = new_mean
        if i >= n - 1:
            var = m2 / n
            sd = math.sqrt(var) if var > 0 else 0.0
            upper[i] = middle[i] + k * sd
            lower[i] = middle[i] - k * sd
    return upper, middle, lower


@numba.njit(cache=True)
def keltner(
    high: Array, low: Array, close: Array, n: int, mult: float
) -> tuple[Array, Array, Array]:
    size = close.shape[0]
    upper = np.empty(size)
    middle = np.empty(size)
    lower = np.empty(size)
    warm = min(n, size)
    upper[:warm] = np.nan
    middle[:warm] = np.nan
    lower[:warm] = np.nan
    if size <= n:
        return upper, middle, lower
    k = 2.0 / (n + 1)
    keep_ema = 1.0 - k
    keep = (n - 1) / n
    share = 1.0 / n
    seed = close[0]
    tr_total = 0.0
    avg = 0.0
    width = 0.0
    for i in range(1, size):
        prev_close = close[i - 1]
        tr = high[i] - low[i]
        up = abs(high[i] - prev_close)
        down = abs(low[i] - prev_close)
        if up > tr:
            tr = up
        if down > tr:
            tr = down
        if i < n - 1:
            seed += close[i]
            tr_total += tr
            continue
        if i == n - 1:
            avg = (seed + close[i]) / n
            tr_total += tr
            continue
        avg = close[i] * k + avg * keep_ema
        width = (tr_total + tr) / n if i == n else width * keep + tr * share
        middle[i] = avg
        upper[i] = avg + mult * width
        lower[i] = avg - mult * width
    return upper, middle, lower
