"""Storage: SQLAlchemy tables, Alembic migrations, a background writer and read-back queries.

SQLite file by default, PostgreSQL in production, one schema and one code path for both::

    db = open_database("sqlite:///data/tradebot.db")   # or postgresql+psycopg://…; migrates
    writer = StorageWriter(db)
    writer.attach(engine.bus)          # fills, order updates, funding, risk blocks, failures
    writer.write_order_now(order)      # write-ahead, before sending
    writer.record(PositionSnapshot.of(position, strategy_id, ts))
    writer.close()

    open_orders(db), positions(db), active_exit_plans(db), latest_account_snapshot(db),
    strategy_configs(db)               # what a restart reads back
    record_command(db, actor=…, channel="telegram", command="pause")   # append-only audit
"""

from tradebot.storage.audit import AuditEntry, audit_log, record_command
from tradebot.storage.database import Database, migrate, open_database
from tradebot.storage.errors import DatabaseUrlError, StorageUnavailableError, SuggestionStateError
from tradebot.storage.history import (
    fills,
    funding_payments,
    metrics_snapshots,
    order_events,
    signals,
    system_events,
)
from tradebot.storage.orders import write_order
from tradebot.storage.records import (
    AccountSnapshot,
    ExitPlanState,
    MetricsSnapshot,
    OrderSnapshot,
    PositionSnapshot,
    SystemEvent,
)
from tradebot.storage.recovery import (
    active_exit_plans,
    latest_account_snapshot,
    open_orders,
    positions,
)
from tradebot.storage.schema_version import current_revision, head_revision
from tradebot.storage.strategy_configs import (
    StrategyConfig,
    save_strategy_config,
    strategy_config_history,
    strategy_configs,
)
from tradebot.storage.suggestions import Suggestion
from tradebot.storage.urls import default_url, mask
from tradebot.storage.writer import BUS_MESSAGES, StorageWriter, WriterHealth

__all__ = [
    "BUS_MESSAGES",
    "AccountSnapshot",
    "AuditEntry",
    "Database",
    "DatabaseUrlError",
    "ExitPlanState",
    "MetricsSnapshot",
    "OrderSnapshot",
    "PositionSnapshot",
    "StorageUnavailableError",
    "StorageWriter",
    "StrategyConfig",
    "Suggestion",
    "SuggestionStateError",
    "SystemEvent",
    "WriterHealth",
    "active_exit_plans",
    "audit_log",
    "current_revision",
    "default_url",
    "fills",
    "funding_payments",
    "head_revision",
    "latest_account_snapshot",
    "mask",
    "metrics_snapshots",
    "migrate",
    "open_database",
    "open_orders",
    "order_events",
    "positions",
    "record_command",
    "save_strategy_config",
    "signals",
    "strategy_config_history",
    "strategy_configs",
    "system_events",
    "write_order",
]
