"""What an option costs to trade, hold and settle on a Deribit-style venue.

Fees are charged on the underlying, not on the premium (Deribit: 0.03 % of the underlying per
contract) but never more than a share of the premium (12.5 %), so that cheap far-OTM options
are not eaten by fees. A short option ties up margin like a naked one: 15 % of the underlying
less how far out of the money it is, at least 10 %, plus its mark.
"""

from __future__ import annotations

from tradebot.model.enums import OptionKind
from tradebot.model.instruments import Option

_CALL = OptionKind.CALL
FEE_CAP = 0.125
"""Fees never exceed this fraction of the premium."""
SETTLEMENT_FEE = 0.00015
"""Fee at expiry as a fraction of the underlying (in-the-money options only)."""
NAKED_BASE = 0.15
NAKED_MIN = 0.10


def premium_in_underlying(option: Option) -> bool:
    """True for inverse options, whose premium is quoted in the coin."""
    return option.quote == option.underlying


def _underlying_units(option: Option, index_price: float) -> float:
    """One unit of the underlying in the premium currency."""
    return 1.0 if premium_in_underlying(option) else index_price


def trading_fee(
    option: Option, quantity: float, premium: float, index_price: float, rate: float
) -> float:
    """Fee in the premium currency for ``quantity`` contracts traded at ``premium``."""
    mult = float(option.multiplier)
    per_contract = rate * mult * _underlying_units(option, index_price)
    return abs(quantity) * min(per_contract, FEE_CAP * premium * mult)


def settlement_value(option: Option, index_price: float) -> float:
    """Value of one contract at expiry per unit of premium price (inverse: intrinsic / index)."""
    if option.kind is _CALL:
        intrinsic = max(index_price - option.strike, 0.0)
    else:
        intrinsic = max(option.strike - index_price, 0.0)
    return intrinsic / index_price if premium_in_underlying(option) else intrinsic


def settlement_fee(option: Option, quantity: float, value: float, index_price: float) -> float:
    """Fee at expiry for ``quantity`` contracts settling at ``value`` (0 when worthless)."""
    if value <= 0:
        return 0.0
    mult = float(option.multiplier)
    per_contract = SETTLEMENT_FEE * mult * _underlying_units(option, index_price)
    return abs(quantity) * min(per_contract, FEE_CAP * value * mult)


def naked_margin(option: Option, quantity: float, mark: float, index_price: float) -> float:
    """Initial margin in the premium currency for ``quantity`` contracts sold uncovered."""
    if option.kind is _CALL:
        otm = max(option.strike - index_price, 0.0)
    else:
        otm = max(index_price - option.strike, 0.0)
    rate = max(NAKED_BASE - otm / index_price, NAKED_MIN)
    mult = float(option.multiplier)
    return abs(quantity) * mult * (rate * _underlying_units(option, index_price) + mark)


__all__ = [
    "FEE_CAP",
    "SETTLEMENT_FEE",
    "naked_margin",
    "premium_in_underlying",
    "settlement_fee",
    "settlement_value",
    "trading_fee",
]
