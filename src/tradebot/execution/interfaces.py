"""Interfaces between the core and the venues. Venues implement them; the core owns them."""

from __future__ import annotations

from typing import Protocol

from tradebot.model.data import MarketEvent
from tradebot.model.events import FundingPaid, OrderFilled, PositionLiquidated
from tradebot.model.orders import Order


class ExecutionEvents(Protocol):
    """What a venue reports back about orders and the account."""

    def on_order_accepted(self, order: Order, ts: int) -> None:
        """The venue took the order."""
        ...

    def on_order_rejected(self, order: Order, reason: str, ts: int) -> None:
        """The venue refused the order."""
        ...

    def on_order_canceled(self, order: Order, reason: str, ts: int) -> None:
        """The order left the book without filling completely."""
        ...

    def on_order_triggered(self, order: Order, ts: int) -> None:
        """A stop order's trigger price was reached."""
        ...

    def on_order_filled(self, order: Order, fill: OrderFilled) -> None:
        """All or part of the order executed."""
        ...

    def on_funding(self, event: FundingPaid) -> None:
        """A perpetual funding payment was booked."""
        ...

    def on_liquidation(self, event: PositionLiquidated) -> None:
        """The venue liquidated a position (its fill arrives through ``on_order_filled``)."""
        ...


class ExecutionClient(Protocol):
    """A venue that takes orders: the paper venue, or a live adapter (CCXT, IBKR)."""

    venue: str

    def connect(self, events: ExecutionEvents) -> None:
        """Start reporting to ``events``."""
        ...

    def submit_order(self, order: Order) -> None:
        """Send a new order; the answer arrives through ``ExecutionEvents``."""
        ...

    def cancel_order(self, order: Order) -> None:
        """Ask the venue to cancel an open order."""
        ...


class SimulatedVenue(ExecutionClient, Protocol):
    """A venue that matches orders itself and must see market data before the strategies do."""

    def on_market(self, event: MarketEvent) -> None:
        """Match working orders against ``event``."""
        ...


__all__ = ["ExecutionClient", "ExecutionEvents", "SimulatedVenue"]
