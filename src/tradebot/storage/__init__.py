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

A whole session kept as it runs and resumed after a crash (``tradebot run --db``)::

    store = SessionStore(db, engine, name="paper", fingerprint={...})
    events = store.resume(iter(source))   # warm-up, rebuild, reconcile with the venue
    ... engine.on_event(event); store.checkpoint() ...
    store.close(completed=True)
"""

from tradebot.storage.audit import AuditEntry, audit_log, record_command
from tradebot.storage.database import Database, migrate, open_database
from tradebot.storage.errors import (
    DatabaseUrlError,
    SessionMismatchError,
    StorageUnavailableError,
    SuggestionStateError,
)
from tradebot.storage.history import (
    fills,
    funding_payments,
    metrics_snapshots,
    order_events,
    signals,
    system_events,
)
from tradebot.storage.orders import write_order
from tradebot.storage.reconcile import Difference, reconcile
from tradebot.storage.records import (
    AccountSnapshot,
    Checkpoint,
    ExitPlanState,
    MetricsSnapshot,
    OrderSnapshot,
    PositionSnapshot,
    SystemEvent,
    VenueState,
)
from tradebot.storage.recovery import (
    active_exit_plans,
    all_orders,
    latest_account_snapshot,
    latest_checkpoint,
    open_orders,
    positions,
    venue_order_ids,
    venue_state,
)
from tradebot.storage.schema_version import current_revision, head_revision
from tradebot.storage.session_store import SessionStore
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
    "Checkpoint",
    "Database",
    "DatabaseUrlError",
    "Difference",
    "ExitPlanState",
    "MetricsSnapshot",
    "OrderSnapshot",
    "PositionSnapshot",
    "SessionMismatchError",
    "SessionStore",
    "StorageUnavailableError",
    "StorageWriter",
    "StrategyConfig",
    "Suggestion",
    "SuggestionStateError",
    "SystemEvent",
    "VenueState",
    "WriterHealth",
    "active_exit_plans",
    "all_orders",
    "audit_log",
    "current_revision",
    "default_url",
    "fills",
    "funding_payments",
    "head_revision",
    "latest_account_snapshot",
    "latest_checkpoint",
    "mask",
    "metrics_snapshots",
    "migrate",
    "open_database",
    "open_orders",
    "order_events",
    "positions",
    "reconcile",
    "record_command",
    "save_strategy_config",
    "signals",
    "strategy_config_history",
    "strategy_configs",
    "system_events",
    "venue_order_ids",
    "venue_state",
    "write_order",
]
