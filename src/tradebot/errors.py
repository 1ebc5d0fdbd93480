"""Exception family, organised by what the caller must do.

::

    TradebotError
    ├── UserInputError        the user gave bad input: report one line, exit 2 (CLI) or 4xx (API)
    │   ├── DataError         a data file is missing, malformed, unsorted, duplicated or holds NaN
    │   └── ConfigError       unknown strategy, parameter or bad value
    ├── RetryableError        transient venue/network trouble: retry with back-off
    ├── RejectedError         the venue or a rule refused an order: do not retry
    └── HaltError             an invariant broke or credentials failed: stop trading
"""

from __future__ import annotations


class TradebotError(Exception):
    """Root of every error tradebot raises on purpose."""


class UserInputError(TradebotError):
    """Bad input from a person: shown as one line, never with a traceback."""


class DataError(UserInputError):
    """A market-data file cannot be used as it is."""

    def __init__(self, path: str, message: str, row: int | None = None, field: str | None = None):
        where = path
        if row is not None:
            where += f", row {row}"
        if field is not None:
            where += f", field '{field}'"
        super().__init__(f"{where}: {message}")
        self.path = path
        self.row = row
        self.field = field


class ConfigError(UserInputError):
    """A configuration value, strategy name or parameter is not acceptable."""


class RetryableError(TradebotError):
    """Transient failure: the same request may succeed if retried later."""


class RejectedError(TradebotError):
    """The request was refused and must not be retried unchanged."""


class HaltError(TradebotError):
    """Trading must stop: continuing could lose money or corrupt state."""


__all__ = [
    "ConfigError",
    "DataError",
    "HaltError",
    "RejectedError",
    "RetryableError",
    "TradebotError",
    "UserInputError",
]
