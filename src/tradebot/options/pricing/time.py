"""Year fractions from integer nanosecond timestamps, and Deribit's expiry instant.

Pricing uses ACT/365 on calendar time to the nanosecond: ``(end − start) / (365 × 86,400 ×
1e9)``. Differences are taken in integers before the one division, so twenty minutes before a
0DTE expiry is ``20 / 525,600`` of a year exactly, not a rounded difference of two large floats.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import overload

import numpy as np
import numpy.typing as npt

from tradebot.options.pricing._arrays import FloatArray

NS_PER_YEAR = 365 * 86_400 * 1_000_000_000
"""Nanoseconds in an ACT/365 year (the convention of QuantLib's Actual365Fixed and Deribit)."""
DERIBIT_EXPIRY_HOUR_UTC = 8

_MONTHS = {
    m: i
    for i, m in enumerate(
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), 1
    )
}
_DERIBIT_CODE = re.compile(r"^(\d{1,2})([A-Z]{3})(\d{2})$")


def _as_int64_ns(name: str, value: npt.ArrayLike) -> npt.NDArray[np.int64]:
    array = np.asarray(value)
    if array.dtype.kind == "M":
        return array.astype("datetime64[ns]").view(np.int64)
    if array.dtype.kind not in "iu":
        raise TypeError(f"{name} must be integer nanoseconds or datetime64, got {array.dtype}")
    return array.astype(np.int64, copy=False)


@overload
def year_fraction(start_ns: int, end_ns: int) -> float: ...
@overload
def year_fraction(start_ns: npt.ArrayLike, end_ns: npt.ArrayLike) -> FloatArray: ...
def year_fraction(start_ns: npt.ArrayLike, end_ns: npt.ArrayLike) -> float | FloatArray:
    """ACT/365 years from ``start_ns`` to ``end_ns`` (UTC epoch nanoseconds; negative if past).

    Python ints give the correctly rounded float of the exact ratio; integer or datetime64
    arrays are subtracted in int64 first (exact), then divided.

    Raises
    ------
    TypeError
        If an argument is not integer (or datetime64).
    ValueError
        If the shapes do not broadcast.
    """
    if isinstance(start_ns, int) and isinstance(end_ns, int):
        return (end_ns - start_ns) / NS_PER_YEAR
    start = _as_int64_ns("start_ns", start_ns)
    end = _as_int64_ns("end_ns", end_ns)
    try:
        diff = end - start
    except ValueError:
        raise ValueError(
            f"end_ns has shape {end.shape}, which does not broadcast with start_ns {start.shape}"
        ) from None
    out = diff / float(NS_PER_YEAR)
    if np.ndim(out) == 0:
        return float(out)
    return np.asarray(out, dtype=np.float64)


def deribit_expiry_ns(date: dt.date | str) -> int:
    """Epoch nanoseconds of Deribit's expiry on ``date``: 08:00 UTC.

    ``date`` is a :class:`datetime.date` or the code in an instrument name (``"24SEP21"``,
    ``"5AUG25"``).

    Raises
    ------
    ValueError
        If a string is not a Deribit expiry code.
    """
    if isinstance(date, str):
        match = _DERIBIT_CODE.match(date.strip().upper())
        if match is None or match.group(2) not in _MONTHS:
            raise ValueError(f"not a Deribit expiry code like '24SEP21': {date!r}")
        date = dt.date(2000 + int(match.group(3)), _MONTHS[match.group(2)], int(match.group(1)))
    elif isinstance(date, dt.datetime):
        date = date.date()
    moment = dt.datetime(date.year, date.month, date.day, DERIBIT_EXPIRY_HOUR_UTC, tzinfo=dt.UTC)
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    delta = moment - epoch
    return (delta.days * 86_400 + delta.seconds) * 1_000_000_000
