"""Moving averages: simple, exponential (SMA-seeded, as TA-Lib) and linearly weighted."""

from __future__ import annotations

import numba
import numpy as np
import numpy.typing as npt

_RESUM = 1024
"""Running sums are rebuilt from the window this often, so long series do not drift."""

Array = npt.NDArray[np.float64]


@numba.njit(cache=True)
def sma(x: Array, n: int) -> Array:
    out = np.full(x.shape[0], np.nan)
    if x.shape[0] < n:
        return out
    total = 0.0
    for i in range(n):
        total += x[i]
    out[n - 1] = total / n
    for i in range(n, x.shape[0]):
        if (i % _RESUM) == 0:
            total = 0.0
            for j in range(i - n + 1, i + 1):
                total += x[j]
        else:
            total += x[i] - x[i - n]
        out[i] = total / n
    return out


@numba.njit(cache=True)
def ema_from(x: Array, n: int, start: int, out: Array) -> Array:
    """EMA of ``x`` whose SMA seed covers ``x[start:start+n]``; writes into ``out``."""
    k = 2.0 / (n + 1)
    if x.shape[0] < start + n:
        return out
    total = 0.0
    for i in range(start, start + n):
        total += x[i]
    prev = total / n
    out[start + n - 1] = prev
    for i in range(start + n, x.shape[0]):
        # TA-Lib's exact form: MACD subtracts two EMAs, so rounding must match to the bit.
        prev = (x[i] - prev) * k + prev
        out[i] = prev
    return out


@numba.njit(cache=True)
def ema(x: Array, n: int) -> Array:
    out = np.empty(x.shape[0])
    out[: min(n - 1, x.shape[0])] = np.nan
    if x.shape[0] < n:
        out[:] = np.nan
    return ema_from(x, n, 0, out)


@numba.njit(cache=True)
def wma(x: Array, n: int) -> Array:
    out = np.full(x.shape[0], np.nan)
    if x.shape[0] < n:
        return out
    divider = n * (n + 1) / 2.0
    plain = 0.0
    weighted = 0.0
    for i in range(n):
        plain += x[i]
        weighted += x[i] * (i + 1)
    out[n - 1] = weighted / divider
    for i in range(n, x.shape[0]):
        if (i % _RESUM) == 0:
            plain = 0.0
            weighted = 0.0
            for j in range(n):
                value = x[i - n + 1 + j]
                plain += value
                weighted += value * (j + 1)
        else:
            weighted += n * x[i] - plain
            plain += x[i] - x[i - n]
        out[i] = weighted / divider
    return out
