"""Pieces shared by the option-selling strategies: ATM IV, what closing a held structure costs,
and its net delta (realised volatility is :class:`tradebot.options.synthetic.RealizedVol`)."""

from __future__ import annotations

import math

import numpy as np

from tradebot.model.instruments import Option
from tradebot.options.chain import OptionChain

_NS_PER_YEAR = 365.0 * 86_400 * 1e9


def atm_iv(chain: OptionChain, expiry_ns: int) -> float:
    """Mean IV of the call and put at the ATM strike of ``expiry_ns`` (NaN when unknown)."""
    strike = chain.atm_strike(expiry_ns)
    rows = (chain.expiry_ns == expiry_ns) & np.isclose(chain.strike, strike, rtol=0.0, atol=1e-9)
    ivs = chain.iv[rows]
    ivs = ivs[np.isfinite(ivs)]
    return float(ivs.mean()) if ivs.size else math.nan


def close_cost(chain: OptionChain, held: dict[Option, float]) -> float:
    """Premium paid to close ``held`` (signed contracts) now: the ask of what is bought back,
    less the bid of what is sold; NaN when a leg has no quote."""
    total = 0.0
    for option, quantity in held.items():
        if abs(quantity) <= 1e-12:
            continue
        try:
            quote = chain.quote(option.expiry_ns, option.strike, option.kind)
        except KeyError:
            return math.nan
        price = quote.ask if quantity < 0 else quote.bid
        if not math.isfinite(price):
            return math.nan
        total += -quantity * price
    return total


def options_delta(chain: OptionChain, held: dict[Option, float]) -> float:
    """Net delta of ``held`` in units of the underlying (NaN when a leg has no delta)."""
    total = 0.0
    for option, quantity in held.items():
        if abs(quantity) <= 1e-12:
            continue
        try:
            quote = chain.quote(option.expiry_ns, option.strike, option.kind)
        except KeyError:
            return math.nan
        total += quantity * quote.delta * float(option.multiplier)
    return total


__all__ = ["atm_iv", "close_cost", "options_delta"]
