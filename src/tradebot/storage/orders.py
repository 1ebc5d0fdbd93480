"""The ``orders`` row of an order, kept right whichever path writes first.

Two paths write orders. The write-ahead path (:func:`write_order`) commits the order before it
is sent, on the caller's thread; the background writer applies venue reports and fills later.
Their writes can arrive in either order, so each field has one merge rule:

* ``status`` only moves forward along the life cycle (initialized → submitted → accepted →
  triggered → partially filled → a final state) and never leaves a final state: a late
  "accepted" cannot undo a "canceled" that a snapshot already wrote;
* ``filled_quantity`` and ``avg_price`` come from the fills written for the order, in the
  same transaction as the fill rows, so they always equal what ``fills`` holds;
* the definition (side, type, quantity, prices, flags, venue id) is taken from the newest
  snapshot of the order.

Every change of ``status`` appends a row to ``order_events`` with its time and reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, localcontext
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradebot.model.enums import OrderSide, OrderStatus, OrderType, TimeInForce
from tradebot.model.events import OrderFilled, OrderUpdated
from tradebot.model.identifiers import ClientOrderId, InstrumentId, StrategyId, VenueOrderId
from tradebot.model.orders import Order
from tradebot.storage.database import Database
from tradebot.storage.records import OrderSnapshot
from tradebot.storage.tables import OrderEventRow, OrderRow
from tradebot.storage.types import to_decimal

_S = OrderStatus
FINAL = frozenset({_S.FILLED, _S.CANCELED, _S.REJECTED, _S.EXPIRED, _S.DENIED})
"""Statuses an order never leaves."""
OPEN_STATUSES = tuple(s.value for s in _S if s not in FINAL)
"""Not final. ``initialized`` counts: an order written ahead may or may not have reached the
venue before a crash, so recovery must ask the venue about it."""
_RANK = {_S.INITIALIZED: 0, _S.SUBMITTED: 1, _S.ACCEPTED: 2, _S.TRIGGERED: 3}
_RANK_PARTIAL = 4
_RANK_FINAL = 5
_FULL = Decimal("0.999999999999")
"""A fill within 1e-12 of the quantity completes the order, as in ``Order.apply_fill``."""
_CHUNK = 500


def _optional(value: float | None) -> Decimal | None:
    return None if value is None else to_decimal(value)


def _rank(status: str) -> int:
    if status == _S.PARTIALLY_FILLED:
        return _RANK_PARTIAL
    return _RANK.get(OrderStatus(status), _RANK_FINAL)


def advance(row: OrderRow, status: str, ts: int, reason: str) -> bool:
    """Move ``row`` to ``status`` if that is forward; return True when the status changed."""
    if row.status in FINAL or _rank(status) < _rank(row.status) or status == row.status:
        return False
    row.status = status
    row.ts_last = max(row.ts_last, ts)
    if reason:
        row.reason = reason
    return True


def event_row(row: OrderRow, ts: int, reason: str) -> dict[str, Any]:
    """The ``order_events`` row recording ``row``'s current status."""
    return {
        "client_order_id": row.client_order_id,
        "symbol": row.symbol,
        "venue": row.venue,
        "status": row.status,
        "reason": reason,
        "ts_event": ts,
    }


def new_row(snapshot: OrderSnapshot) -> OrderRow:
    """A fresh ``orders`` row for an order seen for the first time."""
    return OrderRow(
        client_order_id=snapshot.client_order_id,
        venue_order_id=snapshot.venue_order_id,
        strategy_id=snapshot.strategy_id,
        symbol=snapshot.instrument_id.symbol,
        venue=snapshot.instrument_id.venue,
        side=snapshot.side.value,
        order_type=snapshot.order_type.value,
        time_in_force=snapshot.time_in_force.value,
        quantity=to_decimal(snapshot.quantity),
        quote_quantity=to_decimal(snapshot.quote_quantity),
        price=_optional(snapshot.price),
        trigger_price=_optional(snapshot.trigger_price),
        post_only=snapshot.post_only,
        reduce_only=snapshot.reduce_only,
        tag=snapshot.tag,
        status=snapshot.status.value,
        filled_quantity=Decimal(0),
        avg_price=Decimal(0),
        reason=snapshot.reason,
        ts_init=snapshot.ts_init,
        ts_last=snapshot.ts_last,
    )


def merge_snapshot(row: OrderRow, snapshot: OrderSnapshot) -> bool:
    """Take the definition from ``snapshot`` and its status if forward; True if it moved."""
    if snapshot.venue_order_id is not None:
        row.venue_order_id = snapshot.venue_order_id
    if row.filled_quantity == 0:  # a quote-sized order learns its quantity from its fills
        row.quantity = to_decimal(snapshot.quantity)
    row.price = _optional(snapshot.price)
    row.trigger_price = _optional(snapshot.trigger_price)
    row.tag = snapshot.tag
    row.ts_last = max(row.ts_last, snapshot.ts_last)
    return advance(row, snapshot.status.value, snapshot.ts_last, snapshot.reason)


