"""Orders and their life cycle.

An order is the one mutable domain object: it moves through ``OrderStatus`` as the venue
answers. Allowed transitions::

    INITIALIZED ─┬─> DENIED                      (a risk rule refused it; never sent)
                 └─> SUBMITTED ─┬─> REJECTED     (the venue refused it)
                                └─> ACCEPTED ─┬─> TRIGGERED (stop orders) ─┐
                                              ├─> PARTIALLY_FILLED ─> FILLED
                                              ├─> FILLED
                                              └─> CANCELED / EXPIRED
"""

from __future__ import annotations

from tradebot.model.enums import OrderSide, OrderStatus, OrderType, TimeInForce
from tradebot.model.identifiers import ClientOrderId, InstrumentId, StrategyId, VenueOrderId

# Enum members bound once: attribute access on an Enum class is slow on Python 3.11.
_OT_MARKET = OrderType.MARKET
_OT_LIMIT = OrderType.LIMIT
_OT_STOP_MARKET = OrderType.STOP_MARKET
_OT_STOP_LIMIT = OrderType.STOP_LIMIT
_SIDE_BUY = OrderSide.BUY
_ST_INITIALIZED = OrderStatus.INITIALIZED
_ST_PARTIALLY_FILLED = OrderStatus.PARTIALLY_FILLED
_ST_FILLED = OrderStatus.FILLED
_TIF_GTC = TimeInForce.GTC

_S = OrderStatus
_ALLOWED: dict[OrderStatus, frozenset[OrderStatus]] = {
    _S.INITIALIZED: frozenset({_S.DENIED, _S.SUBMITTED}),
    _S.SUBMITTED: frozenset(
        {_S.ACCEPTED, _S.REJECTED, _S.CANCELED, _S.FILLED, _S.PARTIALLY_FILLED}
    ),
    _S.ACCEPTED: frozenset(
        {_S.TRIGGERED, _S.PARTIALLY_FILLED, _S.FILLED, _S.CANCELED, _S.EXPIRED, _S.REJECTED}
    ),
    _S.TRIGGERED: frozenset({_S.PARTIALLY_FILLED, _S.FILLED, _S.CANCELED, _S.EXPIRED}),
    _S.PARTIALLY_FILLED: frozenset({_S.PARTIALLY_FILLED, _S.FILLED, _S.CANCELED, _S.EXPIRED}),
}
_NO_STATES: frozenset[OrderStatus] = frozenset()
_NEEDS_PRICE = (_OT_LIMIT, _OT_STOP_LIMIT)
_NEEDS_TRIGGER = (_OT_STOP_MARKET, _OT_STOP_LIMIT)
MANUAL = StrategyId("manual")
"""Strategy id of orders a person placed."""

_OPEN = frozenset({_S.SUBMITTED, _S.ACCEPTED, _S.TRIGGERED, _S.PARTIALLY_FILLED})


class InvalidOrderTransition(RuntimeError):
    """An order was asked to move to a state it cannot reach from where it is."""


