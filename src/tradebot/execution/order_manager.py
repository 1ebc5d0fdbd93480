"""The order manager: gives orders their ids, sends them, and tracks every state change.

It is the only component that changes an ``Order``. It receives venue reports through the
``ExecutionEvents`` interface, books fills into the portfolio, and tells the owning strategy.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from tradebot.execution.interfaces import ExecutionClient
from tradebot.model.enums import OrderStatus
from tradebot.model.events import FundingPaid, OrderFilled, OrderUpdated, PositionLiquidated
from tradebot.model.identifiers import ClientOrderId, InstrumentId, StrategyId
from tradebot.model.orders import Order
from tradebot.portfolio.portfolio import Portfolio

# Enum members bound once: attribute access on an Enum class is slow on Python 3.11.
_ST_DENIED = OrderStatus.DENIED
_ST_SUBMITTED = OrderStatus.SUBMITTED
_ST_ACCEPTED = OrderStatus.ACCEPTED
_ST_TRIGGERED = OrderStatus.TRIGGERED
_ST_CANCELED = OrderStatus.CANCELED
_ST_REJECTED = OrderStatus.REJECTED

FillListener = Callable[[Order, OrderFilled], None]
UpdateListener = Callable[[Order, OrderUpdated], None]
Publish = Callable[[object], None]
PreSend = Callable[[Order], None]

log = logging.getLogger("tradebot.orders")


class OrderManager:
    """Tracks orders from submission to their final state.

    Parameters
    ----------
    portfolio : Portfolio
        Receives every fill and funding payment.
    publish : callable
        Where order updates, fills, funding and liquidations are published (the engine's bus).
    clock : callable
        Current time in UTC ns.
    """

    def __init__(self, portfolio: Portfolio, publish: Publish, clock: Callable[[], int]) -> None:
        self._portfolio = portfolio
        self._publish = publish
        self._now = clock
        self._clients: dict[str, ExecutionClient] = {}
        self._default: ExecutionClient | None = None
        self.orders: dict[ClientOrderId, Order] = {}
        self._live: dict[ClientOrderId, Order] = {}
        """Orders that may still be open: searched instead of every order ever sent."""
        self.fills: list[OrderFilled] = []
        self._counters: dict[StrategyId, int] = {}
        self._fill_listeners: list[FillListener] = []
        self._update_listeners: list[UpdateListener] = []
        self.pre_send: PreSend | None = None
        """Called with each order before it is sent (storage's write-ahead); if it raises, the
        order is denied and not sent. None (the default) costs one attribute test per order."""

    # -- wiring ------------------------------------------------------------------------------
    def add_client(self, client: ExecutionClient, *, default: bool = False) -> None:
        """Route orders for instruments of ``client.venue`` (or all, when default) to it."""
        self._clients[client.venue] = client
        if default or self._default is None:
            self._default = client
        client.connect(self)

    def on_fill(self, listener: FillListener) -> None:
        """Call ``listener(order, fill)`` after each fill is booked."""
        self._fill_listeners.append(listener)

    def on_update(self, listener: UpdateListener) -> None:
        """Call ``listener(order, update)`` after each non-fill state change."""
        self._update_listeners.append(listener)

    # -- commands ----------------------------------------------------------------------------
    def next_id(self, strategy_id: StrategyId) -> ClientOrderId:
        """A deterministic, run-unique client order id such as ``sma_cross-000042``."""
        n = self._counters.get(strategy_id, 0) + 1
        self._counters[strategy_id] = n
        return ClientOrderId(f"{strategy_id}-{n:06d}")

    def submit(self, order: Order) -> None:
        """Record ``order`` and send it to its venue."""
        if order.client_order_id in self.orders:
            raise ValueError(f"client order id {order.client_order_id} was already used")
        if self.pre_send is not None and not self._pre_send([order]):
            return
        self.orders[order.client_order_id] = order
        self._live[order.client_order_id] = order
        order.transition(_ST_SUBMITTED, self._now())
        self._client_for(order.instrument_id).submit_order(order)

    def _pre_send(self, orders: list[Order]) -> bool:
        """Run the pre-send callback on each order; on a failure deny them all (not sent)."""
        pre_send = self.pre_send
        assert pre_send is not None
        try:
            for order in orders:
                pre_send(order)
        except Exception as exc:  # the write-ahead failed: the order must not reach the venue
            reason = f"not sent: {type(exc).__name__}: {exc}"
            log.error("order_not_sent: %s: %s", orders[0].client_order_id, reason)
            for order in orders:
                self.deny(order, reason)
            return False
        return True

    @property
    def clients(self) -> list[ExecutionClient]:
        """The execution clients added, default first."""
        rest = [c for c in self._clients.values() if c is not self._default]
        return ([self._default] if self._default is not None else []) + rest

    def reset(self) -> None:
        """Forget every order and fill (a restart then rebuilds them from storage)."""
        self.orders.clear()
        self._live.clear()
        self.fills.clear()

    def adopt(self, order: Order) -> None:
        """Track an order rebuilt after a restart (it is not sent again)."""
        self.orders[order.client_order_id] = order
        if order.is_open:
            self._live[order.client_order_id] = order

    @property
    def counters(self) -> dict[StrategyId, int]:
        """Client order ids issued so far per strategy (saved at checkpoints, restored on
        restart so the ids stay deterministic)."""
        return dict(self._counters)

    @counters.setter
    def counters(self, values: dict[StrategyId, int]) -> None:
        self._counters = dict(values)

    def submit_structure(self, orders: list[Order]) -> None:
        """Record the legs of one structure and send them as a unit.

        A venue that trades structures itself (``submit_structure``: the paper venue, Deribit
        combos) fills all legs or none; otherwise the legs are sent one by one.
        """
        if not orders:
            raise ValueError("a structure needs at least one leg")
        venues = {o.instrument_id.venue for o in orders}
        if len(venues) != 1:
            raise ValueError(f"a structure's legs must trade on one venue, got {sorted(venues)}")
        for order in orders:
            if order.client_order_id in self.orders:
                raise ValueError(f"client order id {order.client_order_id} was already used")
        if self.pre_send is not None and not self._pre_send(orders):
            return
        now = self._now()
        for order in orders:
            self.orders[order.client_order_id] = order
            self._live[order.client_order_id] = order
            order.transition(_ST_SUBMITTED, now)
        client = self._client_for(orders[0].instrument_id)
        combo = getattr(client, "submit_structure", None)
        if callable(combo):
            combo(orders)
        else:
            for order in orders:
                client.submit_order(order)

    def deny(self, order: Order, reason: str) -> None:
        """Record an order a risk rule refused; it is never sent."""
        self.orders[order.client_order_id] = order
        self._live[order.client_order_id] = order
        ts = self._now()
        order.transition(_ST_DENIED, ts, reason)
        self._publish_update(order, _ST_DENIED, ts, reason)

    def cancel(self, order: Order) -> None:
        """Ask the venue to cancel ``order`` if it is still open."""
        if order.is_open:
            self._client_for(order.instrument_id).cancel_order(order)

    def open_orders(
        self, instrument_id: InstrumentId | None = None, strategy_id: StrategyId | None = None
    ) -> list[Order]:
        """Open orders, optionally filtered by instrument and strategy."""
        live = self._live
        if not live:
            return []  # the usual case in a backtest: filled orders leave ``_live`` at once
        for cid in [cid for cid, o in live.items() if not o.is_open]:
            del live[cid]
        return [
            o
            for o in live.values()
            if (instrument_id is None or o.instrument_id == instrument_id)
            and (strategy_id is None or o.strategy_id == strategy_id)
        ]

    def cancel_all(
        self, instrument_id: InstrumentId | None = None, strategy_id: StrategyId | None = None
    ) -> int:
        """Cancel every matching open order; return how many were asked to cancel."""
        orders = self.open_orders(instrument_id, strategy_id)
        for order in orders:
            self.cancel(order)
        return len(orders)

    def _client_for(self, instrument_id: InstrumentId) -> ExecutionClient:
        client = self._clients.get(instrument_id.venue, self._default)
        if client is None:
            raise RuntimeError("no execution client was added to the order manager")
        return client

    # -- ExecutionEvents ---------------------------------------------------------------------
    def on_order_accepted(self, order: Order, ts: int) -> None:
        """Mark the order accepted."""
        order.transition(_ST_ACCEPTED, ts)
        self._publish_update(order, _ST_ACCEPTED, ts, "")

    def on_order_rejected(self, order: Order, reason: str, ts: int) -> None:
        """Mark the order rejected with the venue's reason."""
        order.transition(_ST_REJECTED, ts, reason)
        self._publish_update(order, _ST_REJECTED, ts, reason)

    def on_order_canceled(self, order: Order, reason: str, ts: int) -> None:
        """Mark the order canceled."""
        order.transition(_ST_CANCELED, ts, reason)
        self._publish_update(order, _ST_CANCELED, ts, reason)

    def on_order_triggered(self, order: Order, ts: int) -> None:
        """Mark a stop order triggered."""
        if order.status is _ST_ACCEPTED:
            order.transition(_ST_TRIGGERED, ts)
            self._publish_update(order, _ST_TRIGGERED, ts, "")

    def on_order_filled(self, order: Order, fill: OrderFilled) -> None:
        """Book the fill, update the order, and tell listeners."""
        if order.client_order_id not in self.orders:
            self.orders[order.client_order_id] = order  # venue-initiated (liquidation)
            order.transition(_ST_SUBMITTED, fill.ts_event)
            order.transition(_ST_ACCEPTED, fill.ts_event)
        order.apply_fill(fill.quantity, fill.price, fill.ts_event)
        if not order.is_open:
            self._live.pop(order.client_order_id, None)
        self.fills.append(fill)
        self._portfolio.apply_fill(fill)
        self._publish(fill)
        for listener in self._fill_listeners:
            listener(order, fill)

    def on_funding(self, event: FundingPaid) -> None:
        """Book a funding payment."""
        self._portfolio.apply_funding(event)
        self._publish(event)

    def on_liquidation(self, event: PositionLiquidated) -> None:
        """Publish a liquidation (its fill follows through ``on_order_filled``)."""
        self._publish(event)

    def _publish_update(self, order: Order, status: OrderStatus, ts: int, reason: str) -> None:
        update = OrderUpdated(order.client_order_id, order.instrument_id, status, ts, reason)
        self._publish(update)
        for listener in self._update_listeners:
            listener(order, update)


__all__ = ["OrderManager"]
