"""Numba-compiled loops behind the batch indicators (:mod:`tradebot.indicators.batch`).

The recursive indicators (EMA, Wilder's smoothing, SuperTrend) cannot be vectorised in NumPy,
and the rolling ones are faster as one pass than as window views; one compiled loop each keeps
every indicator within TA-Lib's speed. Kernels take contiguous float64 arrays, checked periods
and preallocated outputs, which they fill completely (NaN in the warm-up); the typed wrappers
do the checking and the allocating. ``fastmath`` stays off: the values must equal TA-Lib's.
"""
