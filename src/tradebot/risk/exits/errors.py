"""The one error of the exits package, in its own module so that every other module can raise it."""

from __future__ import annotations


class ConditionError(ValueError):
    """An invalidation condition or indicator name that cannot be used, with the reason.

    Raised when a condition is compiled or its indicators are set up, never while trading, so a
    strategy with a bad condition fails before its first signal rather than at the first exit.
    """


__all__ = ["ConditionError"]
