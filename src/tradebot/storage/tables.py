"""The schema: one mapped class per table.

Rows are storage records, not domain objects (the domain's ``Order`` is mutable and float
based; a row is what was true when it was written). Conventions, chosen once:

* amounts use :class:`~tradebot.storage.types.Amount` (exact ``NUMERIC(38, 18)`` on
  PostgreSQL), dimensionless ratios (confidence, weight) use ``Float``;
* times are ``BIGINT`` UTC nanoseconds in ``ts_*`` columns;
* instruments are stored as ``symbol`` + ``venue`` so SQL can filter on either;
* event and fill rows carry ``client_order_id`` without a foreign key: a venue may report a
  fill for an order this process never wrote (a liquidation), and the log must keep it.

The initial migration (``migrations/versions/r0001_initial.py``) creates exactly this schema,
plus the triggers that make ``audit_log`` append-only; a test compares the two.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from tradebot.storage.types import Amount, Json, RowId

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
"""Deterministic constraint names, so migrations can name what they alter on both backends."""


class Base(DeclarativeBase):
    """Declarative base: Python annotations map to the column types below."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {  # noqa: RUF012 (SQLAlchemy reads this class attribute)
        str: String(),
        int: BigInteger(),
        bool: Boolean(),
        float: Float(),
        Decimal: Amount(),
        dict[str, Any]: Json(),
        list[str]: Json(),
    }


# -- orders ------------------------------------------------------------------------------------
class OrderRow(Base):
    """One row per order: its definition and latest known state.

    ``filled_quantity`` and ``avg_price`` are derived from the ``fills`` written for the order;
    ``status`` only moves forward along the order life cycle, whichever path wrote last.
    """

    __tablename__ = "orders"

    client_order_id: Mapped[str] = mapped_column(primary_key=True)
    venue_order_id: Mapped[str | None]
    strategy_id: Mapped[str] = mapped_column(index=True)
    symbol: Mapped[str]
    venue: Mapped[str]
    side: Mapped[str]
    order_type: Mapped[str]
    time_in_force: Mapped[str]
    quantity: Mapped[Decimal]
    quote_quantity: Mapped[Decimal]
    price: Mapped[Decimal | None]
    trigger_price: Mapped[Decimal | None]
    post_only: Mapped[bool]
    reduce_only: Mapped[bool]
    tag: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(index=True)
    filled_quantity: Mapped[Decimal]
    avg_price: Mapped[Decimal]
    reason: Mapped[str] = mapped_column(Text)
    ts_init: Mapped[int]
    ts_last: Mapped[int]


class OrderEventRow(Base):
    """A state change of an order: a venue report, or the status a fill moved it to."""

    __tablename__ = "order_events"

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    client_order_id: Mapped[str] = mapped_column(index=True)
    symbol: Mapped[str]
    venue: Mapped[str]
    status: Mapped[str]
    reason: Mapped[str] = mapped_column(Text)
    ts_event: Mapped[int]


class FillRow(Base):
    """One execution. ``fee`` is in ``fee_currency``: positive a cost, negative a rebate."""

    __tablename__ = "fills"
    __table_args__ = (Index(None, "strategy_id", "ts_event"),)

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    client_order_id: Mapped[str] = mapped_column(index=True)
    trade_id: Mapped[str]
    strategy_id: Mapped[str]
    symbol: Mapped[str]
    venue: Mapped[str]
    side: Mapped[str]
    quantity: Mapped[Decimal]
    price: Mapped[Decimal]
    fee: Mapped[Decimal]
    fee_currency: Mapped[str]
    liquidity: Mapped[str]
    tag: Mapped[str] = mapped_column(Text)
    ts_event: Mapped[int] = mapped_column(index=True)


class FundingPaymentRow(Base):
    """A perpetual's funding payment: negative ``amount`` was paid, positive received."""

    __tablename__ = "funding_payments"

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    symbol: Mapped[str]
    venue: Mapped[str]
    rate: Mapped[Decimal]
    amount: Mapped[Decimal]
    currency: Mapped[str]
    ts_event: Mapped[int] = mapped_column(index=True)


# -- positions and account ---------------------------------------------------------------------
class PositionRow(Base):
    """The current position of one strategy in one instrument (replaced on every snapshot).

    ``quantity`` is signed (negative short); a flat position keeps its row and its P&L.
    """

    __tablename__ = "positions"

    strategy_id: Mapped[str] = mapped_column(primary_key=True)
    symbol: Mapped[str] = mapped_column(primary_key=True)
    venue: Mapped[str] = mapped_column(primary_key=True)
    quantity: Mapped[Decimal]
    avg_entry_price: Mapped[Decimal]
    realized_pnl: Mapped[Decimal]
    unrealized_pnl: Mapped[Decimal | None]
    fees: Mapped[Decimal]
    funding: Mapped[Decimal]
    currency: Mapped[str]
    ts_event: Mapped[int]


