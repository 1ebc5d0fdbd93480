"""What the live execution client keeps: its settings and its view of each order it sent.

Kept apart from :mod:`tradebot.execution.live_client` (the behaviour) so the reconciler and the
multi-leg paths can share the order state without importing the whole client.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal, Protocol

import msgspec

from tradebot.execution.retry import RetryPolicy
from tradebot.execution.smart_limit import SmartLimitParams
from tradebot.model.orders import Order

if TYPE_CHECKING:
    from tradebot.execution.live_structures import Combo


class AlertClock(Protocol):
    """The engine's clock as the client needs it (``engine.clock.SimulatedClock`` fits)."""

    def now_ns(self) -> int:
        """Current time, UTC ns."""
        ...

    def set_alert(self, ts_ns: int, callback: Callable[[int], None]) -> None:
        """Call ``callback(ts_ns)`` once the clock reaches ``ts_ns``."""
        ...


class LiveClientConfig(msgspec.Struct, frozen=True, kw_only=True):
    """Settings of the live execution client.

    ``poll_every_s`` / ``reconcile_every_s``: engine-clock intervals of the fill poll and of
    reconciliation (0 switches them off). ``unknown_orders``: what reconciliation does with an
    open venue order the engine never sent (``cancel`` it, ``adopt`` it as a manual order, or
    ``ignore`` it). ``smart_limit``: work plain market orders (not reduce-only) as smart-limit
    orders with these parameters. ``fill_lookback_s``: how far before the last fill seen the
    poll asks again (fills arriving late at the venue's API are still found; duplicates are
    dropped by trade id).
    """

    retry: RetryPolicy = msgspec.field(default_factory=RetryPolicy)
    poll_every_s: float = 1.0
    reconcile_every_s: float = 300.0
    unknown_orders: Literal["cancel", "adopt", "ignore"] = "cancel"
    heal_positions: bool = True
    heal_balances: bool = True
    book_external_fills: bool = True
    terminal_grace_polls: int = 3
    fill_lookback_s: float = 60.0
    shutdown_timeout_s: float = 10.0
    smart_limit: SmartLimitParams | None = None


class _Smart:
    __slots__ = ("arrival_mid", "params", "price", "step")

    def __init__(self, params: SmartLimitParams, arrival_mid: float, price: float) -> None:
        self.params = params
        self.arrival_mid = arrival_mid
        self.price = price
        self.step = 0


class Tracked:
    """What the client knows and has reported about one order (async side only)."""

    __slots__ = (
        "accepted",
        "cancel_requested",
        "closed",
        "combo",
        "filled",
        "grace",
        "lock",
        "order",
        "sent",
        "since_ns",
        "smart",
        "symbol",
        "terminal",
        "terminal_reason",
        "uncertain",
        "venue_avg",
        "venue_filled",
    )

    def __init__(self, order: Order, symbol: str, since_ns: int) -> None:
        self.order = order
        self.symbol = symbol
        self.since_ns = since_ns
        self.lock = asyncio.Lock()
        self.accepted = False
        self.closed = False
        """A final state (filled, canceled, rejected) was reported."""
        self.filled = 0.0
        """Quantity reported filled."""
        self.sent = False
        """The venue confirmed it has the order."""
        self.uncertain = False
        """A create may have reached the venue without our knowing."""
        self.cancel_requested = False
        self.terminal: str | None = None
        """The venue's final status, waiting for its fills to be reported."""
        self.terminal_reason = ""
        self.venue_filled = 0.0
        self.venue_avg: float | None = None
        self.grace = 0
        self.smart: _Smart | None = None
        self.combo: Combo | None = None
        """The combo order this leg travels in (multi-leg structures)."""

    @property
    def working(self) -> bool:
        """Open as far as the client reported."""
        return not self.closed


def seconds_ns(seconds: float) -> int:
    """A settings interval in seconds as engine-clock nanoseconds."""
    return round(seconds * 1e9)


__all__ = ["AlertClock", "LiveClientConfig", "Tracked", "seconds_ns"]
