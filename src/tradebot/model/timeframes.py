"""Bar timeframes such as ``1m``, ``4h`` and ``1d``."""

from __future__ import annotations

import re

_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800}
_PATTERN = re.compile(r"^(\d+)([smhdw])$")

SUPPORTED_TIMEFRAMES = ("1m", "3m", "5m", "15m", "30m", "1h", "4h", "1d")
"""Timeframes the resampler and the strategies are tested on."""


def timeframe_seconds(timeframe: str) -> int:
    """Length of a timeframe in seconds.

    Raises
    ------
    ValueError
        If the text is not a positive count followed by s, m, h, d or w.
    """
    match = _PATTERN.match(timeframe.strip())
    if match is None or int(match.group(1)) == 0:
        raise ValueError(
            f"timeframe '{timeframe}' is not understood; use a count and a unit, such as 1m, 4h, 1d"
        )
    return int(match.group(1)) * _UNIT_SECONDS[match.group(2)]


def timeframe_ns(timeframe: str) -> int:
    """Length of a timeframe in nanoseconds."""
    return timeframe_seconds(timeframe) * 1_000_000_000


def seconds_to_timeframe(seconds: int) -> str:
    """The shortest name for a bar length in seconds (``14400`` → ``4h``)."""
    for unit in ("w", "d", "h", "m", "s"):
        size = _UNIT_SECONDS[unit]
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    raise ValueError(f"bar length {seconds} s is not a whole number of seconds")


__all__ = ["SUPPORTED_TIMEFRAMES", "seconds_to_timeframe", "timeframe_ns", "timeframe_seconds"]