def apply_fill(row: OrderRow, fill: OrderFilled) -> bool:
    """Add ``fill`` to the row's filled quantity and average price; True if status moved."""
    quantity = to_decimal(fill.quantity)
    price = to_decimal(fill.price)
    with localcontext(prec=60):
        total = row.filled_quantity + quantity
        average = (row.avg_price * row.filled_quantity + price * quantity) / total
    row.avg_price = to_decimal(average)
    row.filled_quantity = total
    if row.quantity == 0:
        row.quantity = total
    done = total >= row.quantity * _FULL
    row.ts_last = max(row.ts_last, fill.ts_event)
    return advance(row, (_S.FILLED if done else _S.PARTIALLY_FILLED).value, fill.ts_event, "")


def apply_update(row: OrderRow, update: OrderUpdated) -> bool:
    """Apply a venue report to the row; True if its status moved."""
    return advance(row, update.status.value, update.ts_event, update.reason)


def unknown_order_event(update: OrderUpdated) -> dict[str, Any]:
    """The ``order_events`` row for a report about an order this database never saw."""
    return {
        "client_order_id": update.client_order_id,
        "symbol": update.instrument_id.symbol,
        "venue": update.instrument_id.venue,
        "status": update.status.value,
        "reason": update.reason,
        "ts_event": update.ts_event,
    }


def lock_orders(session: Session, client_order_ids: Iterable[str]) -> dict[str, OrderRow]:
    """Load (and on PostgreSQL lock, until commit) the rows of these orders that exist."""
    ids = list(dict.fromkeys(client_order_ids))
    found: dict[str, OrderRow] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        query = select(OrderRow).where(OrderRow.client_order_id.in_(chunk)).with_for_update()
        found.update((row.client_order_id, row) for row in session.scalars(query))
    return found


def upsert_snapshot(
    session: Session, rows: dict[str, OrderRow], snapshot: OrderSnapshot
) -> dict[str, Any] | None:
    """Insert or merge ``snapshot``; return the ``order_events`` row if the status moved."""
    row = rows.get(snapshot.client_order_id)
    if row is None:
        row = new_row(snapshot)
        session.add(row)
        rows[snapshot.client_order_id] = row
        return event_row(row, snapshot.ts_last, snapshot.reason)
    if merge_snapshot(row, snapshot):
        return event_row(row, snapshot.ts_last, snapshot.reason)
    return None


def write_order(db: Database, order: Order) -> None:
    """Commit ``order`` now, before it is sent: the write-ahead record crash recovery reads.

    Blocks until the row is durable (one short transaction). If it raises, do not send the
    order: it would be live at the venue with no record here.

    Raises
    ------
    StorageUnavailableError
        If the database is down or stayed locked past the busy timeout.
    """
    snapshot = OrderSnapshot.of(order)
    with db.unavailable_as(f"writing order {order.client_order_id}"), db.writing() as session:
        rows = lock_orders(session, [snapshot.client_order_id])
        event = upsert_snapshot(session, rows, snapshot)
        if event is not None:
            session.add(OrderEventRow(**event))


def to_order(row: OrderRow) -> Order:
    """Rebuild the domain order from its row (status, fills and venue id included)."""
    order = Order(
        ClientOrderId(row.client_order_id),
        InstrumentId(row.symbol, row.venue),
        OrderSide(row.side),
        OrderType(row.order_type),
        float(row.quantity),
        quote_quantity=float(row.quote_quantity),
        price=None if row.price is None else float(row.price),
        trigger_price=None if row.trigger_price is None else float(row.trigger_price),
        time_in_force=TimeInForce(row.time_in_force),
        post_only=row.post_only,
        reduce_only=row.reduce_only,
        strategy_id=StrategyId(row.strategy_id),
        tag=row.tag,
        ts_init=row.ts_init,
    )
    order.status = OrderStatus(row.status)
    order.filled_quantity = float(row.filled_quantity)
    order.avg_price = float(row.avg_price)
    order.reason = row.reason
    order.ts_last = row.ts_last
    order.venue_order_id = None if row.venue_order_id is None else VenueOrderId(row.venue_order_id)
    return order


__all__ = [
    "FINAL",
    "OPEN_STATUSES",
    "advance",
    "apply_fill",
    "apply_update",
    "lock_orders",
    "merge_snapshot",
    "new_row",
    "to_order",
    "unknown_order_event",
    "upsert_snapshot",
    "write_order",
]
