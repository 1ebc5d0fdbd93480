"""Storage errors, placed in the project's tree by what the caller must do.

::

    TradebotError
    ├── ConfigError
    │   ├── DatabaseUrlError          the URL cannot be parsed or names an unsupported database
    │   └── SessionMismatchError      the database holds another session than the one started
    ├── UserInputError
    │   └── SuggestionStateError      a suggestion is unknown or was already decided
    └── RetryableError
        └── StorageUnavailableError   the database cannot be reached or refused the write now

Messages name the database by its URL with the password masked; a password never appears in
an error or a log line.
"""

from __future__ import annotations

from tradebot.errors import ConfigError, RetryableError, UserInputError


class DatabaseUrlError(ConfigError):
    """The database URL is malformed or names a database other than SQLite or PostgreSQL."""


class SessionMismatchError(ConfigError):
    """A session was resumed on a database that holds a different session (data, strategies)."""


class StorageUnavailableError(RetryableError):
    """The database could not be reached, or was busy or down when a write had to commit."""


class SuggestionStateError(UserInputError):
    """A suggestion was approved or rejected that does not exist or is no longer pending."""


__all__ = [
    "DatabaseUrlError",
    "SessionMismatchError",
    "StorageUnavailableError",
    "SuggestionStateError",
]