class Order:
    """An instruction to trade, tracked from creation to its final state.

    Parameters
    ----------
    client_order_id : ClientOrderId
        Our id, unique per run; the venue deduplicates on it.
    instrument_id : InstrumentId
        What to trade.
    side : OrderSide
        Buy or sell.
    order_type : OrderType
        Market, limit, stop-market or stop-limit.
    quantity : float
        Size in base units (or contracts). May be 0 when ``quote_quantity`` is given.
    quote_quantity : float
        For market buys sized in quote currency (Binance ``quoteOrderQty``): the venue works out
        the size from the fill price, fees included. 0 when unused.
    price : float | None
        Limit price for limit and stop-limit orders.
    trigger_price : float | None
        Stop price for stop orders.
    time_in_force : TimeInForce
        GTC, IOC or FOK.
    post_only : bool
        Reject instead of taking liquidity.
    reduce_only : bool
        May only shrink an existing position.
    strategy_id : StrategyId
        Strategy that asked for the order.
    tag : str
        Free text shown in reports (``entry``, ``stop_loss`` …).
    ts_init : int
        Creation time, UTC nanoseconds.
    """

    __slots__ = (
        "avg_price",
        "client_order_id",
        "filled_quantity",
        "instrument_id",
        "order_type",
        "post_only",
        "price",
        "quantity",
        "quote_quantity",
        "reason",
        "reduce_only",
        "side",
        "status",
        "strategy_id",
        "tag",
        "time_in_force",
        "trigger_price",
        "ts_active",
        "ts_init",
        "ts_last",
        "venue_order_id",
    )

    def __init__(
        self,
        client_order_id: ClientOrderId,
        instrument_id: InstrumentId,
        side: OrderSide,
        order_type: OrderType,
        quantity: float,
        *,
        quote_quantity: float = 0.0,
        price: float | None = None,
        trigger_price: float | None = None,
        time_in_force: TimeInForce = _TIF_GTC,
        post_only: bool = False,
        reduce_only: bool = False,
        strategy_id: StrategyId = MANUAL,
        tag: str = "",
        ts_init: int = 0,
    ) -> None:
        if not (quantity >= 0 and quote_quantity >= 0):  # also refuses NaN
            raise ValueError(f"order {client_order_id}: quantity must not be negative or NaN")
        if price is not None and not price > 0:
            raise ValueError(f"order {client_order_id}: price was {price}; it must be > 0")
        if trigger_price is not None and not trigger_price > 0:
            raise ValueError(
                f"order {client_order_id}: trigger price was {trigger_price}; it must be > 0"
            )
        if quantity == 0 and quote_quantity == 0:
            raise ValueError(f"order {client_order_id}: quantity was 0")
        if price is None and order_type in _NEEDS_PRICE:
            raise ValueError(f"order {client_order_id}: a {order_type.value} order needs a price")
        if trigger_price is None and order_type in _NEEDS_TRIGGER:
            raise ValueError(f"order {client_order_id}: a {order_type.value} order needs a trigger")
        if quote_quantity and (order_type is not _OT_MARKET or side is not _SIDE_BUY):
            raise ValueError(f"order {client_order_id}: only market buys can be sized in quote")
        if post_only and order_type is not _OT_LIMIT:
            raise ValueError(f"order {client_order_id}: only limit orders can be post-only")
        self.client_order_id = client_order_id
        self.instrument_id = instrument_id
        self.side = side
        self.order_type = order_type
        self.quantity = quantity
        self.quote_quantity = quote_quantity
        self.price = price
        self.trigger_price = trigger_price
        self.time_in_force = time_in_force
        self.post_only = post_only
        self.reduce_only = reduce_only
        self.strategy_id = strategy_id
        self.tag = tag
        self.ts_init = ts_init
        self.ts_last = ts_init
        self.ts_active = ts_init
        self.status = _ST_INITIALIZED
        self.filled_quantity = 0.0
        self.avg_price = 0.0
        self.venue_order_id: VenueOrderId | None = None
        self.reason = ""

    @property
    def is_open(self) -> bool:
        """True while the order can still fill."""
        return self.status in _OPEN

    @property
    def is_closed(self) -> bool:
        """True once the order reached a final state."""
        return self.status not in _OPEN and self.status is not _ST_INITIALIZED

    @property
    def leaves_quantity(self) -> float:
        """Quantity still to fill (0 for a quote-sized order until it fills)."""
        return max(0.0, self.quantity - self.filled_quantity)

    def transition(self, status: OrderStatus, ts: int, reason: str = "") -> None:
        """Move to ``status``.

        Raises
        ------
        InvalidOrderTransition
            If ``status`` cannot follow the current state.
        """
        if status not in _ALLOWED.get(self.status, _NO_STATES):
            raise InvalidOrderTransition(
                f"order {self.client_order_id} was {self.status.value} and cannot become "
                f"{status.value}"
            )
        self.status = status
        self.ts_last = ts
        if reason:
            self.reason = reason

    def apply_fill(self, quantity: float, price: float, ts: int) -> None:
        """Record an execution of ``quantity`` at ``price`` and update the status."""
        total = self.filled_quantity + quantity
        self.avg_price = (self.avg_price * self.filled_quantity + price * quantity) / total
        self.filled_quantity = total
        if self.quote_quantity and not self.quantity:
            self.quantity = total
        done = total >= self.quantity * (1 - 1e-12)
        self.transition(_ST_FILLED if done else _ST_PARTIALLY_FILLED, ts)

    def __repr__(self) -> str:
        size = f"{self.quantity:g}" if self.quantity else f"quote {self.quote_quantity:g}"
        price = f" @ {self.price:g}" if self.price is not None else ""
        trigger = f" trigger {self.trigger_price:g}" if self.trigger_price is not None else ""
        return (
            f"Order({self.client_order_id} {self.side.value} {size} {self.instrument_id} "
            f"{self.order_type.value}{price}{trigger} {self.status.value})"
        )


__all__ = ["InvalidOrderTransition", "Order"]
