"""Instrument definitions: what is traded, in which currency it settles, and its increments.

Every instrument is either *linear* (P&L and margin in the quote currency, e.g. USDT-margined
perpetuals) or *inverse* (contracts worth ``multiplier`` units of the quote currency, P&L and
margin in the base coin, as on Deribit and Binance COIN-M).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

from tradebot.model.enums import OptionKind, Settlement
from tradebot.model.identifiers import InstrumentId

# Enum members bound once: attribute access on an Enum class is slow on Python 3.11.
_SETTLE_LINEAR = Settlement.LINEAR
_SETTLE_INVERSE = Settlement.INVERSE

_NS_PER_YEAR = 365.0 * 86_400 * 1_000_000_000


def _decimals(increment: Decimal) -> int:
    exponent = increment.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Instrument:
    """Common fields of every instrument.

    Parameters
    ----------
    id : InstrumentId
        Symbol and venue.
    base, quote : str
        Currencies of the pair (``BTC`` and ``USDT`` for ``BTC/USDT``).
    settlement : Settlement
        Linear or inverse. Spot is linear.
    price_increment, size_increment : Decimal
        Tick size and lot size; prices are rounded to the tick, sizes floored to the lot.
    min_quantity : Decimal
        Smallest order size the venue accepts.
    multiplier : Decimal
        Contract size: base units per contract for linear, quote units per contract for inverse.
    maker_fee, taker_fee : float
        Default fee rates (fraction of notional), overridable by the venue configuration.
    """

    id: InstrumentId
    base: str
    quote: str
    settlement: Settlement = _SETTLE_LINEAR
    price_increment: Decimal = Decimal("0.01")
    size_increment: Decimal = Decimal("0.00000001")
    min_quantity: Decimal = Decimal("0")
    multiplier: Decimal = Decimal("1")
    maker_fee: float = 0.0002
    taker_fee: float = 0.0006
    _tick: float = field(init=False, repr=False, compare=False)
    _lot: float = field(init=False, repr=False, compare=False)
    _mult: float = field(init=False, repr=False, compare=False)
    _price_digits: int = field(init=False, repr=False, compare=False)
    _size_digits: int = field(init=False, repr=False, compare=False)
    is_inverse: bool = field(init=False, repr=False, compare=False)
    """True when P&L and margin are in the base coin."""
    is_derivative: bool = field(init=False, repr=False, compare=False)
    """True for contracts held as positions rather than as coin balances."""

    def __post_init__(self) -> None:
        if self.price_increment <= 0 or self.size_increment <= 0 or self.multiplier <= 0:
            raise ValueError(f"{self.id}: increments and multiplier must be positive")
        object.__setattr__(self, "_tick", float(self.price_increment))
        object.__setattr__(self, "_lot", float(self.size_increment))
        object.__setattr__(self, "_mult", float(self.multiplier))
        object.__setattr__(self, "_price_digits", _decimals(self.price_increment))
        object.__setattr__(self, "_size_digits", _decimals(self.size_increment))
        object.__setattr__(self, "is_inverse", self.settlement is _SETTLE_INVERSE)
        object.__setattr__(self, "is_derivative", not isinstance(self, Spot))

    @property
    def settlement_currency(self) -> str:
        """Currency in which P&L, fees and margin are booked."""
        return self.base if self.is_inverse else self.quote

    def round_price(self, price: float) -> float:
        """Round a price to the nearest tick."""
        return round(round(price / self._tick) * self._tick, self._price_digits)

    def floor_size(self, quantity: float) -> float:
        """Round a size down to the lot (a tiny tolerance absorbs float noise: 0.7 / 0.1 = 6.9…)."""
        ratio = quantity / self._lot
        # Float noise grows with the lot count (65.15929727 / 1e-8 = 6515929726.99…), so the
        # tolerance is relative as well as absolute.
        lots = math.floor(ratio + 1e-9 + abs(ratio) * 1e-15)
        return round(lots * self._lot, self._size_digits)

    def exposure_asset(self) -> str:
        """The asset whose price moves this instrument: the base (an option's underlying)."""
        return self.base

    def notional(self, quantity: float, price: float) -> float:
        """Value of ``quantity`` at ``price`` in the settlement currency."""
        if self.is_inverse:
            return quantity * self._mult / price
        return quantity * self._mult * price

    def pnl(self, quantity: float, entry_price: float, exit_price: float) -> float:
        """P&L of a signed ``quantity`` moved from entry to exit, in the settlement currency."""
        if self.is_inverse:
            return quantity * self._mult * (1.0 / entry_price - 1.0 / exit_price)
        return quantity * self._mult * (exit_price - entry_price)


@dataclass(frozen=True, slots=True, kw_only=True)
class Spot(Instrument):
    """A coin pair bought and sold outright; holdings live in account balances."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Perpetual(Instrument):
    """A perpetual swap with periodic funding.

    Parameters
    ----------
    funding_interval_hours : int
        Hours between funding payments (8 on most venues).
    max_leverage : float
        Highest leverage the venue allows.
    maintenance_margin : float
        Maintenance margin rate; a position is liquidated when equity falls below it.
    """

    funding_interval_hours: int = 8
    max_leverage: float = 100.0
    maintenance_margin: float = 0.005


@dataclass(frozen=True, slots=True, kw_only=True)
class Future(Instrument):
    """A dated future that settles at ``expiry_ns`` (UTC nanoseconds)."""

    expiry_ns: int
    max_leverage: float = 50.0
    maintenance_margin: float = 0.005


@dataclass(frozen=True, slots=True, kw_only=True)
class Option(Instrument):
    """A European option on ``underlying`` that expires at ``expiry_ns`` (UTC nanoseconds)."""

    underlying: str
    strike: float
    expiry_ns: int
    kind: OptionKind

    def exposure_asset(self) -> str:
        """The underlying: exposure limits count options with the rest of that asset."""
        return self.underlying

    def years_to_expiry(self, now_ns: int) -> float:
        """Time to expiry in years with nanosecond precision (0 once expired)."""
        return max(0.0, (self.expiry_ns - now_ns) / _NS_PER_YEAR)


__all__ = ["Future", "Instrument", "Option", "Perpetual", "Spot"]
