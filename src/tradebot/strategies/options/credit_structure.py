"""The life of one sold option structure, shared by the premium sellers (condor, straddle).

Selling a structure for a credit and buying it back is the same bookkeeping whatever the
legs: add up the credit from the entry fills, close the whole structure at a profit target, a
stop or a time before expiry (a scheduled job, so it happens between bars too), retry an exit
the venue refused, and forget the structure once every leg is flat (closed or settled). The
subclasses choose when to enter and what to sell, and may add to the exit (a hedge to close).
"""

from __future__ import annotations

import math
from typing import TypeVar

from tradebot.model.enums import OrderSide, OrderStatus
from tradebot.model.events import OrderFilled, OrderUpdated
from tradebot.model.identifiers import InstrumentId
from tradebot.model.instruments import Option
from tradebot.model.orders import Order
from tradebot.options.chain import OptionChain
from tradebot.strategies.base import Strategy, StrategyParams
from tradebot.strategies.options._common import close_cost

P = TypeVar("P", bound=StrategyParams)

NS_PER_MINUTE = 60 * 10**9
EXIT_JOB = "t_minus_exit"
_EXIT_TAGS = frozenset({"take_profit", "stop", EXIT_JOB})
_SELL = OrderSide.SELL
_REJECTED = OrderStatus.REJECTED


class CreditStructureStrategy(Strategy[P]):
    """A strategy that holds at most one sold structure at a time.

    Subclasses set ``entry_tag`` and implement :meth:`exit_rules`; they call
    :meth:`start_structure_state` from ``on_start``, :meth:`arm_time_exit` after an entry and
    :meth:`manage` from ``on_bar`` while ``legs`` is not empty.
    """

    entry_tag = ""

    def exit_rules(self) -> tuple[float, float | None, float]:
        """(take profit as a share of the credit, stop as a multiple of it or None, minutes
        before expiry to close at, 0 to hold to settlement)."""
        raise NotImplementedError

    def closing_legs(self) -> list[InstrumentId]:
        """Legs an exit closes (all of them unless a subclass leaves some to expire)."""
        return [leg.id for leg in self.legs]

    def after_exit(self) -> None:
        """Called after each exit attempt (a hedge to close, for instance)."""

    # -- state -------------------------------------------------------------------------------
    def start_structure_state(self) -> None:
        """No structure yet; the underlying is the first data instrument of the asset."""
        self.underlying: InstrumentId | None = None
        self.timeframe = ""
        self.legs: list[Option] = []
        self.credit = 0.0
        """Premium received for the structure held (premium currency, all units)."""
        self.expiry_ns = 0
        self.exit_sent = False

    def held(self) -> dict[Option, float]:
        """Signed contracts held in each leg."""
        return {leg: self.holding(leg.id) for leg in self.legs}

    def reset_structure(self) -> None:
        """Forget the structure (flat, settled or never filled) and its time exit."""
        self.legs = []
        self.credit = 0.0
        self.expiry_ns = 0
        self.exit_sent = False
        self.cancel_timer(EXIT_JOB)

    # -- exits -------------------------------------------------------------------------------
    def arm_time_exit(self, expiry_ns: int) -> None:
        """Schedule the exit ``minutes`` before ``expiry_ns`` (when still ahead)."""
        minutes = self.exit_rules()[2]
        exit_at = expiry_ns - int(minutes * NS_PER_MINUTE)
        if minutes > 0 and exit_at > self.now_ns():
            self.at(exit_at, self._time_exit, EXIT_JOB)

    def manage(self, chain: OptionChain) -> None:
        """Forget a flat structure, else close it at the time exit, the target or the stop."""
        held = self.held()
        if all(abs(q) <= 1e-12 for q in held.values()):
            if not any(self.ctx.open_orders(self.id, leg.id) for leg in self.legs):
                self.reset_structure()  # settled at expiry, closed, or the entry was rejected
            return
        take_profit, stop_loss, minutes = self.exit_rules()
        if minutes > 0 and self.now_ns() >= self.expiry_ns - minutes * NS_PER_MINUTE:
            self.exit(EXIT_JOB)
            return
        cost = close_cost(chain, held)
        if not (self.credit > 0 and math.isfinite(cost)):
            return
        if cost <= (1.0 - take_profit) * self.credit:
            self.exit("take_profit")
        elif stop_loss is not None and cost >= (1.0 + stop_loss) * self.credit:
            self.exit("stop")

    def _time_exit(self, ts_ns: int) -> None:
        if self.legs:
            self.exit(EXIT_JOB)

    def exit(self, tag: str) -> None:
        """Close the structure as one unit (once: a refused exit is retried at the next bar)."""
        if self.exit_sent:
            return
        closing = self.closing_legs()
        if not closing:
            self.exit_sent = True  # nothing worth closing: expiry settles the rest
        elif self.close_structure(self.entry_tag, closing, tag=tag) is not None:
            self.exit_sent = True
        self.after_exit()

    # -- reports -----------------------------------------------------------------------------
    def on_order_update(self, order: Order, update: OrderUpdated) -> None:
        """An entry leg rejected (the venue refuses the whole structure): forget it; an exit
        rejected: try again at the next bar."""
        if order.status is not _REJECTED or not self.legs:
            return
        if order.tag in _EXIT_TAGS:
            self.exit_sent = False
        elif all(abs(self.holding(leg.id)) <= 1e-12 for leg in self.legs):
            self.reset_structure()

    def on_fill(self, order: Order, fill: OrderFilled) -> None:
        """Add up the credit of the entry fills; forget the structure once every leg is flat."""
        if order.tag == self.entry_tag and any(leg.id == fill.instrument_id for leg in self.legs):
            sign = 1.0 if fill.side is _SELL else -1.0
            self.credit += sign * fill.quantity * fill.price
        elif self.legs and all(abs(self.holding(leg.id)) <= 1e-12 for leg in self.legs):
            self.reset_structure()


__all__ = ["EXIT_JOB", "NS_PER_MINUTE", "CreditStructureStrategy"]
