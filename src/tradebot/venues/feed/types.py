"""What a market-data source hands the feed supervisor, and the hooks the supervisor calls.

A *source* is an async-iterator factory: calling it opens one connection and yields one item
per message received, until the connection ends (the iterator stops or raises). The items are
parsed events, or a marker for a message that carried no event (so a quiet but alive stream is
not mistaken for a stall) or could not be parsed (so it is counted and dropped instead of
ending the stream).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Protocol

import msgspec

from tradebot.model.data import Bar, MarketEvent
from tradebot.model.identifiers import InstrumentId


class Malformed(msgspec.Struct, frozen=True):
    """A message that could not be parsed; ``kind`` is a short label (``json``, ``envelope``,
    or the message's own kind such as ``bookTicker``)."""

    kind: str
    detail: str = ""


class Ignored(msgspec.Struct, frozen=True):
    """A well-formed message that carries no event the feed delivers (depth, open kline …)."""

    kind: str


SourceItem = MarketEvent | Malformed | Ignored
"""One received message, as a source yields it."""

SourceFactory = Callable[[], AsyncIterator[SourceItem]]
"""Opens one connection and yields its messages (an ``async def … yield`` function fits)."""

Backfill = Callable[[InstrumentId, str, int, int], Awaitable[Sequence[Bar]]]
"""``backfill(instrument, timeframe, since_ns, until_ns)``: the bars whose ``ts_open`` lies in
``[since_ns, until_ns)``, fetched over REST (any order; the supervisor sorts and filters)."""


class SafeModeControl(Protocol):
    """The risk side's switch (``RiskEngine.breakers`` fits): closing orders only while on."""

    def enter_safe_mode(self, ts: int, reason: str, source: str = ...) -> None:
        """Raise safe mode for ``source``."""
        ...

    def leave_safe_mode(self, ts: int, reason: str, source: str = ...) -> None:
        """Lift the safe mode raised for ``source``."""
        ...


__all__ = ["Backfill", "Ignored", "Malformed", "SafeModeControl", "SourceFactory", "SourceItem"]
