"""Rolling extremes in O(1) amortised per bar: monotonic queues kept in preallocated arrays."""

from __future__ import annotations

import numba
import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]


@numba.njit(cache=True)
def extremes(high: Array, low: Array, n: int) -> tuple[Array, Array]:
    """(highest high, lowest low) over each window of ``n`` bars, NaN before the first.

    The index of each extreme is tracked; the window is rescanned only when the extreme
    leaves it, which on market data is rare enough to beat a monotonic queue's bookkeeping.
    """
    size = high.shape[0]
    top = np.empty(size)
    bottom = np.empty(size)
    warm = min(n - 1, size)
    top[:warm] = np.nan
    bottom[:warm] = np.nan
    hi_idx = -1
    lo_idx = -1
    hi = 0.0
    lo = 0.0
    for i in range(n - 1, size):
        start = i - n + 1
        h = high[i]
        if hi_idx < start:
            hi_idx = start
            hi = high[start]
            for j in range(start + 1, i + 1):
                if high[j] >= hi:
                    hi = high[j]
                    hi_idx = j
        elif h >= hi:
            hi = h
            hi_idx = i
        low_i = low[i]
        if lo_idx < start:
            lo_idx = start
            lo = low[start]
            for j in range(start + 1, i + 1):
                if low[j] <= lo:
                    lo = low[j]
                    lo_idx = j
        elif low_i <= lo:
            lo = low_i
            lo_idx = i
        top[i] = hi
        bottom[i] = lo
    return top, bottom
