"""Reading a database URL, and showing it without its password."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from tradebot.storage.errors import DatabaseUrlError

_DRIVERS = {"sqlite": "sqlite+pysqlite", "postgresql": "postgresql+psycopg"}
"""Accepted backends, and the driver used when the URL names none."""
_SUPPORTED = {"sqlite+pysqlite", "postgresql+psycopg"}
_CREDENTIALS = re.compile(r"(://[^:/@]*:)[^@]*@")


def mask(url: str | URL) -> str:
    """``url`` with its password replaced by ``***``, also when it does not parse."""
    if isinstance(url, URL):
        return url.render_as_string(hide_password=True)
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return _CREDENTIALS.sub(r"\1***@", url)


def default_url(directory: str | Path) -> str:
    """The embedded default: a SQLite file ``tradebot.db`` in ``directory``."""
    return f"sqlite:///{Path(directory).resolve() / 'tradebot.db'}"


def parse_url(url: str | URL) -> URL:
    """Parse ``url`` and pick the driver: ``sqlite`` → pysqlite, ``postgresql`` → psycopg 3.

    Raises
    ------
    DatabaseUrlError
        Naming the masked URL, when it does not parse, names another database or driver, or
        asks for an in-memory SQLite database (the writer thread needs a second connection
        to the same data, which only a file gives).
    """
    shown = mask(url)
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:
        reason = str(exc).replace(str(url), shown)
        raise DatabaseUrlError(f"database URL {shown} is not valid: {reason}") from None
    driver = _DRIVERS.get(parsed.drivername, parsed.drivername)
    if driver not in _SUPPORTED:
        raise DatabaseUrlError(
            f"database URL {shown}: {parsed.drivername!r} is not supported; use "
            "sqlite:///path/to/file.db or postgresql+psycopg://user:password@host:port/db"
        )
    parsed = parsed.set(drivername=driver)
    if parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:"):
        raise DatabaseUrlError(
            f"database URL {shown}: an in-memory SQLite database is not supported; "
            "give a file, e.g. sqlite:///tradebot.db"
        )
    return parsed


__all__ = ["default_url", "mask", "parse_url"]
