"""Initial schema.

Orders and their history, fills, funding, positions, account snapshots, signals with their
risk verdict, suggestions, strategy configs, exit plans, metrics, system events and the
append-only audit log.

Column types are spelled out here rather than imported from ``tradebot.storage.types`` so that
this revision keeps creating the same schema when that module changes later.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

AMOUNT = sa.Numeric(38, 18).with_variant(sa.Float(), "sqlite")
"""Exact decimal on PostgreSQL; IEEE double on SQLite (see tradebot.storage.types)."""
JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
"""SQLite auto-increments only a column spelled INTEGER PRIMARY KEY."""


def upgrade() -> None:
    """Upgrade the schema."""
    op.create_table(
        "account_snapshots",
        sa.Column("id", ROW_ID, autoincrement=True, nullable=False),
        sa.Column("ts_event", sa.BigInteger(), nullable=False),
        sa.Column("base_currency", sa.String(), nullable=False),
        sa.Column("equity", AMOUNT, nullable=False),
        sa.Column("exposure", AMOUNT, nullable=False),
        sa.Column("margin_used", AMOUNT, nullable=True),
        sa.Column("unrealized_pnl", AMOUNT, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_snapshots")),
    )
    op.create_index(
        op.f("ix_account_snapshots_ts_event"), "account_snapshots", ["ts_event"], unique=False
    )
    op.create_table(
        "audit_log",
        sa.Column("id", ROW_ID, autoincrement=True, nullable=False),
        sa.Column("ts", sa.BigInteger(), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("command", sa.String(), nullable=False),
        sa.Column("arguments", JSON_DOC, nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "channel IN ('cli', 'api', 'telegram')", name=op.f("ck_audit_log_channel")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_actor_ts"), "audit_log", ["actor", "ts"], unique=False)
    op.create_index(op.f("ix_audit_log_ts"), "audit_log", ["ts"], unique=False)
    op.create_table(
        "exit_plans",
        sa.Column("id", ROW_ID, autoincrement=True, nullable=False),
        sa.Column("strategy_id", sa.String(), nullable=False),
        sa.Column("symbol", sa.String(), nullable=False),
        sa.Column("venue", sa.String(), nullable=False),
        sa.Column("side", sa.String(), nullable=False),
        sa.Column("entry_price", AMOUNT, nullable=False),
        sa.Column("leverage", AMOUNT, nullable=False),
        sa.Column("stop_loss", AMOUNT, nullable=True),
        sa.Column("take_profit", AMOUNT, nullable=True),
        sa.Column("invalidation", JSON_DOC, nullable=False),
        sa.Column("timeframe", sa.String(), nullable=True),
        sa.Column("peak_profit", sa.Float(), nullable=False),
        sa.Column("locked_profit", sa.Float(), nullable=True),
        sa.Column("best_price", AMOUNT, nullable=False),
        sa.Column("opened_ns", sa.BigInteger(), nullable=False),
        sa.Column("seen_ns", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("exit_reason", sa.String(), nullable=False),
        sa.Column("ts_updated", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("side IN ('long', 'short')", name=op.f("ck_exit_plans_side")),
        sa.CheckConstraint("status IN ('active', 'closed')", name=op.f("ck_exit_plans_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exit_plans")),
        sa.UniqueConstraint(
            "strategy_id",
            "symbol",
            "venue",
            "opened_ns",
            name=op.f("uq_exit_plans_strategy_id_symbol_venue_opened_ns"),
        ),
    )
    op.create_index(
        "uq_exit_plans_one_active",
        "exit_plans",
        ["strategy_id", "symbol", "venue"],
        unique=True,
        postgresql_where=sa.text("status = 'active'"),
        sqlite_where=sa.text("status = 'active'"),
    )
    op.create_table(
        "fills",
        sa.Column("id", ROW_ID, autoincrement=True, nullable=False),
        sa.Column("client_order_id", sa.String(), nullable=False),
        sa.Column("trade_id", sa.String(), nullable=False),
        sa.Column("strategy_id", sa.String(), nullable=False),
        sa.Column("symbol", sa.String(), nullable=False),
        sa.Column("venue", sa.String(), nullable=False),
        sa.Column("side", sa.String(), nullable=False),
        sa.Column("quantity", AMOUNT, nullable=False),
        sa.Column("price", AMOUNT, nullable=False),
        sa.Column("fee", AMOUNT, nullable=False),
        sa.Column("fee_currency", sa.String(), nullable=False),
        sa.Column("liquidity", sa.String(), nullable=False),
        sa.Column("tag", sa.Text(), nullable=False),
        sa.Column("ts_event", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fills")),
    )
    op.create_index(op.f("ix_fills_client_order_id"), "fills", ["client_order_id"], unique=False)
    op.create_index(
        op.f("ix_fills_strategy_id_ts_event"), "fills", ["strategy_id", "ts_event"], unique=False
    )
    op.create_index(op.f("ix_fills_ts_event"), "fills", ["ts_event"], unique=False)
    op.create_table(
        "funding_payments",
        sa.Column("id", ROW_ID, autoincrement=True, nullable=False),
        sa.Column("symbol", sa.String(), nullable=False),
        sa.Column("venue", sa.String(), nullable=False),
        sa.Column("rate", AMOUNT, nullable=False),
        sa.Column("amount", AMOUNT, nullable=False),
        sa.Column("currency", sa.String(), nullable=False),
        sa.Column("ts_event", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_funding_payments")),
    )
    op.create_index(
        op.f("ix_funding_payments_ts_event"), "funding_payments", ["ts_event"], unique=False
    )
    op.create_table(
        "metrics_snapshots",
        sa.Column("id", ROW_ID, autoincrement=True, nullable=False),
        sa.Column("ts_event", sa.BigInteger(), nullable=False),
        sa.Column("scope", sa.String(), nullable=False),
        sa.Column("values", JSON_DOC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_metrics_snapshots")),
    )
    op.create_index(
        op.f("ix_metrics_snapshots_scope_ts_event"),
        "metrics_snapshots",
        ["scope", "ts_event"],
        unique=False,
    )
    op.create_table(
        "order_events",
        sa.Column("id", ROW_ID, autoincrement=True, nullable=False),
        sa.Column("client_order_id", sa.String(), nullable=False),
        sa.Column("symbol", sa.String(), nullable=False),
        sa.Column("venue", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("ts_event", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_events")),
    )
    op.create_index(
        op.f("ix_order_events_client_order_id"), "order_events", ["client_order_id"], unique=False
    )
    op.create_table(
        "orders",
        sa.Column("client_order_id", sa.String(), nullable=False),
        sa.Column("venue_order_id", sa.String(), nullable=True),
        sa.Column("strategy_id", sa.String(), nullable=False),
        sa.Column("symbol", sa.String(), nullable=False),
        sa.Column("venue", sa.String(), nullable=False),
        sa.Column("side", sa.String(), nullable=False),
        sa.Column("order_type", sa.String(), nullable=False),
        sa.Column("time_in_force", sa.String(), nullable=False),
        sa.Column("quantity", AMOUNT, nullable=False),
        sa.Column("quote_quantity", AMOUNT, nullable=False),
        sa.Column("price", AMOUNT, nullable=True),
        sa.Column("trigger_price", AMOUNT, nullable=True),
        sa.Column("post_only", sa.Boolean(), nullable=False),
        sa.Column("reduce_only", sa.Boolean(), nullable=False),
        sa.Column("tag", sa.Text(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("filled_quantity", AMOUNT, nullable=False),
        sa.Column("avg_price", AMOUNT, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("ts_init", sa.BigInteger(), nullable=False),
        sa.Column("ts_last", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("client_order_id", name=op.f("pk_orders")),
    )
    op.create_index(op.f("ix_orders_status"), "orders", ["status"], unique=False)
    op.create_index(op.f("ix_orders_strategy_id"), "orders", ["strategy_id"], unique=False)
    op.create_table(
        "positions",
        sa.Column("strategy_id", sa.String(), nullable=False),
        sa.Column("symbol", sa.String(), nullable=False),
        sa.Column("venue", sa.String(), nullable=False),
        sa.Column("quantity", AMOUNT, nullable=False),
        sa.Column("avg_entry_price", AMOUNT, nullable=False),
        sa.Column("realized_pnl", AMOUNT, nullable=False),
        sa.Column("unrealized_pnl", AMOUNT, nullable=True),
        sa.Column("fees", AMOUNT, nullable=False),
        sa.Column("funding", AMOUNT, nullable=False),
        sa.Column("currency", sa.String(), nullable=False),
        sa.Column("ts_event", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("strategy_id", "symbol", "venue", name=op.f("pk_positions")),
    )
    op.create_table(
        "signals",
        sa.Column("id", ROW_ID, autoincrement=True, nullable=False),
        sa.Column("ts_event", sa.BigInteger(), nullable=False),
        sa.Column("strategy_id", sa.String(), nullable=False),
        sa.Column("symbol", sa.String(), nullable=False),
        sa.Column("venue", sa.String(), nullable=False),
        sa.Column("side", sa.String(), nullable=False),
        sa.Column("intent", sa.String(), nullable=False),
        sa.Column("size", AMOUNT, nullable=False),
        sa.Column("size_mode", sa.String(), nullable=False),
        sa.Column("order_type", sa.String(), nullable=False),
        sa.Column("price", AMOUNT, nullable=True),
        sa.Column("trigger_price", AMOUNT, nullable=True),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("stop_loss", AMOUNT, nullable=True),
        sa.Column("take_profit", AMOUNT, nullable=True),
        sa.Column("invalidation", JSON_DOC, nullable=False),
        sa.Column("tag", sa.Text(), nullable=False),
        sa.Column("verdict", sa.String(), nullable=False),
        sa.Column("code", sa.String(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("quantity", AMOUNT, nullable=True),
        sa.Column("quote_quantity", AMOUNT, nullable=True),
        sa.Column("reduce_only", sa.Boolean(), nullable=True),
        sa.Column("client_order_id", sa.String(), nullable=True),
        sa.CheckConstraint(
            "verdict IN ('accepted', 'resized', 'denied')", name=op.f("ck_signals_verdict")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signals")),
    )
    op.create_index(
        op.f("ix_signals_client_order_id"), "signals", ["client_order_id"], unique=False
    )
    op.create_index(
        op.f("ix_signals_strategy_id_ts_event"),
        "signals",
        ["strategy_id", "ts_event"],
        unique=False,
    )
    op.create_index(op.f("ix_signals_ts_event"), "signals", ["ts_event"], unique=False)
    op.create_table(
        "strategy_configs",
        sa.Column("id", ROW_ID, autoincrement=True, nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("params", JSON_DOC, nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("changed_by", sa.String(), nullable=False),
        sa.Column("ts_created", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_strategy_configs")),
        sa.UniqueConstraint("name", "version", name=op.f("uq_strategy_configs_name_version")),
    )
    op.create_table(
        "suggestions",
        sa.Column("id", ROW_ID, autoincrement=True, nullable=False),
        sa.Column("ts_created", sa.BigInteger(), nullable=False),
        sa.Column("ts_expires", sa.BigInteger(), nullable=True),
        sa.Column("strategy_id", sa.String(), nullable=False),
        sa.Column("symbol", sa.String(), nullable=False),
        sa.Column("venue", sa.String(), nullable=False),
        sa.Column("side", sa.String(), nullable=False),
        sa.Column("intent", sa.String(), nullable=False),
        sa.Column("size", AMOUNT, nullable=False),
        sa.Column("size_mode", sa.String(), nullable=False),
        sa.Column("order_type", sa.String(), nullable=False),
        sa.Column("price", AMOUNT, nullable=True),
        sa.Column("stop_loss", AMOUNT, nullable=True),
        sa.Column("take_profit", AMOUNT, nullable=True),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("decided_by", sa.String(), nullable=True),
        sa.Column("decided_channel", sa.String(), nullable=True),
        sa.Column("ts_decided", sa.BigInteger(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("client_order_id", sa.String(), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected', 'expired')",
            name=op.f("ck_suggestions_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suggestions")),
    )
    op.create_index(op.f("ix_suggestions_status"), "suggestions", ["status"], unique=False)
    op.create_table(
        "system_events",
        sa.Column("id", ROW_ID, autoincrement=True, nullable=False),
        sa.Column("ts_event", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("level", sa.String(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("details", JSON_DOC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_system_events")),
    )
    op.create_index(op.f("ix_system_events_kind"), "system_events", ["kind"], unique=False)
    op.create_index(op.f("ix_system_events_ts_event"), "system_events", ["ts_event"], unique=False)
    op.create_table(
        "account_balances",
        sa.Column("snapshot_id", ROW_ID, nullable=False),
        sa.Column("currency", sa.String(), nullable=False),
        sa.Column("balance", AMOUNT, nullable=False),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["account_snapshots.id"],
            name=op.f("fk_account_balances_snapshot_id_account_snapshots"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("snapshot_id", "currency", name=op.f("pk_account_balances")),
    )
    _make_audit_log_append_only()


def downgrade() -> None:
    """Downgrade the schema."""
    _drop_audit_log_triggers()
    op.drop_table("account_balances")
    op.drop_index(op.f("ix_system_events_ts_event"), table_name="system_events")
    op.drop_index(op.f("ix_system_events_kind"), table_name="system_events")
    op.drop_table("system_events")
    op.drop_index(op.f("ix_suggestions_status"), table_name="suggestions")
    op.drop_table("suggestions")
    op.drop_table("strategy_configs")
    op.drop_index(op.f("ix_signals_ts_event"), table_name="signals")
    op.drop_index(op.f("ix_signals_strategy_id_ts_event"), table_name="signals")
    op.drop_index(op.f("ix_signals_client_order_id"), table_name="signals")
    op.drop_table("signals")
    op.drop_table("positions")
    op.drop_index(op.f("ix_orders_strategy_id"), table_name="orders")
    op.drop_index(op.f("ix_orders_status"), table_name="orders")
    op.drop_table("orders")
    op.drop_index(op.f("ix_order_events_client_order_id"), table_name="order_events")
    op.drop_table("order_events")
    op.drop_index(op.f("ix_metrics_snapshots_scope_ts_event"), table_name="metrics_snapshots")
    op.drop_table("metrics_snapshots")
    op.drop_index(op.f("ix_funding_payments_ts_event"), table_name="funding_payments")
    op.drop_table("funding_payments")
    op.drop_index(op.f("ix_fills_ts_event"), table_name="fills")
    op.drop_index(op.f("ix_fills_strategy_id_ts_event"), table_name="fills")
    op.drop_index(op.f("ix_fills_client_order_id"), table_name="fills")
    op.drop_table("fills")
    op.drop_index(
        "uq_exit_plans_one_active",
        table_name="exit_plans",
        postgresql_where=sa.text("status = 'active'"),
        sqlite_where=sa.text("status = 'active'"),
    )
    op.drop_table("exit_plans")
    op.drop_index(op.f("ix_audit_log_ts"), table_name="audit_log")
    op.drop_index(op.f("ix_audit_log_actor_ts"), table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index(op.f("ix_account_snapshots_ts_event"), table_name="account_snapshots")
    op.drop_table("account_snapshots")


# -- audit_log is append-only ------------------------------------------------------------------
# Enforced by the database, so no code path (nor a person with a SQL shell and the app's
# credentials) can rewrite history without first dropping the trigger, which is itself a
# schema change. Both backends report it as an integrity violation (SQLSTATE 23000 on
# PostgreSQL, SQLITE_CONSTRAINT_TRIGGER on SQLite).

_PG_FUNCTION = """
CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END
$$
"""
_PG_TRIGGERS = (
    "CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change()",
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change()",
)
_SQLITE_TRIGGERS = tuple(
    f"CREATE TRIGGER audit_log_no_{op_name.lower()} BEFORE {op_name} ON audit_log "
    f"BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: {op_name} refused'); END"
    for op_name in ("UPDATE", "DELETE")
)


def _make_audit_log_append_only() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        for statement in _PG_TRIGGERS:
            op.execute(statement)
    else:
        for statement in _SQLITE_TRIGGERS:
            op.execute(statement)


def _drop_audit_log_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update_delete ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_refuse_change()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
