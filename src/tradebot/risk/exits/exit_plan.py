"""What the exit monitor keeps per open position, and the decisions it hands to the engine."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

import msgspec

from tradebot.model.identifiers import InstrumentId, StrategyId
from tradebot.risk.exits.conditions import Condition


class ExitReason(StrEnum):
    """Why a position was closed; the monitor decides the first five, the engine the others."""

    STOP = "stop"
    TAKE_PROFIT = "take_profit"
    TRAILING = "trailing"
    """A profit lock of the trailing tiers was touched, or the profit pulled back from its peak."""
    TTL = "ttl"
    INVALIDATED = "invalidated"
    """One of the trade's invalidation conditions held."""
    MANUAL = "manual"
    RISK = "risk"
    EXPIRY = "expiry"


class ExitDecision(msgspec.Struct, frozen=True, kw_only=True):
    """Close the position of ``strategy_id`` on ``instrument_id``, and why.

    ``price_hint`` is the level that was touched (stop, target, profit lock), or the price when
    it was already beyond that level (a gap), or the close (pullback, ttl, invalidation). The
    engine closes at the market; the hint says where the exit was meant to happen.
    """

    strategy_id: StrategyId
    instrument_id: InstrumentId
    reason: ExitReason
    price_hint: float
    detail: str
    ts_event: int
    """Time of the bar or price that triggered the decision (UTC ns)."""


def check_entry(
    side: int,
    entry_price: float,
    leverage: float,
    stop_loss: float | None,
    take_profit: float | None,
) -> None:
    """Raise ``ValueError`` for numbers no position can have, before anything is stored."""
    if side not in (1, -1):
        raise ValueError(f"exit plan side must be +1 (long) or -1 (short), not {side!r}")
    if not 0 < entry_price < math.inf:
        raise ValueError(f"exit plan entry price must be positive, not {entry_price}")
    if not 0 < leverage < math.inf:
        raise ValueError(f"exit plan leverage must be positive, not {leverage}")
    for name, level in (("stop loss", stop_loss), ("take profit", take_profit)):
        if level is not None and not 0 < level < math.inf:
            raise ValueError(f"exit plan {name} must be a positive price, not {level}")


@dataclass(slots=True, kw_only=True)
class ExitPlan:
    """The exits watched for one position of one strategy; the monitor updates it in place."""

    strategy_id: StrategyId
    instrument_id: InstrumentId
    side: int
    """+1 long, -1 short."""
    entry_price: float
    """Average entry price (updated when the position is added to)."""
    opened_ns: int
    """First entry (UTC ns); the time limit counts from it, even after additions."""
    leverage: float
    stop_loss: float | None = None
    take_profit: float | None = None
    conditions: tuple[Condition, ...] = ()
    """Compiled invalidation conditions."""
    timeframe: str | None = None
    """Bars whose indicator values the conditions read; None: the instrument's first timeframe."""
    peak_profit: float = 0.0
    """Highest profit fraction reached (leveraged if the settings say so), never below 0."""
    locked_profit: float | None = None
    """Profit fraction locked by the highest tier reached; None until one is."""
    best_price: float = math.nan
    """Best price since the entry (highest for a long); NaN until set, then the entry price."""
    seen_ns: int = -1
    """Prices up to this time have been checked; an older bar only contributes its close."""
    exiting: bool = False
    """A decision was emitted: the plan is skipped until it is closed or opened again."""

    def __post_init__(self) -> None:
        check_entry(self.side, self.entry_price, self.leverage, self.stop_loss, self.take_profit)
        if math.isnan(self.best_price):
            self.best_price = self.entry_price
        self.seen_ns = max(self.seen_ns, self.opened_ns)

    @property
    def key(self) -> tuple[StrategyId, InstrumentId]:
        """What the monitor files the plan under."""
        return self.strategy_id, self.instrument_id


__all__ = ["ExitDecision", "ExitPlan", "ExitReason", "check_entry"]
