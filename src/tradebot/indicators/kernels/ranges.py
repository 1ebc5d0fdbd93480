"""Where the close sits in the recent high–low range: fast stochastic and Williams %R."""

from __future__ import annotations

import numba
import numpy as np
import numpy.typing as npt

from tradebot.indicators.kernels.moving import fill_nan
from tradebot.indicators.kernels.window import CHUNK, extremes

Array = npt.NDArray[np.float64]

FLAT = 1e-14
"""A window whose high–low range is within this fraction of its prices is flat (value 0), as
in TA-Lib: relative, so that instruments quoted far below 1 are not all flat."""


@numba.njit(cache=True)
def stochf(
    high: Array, low: Array, close: Array, k: int, d: int, fast_k: Array, fast_d: Array
) -> None:
    """TA-Lib STOCHF with an SMA %D: %K = (close − lowest)/(highest − lowest)·100, 0 on a flat
    window; both lines NaN before bar ``k + d − 2``, where the first %D exists."""
    size = close.shape[0]
    first = k + d - 2
    fill_nan(fast_k, first)
    fill_nan(fast_d, first)
    if size <= first:
        return
    top = np.empty(CHUNK)
    bottom = np.empty(CHUNK)
    suffix_high = np.empty(k + 1)
    suffix_low = np.empty(k + 1)
    total = 0.0
    for start in range(k - 1, size, CHUNK):
        end = min(start + CHUNK, size)
        extremes(high, low, k, start, end, top, bottom, suffix_high, suffix_low)
        # Views indexed from 0 let the compiler see the index is never negative.
        now = close[start:end]
        dest = fast_k[start:end]
        for j in range(end - start):
            highest = top[j]
            lowest = bottom[j]
            span = highest - lowest
            flat = abs(span) <= FLAT * (abs(highest) + abs(lowest))
            dest[j] = 0.0 if flat else ((now[j] - lowest) / span) * 100.0
        # %D: TA-Lib's sliding SMA (add the newest, emit, drop the oldest) over raw %K.
        for i in range(start, end):
            total += fast_k[i]
            if i >= first:
                fast_d[i] = total / d
                total -= fast_k[i - d + 1]
    # The %K values before the first %D only fed the average; TA-Lib does not show them.
    fill_nan(fast_k, first)


@numba.njit(cache=True)
def willr(high: Array, low: Array, close: Array, n: int, out: Array) -> None:
    """Williams %R = (highest − close)/(highest − lowest)·(−100), 0 on a flat window."""
    size = close.shape[0]
    fill_nan(out, n - 1)
    top = np.empty(CHUNK)
    bottom = np.empty(CHUNK)
    suffix_high = np.empty(n + 1)
    suffix_low = np.empty(n + 1)
    for start in range(n - 1, size, CHUNK):
        end = min(start + CHUNK, size)
        extremes(high, low, n, start, end, top, bottom, suffix_high, suffix_low)
        now = close[start:end]
        dest = out[start:end]
        for j in range(end - start):
            highest = top[j]
            lowest = bottom[j]
            span = highest - lowest
            flat = abs(span) <= FLAT * (abs(highest) + abs(lowest))
            dest[j] = 0.0 if flat else ((highest - now[j]) / span) * -100.0
