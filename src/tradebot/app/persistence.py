"""``tradebot run --db``: keep a paper session in storage and resume it after a crash.

Without ``--db`` nothing is stored (a plain replay). With ``--db URL`` (``sqlite:///file.db``,
``postgresql+psycopg://user:password@host:port/db``, or just a file path, read as SQLite) the
session is stored as it runs and, started again with the same URL, carries on from the event
after the last checkpoint; see :mod:`tradebot.storage.session_store`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from tradebot.app.data_selection import DataSelection
from tradebot.engine.config import SessionConfig
from tradebot.engine.trading_engine import TradingEngine
from tradebot.model.data import MarketEvent
from tradebot.storage import Database, open_database
from tradebot.storage.session_store import SessionStore
from tradebot.strategies.base import Strategy

log = logging.getLogger("tradebot.app")


def database_url(value: str) -> str:
    """``value`` as a database URL: a URL stays, a path becomes a SQLite file URL."""
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).expanduser().resolve()}"


def fingerprint(
    data: DataSelection,
    strategies: list[Strategy[Any]],
    params: dict[str, Any],
    config: SessionConfig,
) -> dict[str, Any]:
    """What a resumed session must match: data, strategies and their parameters, money."""
    return {
        "data": data.description,
        "instruments": [str(i.id) for i in data.instruments],
        "strategies": [str(s.id) for s in strategies],
        "params": {str(k): repr(v) for k, v in sorted(params.items())},
        "cash": config.cash,
        "leverage": config.leverage,
    }


class StoredSession:
    """An open database and the session store of one paper run."""

    def __init__(self, db: Database, store: SessionStore) -> None:
        self.db = db
        self.store = store

    def observer(
        self, on_event: Callable[[MarketEvent], None] | None
    ) -> Callable[[MarketEvent], None]:
        """Call ``on_event`` (the live view) then checkpoint, after every market event."""
        checkpoint = self.store.checkpoint
        if on_event is None:
            return lambda event: checkpoint()

        def both(event: MarketEvent) -> None:
            on_event(event)
            checkpoint()

        return both

    def close(self, *, completed: bool) -> None:
        """Persist the final state (after the engine stopped) and close the database."""
        try:
            health = self.store.close(completed=completed)
            if health.dropped:
                log.error("storage dropped %d message(s): %s", health.dropped, health.last_error)
        finally:
            self.db.close()


def start_stored_session(
    url: str,
    engine: TradingEngine,
    events: Iterator[MarketEvent],
    *,
    data: DataSelection,
    strategies: list[Strategy[Any]],
    params: dict[str, Any],
    config: SessionConfig,
) -> tuple[StoredSession, Iterator[MarketEvent]]:
    """Open ``url``, start ``engine`` (resuming the stored session if there is one) and return
    the session with the events still to replay.

    Raises
    ------
    DatabaseUrlError, StorageUnavailableError, SessionMismatchError
    """
    db = open_database(database_url(url))
    store: SessionStore | None = None
    try:
        store = SessionStore(
            db, engine, name="paper", fingerprint=fingerprint(data, strategies, params, config)
        )
        remaining = store.resume(events)
    except BaseException:
        if store is not None:
            store.writer.close(timeout=5.0)
        db.close()
        raise
    return StoredSession(db, store), remaining


__all__ = ["StoredSession", "database_url", "fingerprint", "start_stored_session"]
