"""Volume: on-balance volume (TA-Lib) and a session VWAP."""

from __future__ import annotations

import numba
import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]


@numba.njit(cache=True)
def obv(close: Array, volume: Array) -> Array:
    size = close.shape[0]
    out = np.empty(size)
    if size == 0:
        return out
    total = volume[0]
    out[0] = total
    for i in range(1, size):
        if close[i] > close[i - 1]:
            total += volume[i]
        elif close[i] < close[i - 1]:
            total -= volume[i]
        out[i] = total
    return out


@numba.njit(cache=True)
def vwap(
    high: Array, low: Array, close: Array, volume: Array, reset: npt.NDArray[np.bool_]
) -> Array:
    size = close.shape[0]
    out = np.full(size, np.nan)
    value = 0.0
    traded = 0.0
    for i in range(size):
        if reset[i]:
            value = 0.0
            traded = 0.0
        value += (high[i] + low[i] + close[i]) / 3.0 * volume[i]
        traded += volume[i]
        if traded > 0:
            out[i] = value / traded
    return out
