"""Signals: what a strategy wants, before risk sizing and order creation.

A strategy never builds an ``Order`` itself. It emits a ``Signal``; the risk engine sizes and
checks it, and the order manager turns it into orders. That path is the same in backtest,
paper and live trading.
"""

from __future__ import annotations

from enum import StrEnum

import msgspec

from tradebot.model.enums import OrderSide, OrderType, TimeInForce
from tradebot.model.identifiers import InstrumentId, StrategyId

_UNSET = StrategyId("")


class SignalIntent(StrEnum):
    """What the strategy wants to happen to its position."""

    OPEN = "open"
    """Add to (or open) a position on ``side``."""
    CLOSE = "close"
    """Flatten the position (reduce-only)."""
    REDUCE = "reduce"
    """Shrink the position by ``quantity`` (reduce-only)."""


class SizeMode(StrEnum):
    """How ``Signal.size`` is read."""

    QUANTITY = "quantity"
    """Base units or contracts."""
    NOTIONAL = "notional"
    """Value in the account's base currency."""
    EQUITY_FRACTION = "equity_fraction"
    """Fraction of net liquidation value (1.0 = all in, at the account's leverage)."""


# gc=False: a backtest keeps one of these per order or fill, and they hold only scalars, ids
# and tuples (no reference cycles), so the garbage collector need not re-scan them.
class Signal(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """A trading intent with its confidence and exit plan.

    Parameters
    ----------
    instrument_id : InstrumentId
        What to trade.
    side : OrderSide
        Buy or sell (for CLOSE it is the side of the closing order).
    intent : SignalIntent
        Open, close or reduce.
    size : float
        Read according to ``size_mode``; ignored for CLOSE.
    size_mode : SizeMode
        Quantity, notional or fraction of equity.
    order_type : OrderType
        Market by default.
    price, trigger_price : float | None
        For limit and stop orders.
    time_in_force, post_only : TimeInForce, bool
        Passed through to the order.
    confidence : float
        In [0, 1]; risk sizing may scale by it.
    stop_loss, take_profit : float | None
        Exit plan prices proposed by the strategy.
    invalidation : tuple[str, ...]
        Conditions that, once true, make the trade's idea wrong, written as short expressions
        over indicators (``"adx < 20"``, ``"close < ema_50"``); the exit monitor watches them.
    tag : str
        Shown in reports and logs.
    strategy_id : StrategyId
        Filled in by the engine.
    ts_event : int
        Filled in by the engine (UTC ns).
    """

    instrument_id: InstrumentId
    side: OrderSide
    intent: SignalIntent = SignalIntent.OPEN
    size: float = 1.0
    size_mode: SizeMode = SizeMode.EQUITY_FRACTION
    order_type: OrderType = OrderType.MARKET
    price: float | None = None
    trigger_price: float | None = None
    time_in_force: TimeInForce = TimeInForce.GTC
    post_only: bool = False
    confidence: float = 1.0
    stop_loss: float | None = None
    take_profit: float | None = None
    invalidation: tuple[str, ...] = ()
    tag: str = ""
    strategy_id: StrategyId = _UNSET
    ts_event: int = 0


class StructureSignal(msgspec.Struct, frozen=True, kw_only=True):
    """Several legs traded as one unit: all fill or none do (spreads, condors, straddles).

    Parameters
    ----------
    name : str
        What the structure is (``iron_condor``), for reports.
    legs : tuple[tuple[InstrumentId, float], ...]
        Each leg's instrument and signed quantity per unit (``+1`` buy, ``-1`` sell).
    units : float
        How many units to trade; risk may shrink it, every leg keeps its ratio.
    intent : SignalIntent
        OPEN trades the legs as given; CLOSE trades the opposite of what is held in each leg.
    max_loss : float | None
        Planned loss per unit in the account currency (the structure's max loss, or the loss
        at its stop when the max loss is unbounded); risk per trade is checked on it.
    """

    name: str
    legs: tuple[tuple[InstrumentId, float], ...]
    units: float = 1.0
    intent: SignalIntent = SignalIntent.OPEN
    max_loss: float | None = None
    confidence: float = 1.0
    tag: str = ""
    strategy_id: StrategyId = _UNSET
    ts_event: int = 0


__all__ = ["Signal", "SignalIntent", "SizeMode", "StructureSignal"]
