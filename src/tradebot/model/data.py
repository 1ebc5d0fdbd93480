"""Market data messages. Immutable; timestamps are UTC integer nanoseconds.

A bar's ``ts_event`` is the time it *closes*: the engine delivers it then, so a strategy can
never see a bar before it is complete. ``ts_open`` is kept for reports and resampling.
"""

from __future__ import annotations

import msgspec

from tradebot.model.enums import AggressorSide
from tradebot.model.identifiers import InstrumentId


class Bar(msgspec.Struct, frozen=True, gc=False):
    """One OHLCV candle for ``instrument_id`` on ``timeframe``."""

    instrument_id: InstrumentId
    timeframe: str
    ts_open: int
    ts_event: int
    open: float
    high: float
    low: float
    close: float
    volume: float


class QuoteTick(msgspec.Struct, frozen=True, gc=False):
    """Top of the book: best bid and ask with their sizes."""

    instrument_id: InstrumentId
    ts_event: int
    bid: float
    ask: float
    bid_size: float
    ask_size: float

    @property
    def mid(self) -> float:
        """Midpoint of bid and ask."""
        return 0.5 * (self.bid + self.ask)


class TradeTick(msgspec.Struct, frozen=True, gc=False):
    """One public trade."""

    instrument_id: InstrumentId
    ts_event: int
    price: float
    size: float
    aggressor: AggressorSide = AggressorSide.UNKNOWN
    trade_id: str = ""


class FundingRate(msgspec.Struct, frozen=True, gc=False):
    """A funding rate that is paid at ``ts_event`` on a perpetual (fraction per interval)."""

    instrument_id: InstrumentId
    ts_event: int
    rate: float


MarketEvent = Bar | QuoteTick | TradeTick | FundingRate
"""Everything a data source may emit."""

__all__ = ["Bar", "FundingRate", "MarketEvent", "QuoteTick", "TradeTick"]
