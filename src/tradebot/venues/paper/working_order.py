"""The paper venue's own view of an order it holds."""

from __future__ import annotations

from dataclasses import dataclass

from tradebot.model.orders import Order


@dataclass(slots=True)
class WorkingOrder:
    """An order resting at the paper venue.

    ``quantity`` starts as the order's size, or 0 for an order sized in quote currency until
    its first fill sizes it. ``arrived`` is False until the order has been checked against its
    first market event: an order marketable on arrival takes liquidity (taker), one that rests
    and is hit later adds liquidity (maker).
    """

    order: Order
    seq: int
    ts_active: int
    quantity: float
    filled: float = 0.0
    triggered: bool = False
    arrived: bool = False

    @property
    def leaves(self) -> float:
        """Quantity still open (0 until a quote-sized order has been sized)."""
        return max(0.0, self.quantity - self.filled)


__all__ = ["WorkingOrder"]
