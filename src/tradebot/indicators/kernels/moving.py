"""Moving averages: simple, exponential (SMA-seeded, as TA-Lib) and linearly weighted.

Every kernel writes all of ``out`` (NaN in the warm-up) and returns nothing: the caller
allocates outputs with NumPy, which asks the kernel for huge pages on big arrays.
"""

from __future__ import annotations

import numba
import numpy as np
import numpy.typing as npt

from tradebot.indicators.kernels.fused import fma

Array = npt.NDArray[np.float64]

RESUM = 1024
"""Sliding sums are rebuilt from their window this often, so a long series cannot drift."""


@numba.njit(cache=True)
def fill_nan(out: Array, stop: int) -> None:
    for i in range(min(stop, out.shape[0])):
        out[i] = np.nan


@numba.njit(cache=True)
def sma(x: Array, n: int, out: Array) -> None:
    """Sliding sum in TA-Lib's order (add the newest, emit, drop the oldest), rebuilt from the
    window every ``RESUM`` bars; NaN before ``n − 1``."""
    size = x.shape[0]
    fill_nan(out, n - 1)
    if size < n:
        return
    total = 0.0
    for i in range(n - 1):
        total += x[i]
    # Views indexed from 0 let the compiler see no index is negative (no wraparound checks).
    newest, oldest, dest = x[n - 1 :], x[: size - n + 1], out[n - 1 :]
    for j in range(dest.shape[0]):
        if (j + n - 1) % RESUM == 0:
            total = 0.0
            for t in range(j, j + n):
                total += oldest[t]
        else:
            total += newest[j]
        dest[j] = total / n
        total -= oldest[j]


@numba.njit(cache=True)
def ema(x: Array, n: int, start: int, out: Array) -> None:
    """EMA whose SMA seed covers ``x[start : start + n]``; NaN before ``start + n − 1``.

    The recursion is TA-Lib's, ``(x − prev)·k + prev`` with the multiply-add fused, so the
    values are TA-Lib's to the bit (MACD subtracts two EMAs, where any difference shows).
    """
    size = x.shape[0]
    first = start + n - 1
    fill_nan(out, first)
    if size <= first:
        return
    k = 2.0 / (n + 1)
    total = 0.0
    for i in range(start, first + 1):
        total += x[i]
    prev = total / n
    out[first] = prev
    for i in range(first + 1, size):
        prev = fma(x[i] - prev, k, prev)
        out[i] = prev


@numba.njit(cache=True)
def wma(x: Array, n: int, out: Array) -> None:
    """Weights 1 … n (newest n) from two sliding sums, rebuilt every ``RESUM`` bars."""
    size = x.shape[0]
    fill_nan(out, n - 1)
    if size < n:
        return
    divider = n * (n + 1) / 2.0
    plain = 0.0
    weighted = 0.0
    for j in range(n - 1):
        plain += x[j]
        weighted += x[j] * (j + 1)
    for i in range(n - 1, size):
        if i % RESUM == 0:
            plain = 0.0
            weighted = 0.0
            for j in range(n - 1):
                value = x[i - n + 1 + j]
                plain += value
                weighted += value * (j + 1)
        # Adding the newest value at weight n completes the window; dropping the whole
        # unweighted sum then lowers every remaining weight by one for the next bar.
        plain += x[i]
        weighted += x[i] * n
        out[i] = weighted / divider
        weighted -= plain
        plain -= x[i - n + 1]
