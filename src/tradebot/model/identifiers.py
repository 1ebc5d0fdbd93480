"""Identifier value types: an id is never a bare string in the domain."""

from __future__ import annotations

from typing import NewType

import msgspec

ClientOrderId = NewType("ClientOrderId", str)
"""Our own id for an order; deterministic and unique per run, sent to the venue for idempotency."""

VenueOrderId = NewType("VenueOrderId", str)
"""The venue's id for an order."""

TradeId = NewType("TradeId", str)
"""The venue's id for one execution."""

StrategyId = NewType("StrategyId", str)
"""Name of a running strategy instance, for example ``sma_cross-1``."""


class InstrumentId(msgspec.Struct, frozen=True, cache_hash=True, order=True):
    """A tradable instrument on one venue.

    ``symbol`` follows CCXT's unified notation so that adapters map it one to one:
    ``BTC/USDT`` (spot), ``BTC/USDT:USDT`` (linear perpetual), ``BTC/USD:BTC`` (inverse
    perpetual), ``BTC/USD:BTC-221230`` (dated future), ``BTC/USD:BTC-221230-17000-C`` (option).
    """

    symbol: str
    venue: str

    def __str__(self) -> str:
        return f"{self.symbol}@{self.venue}"

    @classmethod
    def parse(cls, text: str) -> InstrumentId:
        """Read ``SYMBOL@VENUE`` back into an id.

        Raises
        ------
        ValueError
            If the text has no ``@`` separating a non-empty symbol and venue.
        """
        symbol, sep, venue = text.rpartition("@")
        if not sep or not symbol or not venue:
            raise ValueError(f"instrument id '{text}' is not of the form SYMBOL@VENUE")
        return cls(symbol, venue)


__all__ = ["ClientOrderId", "InstrumentId", "StrategyId", "TradeId", "VenueOrderId"]
