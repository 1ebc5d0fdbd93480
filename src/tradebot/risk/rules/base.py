"""What a pre-trade rule sees and what it may answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from tradebot.model.instruments import Instrument
from tradebot.model.signals import Signal
from tradebot.portfolio.portfolio import Portfolio
from tradebot.risk.limits import RiskLimits
from tradebot.risk.state import RiskState


@dataclass(slots=True)
class Proposal:
    """An opening order as sized so far; rules may shrink ``quantity`` or refuse it."""

    signal: Signal
    instrument: Instrument
    side: int
    """+1 buy, −1 sell."""
    quantity: float
    price: float
    unit_value: float
    """Value of one unit (contract, coin) in the base currency at ``price``."""
    nlv: float
    now_ns: int

    @property
    def value(self) -> float:
        """Value of the proposed quantity in the base currency."""
        return self.quantity * self.unit_value

    def underlying(self) -> str:
        """The asset whose exposure this adds to (an option's underlying, else the base)."""
        return self.instrument.exposure_asset()


@dataclass(frozen=True, slots=True)
class Resize:
    """Accept a smaller quantity, saying why."""

    quantity: float
    reason: str


@dataclass(frozen=True, slots=True)
class Reject:
    """Refuse the order, saying why."""

    reason: str


Outcome = Resize | Reject | None
"""None accepts the proposal unchanged."""


class RuleContext(Protocol):
    """The account as the rules may read it."""

    portfolio: Portfolio
    limits: RiskLimits
    state: RiskState

    def symbol_exposure(self, underlying: str) -> float:
        """Gross value of every position on ``underlying``."""
        ...

    def open_positions(self) -> int:
        """Instruments with a non-zero position."""
        ...


class Rule(Protocol):
    """A pre-trade check with a name; its answer is stored with the signal."""

    name: str

    def check(self, proposal: Proposal, ctx: RuleContext) -> Outcome:
        """Accept (None), shrink or refuse ``proposal``."""
        ...


__all__ = ["Outcome", "Proposal", "Reject", "Resize", "Rule", "RuleContext"]
