"""Oscillators: RSI, IMI, MACD, fast stochastic, CCI, Williams %R, MFI (TA-Lib definitions)."""

from __future__ import annotations

import numba
import numpy as np
import numpy.typing as npt

from tradebot.indicators.kernels.window import extremes

Array = npt.NDArray[np.float64]

_DEAD_ZONE = 1e-14
"""Relative change of the typical price that MFI counts as unchanged, as TA-Lib does."""


@numba.njit(cache=True)
def rsi(x: Array, n: int) -> Array:
    size = x.shape[0]
    out = np.full(size, np.nan)
    if size <= n:
        return out
    gain = 0.0
    loss = 0.0
    for i in range(1, n + 1):
        change = x[i] - x[i - 1]
        if change > 0:
            gain += change
        else:
            loss -= change
    gain /= n
    loss /= n
    total = gain + loss
    out[n] = 100.0 * gain / total if total != 0.0 else 0.0
    keep = (n - 1) / n
    share = 1.0 / n
    for i in range(n + 1, size):
        change = x[i] - x[i - 1]
        up = change if change > 0 else 0.0
        down = -change if change < 0 else 0.0
        gain = gain * keep + up * share
        loss = loss * keep + down * share
        total = gain + loss
        out[i] = 100.0 * gain / total if total != 0.0 else 0.0
    return out


@numba.njit(cache=True)
def imi(open_: Array, close: Array, n: int) -> Array:
    size = close.shape[0]
    out = np.empty(size)
    out[: min(n - 1, size)] = np.nan
    up = 0.0
    down = 0.0
    ups = 0
    downs = 0
    for i in range(size):
        body = close[i] - open_[i]
        if body > 0:
            up += body
            ups += 1
        elif body < 0:
            down -= body
            downs += 1
        if i >= n:
            old = close[i - n] - open_[i - n]
            if old > 0:
                up -= old
                ups -= 1
            elif old < 0:
                down += old
                downs -= 1
            # A window without up (or down) bodies sums to exactly 0, not to sliding rounding.
            if ups == 0:
                up = 0.0
            if downs == 0:
                down = 0.0
        if i >= n - 1:
            total = up + down
            out[i] = 100.0 * (up / total) if total != 0.0 else 0.0
    return out


@numba.njit(cache=True)
def macd(x: Array, fast: int, slow: int, signal: int) -> tuple[Array, Array, Array]:
    """TA-Lib's alignment: the fast EMA is seeded over the last ``fast`` values of the slow seed."""
    size = x.shape[0]
    line = np.empty(size)
    sig = np.empty(size)
    hist = np.empty(size)
    if fast > slow:
        fast, slow = slow, fast
    first = slow + signal - 2
    warm = min(first, size)
    line[:warm] = np.nan
    sig[:warm] = np.nan
    hist[:warm] = np.nan
    if size <= first:
        line[:] = np.nan
        sig[:] = np.nan
        hist[:] = np.nan
        return line, sig, hist
    k_fast = 2.0 / (fast + 1)
    k_slow = 2.0 / (slow + 1)
    k_sig = 2.0 / (signal + 1)
    slow_sum = 0.0
    fast_sum = 0.0
    for i in range(slow):
        slow_sum += x[i]
        if i >= slow - fast:
            fast_sum += x[i]
    e_slow = slow_sum / slow
    e_fast = fast_sum / fast
    raw = e_fast - e_slow
    sig_sum = raw
    e_sig = 0.0
    for i in range(slow, size):
        e_fast = (x[i] - e_fast) * k_fast + e_fast
        e_slow = (x[i] - e_slow) * k_slow + e_slow
        raw = e_fast - e_slow
        if i < first:
            sig_sum += raw
            continue
        e_sig = (sig_sum + raw) / signal if i == first else (raw - e_sig) * k_sig + e_sig
        line[i] = raw
        sig[i] = e_sig
        hist[i] = raw - e_sig
    return line, sig, hist


@numba.njit(cache=True)
def stochf(high: Array, low: Array, close: Array, k: int, d: int) -> tuple[Array, Array]:
    size = close.shape[0]
    fast_k = np.full(size, np.nan)
    fast_d = np.full(size, np.nan)
    first = k + d - 2
    if size <= first:
        return fast_k, fast_d
    hh, ll = extremes(high, low, k)
    raw = np.full(size, np.nan)
    for i in range(k - 1, size):
        diff = (hh[i] - ll[i]) / 100.0
        raw[i] = (close[i] - ll[i]) / diff if diff != 0.0 else 0.0
    total = 0.0
    for i in range(k - 1, k - 1 + d):
        total += raw[i]
    for i in range(first, size):
        if i > first:
            total += raw[i] - raw[i - d]
        fast_k[i] = raw[i]
        fast_d[i] = total / d
    return fast_k, fast_d


@numba.njit(cache=True)
def cci(high: Array, low: Array, close: Array, n: int) -> Array:
    size = close.shape[0]
    out = np.full(size, np.nan)
    tp = (high + low + close) / 3.0
    for i in range(n - 1, size):
        mean = 0.0
        for j in range(i - n + 1, i + 1):
            mean += tp[j]
        mean /= n
        dev = 0.0
        for j in range(i - n + 1, i + 1):
            dev += abs(tp[j] - mean)
        dev /= n
        diff = tp[i] - mean
        out[i] = diff / (0.015 * dev) if diff != 0.0 and dev != 0.0 else 0.0
    return out


@numba.njit(cache=True)
def willr(high: Array, low: Array, close: Array, n: int) -> Array:
    size = close.shape[0]
    out = np.full(size, np.nan)
    hh, ll = extremes(high, low, n)
    for i in range(n - 1, size):
        diff = (hh[i] - ll[i]) / -100.0
        out[i] = (hh[i] - close[i]) / diff if diff != 0.0 else 0.0
    return out


@numba.njit(cache=True)
def mfi(high: Array, low: Array, close: Array, volume: Array, n: int) -> Array:
    size = close.shape[0]
    out = np.full(size, np.nan)
    if size <= n:
        return out
    pos = np.zeros(size)
    neg = np.zeros(size)
    prev = (high[0] + low[0] + close[0]) / 3.0
    for i in range(1, size):
        tp = (high[i] + low[i] + close[i]) / 3.0
        change = tp - prev
        # A change within rounding of the two prices is no change (TA-Lib's dead zone).
        if abs(change) > _DEAD_ZONE * (abs(tp) + abs(prev)):
            if change > 0:
                pos[i] = tp * volume[i]
            else:
                neg[i] = tp * volume[i]
        prev = tp
    pos_sum = 0.0
    neg_sum = 0.0
    pos_count = 0
    neg_count = 0
    for i in range(1, n + 1):
        pos_sum += pos[i]
        neg_sum += neg[i]
        pos_count += pos[i] != 0.0
        neg_count += neg[i] != 0.0
    for i in range(n, size):
        if i > n:
            pos_sum -= pos[i - n]
            neg_sum -= neg[i - n]
            pos_sum += pos[i]
            neg_sum += neg[i]
            pos_count += (pos[i] != 0.0) - (pos[i - n] != 0.0)
            neg_count += (neg[i] != 0.0) - (neg[i - n] != 0.0)
            # A window without inflow (or outflow) sums to exactly 0, not to the rounding
            # the sliding sum leaves behind.
            if pos_count == 0:
                pos_sum = 0.0
            if neg_count == 0:
                neg_sum = 0.0
        total = pos_sum + neg_sum
        out[i] = 100.0 * (pos_sum / total) if total >= 1.0 else 0.0
    return out
