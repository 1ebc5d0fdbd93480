"""Suggestions: in semi-automatic mode a signal waits here for a person's yes or no.

A suggestion is ``pending`` until someone approves or rejects it, or its time runs out
(``expired``). The decision is one conditional ``UPDATE ... WHERE status = 'pending'``, so
when two people press "approve" on the dashboard and in Telegram at once, exactly one wins
and the other is told who decided first.
"""

from __future__ import annotations

import time
from decimal import Decimal

import msgspec
from sqlalchemy import or_, select, update

from tradebot.model.enums import OrderSide, OrderType
from tradebot.model.identifiers import InstrumentId, StrategyId
from tradebot.model.signals import Signal, SignalIntent, SizeMode
from tradebot.storage.database import Database
from tradebot.storage.errors import SuggestionStateError
from tradebot.storage.tables import SuggestionRow
from tradebot.storage.types import to_decimal


class Suggestion(msgspec.Struct, frozen=True, kw_only=True):
    """A proposed trade and what became of it."""

    id: int
    signal: Signal
    rationale: str
    status: str
    ts_created: int
    ts_expires: int | None
    decided_by: str | None
    decided_channel: str | None
    ts_decided: int | None
    note: str
    client_order_id: str | None


def _optional(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _suggestion(row: SuggestionRow) -> Suggestion:
    signal = Signal(
        instrument_id=InstrumentId(row.symbol, row.venue),
        side=OrderSide(row.side),
        intent=SignalIntent(row.intent),
        size=float(row.size),
        size_mode=SizeMode(row.size_mode),
        order_type=OrderType(row.order_type),
        price=_optional(row.price),
        confidence=row.confidence,
        stop_loss=_optional(row.stop_loss),
        take_profit=_optional(row.take_profit),
        strategy_id=StrategyId(row.strategy_id),
        ts_event=row.ts_created,
    )
    return Suggestion(
        id=row.id,
        signal=signal,
        rationale=row.rationale,
        status=row.status,
        ts_created=row.ts_created,
        ts_expires=row.ts_expires,
        decided_by=row.decided_by,
        decided_channel=row.decided_channel,
        ts_decided=row.ts_decided,
        note=row.note,
        client_order_id=row.client_order_id,
    )


def propose(
    db: Database,
    signal: Signal,
    *,
    rationale: str = "",
    expires: int | None = None,
    ts: int | None = None,
) -> Suggestion:
    """Store ``signal`` as a pending suggestion; ``expires`` is a UTC ns deadline."""
    row = SuggestionRow(
        ts_created=signal.ts_event if ts is None else ts,
        ts_expires=expires,
        strategy_id=signal.strategy_id,
        symbol=signal.instrument_id.symbol,
        venue=signal.instrument_id.venue,
        side=signal.side.value,
        intent=signal.intent.value,
        size=to_decimal(signal.size),
        size_mode=signal.size_mode.value,
        order_type=signal.order_type.value,
        price=None if signal.price is None else to_decimal(signal.price),
        stop_loss=None if signal.stop_loss is None else to_decimal(signal.stop_loss),
        take_profit=None if signal.take_profit is None else to_decimal(signal.take_profit),
        confidence=signal.confidence,
        rationale=rationale,
        status="pending",
        note="",
    )
    with db.unavailable_as("storing a suggestion"), db.writing() as session:
        session.add(row)
        session.flush()
        return _suggestion(row)


def decide(
    db: Database,
    suggestion_id: int,
    *,
    approve: bool,
    by: str,
    channel: str,
    ts: int | None = None,
    note: str = "",
) -> Suggestion:
    """Approve or reject a pending suggestion; return it as decided.

    Raises
    ------
    SuggestionStateError
        If there is no such suggestion, it was already decided, or it expired.
    """
    now = time.time_ns() if ts is None else ts
    status = "approved" if approve else "rejected"
    change = (
        update(SuggestionRow)
        .where(
            SuggestionRow.id == suggestion_id,
            SuggestionRow.status == "pending",
            or_(SuggestionRow.ts_expires.is_(None), SuggestionRow.ts_expires > now),
        )
        .values(status=status, decided_by=by, decided_channel=channel, ts_decided=now, note=note)
    )
    with db.unavailable_as(f"deciding suggestion {suggestion_id}"), db.writing() as session:
        changed = session.execute(change).rowcount  # type: ignore[attr-defined]
        row = session.get(SuggestionRow, suggestion_id, populate_existing=True)
        if row is None:
            raise SuggestionStateError(f"suggestion {suggestion_id} does not exist")
        if changed != 1:
            if row.status == "pending":
                raise SuggestionStateError(
                    f"suggestion {suggestion_id} expired; it was not {status}"
                )
            who = f" by {row.decided_by} ({row.decided_channel})" if row.decided_by else ""
            raise SuggestionStateError(f"suggestion {suggestion_id} was already {row.status}{who}")
        return _suggestion(row)


def set_order(db: Database, suggestion_id: int, client_order_id: str) -> None:
    """Link an approved suggestion to the order it became."""
    change = (
        update(SuggestionRow)
        .where(SuggestionRow.id == suggestion_id)
        .values(client_order_id=client_order_id)
    )
    with db.unavailable_as(f"linking suggestion {suggestion_id}"), db.writing() as session:
        session.execute(change)


def expire(db: Database, now: int) -> int:
    """Mark pending suggestions whose deadline passed as ``expired``; return how many."""
    change = (
        update(SuggestionRow)
        .where(SuggestionRow.status == "pending", SuggestionRow.ts_expires <= now)
        .values(status="expired", ts_decided=now)
    )
    with db.unavailable_as("expiring suggestions"), db.writing() as session:
        return int(session.execute(change).rowcount)  # type: ignore[attr-defined]


def pending(db: Database) -> list[Suggestion]:
    """Suggestions waiting for a decision, oldest first."""
    query = (
        select(SuggestionRow).where(SuggestionRow.status == "pending").order_by(SuggestionRow.id)
    )
    with db.unavailable_as("reading suggestions"), db.reading() as session:
        return [_suggestion(row) for row in session.scalars(query)]


__all__ = ["Suggestion", "decide", "expire", "pending", "propose", "set_order"]
