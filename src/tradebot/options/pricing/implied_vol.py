"""Implied volatility under Black-Scholes-Merton or Black-76, vectorised and robust.

The algorithm (normalised Black, two-regime guess, order-3 Householder steps in a shrinking
bracket) is described in :mod:`tradebot.options.pricing._solver`. The answer is NaN, never a
wrong number, when σ cannot be identified:

* a price at or below the no-arbitrage lower bound (discounted intrinsic value on the forward,
  0 for an out-of-the-money option) or at or above the upper bound (``S·e^(−qT)`` for a call,
  ``K·e^(−rT)`` for a put; ``F·e^(−rT)`` for a Black-76 call);
* a time value so small that it is subnormal relative to ``√(FK)`` (< 1e-300);
* ``T ≤ 0``, a non-finite input, ``S`` or ``K`` ≤ 0, or no convergence.

Where vega is negligible (far wings, minutes to expiry) many σ give the same float price; the
σ returned is one of them, so pricing it gives the input price back (to ~1e-12 relative), while
σ itself is only as precise as the price allows.
"""

from __future__ import annotations

from typing import Literal, overload

import numpy as np
import numpy.typing as npt

from tradebot.options.pricing import _solver
from tradebot.options.pricing._arrays import FloatArray, finish, prepare

Model = Literal["bs", "black76"]

_NAMES = ("price", "S", "K", "T", "r", "q")


@overload
def implied_vol(
    price: float,
    S: float,
    K: float,
    T: float,
    r: float,
    q: float,
    is_call: bool,
    model: Model = "bs",
) -> float: ...
@overload
def implied_vol(
    price: npt.ArrayLike,
    S: npt.ArrayLike,
    K: npt.ArrayLike,
    T: npt.ArrayLike,
    r: npt.ArrayLike,
    q: npt.ArrayLike,
    is_call: npt.ArrayLike,
    model: Model = "bs",
) -> FloatArray: ...
def implied_vol(
    price: npt.ArrayLike,
    S: npt.ArrayLike,
    K: npt.ArrayLike,
    T: npt.ArrayLike,
    r: npt.ArrayLike,
    q: npt.ArrayLike,
    is_call: npt.ArrayLike,
    model: Model = "bs",
) -> float | FloatArray:
    """Volatility that reproduces ``price``.

    Parameters
    ----------
    price
        Option premium (discounted, in the same currency as ``S`` and ``K``).
    S
        Spot for ``model="bs"``; the forward ``F`` for ``model="black76"``.
    K, T, r, q, is_call
        As :func:`~tradebot.options.pricing.bs_price`; ``q`` is ignored by Black-76 (pass 0).
    model
        ``"bs"`` (Black-Scholes-Merton) or ``"black76"``.

    Returns
    -------
    float or numpy.ndarray
        σ per year (0.8 = 80 %); NaN where it cannot be identified (see the module docstring).

    Raises
    ------
    ValueError
        For an unknown ``model`` or shapes that do not broadcast (the message names them).
    """
    if model not in ("bs", "black76"):
        raise ValueError(f"model must be 'bs' or 'black76', got {model!r}")
    batch = prepare(_NAMES, (price, S, K, T, r, q), "is_call", is_call)
    p, s, k, t, r_, q_ = batch.values
    if model == "black76":
        q_ = r_  # zero carry: the forward is the underlying
    out = np.empty(batch.size, dtype=np.float64)
    kernel = _solver.implied_vol_parallel if batch.parallel else _solver.implied_vol_serial
    kernel(p, s, k, t, r_, q_, batch.flags, out)
    return finish(batch, out)
