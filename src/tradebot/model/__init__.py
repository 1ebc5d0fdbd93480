"""Domain types only: instruments, market data, orders, fills, positions, accounts, signals.

Imports nothing of the project outside ``tradebot.model`` and does no I/O.
"""

from tradebot.model.account import Account
from tradebot.model.data import Bar, FundingRate, MarketEvent, QuoteTick, TradeTick
from tradebot.model.enums import (
    AggressorSide,
    LiquiditySide,
    OptionKind,
    OrderSide,
    OrderStatus,
    OrderType,
    Settlement,
    TimeInForce,
)
from tradebot.model.events import (
    Fill,
    FundingPaid,
    OrderFilled,
    OrderUpdated,
    PositionLiquidated,
)
from tradebot.model.identifiers import (
    ClientOrderId,
    InstrumentId,
    StrategyId,
    TradeId,
    VenueOrderId,
)
from tradebot.model.instruments import Future, Instrument, Option, Perpetual, Spot
from tradebot.model.orders import InvalidOrderTransition, Order
from tradebot.model.positions import Position, TradeRecord
from tradebot.model.signals import Signal, SignalIntent, SizeMode
from tradebot.model.timeframes import timeframe_ns, timeframe_seconds

__all__ = [
    "Account",
    "AggressorSide",
    "Bar",
    "ClientOrderId",
    "Fill",
    "FundingPaid",
    "FundingRate",
    "Future",
    "Instrument",
    "InstrumentId",
    "InvalidOrderTransition",
    "LiquiditySide",
    "MarketEvent",
    "Option",
    "OptionKind",
    "Order",
    "OrderFilled",
    "OrderSide",
    "OrderStatus",
    "OrderType",
    "OrderUpdated",
    "Perpetual",
    "Position",
    "PositionLiquidated",
    "QuoteTick",
    "Settlement",
    "Signal",
    "SignalIntent",
    "SizeMode",
    "Spot",
    "StrategyId",
    "TimeInForce",
    "TradeId",
    "TradeRecord",
    "TradeTick",
    "VenueOrderId",
    "timeframe_ns",
    "timeframe_seconds",
]
