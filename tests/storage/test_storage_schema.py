"""The migration builds the schema the models describe, from empty, once, on both backends."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from tradebot.storage import (
    Database,
    current_revision,
    head_revision,
    migrate,
    open_database,
    record_command,
)
from tradebot.storage.schema_version import alembic_config
from tradebot.storage.tables import Base

TABLES = {
    "account_balances",
    "account_snapshots",
    "alembic_version",
    "audit_log",
    "checkpoints",
    "exit_plans",
    "fills",
    "funding_payments",
    "metrics_snapshots",
    "order_events",
    "orders",
    "positions",
    "signals",
    "strategy_configs",
    "suggestions",
    "system_events",
    "venue_orders",
    "venue_states",
}


def test_migration_from_empty_creates_every_table_at_head(db_url: str) -> None:
    empty = open_database(db_url, migrate=False)
    assert current_revision(empty.engine) is None
    assert set(inspect(empty.engine).get_table_names()) == set()

    revision = migrate(db_url)

    assert revision == head_revision() == "0002"
    assert set(inspect(empty.engine).get_table_names()) == TABLES
    assert current_revision(empty.engine) == revision
    empty.close()


def test_migrating_again_is_a_no_op_that_keeps_the_data(db: Database, db_url: str) -> None:
    record_command(db, actor="alice", channel="cli", command="pause")

    assert migrate(db_url) == head_revision()
    assert migrate(db) == head_revision()
    with open_database(db_url) as again, again.reading() as session:
        count = session.execute(text("SELECT count(*) FROM audit_log")).scalar_one()
        versions = session.execute(text("SELECT count(*) FROM alembic_version")).scalar_one()

    assert (count, versions) == (1, 1)


def test_the_migrated_schema_equals_the_models(db: Database) -> None:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)

    assert differences == []


def test_downgrade_to_empty_and_upgrade_again(db: Database, db_url: str) -> None:
    config = alembic_config()
    with db.write_engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}

    assert migrate(db_url) == head_revision()
    assert set(inspect(db.engine).get_table_names()) == TABLES
