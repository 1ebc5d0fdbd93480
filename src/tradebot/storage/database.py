"""Opening a database: a SQLite file by default, PostgreSQL by URL::

    db = open_database("sqlite:///var/tradebot.db")
    db = open_database("postgresql+psycopg://bot:pw@db:5432/tradebot")

``open_database`` checks that the database answers and upgrades its schema to the newest
revision, so a mistake shows at start-up as one line naming the URL (password masked), not
as a failed write in the middle of trading.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm import Session, sessionmaker

from tradebot.storage.errors import StorageUnavailableError
from tradebot.storage.schema_version import upgrade_to_head
from tradebot.storage.sqlite import BEGIN_OPTION, configure_sqlite
from tradebot.storage.urls import mask, parse_url


def is_transient(exc: BaseException) -> bool:
    """True for failures that may pass on their own: server down, connection lost, lock busy.

    Constraint violations, bad data and programming errors are not transient: retrying the
    same write fails the same way.
    """
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, OperationalError | InterfaceError | PoolTimeoutError)


class Database:
    """An open database and the sessions to use it.

    Use :meth:`reading` for queries and :meth:`writing` for changes; both close the session
    on exit, and :meth:`writing` commits (or rolls back on an exception).

    Parameters
    ----------
    engine : Engine
        The SQLAlchemy engine, already configured for its backend.
    url : URL
        Where it points (kept to name the database in messages, always password-masked).
    """

    def __init__(self, engine: Engine, url: URL) -> None:
        self.engine = engine
        self._password = url.password if isinstance(url.password, str) else None
        self.url = mask(url)
        """The URL with its password masked: safe to print and log."""
        self.backend = url.get_backend_name()
        """``sqlite`` or ``postgresql``."""
        self.write_engine = (
            engine.execution_options(**{BEGIN_OPTION: "IMMEDIATE"})
            if self.backend == "sqlite"
            else engine
        )
        """Engine whose transactions take the write lock up front (SQLite)."""
        self._read = sessionmaker(bind=engine, expire_on_commit=False)
        self._write = sessionmaker(bind=self.write_engine, expire_on_commit=False)

    def __repr__(self) -> str:
        return f"Database({self.url})"

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for queries; its transaction is rolled back on exit."""
        with self._read() as session:
            yield session

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A session whose transaction commits on exit, or rolls back on an exception."""
        with self._write() as session, session.begin():
            yield session

    @contextmanager
    def unavailable_as(self, action: str) -> Iterator[None]:
        """Turn a transient database failure during ``action`` into StorageUnavailableError.

        The message names the action and the masked URL; other errors pass unchanged.
        """
        try:
            yield
        except SQLAlchemyError as exc:
            if not is_transient(exc):
                raise
            raise StorageUnavailableError(
                f"{action} failed on {self.url}: {self.describe(exc)}"
            ) from None

    def describe(self, exc: BaseException) -> str:
        """One line saying what went wrong, with any occurrence of the password masked."""
        detail = getattr(exc, "orig", None) or exc
        text = " ".join(str(detail).split())
        if self._password:
            text = text.replace(self._password, "***")
        return text

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def open_database(
    url: str | URL,
    *,
    migrate: bool = True,
    busy_timeout: float = 5.0,
    connect_timeout: float = 10.0,
) -> Database:
    """Open the database at ``url``, check that it answers, and upgrade its schema.

    Parameters
    ----------
    url : str | URL
        ``sqlite:///path/to/file.db`` (the file and its folder are created) or
        ``postgresql+psycopg://user:password@host:port/db`` (``postgresql://`` means psycopg).
    migrate : bool
        Upgrade the schema to the newest revision (default True; idempotent).
    busy_timeout : float
        SQLite: seconds to wait for another connection's write lock (default 5).
    connect_timeout : float
        PostgreSQL: seconds to wait for the server to answer (default 10).

    Returns
    -------
    Database

    Raises
    ------
    DatabaseUrlError
        If the URL is malformed or names an unsupported database.
    StorageUnavailableError
        If the database cannot be reached or opened.
    """
    parsed = parse_url(url)
    if parsed.get_backend_name() == "sqlite":
        assert parsed.database is not None  # parse_url refuses in-memory databases
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, pool_size=4, max_overflow=4)
        configure_sqlite(engine, busy_timeout_ms=round(busy_timeout * 1000))
    else:
        engine = create_engine(
            parsed,
            pool_pre_ping=True,
            pool_size=4,
            max_overflow=4,
            connect_args={
                "connect_timeout": max(1, round(connect_timeout)),
                "application_name": "tradebot",
            },
        )
    db = Database(engine, parsed)
    try:
        with db.unavailable_as("connecting"), engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
        if migrate:
            with db.unavailable_as("upgrading the schema"):
                upgrade_to_head(db.write_engine)
    except BaseException:
        db.close()
        raise
    return db


def migrate(url: str | URL | Database) -> str:
    """Upgrade the database at ``url`` to the newest schema; return the revision.

    Idempotent: running it on an up-to-date database changes nothing.
    """
    if isinstance(url, Database):
        with url.unavailable_as("upgrading the schema"):
            return upgrade_to_head(url.write_engine)
    with open_database(url, migrate=False) as db:
        return migrate(db)


__all__ = ["Database", "is_transient", "migrate", "open_database"]
