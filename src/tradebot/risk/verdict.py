"""The answer of the risk engine to a signal: an order to send, or a refusal with a reason."""

from __future__ import annotations

import msgspec

from tradebot.model.enums import OrderSide


# gc=False: a backtest keeps one of these per order or fill, and they hold only scalars, ids
# and tuples (no reference cycles), so the garbage collector need not re-scan them.
class Approved(msgspec.Struct, frozen=True, gc=False):
    """The signal may become an order of this size."""

    side: OrderSide
    quantity: float
    quote_quantity: float = 0.0
    reduce_only: bool = False
    note: str = ""


class Denied(msgspec.Struct, frozen=True, gc=False):
    """The signal was refused. ``code`` is machine-readable, ``reason`` names the numbers."""

    code: str
    reason: str


Verdict = Approved | Denied

__all__ = ["Approved", "Denied", "Verdict"]
