"""Black-Scholes-Merton prices and greeks on spot with a continuous yield (dividend or carry).

``q`` covers a dividend yield, a foreign rate (FX) or a funding/borrow yield; the forward is
``S·e^((r − q)T)``. Units follow QuantLib's ``AnalyticEuropeanEngine``: vega and rho per 1.00
(not per 1 %), theta per year of calendar time (negative for a long vanilla, as a rule).
"""

from __future__ import annotations

from typing import overload

import numpy.typing as npt

from tradebot.options.pricing._arrays import FloatArray, finish, prepare
from tradebot.options.pricing._dispatch import greeks_dict, run_greeks, run_price

_NAMES = ("S", "K", "T", "r", "q", "sigma")


@overload
def bs_price(
    S: float, K: float, T: float, r: float, q: float, sigma: float, is_call: bool
) -> float: ...
@overload
def bs_price(
    S: npt.ArrayLike,
    K: npt.ArrayLike,
    T: npt.ArrayLike,
    r: npt.ArrayLike,
    q: npt.ArrayLike,
    sigma: npt.ArrayLike,
    is_call: npt.ArrayLike,
) -> FloatArray: ...
def bs_price(
    S: npt.ArrayLike,
    K: npt.ArrayLike,
    T: npt.ArrayLike,
    r: npt.ArrayLike,
    q: npt.ArrayLike,
    sigma: npt.ArrayLike,
    is_call: npt.ArrayLike,
) -> float | FloatArray:
    """European option price under Black-Scholes-Merton.

    Parameters
    ----------
    S, K, T, r, q, sigma
        Spot, strike, time to expiry in years (:func:`year_fraction`), continuously compounded
        rate and yield, volatility. Scalars or arrays that broadcast together.
    is_call
        True for a call, False for a put (a bool array mixes them).

    Returns
    -------
    float or numpy.ndarray
        A float if every argument is a scalar, else a float64 array of the broadcast shape.
        NaN where an input is invalid (non-finite, ``S`` or ``K`` ≤ 0, ``T`` or ``sigma`` < 0).
        At ``T = 0`` (or ``sigma = 0``) the value on the forward: discounted intrinsic.

    Raises
    ------
    ValueError
        If the shapes do not broadcast (the message names the argument).
    """
    batch = prepare(_NAMES, (S, K, T, r, q, sigma), "is_call", is_call)
    return finish(batch, run_price(batch, *batch.values))


@overload
def bs_greeks(
    S: float, K: float, T: float, r: float, q: float, sigma: float, is_call: bool
) -> dict[str, float]: ...
@overload
def bs_greeks(
    S: npt.ArrayLike,
    K: npt.ArrayLike,
    T: npt.ArrayLike,
    r: npt.ArrayLike,
    q: npt.ArrayLike,
    sigma: npt.ArrayLike,
    is_call: npt.ArrayLike,
) -> dict[str, FloatArray]: ...
def bs_greeks(
    S: npt.ArrayLike,
    K: npt.ArrayLike,
    T: npt.ArrayLike,
    r: npt.ArrayLike,
    q: npt.ArrayLike,
    sigma: npt.ArrayLike,
    is_call: npt.ArrayLike,
) -> dict[str, float] | dict[str, FloatArray]:
    """Price and all greeks under Black-Scholes-Merton, from one pass over the options.

    Arguments, broadcasting, NaN rules and errors as :func:`bs_price`.

    Returns
    -------
    dict
        ``price``; ``delta`` = ∂V/∂S = ±e^(−qT)·N(±d1); ``gamma`` = ∂²V/∂S²; ``vega`` = ∂V/∂σ
        per 1.00 of vol; ``theta`` = −∂V/∂T per year (QuantLib's ``theta()``: the PDE
        ``rV − (r − q)SΔ − ½σ²S²Γ``); ``rho`` = ∂V/∂r per 1.00 with ``q`` fixed. Floats for
        scalar input, else arrays. At ``T = 0``: intrinsic value, delta ±1 in the money (±½
        at the money, 0 out of it), every other greek 0.
    """
    batch = prepare(_NAMES, (S, K, T, r, q, sigma), "is_call", is_call)
    s, k, t, r_, q_, sigma_ = batch.values
    return greeks_dict(batch, run_greeks(batch, s, k, t, r_, q_, sigma_, carry_follows_rate=True))
