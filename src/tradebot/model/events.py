"""Events the engine publishes: past tense, immutable."""

from __future__ import annotations

import msgspec

from tradebot.model.enums import LiquiditySide, OrderSide, OrderStatus
from tradebot.model.identifiers import ClientOrderId, InstrumentId, StrategyId


# gc=False: a backtest keeps one of these per order or fill, and they hold only scalars, ids
# and tuples (no reference cycles), so the garbage collector need not re-scan them.
class OrderFilled(msgspec.Struct, frozen=True, gc=False):
    """One execution of (part of) an order.

    ``fee`` is in ``fee_currency`` and is positive for a cost, negative for a rebate.
    """

    client_order_id: ClientOrderId
    instrument_id: InstrumentId
    strategy_id: StrategyId
    side: OrderSide
    quantity: float
    price: float
    fee: float
    fee_currency: str
    liquidity: LiquiditySide
    ts_event: int
    trade_id: str = ""
    tag: str = ""


class OrderUpdated(msgspec.Struct, frozen=True, gc=False):
    """An order changed state (accepted, denied, rejected, canceled, expired, triggered)."""

    client_order_id: ClientOrderId
    instrument_id: InstrumentId
    status: OrderStatus
    ts_event: int
    reason: str = ""


class FundingPaid(msgspec.Struct, frozen=True, gc=False):
    """A funding payment on a perpetual: negative ``amount`` was paid, positive received."""

    instrument_id: InstrumentId
    rate: float
    amount: float
    currency: str
    ts_event: int


class PositionLiquidated(msgspec.Struct, frozen=True, gc=False):
    """The venue closed a position because equity fell below maintenance margin."""

    instrument_id: InstrumentId
    quantity: float
    price: float
    ts_event: int


Fill = OrderFilled
"""Short alias used throughout the code."""

__all__ = ["Fill", "FundingPaid", "OrderFilled", "OrderUpdated", "PositionLiquidated"]
