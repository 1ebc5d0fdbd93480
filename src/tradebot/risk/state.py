"""The account's trading state: which circuit breakers hold, since when, and why.

Each breaker is a named *block*. Opening orders are allowed only when no block is active;
closing orders are always allowed, so a trader is never locked into a position. Every change
is a :class:`RiskStateChanged` event with its time and reason.
"""

from __future__ import annotations

from enum import StrEnum

import msgspec

NS_PER_DAY = 86_400 * 10**9


class Block(StrEnum):
    """Why new positions are refused."""

    PAUSED = "paused"
    """A person paused trading (kill switch) or the drawdown pause fired; needs ``resume``."""
    CLOSE_ONLY = "close_only"
    """Drawdown from the equity peak passed the close-only level; lifts when it recovers."""
    DAILY_LOSS = "daily_loss"
    """The daily loss limit was hit; lifts at the next UTC day."""
    SAFE_MODE = "safe_mode"
    """Market data on a traded symbol went stale; lifts when fresh data returns."""


class RiskStateChanged(msgspec.Struct, frozen=True):
    """A block was raised (``active``) or lifted, at ``ts_event``, for ``reason``."""

    ts_event: int
    block: str
    active: bool
    reason: str
    symbol: str = ""


class RiskState:
    """Active blocks, time spent under each, and the day's counters."""

    def __init__(self) -> None:
        self.active: dict[str, str] = {}
        """Block key (a :class:`Block`, or ``safe_mode:SYMBOL``) → the reason it was raised."""
        self.events: list[RiskStateChanged] = []
        self.time_in: dict[str, int] = {}
        """Nanoseconds spent under each block."""
        self._since: dict[str, int] = {}
        self.day = -1
        self.day_start_nlv = 0.0
        self.peak_nlv = 0.0
        self.trades_today = 0
        self.symbols_blocked_today: dict[str, str] = {}

    @property
    def opening_allowed(self) -> bool:
        """True when no block is active."""
        return not self.active

    def reason(self) -> str:
        """The reasons of the active blocks, joined."""
        return "; ".join(self.active.values())

    def raise_block(
        self, key: str, ts: int, reason: str, symbol: str = ""
    ) -> RiskStateChanged | None:
        """Activate ``key``; return the event, or None when it was already active."""
        if key in self.active:
            return None
        self.active[key] = reason
        self._since[key] = ts
        event = RiskStateChanged(ts, key, True, reason, symbol)
        self.events.append(event)
        return event

    def lift(self, key: str, ts: int, reason: str, symbol: str = "") -> RiskStateChanged | None:
        """Deactivate ``key``; return the event, or None when it was not active."""
        if key not in self.active:
            return None
        del self.active[key]
        bucket = key.split(":", 1)[0]
        self.time_in[bucket] = self.time_in.get(bucket, 0) + ts - self._since.pop(key)
        event = RiskStateChanged(ts, key, False, reason, symbol)
        self.events.append(event)
        return event

    def close_books(self, ts: int) -> None:
        """Count the time of blocks still active at the end of a run."""
        for key, since in list(self._since.items()):
            bucket = key.split(":", 1)[0]
            self.time_in[bucket] = self.time_in.get(bucket, 0) + ts - since
            self._since[key] = ts


__all__ = ["NS_PER_DAY", "Block", "RiskState", "RiskStateChanged"]
