"""Pick a few thousand representative points out of a long series, vectorised."""

from __future__ import annotations

import math

import numpy as np

from tradebot.backtest.result import FloatArray, IntArray


def minmax_indices(values: FloatArray, max_points: int) -> IntArray:
    """Indices of at most ``max_points`` points that keep the series' shape.

    The series is cut into ``(max_points - 2) // 2`` equal buckets and each bucket keeps the
    index of its minimum and of its maximum (plus the first and last points overall), so that
    spikes and troughs (a drawdown's bottom, a wick) survive however long the series is. A
    plain stride would step over them. NaN counts neither as a minimum nor as a maximum.

    Parameters
    ----------
    values : array of float
        The series, in time order.
    max_points : int
        Upper bound on the number of indices returned (at least 4).

    Returns
    -------
    array of int
        Sorted, unique indices into ``values``; every index when the series is short enough.
    """
    n = len(values)
    if n <= max_points:
        return np.arange(n, dtype=np.int64)
    buckets = max(1, (max_points - 2) // 2)
    size = math.ceil(n / buckets)
    padded = np.full(buckets * size, np.nan)
    padded[:n] = values
    grid = padded.reshape(buckets, size)
    low = np.where(np.isnan(grid), np.inf, grid).argmin(axis=1)
    high = np.where(np.isnan(grid), -np.inf, grid).argmax(axis=1)
    offsets = np.arange(buckets, dtype=np.int64) * size
    keep = np.concatenate(([0, n - 1], offsets + low, offsets + high))
    return np.unique(np.minimum(keep, n - 1)).astype(np.int64)


__all__ = ["minmax_indices"]
