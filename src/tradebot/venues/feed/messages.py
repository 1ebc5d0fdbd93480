"""Bus messages the feed supervisor publishes (read by metrics and readiness)."""

from __future__ import annotations

import msgspec

from tradebot.model.identifiers import InstrumentId


class MarketDataLag(msgspec.Struct, frozen=True):
    """How late ``instrument_id``'s latest event arrived: receive time on the clock minus the
    event's own ``ts_event``, in nanoseconds (negative if the venue's clock runs ahead)."""

    venue: str
    instrument_id: InstrumentId
    lag_ns: int
    ts_event: int
    """Receive time on the clock."""


__all__ = ["MarketDataLag"]
