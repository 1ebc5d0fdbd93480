"""Enumerations shared by the whole domain model."""

from __future__ import annotations

from enum import StrEnum


class OrderSide(StrEnum):
    """Direction of an order or fill."""

    BUY = "buy"
    SELL = "sell"

    @property
    def sign(self) -> int:
        """+1 for a buy, -1 for a sell: multiply a quantity by it to get a signed change."""
        return 1 if self is _BUY else -1  # a module global: OrderSide.BUY is slow on 3.11

    @property
    def opposite(self) -> OrderSide:
        """The side that closes a position opened by this side."""
        return _SELL if self is _BUY else _BUY


_BUY = OrderSide.BUY
_SELL = OrderSide.SELL


class OrderType(StrEnum):
    """How an order meets the market."""

    MARKET = "market"
    LIMIT = "limit"
    STOP_MARKET = "stop_market"
    STOP_LIMIT = "stop_limit"


class TimeInForce(StrEnum):
    """How long an order may rest."""

    GTC = "gtc"
    IOC = "ioc"
    FOK = "fok"


class OrderStatus(StrEnum):
    """Life-cycle state of an order; see ``Order`` for the allowed transitions."""

    INITIALIZED = "initialized"
    DENIED = "denied"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    TRIGGERED = "triggered"
    PARTIALLY_FILLED = "partially_filled"
    FILLED = "filled"
    CANCELED = "canceled"
    REJECTED = "rejected"
    EXPIRED = "expired"


class LiquiditySide(StrEnum):
    """Whether a fill added liquidity (maker) or took it (taker)."""

    MAKER = "maker"
    TAKER = "taker"


class OptionKind(StrEnum):
    """Call or put."""

    CALL = "call"
    PUT = "put"


class Settlement(StrEnum):
    """Linear contracts settle in the quote currency, inverse ones in the base coin."""

    LINEAR = "linear"
    INVERSE = "inverse"


class AggressorSide(StrEnum):
    """Side of the taker in a public trade."""

    BUYER = "buyer"
    SELLER = "seller"
    UNKNOWN = "unknown"


__all__ = [
    "AggressorSide",
    "LiquiditySide",
    "OptionKind",
    "OrderSide",
    "OrderStatus",
    "OrderType",
    "Settlement",
    "TimeInForce",
]
