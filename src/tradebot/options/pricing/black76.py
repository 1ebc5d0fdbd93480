"""Black-76 prices and greeks on a forward or futures price, discounted at ``r``.

This is how Deribit prices its options: on the ``underlying_price`` of the ticker (the forward
of that expiry) with ``r = 0``. The greeks are those of QuantLib's ``BlackCalculator`` with the
forward as the underlying: delta = ∂V/∂F = ±e^(−rT)·N(±d1) (``deltaForward()``: the
undiscounted forward delta times the discount factor; with ``r = 0`` that is exactly the delta
in Deribit's tickers), gamma = ∂²V/∂F², vega per 1.00 of vol, theta per year with ``F`` held
fixed (``r·V − ½σ²F²Γ``) and rho = ∂V/∂r with ``F`` held fixed = ``−T·V``.
"""

from __future__ import annotations

from typing import overload

import numpy.typing as npt

from tradebot.options.pricing._arrays import FloatArray, finish, prepare
from tradebot.options.pricing._dispatch import greeks_dict, run_greeks, run_price

_NAMES = ("F", "K", "T", "r", "sigma")


@overload
def black76_price(F: float, K: float, T: float, r: float, sigma: float, is_call: bool) -> float: ...
@overload
def black76_price(
    F: npt.ArrayLike,
    K: npt.ArrayLike,
    T: npt.ArrayLike,
    r: npt.ArrayLike,
    sigma: npt.ArrayLike,
    is_call: npt.ArrayLike,
) -> FloatArray: ...
def black76_price(
    F: npt.ArrayLike,
    K: npt.ArrayLike,
    T: npt.ArrayLike,
    r: npt.ArrayLike,
    sigma: npt.ArrayLike,
    is_call: npt.ArrayLike,
) -> float | FloatArray:
    """European option price under Black-76: ``e^(−rT)·(±F·N(±d1) ∓ K·N(±d2))``.

    Arguments, broadcasting, return type, NaN rules and errors as
    :func:`~tradebot.options.pricing.bs_price`, with the forward ``F`` in place of spot and no
    yield.
    """
    batch = prepare(_NAMES, (F, K, T, r, sigma), "is_call", is_call)
    f, k, t, r_, sigma_ = batch.values
    return finish(batch, run_price(batch, f, k, t, r_, r_, sigma_))


@overload
def black76_greeks(
    F: float, K: float, T: float, r: float, sigma: float, is_call: bool
) -> dict[str, float]: ...
@overload
def black76_greeks(
    F: npt.ArrayLike,
    K: npt.ArrayLike,
    T: npt.ArrayLike,
    r: npt.ArrayLike,
    sigma: npt.ArrayLike,
    is_call: npt.ArrayLike,
) -> dict[str, FloatArray]: ...
def black76_greeks(
    F: npt.ArrayLike,
    K: npt.ArrayLike,
    T: npt.ArrayLike,
    r: npt.ArrayLike,
    sigma: npt.ArrayLike,
    is_call: npt.ArrayLike,
) -> dict[str, float] | dict[str, FloatArray]:
    """Price and greeks under Black-76 (keys as :func:`~tradebot.options.pricing.bs_greeks`).

    Greeks are with respect to the forward, as the module docstring defines them.
    """
    batch = prepare(_NAMES, (F, K, T, r, sigma), "is_call", is_call)
    f, k, t, r_, sigma_ = batch.values
    return greeks_dict(batch, run_greeks(batch, f, k, t, r_, r_, sigma_, carry_follows_rate=False))
