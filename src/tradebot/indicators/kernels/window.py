"""Rolling highest high and lowest low, O(1) per bar whatever the data (van Herk / Gil-Werman).

Bars are cut into blocks of ``n``. The window ending at offset ``r`` of a block is the suffix of
the previous block from ``r + 1`` plus the prefix of its own block up to ``r``, so each bar
costs three comparisons per series and no branch depends on the prices. Tracking the index of
the extreme and rescanning when it leaves (TA-Lib's way) is O(n) per bar on a steadily
falling or rising market, and on a random walk with n = 14 it mispredicts a branch on about
one bar in seven; compiled here it ran 2–3x slower than these blocks.
"""

from __future__ import annotations

import numba
import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]

CHUNK = 2048
"""Bars per pass: callers get extremes for this many bars into small, cache-resident buffers."""


@numba.njit(cache=True)
def extremes(
    high: Array,
    low: Array,
    n: int,
    start: int,
    stop: int,
    top: Array,
    bottom: Array,
    suffix_high: Array,
    suffix_low: Array,
) -> None:
    """Write max(high) and min(low) over bars ``i − n + 1 … i`` to ``top[i − start]`` and
    ``bottom[i − start]`` for ``start ≤ i < stop``.

    Needs ``start ≥ n − 1``; ``suffix_high``/``suffix_low`` are scratch of length ``n + 1``.
    Indices are unsigned so that Numba drops its negative-index wraparound, which otherwise
    costs more than the comparisons themselves in these short loops.
    """
    one = np.uint64(1)
    size = np.uint64(n)
    first = np.uint64(start)
    last = np.uint64(stop)
    suffix_high[size] = -np.inf
    suffix_low[size] = np.inf
    for block in range(first, last, size):
        # Suffix extremes of the n bars before this block, offsets n − 1 down to 1.
        hi = -np.inf
        lo = np.inf
        for back in range(one, size):
            r = size - back
            h = high[block - back]
            w = low[block - back]
            hi = h if h > hi else hi
            lo = w if w < lo else lo
            suffix_high[r] = hi
            suffix_low[r] = lo
        hi = -np.inf
        lo = np.inf
        for i in range(block, min(block + size, last)):
            after = i - block + one
            h = high[i]
            w = low[i]
            hi = h if h > hi else hi
            lo = w if w < lo else lo
            sh = suffix_high[after]
            sl = suffix_low[after]
            top[i - first] = sh if sh > hi else hi
            bottom[i - first] = sl if sl < lo else lo
