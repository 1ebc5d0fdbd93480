"""Alembic environment: migrate the connection handed over by ``schema_version``.

Programmatic use puts an open connection (inside a transaction) in
``config.attributes["connection"]``. For writing a new revision, a developer may instead set
``sqlalchemy.url`` on the config::

    from alembic import command
    from tradebot.storage.schema_version import alembic_config
    cfg = alembic_config()
    cfg.set_main_option("sqlalchemy.url", "sqlite:///scratch.db")
    command.upgrade(cfg, "head")
    command.revision(cfg, "add something", autogenerate=True)
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, text

from tradebot.storage.database import open_database
from tradebot.storage.tables import Base

_LOCK_KEY = 0x7472_6164_6562_6F74 % (2**63)
"""PostgreSQL advisory lock id ("tradebot"): one migration at a time per database."""


def _migrate(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        transactional_ddl=True,
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        context.run_migrations()


def _run() -> None:
    config = context.config
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("set config.attributes['connection'] or the sqlalchemy.url option")
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=Base.metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    with open_database(url, migrate=False) as db, db.write_engine.begin() as conn:
        _migrate(conn)


_run()
