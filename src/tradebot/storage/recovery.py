"""What a restarted process reads back to carry on where the last one stopped.

The order is: open orders (to reconcile with the venue by client order id), positions, the
exit plans watching them, the last account snapshot, and the strategy configurations
(:func:`tradebot.storage.strategy_configs.strategy_configs`). A session that checkpoints also
reads its checkpoint (how far it got), the venue's own books and the ids the venue was sent;
:mod:`tradebot.storage.session_store` puts it all together.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import msgspec
from sqlalchemy import select

from tradebot.model.identifiers import InstrumentId, StrategyId
from tradebot.model.orders import Order
from tradebot.storage.database import Database
from tradebot.storage.orders import OPEN_STATUSES, to_order
from tradebot.storage.records import (
    AccountSnapshot,
    Checkpoint,
    ExitPlanState,
    PositionSnapshot,
    VenueState,
)
from tradebot.storage.tables import (
    AccountSnapshotRow,
    CheckpointRow,
    ExitPlanRow,
    OrderRow,
    PositionRow,
    VenueOrderRow,
    VenueStateRow,
)


def _optional(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def open_orders(db: Database) -> list[Order]:
    """Orders not in a final state, oldest first, rebuilt as domain orders.

    ``initialized`` orders are included: they were written ahead and may or may not have
    reached the venue before the process stopped, so ask the venue about each.
    """
    query = (
        select(OrderRow)
        .where(OrderRow.status.in_(OPEN_STATUSES))
        .order_by(OrderRow.ts_init, OrderRow.client_order_id)
    )
    with db.unavailable_as("reading open orders"), db.reading() as session:
        return [to_order(row) for row in session.scalars(query)]


def positions(db: Database, *, include_flat: bool = False) -> list[PositionSnapshot]:
    """Each strategy's position per instrument (non-zero ones unless ``include_flat``)."""
    query = select(PositionRow).order_by(PositionRow.strategy_id, PositionRow.symbol)
    if not include_flat:
        query = query.where(PositionRow.quantity != 0)
    with db.unavailable_as("reading positions"), db.reading() as session:
        return [
            PositionSnapshot(
                strategy_id=StrategyId(row.strategy_id),
                instrument_id=InstrumentId(row.symbol, row.venue),
                quantity=float(row.quantity),
                avg_entry_price=float(row.avg_entry_price),
                currency=row.currency,
                ts_event=row.ts_event,
                realized_pnl=float(row.realized_pnl),
                unrealized_pnl=_optional(row.unrealized_pnl),
                fees=float(row.fees),
                funding=float(row.funding),
            )
            for row in session.scalars(query)
        ]


def _plan(row: ExitPlanRow) -> ExitPlanState:
    return ExitPlanState(
        strategy_id=StrategyId(row.strategy_id),
        instrument_id=InstrumentId(row.symbol, row.venue),
        side=1 if row.side == "long" else -1,
        entry_price=float(row.entry_price),
        leverage=float(row.leverage),
        opened_ns=row.opened_ns,
        stop_loss=_optional(row.stop_loss),
        take_profit=_optional(row.take_profit),
        invalidation=tuple(row.invalidation),
        timeframe=row.timeframe,
        peak_profit=row.peak_profit,
        locked_profit=row.locked_profit,
        best_price=float(row.best_price),
        seen_ns=row.seen_ns,
        status=row.status,
        exit_reason=row.exit_reason,
        ts_event=row.ts_updated,
    )


def active_exit_plans(db: Database) -> list[ExitPlanState]:
    """Exit plans still watching a position; ``to_exit_plan()`` rebuilds the monitor's."""
    query = (
        select(ExitPlanRow)
        .where(ExitPlanRow.status == "active")
        .order_by(ExitPlanRow.opened_ns, ExitPlanRow.id)
    )
    with db.unavailable_as("reading exit plans"), db.reading() as session:
        return [_plan(row) for row in session.scalars(query)]


def latest_account_snapshot(db: Database) -> AccountSnapshot | None:
    """The most recent account snapshot, or None when none was written."""
    query = (
        select(AccountSnapshotRow)
        .order_by(AccountSnapshotRow.ts_event.desc(), AccountSnapshotRow.id.desc())
        .limit(1)
    )
    with db.unavailable_as("reading the account snapshot"), db.reading() as session:
        row = session.scalars(query).first()
        if row is None:
            return None
        return AccountSnapshot(
            ts_event=row.ts_event,
            base_currency=row.base_currency,
            equity=float(row.equity),
            balances={b.currency: float(b.balance) for b in row.balances},
            exposure=float(row.exposure),
            margin_used=_optional(row.margin_used),
            unrealized_pnl=_optional(row.unrealized_pnl),
        )


def all_orders(db: Database) -> list[Order]:
    """Every order, oldest first (final ones included)."""
    query = select(OrderRow).order_by(OrderRow.ts_init, OrderRow.client_order_id)
    with db.unavailable_as("reading orders"), db.reading() as session:
        return [to_order(row) for row in session.scalars(query)]


def latest_checkpoint(db: Database, name: str) -> Checkpoint | None:
    """Session ``name``'s checkpoint, or None when it never made one."""
    with db.unavailable_as("reading the checkpoint"), db.reading() as session:
        row = session.get(CheckpointRow, name)
        if row is None:
            return None
        state: dict[str, Any] = msgspec.json.decode(row.state)
        return Checkpoint(
            name=row.name,
            events=row.events,
            ts_event=row.ts_event,
            counters={str(k): int(v) for k, v in state.get("counters", {}).items()},
            fingerprint=dict(state.get("fingerprint", {})),
            completed=row.completed,
        )


def venue_state(db: Database, venue: str) -> VenueState | None:
    """The venue's books as last stored (JSON text), or None."""
    with db.unavailable_as("reading the venue state"), db.reading() as session:
        row = session.get(VenueStateRow, venue)
        if row is None:
            return None
        return VenueState(venue=row.venue, ts_event=row.ts_event, state=row.state)


def venue_order_ids(db: Database, venue: str) -> set[str]:
    """Every client order id ``venue`` was sent."""
    query = select(VenueOrderRow.client_order_id).where(VenueOrderRow.venue == venue)
    with db.unavailable_as("reading venue order ids"), db.reading() as session:
        return set(session.scalars(query))


__all__ = [
    "active_exit_plans",
    "all_orders",
    "latest_account_snapshot",
    "latest_checkpoint",
    "open_orders",
    "positions",
    "venue_order_ids",
    "venue_state",
]