class AccountSnapshotRow(Base):
    """Equity and balances at one time; the latest one seeds a restart."""

    __tablename__ = "account_snapshots"

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    ts_event: Mapped[int] = mapped_column(index=True)
    base_currency: Mapped[str]
    equity: Mapped[Decimal]
    exposure: Mapped[Decimal]
    margin_used: Mapped[Decimal | None]
    unrealized_pnl: Mapped[Decimal | None]
    balances: Mapped[list[AccountBalanceRow]] = relationship(
        back_populates="snapshot", cascade="all, delete-orphan", lazy="selectin"
    )


class AccountBalanceRow(Base):
    """Wallet balance of one currency in one account snapshot."""

    __tablename__ = "account_balances"

    snapshot_id: Mapped[int] = mapped_column(
        ForeignKey("account_snapshots.id", ondelete="CASCADE"), primary_key=True
    )
    currency: Mapped[str] = mapped_column(primary_key=True)
    balance: Mapped[Decimal]
    snapshot: Mapped[AccountSnapshotRow] = relationship(back_populates="balances")


# -- decisions ---------------------------------------------------------------------------------
class SignalRow(Base):
    """A strategy's signal and the risk engine's verdict on it.

    ``verdict`` is ``accepted`` (as asked), ``resized`` (a rule shrank it; ``reason`` says
    which) or ``denied`` (``code`` and ``reason`` say why). ``quantity``, ``quote_quantity``
    and ``reduce_only`` are what risk approved (null when denied).
    """

    __tablename__ = "signals"
    __table_args__ = (
        CheckConstraint("verdict IN ('accepted', 'resized', 'denied')", name="verdict"),
        Index(None, "strategy_id", "ts_event"),
    )

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    ts_event: Mapped[int] = mapped_column(index=True)
    strategy_id: Mapped[str]
    symbol: Mapped[str]
    venue: Mapped[str]
    side: Mapped[str]
    intent: Mapped[str]
    size: Mapped[Decimal]
    size_mode: Mapped[str]
    order_type: Mapped[str]
    price: Mapped[Decimal | None]
    trigger_price: Mapped[Decimal | None]
    confidence: Mapped[float]
    stop_loss: Mapped[Decimal | None]
    take_profit: Mapped[Decimal | None]
    invalidation: Mapped[list[str]]
    tag: Mapped[str] = mapped_column(Text)
    verdict: Mapped[str]
    code: Mapped[str | None]
    reason: Mapped[str] = mapped_column(Text)
    quantity: Mapped[Decimal | None]
    quote_quantity: Mapped[Decimal | None]
    reduce_only: Mapped[bool | None]
    client_order_id: Mapped[str | None] = mapped_column(index=True)


class SuggestionRow(Base):
    """A trade proposed in semi-automatic mode, waiting for a person's decision."""

    __tablename__ = "suggestions"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'approved', 'rejected', 'expired')", name="status"),
    )

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    ts_created: Mapped[int]
    ts_expires: Mapped[int | None]
    strategy_id: Mapped[str]
    symbol: Mapped[str]
    venue: Mapped[str]
    side: Mapped[str]
    intent: Mapped[str]
    size: Mapped[Decimal]
    size_mode: Mapped[str]
    order_type: Mapped[str]
    price: Mapped[Decimal | None]
    stop_loss: Mapped[Decimal | None]
    take_profit: Mapped[Decimal | None]
    confidence: Mapped[float]
    rationale: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(index=True)
    decided_by: Mapped[str | None]
    decided_channel: Mapped[str | None]
    ts_decided: Mapped[int | None]
    note: Mapped[str] = mapped_column(Text)
    client_order_id: Mapped[str | None]


class StrategyConfigRow(Base):
    """One version of a strategy's configuration; a change adds a version, never edits one."""

    __tablename__ = "strategy_configs"
    __table_args__ = (UniqueConstraint("name", "version"),)

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    name: Mapped[str]
    version: Mapped[int]
    params: Mapped[dict[str, Any]]
    weight: Mapped[float]
    enabled: Mapped[bool]
    changed_by: Mapped[str]
    ts_created: Mapped[int]


