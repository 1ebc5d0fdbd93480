"""Reading history back as the domain's own messages: fills, order events, funding, signals
with their verdicts, system events and metrics. Reports, the dashboard and tests compare what
was stored with what was published, type for type."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from tradebot.engine.trading_engine import SignalRecord
from tradebot.model.enums import LiquiditySide, OrderSide, OrderStatus, OrderType
from tradebot.model.events import FundingPaid, OrderFilled, OrderUpdated
from tradebot.model.identifiers import ClientOrderId, InstrumentId, StrategyId
from tradebot.model.signals import Signal, SignalIntent, SizeMode
from tradebot.risk.verdict import Approved, Denied, Verdict
from tradebot.storage.database import Database
from tradebot.storage.records import MetricsSnapshot, SystemEvent
from tradebot.storage.tables import (
    FillRow,
    FundingPaymentRow,
    MetricsSnapshotRow,
    OrderEventRow,
    SignalRow,
    SystemEventRow,
)


def _optional(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def fills(
    db: Database, *, client_order_id: str | None = None, strategy_id: str | None = None
) -> list[OrderFilled]:
    """Fills in the order they were written, optionally of one order or one strategy."""
    query = select(FillRow).order_by(FillRow.id)
    if client_order_id is not None:
        query = query.where(FillRow.client_order_id == client_order_id)
    if strategy_id is not None:
        query = query.where(FillRow.strategy_id == strategy_id)
    with db.unavailable_as("reading fills"), db.reading() as session:
        return [
            OrderFilled(
                client_order_id=ClientOrderId(row.client_order_id),
                instrument_id=InstrumentId(row.symbol, row.venue),
                strategy_id=StrategyId(row.strategy_id),
                side=OrderSide(row.side),
                quantity=float(row.quantity),
                price=float(row.price),
                fee=float(row.fee),
                fee_currency=row.fee_currency,
                liquidity=LiquiditySide(row.liquidity),
                ts_event=row.ts_event,
                trade_id=row.trade_id,
                tag=row.tag,
            )
            for row in session.scalars(query)
        ]


def order_events(db: Database, client_order_id: str) -> list[OrderUpdated]:
    """Every status the order took, in order, with its time and reason."""
    query = (
        select(OrderEventRow)
        .where(OrderEventRow.client_order_id == client_order_id)
        .order_by(OrderEventRow.id)
    )
    with db.unavailable_as("reading order events"), db.reading() as session:
        return [
            OrderUpdated(
                ClientOrderId(row.client_order_id),
                InstrumentId(row.symbol, row.venue),
                OrderStatus(row.status),
                row.ts_event,
                row.reason,
            )
            for row in session.scalars(query)
        ]


def funding_payments(db: Database) -> list[FundingPaid]:
    """Funding payments in the order they were written."""
    query = select(FundingPaymentRow).order_by(FundingPaymentRow.id)
    with db.unavailable_as("reading funding payments"), db.reading() as session:
        return [
            FundingPaid(
                InstrumentId(row.symbol, row.venue),
                float(row.rate),
                float(row.amount),
                row.currency,
                row.ts_event,
            )
            for row in session.scalars(query)
        ]


def _verdict(row: SignalRow, side: OrderSide) -> Verdict:
    if row.verdict == "denied":
        return Denied(row.code or "", row.reason)
    return Approved(
        side,
        float(row.quantity or 0),
        quote_quantity=float(row.quote_quantity or 0),
        reduce_only=bool(row.reduce_only),
        note=row.reason,
    )


def signals(db: Database, *, strategy_id: str | None = None) -> list[SignalRecord]:
    """Signals with their risk verdicts, in the order they were written."""
    query = select(SignalRow).order_by(SignalRow.id)
    if strategy_id is not None:
        query = query.where(SignalRow.strategy_id == strategy_id)
    records = []
    with db.unavailable_as("reading signals"), db.reading() as session:
        for row in session.scalars(query):
            side = OrderSide(row.side)
            signal = Signal(
                instrument_id=InstrumentId(row.symbol, row.venue),
                side=side,
                intent=SignalIntent(row.intent),
                size=float(row.size),
                size_mode=SizeMode(row.size_mode),
                order_type=OrderType(row.order_type),
                price=_optional(row.price),
                trigger_price=_optional(row.trigger_price),
                confidence=row.confidence,
                stop_loss=_optional(row.stop_loss),
                take_profit=_optional(row.take_profit),
                invalidation=tuple(row.invalidation),
                tag=row.tag,
                strategy_id=StrategyId(row.strategy_id),
                ts_event=row.ts_event,
            )
            records.append(SignalRecord(signal, _verdict(row, side), row.client_order_id))
    return records


def system_events(db: Database, *, kind: str | None = None) -> list[SystemEvent]:
    """System events in the order they were written, optionally of one kind."""
    query = select(SystemEventRow).order_by(SystemEventRow.id)
    if kind is not None:
        query = query.where(SystemEventRow.kind == kind)
    with db.unavailable_as("reading system events"), db.reading() as session:
        return [
            SystemEvent(
                ts_event=row.ts_event,
                kind=row.kind,
                message=row.message,
                level=row.level,
                details=row.details,
            )
            for row in session.scalars(query)
        ]


def metrics_snapshots(db: Database, *, scope: str = "portfolio") -> list[MetricsSnapshot]:
    """Metrics snapshots of ``scope``, oldest first."""
    query = (
        select(MetricsSnapshotRow)
        .where(MetricsSnapshotRow.scope == scope)
        .order_by(MetricsSnapshotRow.ts_event, MetricsSnapshotRow.id)
    )
    with db.unavailable_as("reading metrics"), db.reading() as session:
        return [
            MetricsSnapshot(ts_event=row.ts_event, values=row.values, scope=row.scope)
            for row in session.scalars(query)
        ]


__all__ = [
    "fills",
    "funding_payments",
    "metrics_snapshots",
    "order_events",
    "signals",
    "system_events",
]
