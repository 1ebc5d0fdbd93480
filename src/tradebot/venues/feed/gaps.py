"""Bar continuity: which bars were missed, and which arrive twice, per instrument and timeframe."""

from __future__ import annotations

from tradebot.model.data import Bar
from tradebot.model.identifiers import InstrumentId


class BarGaps:
    """Remembers the last delivered bar's open time for each (instrument, timeframe)."""

    def __init__(self) -> None:
        self._last: dict[tuple[InstrumentId, str], int] = {}

    def is_duplicate(self, bar: Bar) -> bool:
        """True when a bar opening at or before ``bar`` was already delivered."""
        last = self._last.get((bar.instrument_id, bar.timeframe))
        return last is not None and bar.ts_open <= last

    def missing(self, bar: Bar) -> tuple[int, int] | None:
        """``(since, until)``: the open times ``[since, until)`` missed before ``bar``."""
        last = self._last.get((bar.instrument_id, bar.timeframe))
        if last is None:
            return None
        since = last + (bar.ts_event - bar.ts_open)
        return (since, bar.ts_open) if bar.ts_open > since else None

    def mark(self, bar: Bar) -> None:
        """Record ``bar`` as delivered."""
        self._last[(bar.instrument_id, bar.timeframe)] = bar.ts_open


__all__ = ["BarGaps"]