class ExitPlanRow(Base):
    """The exits watched for one position: stop, target, trailing state, invalidation.

    A plan is identified by strategy, instrument and ``opened_ns`` (its first entry); at most
    one plan per strategy and instrument is ``active`` (a partial unique index holds this).
    """

    __tablename__ = "exit_plans"
    __table_args__ = (
        UniqueConstraint("strategy_id", "symbol", "venue", "opened_ns"),
        CheckConstraint("status IN ('active', 'closed')", name="status"),
        CheckConstraint("side IN ('long', 'short')", name="side"),
        Index(
            "uq_exit_plans_one_active",
            "strategy_id",
            "symbol",
            "venue",
            unique=True,
            postgresql_where=text("status = 'active'"),
            sqlite_where=text("status = 'active'"),
        ),
    )

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    strategy_id: Mapped[str]
    symbol: Mapped[str]
    venue: Mapped[str]
    side: Mapped[str]
    entry_price: Mapped[Decimal]
    leverage: Mapped[Decimal]
    stop_loss: Mapped[Decimal | None]
    take_profit: Mapped[Decimal | None]
    invalidation: Mapped[list[str]]
    timeframe: Mapped[str | None]
    peak_profit: Mapped[float]
    locked_profit: Mapped[float | None]
    best_price: Mapped[Decimal]
    opened_ns: Mapped[int]
    seen_ns: Mapped[int]
    status: Mapped[str]
    exit_reason: Mapped[str]
    ts_updated: Mapped[int]


# -- crash recovery ----------------------------------------------------------------------------
class CheckpointRow(Base):
    """Where a session stands: market events processed, the last one's time, and what a restart
    needs besides the tables (client order id counters, what the session runs on).

    One row per session name, replaced at every checkpoint in the same transaction as the
    fills, orders, positions, plans and venue state of the events it counts."""

    __tablename__ = "checkpoints"

    name: Mapped[str] = mapped_column(primary_key=True)
    events: Mapped[int]
    ts_event: Mapped[int]
    completed: Mapped[bool]
    state: Mapped[str] = mapped_column(Text)
    """JSON text (doubles kept exact)."""


class VenueStateRow(Base):
    """A venue's own books as of ``ts_event`` (for the paper venue: resting orders, balances,
    positions, counters), JSON text; one row per venue, replaced when they change."""

    __tablename__ = "venue_states"

    venue: Mapped[str] = mapped_column(primary_key=True)
    ts_event: Mapped[int]
    state: Mapped[str] = mapped_column(Text)


class VenueOrderRow(Base):
    """A client order id a venue was sent: the venue deduplicates on these after a restart."""

    __tablename__ = "venue_orders"

    venue: Mapped[str] = mapped_column(primary_key=True)
    client_order_id: Mapped[str] = mapped_column(primary_key=True)
    ts_event: Mapped[int]


# -- observations ------------------------------------------------------------------------------
class MetricsSnapshotRow(Base):
    """Performance figures at one time, for the whole account (``scope='portfolio'``) or one
    strategy; ``values`` maps a metric name to a number or null."""

    __tablename__ = "metrics_snapshots"
    __table_args__ = (Index(None, "scope", "ts_event"),)

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    ts_event: Mapped[int]
    scope: Mapped[str]
    values: Mapped[dict[str, Any]]


class SystemEventRow(Base):
    """Something the operator should be able to look up: a risk block, a failed strategy, a
    liquidation, a restart."""

    __tablename__ = "system_events"

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    ts_event: Mapped[int] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(index=True)
    level: Mapped[str]
    message: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]]


class AuditLogRow(Base):
    """Every command a person gave, on any channel. Append-only: database triggers refuse
    ``UPDATE`` and ``DELETE`` (and ``TRUNCATE`` on PostgreSQL)."""

    __tablename__ = "audit_log"
    __table_args__ = (
        CheckConstraint("channel IN ('cli', 'api', 'telegram')", name="channel"),
        Index(None, "actor", "ts"),
    )

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    ts: Mapped[int] = mapped_column(index=True)
    actor: Mapped[str]
    channel: Mapped[str]
    command: Mapped[str]
    arguments: Mapped[dict[str, Any]]
    result: Mapped[str] = mapped_column(Text)
    ok: Mapped[bool]


__all__ = [
    "NAMING",
    "AccountBalanceRow",
    "AccountSnapshotRow",
    "AuditLogRow",
    "Base",
    "CheckpointRow",
    "ExitPlanRow",
    "FillRow",
    "FundingPaymentRow",
    "MetricsSnapshotRow",
    "OrderEventRow",
    "OrderRow",
    "PositionRow",
    "SignalRow",
    "StrategyConfigRow",
    "SuggestionRow",
    "SystemEventRow",
    "VenueOrderRow",
    "VenueStateRow",
]
