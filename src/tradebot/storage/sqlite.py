"""SQLite connection settings, applied to every new connection.

* ``journal_mode=WAL``: readers (dashboard, API) never block the writer thread, nor it them.
* ``synchronous=FULL``: a commit is on disk when it returns, so an order written ahead of
  sending survives a power cut, not only a process crash.
* ``foreign_keys=ON``: SQLite ignores foreign keys unless asked, per connection.
* ``busy_timeout``: wait for another connection's write lock instead of failing at once.

SQLAlchemy, not the ``sqlite3`` module, emits ``BEGIN``: the module's own transaction
handling defers ``BEGIN`` and commits around DDL, which breaks transactional migrations. A
write transaction starts with ``BEGIN IMMEDIATE``, taking the write lock up front: a deferred
transaction that reads and then writes fails at once with "database is locked" when another
connection committed in between, and no busy timeout helps it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import Connection

BEGIN_OPTION = "tradebot_sqlite_begin"
"""Execution option naming the ``BEGIN`` flavour: ``IMMEDIATE`` for write transactions."""


def configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    """Install the connect and begin hooks on ``engine`` (a SQLite file engine)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = FULL")
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get(BEGIN_OPTION, "")
        connection.exec_driver_sql("BEGIN IMMEDIATE" if mode == "IMMEDIATE" else "BEGIN")


__all__ = ["BEGIN_OPTION", "configure_sqlite"]
