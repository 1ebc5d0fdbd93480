"""Volume: on-balance volume and money flow index (TA-Lib), and a session VWAP."""

from __future__ import annotations

import numba
import numpy as np
import numpy.typing as npt

from tradebot.indicators.kernels.moving import fill_nan

Array = npt.NDArray[np.float64]

DEAD_ZONE = 1e-14
"""Relative change of the typical price that MFI counts as no change, as TA-Lib does."""


@numba.njit(cache=True)
def obv(close: Array, volume: Array, out: Array) -> None:
    """Running sum of the volume, signed by the close's move; starts at the first volume."""
    size = close.shape[0]
    if size == 0:
        return
    total = volume[0]
    out[0] = total
    for i in range(1, size):
        now = close[i]
        before = close[i - 1]
        traded = volume[i]
        # Selects, not branches: whether a close is up or down is a coin toss to the CPU.
        flow = traded if now > before else 0.0
        flow = -traded if now < before else flow
        total += flow
        out[i] = total


@numba.njit(cache=True)
def vwap(
    high: Array,
    low: Array,
    close: Array,
    volume: Array,
    reset: npt.NDArray[np.bool_],
    out: Array,
) -> None:
    """Σ typical price · volume / Σ volume since the last bar flagged in ``reset``."""
    value = 0.0
    traded = 0.0
    for i in range(close.shape[0]):
        if reset[i]:
            value = 0.0
            traded = 0.0
        value += (high[i] + low[i] + close[i]) / 3.0 * volume[i]
        traded += volume[i]
        out[i] = value / traded if traded > 0.0 else np.nan


@numba.njit(cache=True)
def mfi(high: Array, low: Array, close: Array, volume: Array, n: int, out: Array) -> None:
    """100 · inflow / (inflow + outflow) over the last ``n`` typical-price changes (TA-Lib).

    A change within ``DEAD_ZONE`` of the two prices is no move and carries no flow. Flows are
    kept in a ring of ``n`` bars and slid in and out of the two sums; after ``n`` bars in a row
    without flow the window is known to be empty and both sums are set to exactly 0 (sliding
    leaves rounding of either sign). The inflow is clamped to [0, total] so the index stays in
    [0, 100]; an empty window reads 0.
    """
    size = close.shape[0]
    fill_nan(out, n)
    if size <= n:
        return
    ring_pos = np.zeros(n)
    ring_neg = np.zeros(n)
    pos_sum = 0.0
    neg_sum = 0.0
    idle = 0
    slot = 0
    prev = (high[0] + low[0] + close[0]) / 3.0
    for i in range(1, size):
        if i > n:
            pos_sum -= ring_pos[slot]
            neg_sum -= ring_neg[slot]
        tp = (high[i] + low[i] + close[i]) / 3.0
        change = tp - prev
        # Masks as 0.0/1.0 factors, not branches: the direction of each change is a coin toss
        # to the CPU. Multiplying a flow (≥ 0) by 1 or 0 and adding 0 to a sum are exact.
        moved = np.float64(abs(change) > DEAD_ZONE * (abs(tp) + abs(prev)))
        down = np.float64(change < 0.0)
        flow = tp * volume[i] * moved
        neg = flow * down
        pos = flow * (1.0 - down)
        prev = tp
        ring_pos[slot] = pos
        ring_neg[slot] = neg
        slot = slot + 1 if slot + 1 < n else 0
        pos_sum += pos
        neg_sum += neg
        idle = idle + 1 if flow == 0.0 else 0
        if idle >= n:
            idle = n
            pos_sum = 0.0
            neg_sum = 0.0
        if i >= n:
            total = pos_sum + neg_sum
            inflow = min(max(pos_sum, 0.0), total)
            out[i] = 100.0 * (inflow / total) if total > 0.0 else 0.0
