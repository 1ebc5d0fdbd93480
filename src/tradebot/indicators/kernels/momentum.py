"""Momentum: RSI, IMI, MACD and CCI, with TA-Lib's definitions and seeding."""

from __future__ import annotations

import numba
import numpy as np
import numpy.typing as npt

from tradebot.indicators.kernels.fused import fma
from tradebot.indicators.kernels.moving import fill_nan

Array = npt.NDArray[np.float64]

FLAT = 1e-14
"""Relative size below which a difference of prices is rounding, not a move (as TA-Lib)."""


@numba.njit(cache=True)
def rsi(x: Array, n: int, out: Array) -> None:
    """Wilder's RSI, seeded with the plain mean gain and loss of the first ``n`` changes."""
    size = x.shape[0]
    fill_nan(out, n)
    if size <= n:
        return
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
    out[n] = 100.0 * (gain / total) if total != 0.0 else 0.0
    keep = (n - 1) / n
    share = 1.0 / n
    for i in range(n + 1, size):
        change = x[i] - x[i - 1]
        up = change if change > 0 else 0.0
        down = -change if change < 0 else 0.0
        gain = gain * keep + up * share
        loss = loss * keep + down * share
        total = gain + loss
        out[i] = 100.0 * (gain / total) if total != 0.0 else 0.0


@numba.njit(cache=True)
def imi(open_: Array, close: Array, n: int, out: Array) -> None:
    """Share of the window's candle bodies that closed up, from sliding sums of the bodies;
    50 when the window has no bodies at all (TA-Lib)."""
    size = close.shape[0]
    fill_nan(out, n - 1)
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
            # A window of doji (no bodies at all) is neutral: 50, as TA-Lib reports it.
            out[i] = 100.0 * (up / total) if total != 0.0 else 50.0


@numba.njit(cache=True)
def _mean(x: Array, start: int, n: int) -> float:
    total = 0.0
    for i in range(start, start + n):
        total += x[i]
    return total / n


@numba.njit(cache=True)
def macd(x: Array, fast: int, slow: int, signal: int, line: Array, sig: Array, hist: Array) -> None:
    """TA-Lib's alignment: both EMAs start at bar ``slow − 1``, the fast one seeded with the
    mean of the last ``fast`` values of the slow seed; the signal EMA is seeded with the mean of
    the first ``signal`` MACD values. All three are NaN before bar ``slow + signal − 2``.

    One loop runs the three recursions side by side, so their latencies overlap; each is the
    fused-multiply-add EMA step of :func:`~tradebot.indicators.kernels.moving.ema`.
    """
    if fast > slow:
        fast, slow = slow, fast
    size = x.shape[0]
    first = slow + signal - 2
    fill_nan(line, first)
    fill_nan(sig, first)
    fill_nan(hist, first)
    if size <= first:
        return
    k_fast = 2.0 / (fast + 1)
    k_slow = 2.0 / (slow + 1)
    k_sig = 2.0 / (signal + 1)
    e_fast = _mean(x, slow - fast, fast)
    e_slow = _mean(x, 0, slow)
    signal_total = e_fast - e_slow
    for i in range(slow, first):
        e_fast = fma(x[i] - e_fast, k_fast, e_fast)
        e_slow = fma(x[i] - e_slow, k_slow, e_slow)
        signal_total += e_fast - e_slow
    if first >= slow:
        e_fast = fma(x[first] - e_fast, k_fast, e_fast)
        e_slow = fma(x[first] - e_slow, k_slow, e_slow)
        raw = e_fast - e_slow
        e_sig = (signal_total + raw) / signal
    else:  # signal period 1: the signal is the line itself
        raw = signal_total
        e_sig = raw
    line[first] = raw
    sig[first] = e_sig
    hist[first] = raw - e_sig
    for i in range(first + 1, size):
        e_fast = fma(x[i] - e_fast, k_fast, e_fast)
        e_slow = fma(x[i] - e_slow, k_slow, e_slow)
        raw = e_fast - e_slow
        e_sig = fma(raw - e_sig, k_sig, e_sig)
        line[i] = raw
        sig[i] = e_sig
        hist[i] = raw - e_sig


@numba.njit(cache=True)
def cci(high: Array, low: Array, close: Array, n: int, out: Array) -> None:
    """(tp − mean) / (0.015 · mean absolute deviation) of the typical price over ``n`` bars.

    Both sums need the whole window at every bar (O(n) per bar, as in TA-Lib). Bar b sits in
    ring slot b mod n and the mean is summed in slot order, as TA-Lib does: near tp = mean the
    numerator is a difference of nearly equal numbers, and only the same rounding of the mean
    gives TA-Lib's value. A numerator or deviation within ``FLAT`` of the mean's size is
    rounding of a flat window and gives 0. The deviation, a sum of positive terms, runs as
    four partial sums so the adder is not waiting on one long chain.
    """
    size = close.shape[0]
    fill_nan(out, n - 1)
    if size < n:
        return
    ring = np.empty(n)
    for i in range(n - 1):
        ring[i] = (high[i] + low[i] + close[i]) / 3.0
    slot = n - 1
    for i in range(n - 1, size):
        tp = (high[i] + low[i] + close[i]) / 3.0
        ring[slot] = tp
        slot = slot + 1 if slot + 1 < n else 0
        total = 0.0
        for j in range(n):
            total += ring[j]
        mean = total / n
        d0 = 0.0
        d1 = 0.0
        d2 = 0.0
        d3 = 0.0
        j = 0
        while j + 4 <= n:
            d0 += abs(ring[j] - mean)
            d1 += abs(ring[j + 1] - mean)
            d2 += abs(ring[j + 2] - mean)
            d3 += abs(ring[j + 3] - mean)
            j += 4
        while j < n:
            d0 += abs(ring[j] - mean)
            j += 1
        deviation = ((d0 + d1) + (d2 + d3)) / n
        diff = tp - mean
        scale = FLAT * abs(mean)
        flat = (abs(diff) <= scale) | (deviation <= scale)
        out[i] = 0.0 if flat else diff / (0.015 * deviation)
