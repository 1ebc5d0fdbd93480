"""ISO 8601 UTC text for the engine's integer nanosecond timestamps."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

from tradebot.backtest.result import IntArray

_NS_PER_S = 1_000_000_000


def iso(ns: int) -> str:
    """One timestamp as ISO 8601 UTC with a ``Z``.

    Whole seconds print as ``2022-12-13T00:05:00Z``; anything finer keeps the microseconds
    (``2022-12-13T00:05:00.250000Z``) so that distinct events never print alike. Nanoseconds
    below a microsecond are dropped: no venue stamps finer than that.
    """
    seconds, rest = divmod(int(ns), _NS_PER_S)
    dt = datetime.fromtimestamp(seconds, tz=UTC)
    if rest:
        return dt.replace(microsecond=rest // 1000).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_many(ns: IntArray) -> list[str]:
    """Many timestamps at once (vectorised), in the same format as :func:`iso`.

    The whole array uses one unit: seconds when every stamp is whole, else microseconds.
    """
    ts = np.asarray(ns, dtype=np.int64)
    text: npt.NDArray[np.str_]
    if np.all(ts % _NS_PER_S == 0):
        seconds: npt.NDArray[np.datetime64] = (ts // _NS_PER_S).astype("datetime64[s]")
        text = np.datetime_as_string(seconds, unit="s")
    else:
        micros: npt.NDArray[np.datetime64] = (ts // 1000).astype("datetime64[us]")
        text = np.datetime_as_string(micros, unit="us")
    return [f"{t}Z" for t in text.tolist()]


__all__ = ["iso", "iso_many"]
