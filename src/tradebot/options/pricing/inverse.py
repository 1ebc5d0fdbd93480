"""Coin-margined (inverse) options, as Deribit lists them: premium quoted in the coin.

Deribit computes the USD value with Black-76 on the ticker's ``underlying_price`` (the forward
of the expiry) and ``r = 0``, then divides by that same forward to quote ``mark_price`` in BTC
or ETH (checked on real tickers in the tests; at expiry forward and index coincide, so the
settlement divides by the index). The conversion is a plain division either way: pass the price
the premium is converted at.
"""

from __future__ import annotations

from typing import overload

import numpy as np
import numpy.typing as npt

from tradebot.options.pricing._arrays import FloatArray


def _binary(a: npt.ArrayLike, b: npt.ArrayLike, op: str) -> float | FloatArray:
    x = np.asarray(a, dtype=np.float64)
    y = np.asarray(b, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = x / y if op == "/" else (x * y if op == "*" else x - y)
    if x.ndim == 0 and y.ndim == 0:
        return float(out)
    return np.asarray(out, dtype=np.float64)


@overload
def to_coin_price(usd_price: float, index_price: float) -> float: ...
@overload
def to_coin_price(usd_price: npt.ArrayLike, index_price: npt.ArrayLike) -> FloatArray: ...
def to_coin_price(usd_price: npt.ArrayLike, index_price: npt.ArrayLike) -> float | FloatArray:
    """Premium in the coin: USD value / the coin's USD price (``index_price``)."""
    return _binary(usd_price, index_price, "/")


@overload
def to_usd_price(coin_price: float, index_price: float) -> float: ...
@overload
def to_usd_price(coin_price: npt.ArrayLike, index_price: npt.ArrayLike) -> FloatArray: ...
def to_usd_price(coin_price: npt.ArrayLike, index_price: npt.ArrayLike) -> float | FloatArray:
    """USD value of a premium quoted in the coin: coin price × ``index_price``."""
    return _binary(coin_price, index_price, "*")


@overload
def coin_delta(delta: float, coin_price: float) -> float: ...
@overload
def coin_delta(delta: npt.ArrayLike, coin_price: npt.ArrayLike) -> FloatArray: ...
def coin_delta(delta: npt.ArrayLike, coin_price: npt.ArrayLike) -> float | FloatArray:
    """Delta of the coin-denominated premium: USD delta − coin premium, calls and puts alike.

    With ``V`` the USD value and ``F`` the price it is converted at, the premium in the coin is
    ``V/F`` and ``F·∂(V/F)/∂F = ∂V/∂F − V/F``: holding the option in coin terms is the USD
    delta less the coin the premium itself is worth. This is the premium-adjusted delta a
    coin-margined book hedges with; the ``greeks.delta`` of Deribit's ticker is the plain USD
    (Black-76 forward) delta, without this adjustment.
    """
    return _binary(delta, coin_price, "-")
