"""Booking the venue's executions into the engine: each fill once, by trade id.

A fill is matched to the order it belongs to (our client id, the venue's order id, or a combo
leg), reported to the engine as an ``OrderFilled``, and closes the order once it is whole; a
final status waits for its fills (a few polls of grace, then the missing part is booked from
the order's own figures). Fills of orders the engine never sent (placed by hand, a
liquidation) and reconciliation's position corrections are booked as manual orders.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from tradebot.execution.gateway import VenueFill
from tradebot.execution.live_state import Tracked
from tradebot.model.enums import LiquiditySide, OrderSide, OrderType
from tradebot.model.events import OrderFilled
from tradebot.model.identifiers import ClientOrderId, InstrumentId
from tradebot.model.orders import MANUAL, Order

if TYPE_CHECKING:
    from tradebot.execution.live_client import LiveExecutionClient

log = logging.getLogger("tradebot.live")

_EPS = 1e-9
_OT_MARKET = OrderType.MARKET


def settle(client: LiveExecutionClient, t: Tracked) -> None:
    """Report a final status once its fills are in (or the grace ran out)."""
    if t.closed or t.terminal is None:
        return
    missing = t.venue_filled - t.filled
    if missing > _EPS * max(1.0, t.order.quantity):
        if t.grace < client.config.terminal_grace_polls:
            t.grace += 1
            return
        price = t.venue_avg
        if price is None or not price > 0:
            log.error(
                "live_fills_missing: %s %s: %g not seen and no price to book",
                client.venue,
                t.order.client_order_id,
                missing,
            )
        else:
            log.warning(
                "live_fills_missing: %s %s: booking %g at %g from the order",
                client.venue,
                t.order.client_order_id,
                missing,
                price,
            )
            book(
                client,
                t,
                missing,
                price,
                0.0,
                "",
                False,
                client.clock.now_ns(),
                f"{t.order.venue_order_id or t.order.client_order_id}-rec-{t.venue_filled:g}",
            )
    if t.closed:
        return
    if t.terminal == "closed":
        if t.filled >= t.order.quantity * (1 - 1e-12):
            t.closed = True
        else:
            client._canceled(
                t, f"closed by the venue with {t.filled:g} of {t.order.quantity:g} filled"
            )
    else:
        client._canceled(t, t.terminal_reason)


def on_fill(client: LiveExecutionClient, fill: VenueFill) -> bool:
    """Book a venue execution once; True when it was new."""
    trade_id = fill.trade_id
    if trade_id in client.seen_trades:
        client.duplicate_fills += 1
        return False
    client.seen_trades.add(trade_id)
    if fill.ts_event > client._fills_since_ns:
        client._fills_since_ns = fill.ts_event
    t = client.orders.get(ClientOrderId(fill.client_order_id))
    if t is None and not fill.client_order_id and fill.venue_order_id:
        t = client._by_venue_id.get(fill.venue_order_id)
    if t is None:
        combo = client.combos.get(fill.client_order_id)
        t = combo.leg(fill.symbol) if combo is not None else None
    if t is None:
        book_external(client, fill)
        return True
    if t.closed:
        log.error(
            "live_late_fill: %s %s trade %s after the order was closed",
            client.venue,
            fill.client_order_id,
            trade_id,
        )
        book_external(client, fill)
        return True
    client._accept(t, fill.ts_event)
    book(
        client,
        t,
        fill.amount,
        fill.price,
        fill.fee,
        fill.fee_currency,
        fill.maker,
        fill.ts_event,
        trade_id,
    )
    if not t.closed and t.terminal is not None:
        settle(client, t)
    return True


def book(
    client: LiveExecutionClient,
    t: Tracked,
    quantity: float,
    price: float,
    fee: float,
    fee_currency: str,
    maker: bool,
    ts: int,
    trade_id: str,
) -> None:
    order = t.order
    currency = fee_currency or _settlement_currency(client, order.instrument_id)
    fill = OrderFilled(
        client_order_id=order.client_order_id,
        instrument_id=order.instrument_id,
        strategy_id=order.strategy_id,
        side=order.side,
        quantity=quantity,
        price=price,
        fee=fee,
        fee_currency=currency,
        liquidity=LiquiditySide.MAKER if maker else LiquiditySide.TAKER,
        ts_event=ts,
        trade_id=trade_id,
        tag=order.tag,
    )
    t.filled += quantity
    if t.filled >= order.quantity * (1 - 1e-12):
        t.closed = True
    client._emit(client.events.on_order_filled, order, fill)


def _settlement_currency(client: LiveExecutionClient, instrument_id: InstrumentId) -> str:
    pf = client.portfolio
    if pf is not None:
        inst = pf.instruments.get(instrument_id)
        if inst is not None:
            return inst.settlement_currency
    return instrument_id.symbol.partition(":")[2] or instrument_id.symbol.partition("/")[2]


def book_external(client: LiveExecutionClient, fill: VenueFill) -> None:
    """A fill of an order the engine does not track: book it so the portfolio follows the
    venue (an order placed by hand, a liquidation)."""
    if not client.config.book_external_fills:
        return
    client._external_seq += 1
    iid = client._instrument_of(fill.symbol)
    side = OrderSide(fill.side)
    t = _manual(
        f"ext-{fill.trade_id}", iid, side, fill.amount, fill.symbol, "external", fill.ts_event
    )
    log.warning(
        "live_external_fill: %s %s %s %g @ %g (order %s)",
        client.venue,
        fill.symbol,
        fill.side,
        fill.amount,
        fill.price,
        fill.client_order_id or "?",
    )
    book(
        client,
        t,
        fill.amount,
        fill.price,
        fill.fee,
        fill.fee_currency,
        fill.maker,
        fill.ts_event,
        fill.trade_id,
    )


def book_reconciling(
    client: LiveExecutionClient,
    instrument_id: InstrumentId,
    side: OrderSide,
    quantity: float,
    price: float,
) -> None:
    """Book a fill that moves the engine's position to the venue's (engine thread)."""
    client._external_seq += 1
    now = client.clock.now_ns()
    order_id = f"reconcile-{client.venue}-{now}-{client._external_seq}"
    symbol = client._symbol_of(instrument_id)
    t = _manual(order_id, instrument_id, side, quantity, symbol, "reconcile", now)
    book(client, t, quantity, price, 0.0, "", False, now, f"reconcile-{order_id}")


def _manual(
    order_id: str,
    instrument_id: InstrumentId,
    side: OrderSide,
    quantity: float,
    symbol: str,
    tag: str,
    ts: int,
) -> Tracked:
    """A market order of no strategy, already at the venue, to book a fill against."""
    order = Order(
        ClientOrderId(order_id),
        instrument_id,
        side,
        _OT_MARKET,
        quantity,
        strategy_id=MANUAL,
        tag=tag,
        ts_init=ts,
    )
    t = Tracked(order, symbol, ts)
    t.accepted = t.sent = True
    return t


__all__ = ["book", "book_external", "book_reconciling", "on_fill", "settle"]
