"""Numba-compiled loops behind the batch indicators.

The recursive indicators (EMA, Wilder smoothing, SuperTrend) cannot be vectorised in NumPy,
and the rolling ones are faster as one pass than as window views; one compiled loop each keeps
every indicator within TA-Lib's speed. Kernels take contiguous float64 arrays and checked
periods; the typed wrappers in :mod:`tradebot.indicators.batch` do the checking.
"""
