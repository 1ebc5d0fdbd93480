"""How a venue lists options on one underlying: names, premium currency, increments and fees.

Deribit options are *inverse*: the premium is quoted and paid in the coin (BTC, ETH) and the
option settles in the coin at expiry. They are modelled as instruments whose prices are in the
coin (``quote == underlying``): P&L is then linear in the premium and booked in the coin, and
only pricing needs the conversion (USD value / index price). US equity options are linear:
premium and settlement in USD, 100 shares per contract.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from tradebot.model.enums import OptionKind, Settlement
from tradebot.model.identifiers import InstrumentId
from tradebot.model.instruments import Option

_CALL = OptionKind.CALL


@dataclass(frozen=True, slots=True)
class OptionSpec:
    """Listing rules of one option series.

    Parameters
    ----------
    venue : str
        Venue name used in instrument ids.
    underlying : str
        The asset (``BTC``); also the exposure asset of every option.
    quote : str
        Premium currency: the coin for inverse (Deribit) options, ``USD`` for linear ones.
    price_increment, size_increment, min_quantity, multiplier : Decimal
        Tick (in the premium currency), lot, minimum size and underlying units per contract.
    maker_fee, taker_fee : float
        Fee per contract as a fraction of the underlying's value (Deribit: 0.03 %).
    """

    venue: str = "DERIBIT"
    underlying: str = "BTC"
    quote: str = "BTC"
    price_increment: Decimal = Decimal("0.0001")
    size_increment: Decimal = Decimal("0.1")
    min_quantity: Decimal = Decimal("0.1")
    multiplier: Decimal = Decimal("1")
    maker_fee: float = 0.0003
    taker_fee: float = 0.0003

    @property
    def premium_in_underlying(self) -> bool:
        """True for inverse options: premiums are in the coin, not in USD."""
        return self.quote == self.underlying

    def symbol(self, expiry_ns: int, strike: float, kind: OptionKind) -> str:
        """CCXT-style option symbol, e.g. ``BTC/USD:BTC-200515-9000-C``."""
        day = datetime.fromtimestamp(expiry_ns / 1e9, tz=UTC).strftime("%y%m%d")
        strike_text = f"{strike:.0f}" if float(strike).is_integer() else f"{strike:g}"
        settle = self.quote
        usd = "USD" if self.premium_in_underlying else self.quote
        right = "C" if kind is _CALL else "P"
        return f"{self.underlying}/{usd}:{settle}-{day}-{strike_text}-{right}"

    def instrument(self, expiry_ns: int, strike: float, kind: OptionKind) -> Option:
        """The instrument of one contract of this series."""
        if not (strike > 0 and math.isfinite(strike)):
            raise ValueError(f"strike must be a positive number, got {strike!r}")
        return Option(
            id=InstrumentId(self.symbol(expiry_ns, strike, kind), self.venue),
            base=self.underlying,
            quote=self.quote,
            settlement=Settlement.LINEAR,
            price_increment=self.price_increment,
            size_increment=self.size_increment,
            min_quantity=self.min_quantity,
            multiplier=self.multiplier,
            maker_fee=self.maker_fee,
            taker_fee=self.taker_fee,
            underlying=self.underlying,
            strike=float(strike),
            expiry_ns=int(expiry_ns),
            kind=kind,
        )


DERIBIT_BTC = OptionSpec()
"""Deribit BTC options: premium in BTC, 0.1 BTC lots, tick 0.0001 BTC (0.0005 above 0.005)."""
DERIBIT_ETH = OptionSpec(
    underlying="ETH", quote="ETH", size_increment=Decimal("1"), min_quantity=Decimal("1")
)
"""Deribit ETH options: premium in ETH, 1 ETH lots."""

__all__ = ["DERIBIT_BTC", "DERIBIT_ETH", "OptionSpec"]
