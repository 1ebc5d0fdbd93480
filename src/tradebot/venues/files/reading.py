"""Read a table from CSV, gzip CSV, Parquet or Feather and find its columns by name.

Row numbers in error messages count data rows from 1, as a person counts the lines under a
CSV header ("row 3" is the third line after the header).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from tradebot.errors import DataError
from tradebot.venues.files.frames import FloatArray, IntArray

SUFFIXES = (".csv", ".csv.gz", ".parquet", ".feather")

TIME_ALIASES = (
    "ts_open",
    "ts_event",
    "ts",
    "time_utc",
    "timestamp",
    "open_time",
    "open_time_ms",
    "open_time_utc",
    "start_time_utc",
    "start_unix_s",
    "datetime",
    "date",
    "time",
)
END_TIME_ALIASES = ("end_time_utc", "end_time_ms", "close_time")


def read_table(path: Path) -> pd.DataFrame:
    """The file as a DataFrame with lower-case column names.

    Raises
    ------
    DataError
        If the file is missing, has an unknown suffix, cannot be parsed, or holds no rows.
    """
    where = str(path)
    if not path.is_file():
        raise DataError(where, "no such file")
    name = path.name.lower()
    try:
        if name.endswith((".csv", ".csv.gz")):
            df = pd.read_csv(path)
        elif name.endswith(".parquet"):
            df = pd.read_parquet(path)
        elif name.endswith(".feather"):
            df = pd.read_feather(path)
        else:
            raise DataError(where, f"unknown file type; use one of {', '.join(SUFFIXES)}")
    except DataError:
        raise
    except Exception as exc:  # any parser failure is the file's fault
        raise DataError(where, f"cannot be read: {exc}") from exc
    if df.empty:
        raise DataError(where, "holds no data rows")
    df.columns = [str(c).strip().lower() for c in df.columns]
    return df


def find_column(df: pd.DataFrame, aliases: tuple[str, ...]) -> str | None:
    """The first of ``aliases`` present in ``df``."""
    for alias in aliases:
        if alias in df.columns:
            return alias
    return None


def require_column(df: pd.DataFrame, aliases: tuple[str, ...], path: Path, what: str) -> str:
    """Like ``find_column`` but a missing column is a ``DataError`` listing what was found."""
    column = find_column(df, aliases)
    if column is None:
        raise DataError(
            str(path),
            f"no {what} column (looked for {', '.join(aliases)}); columns are "
            f"{', '.join(map(str, df.columns))}",
        )
    return column


def parse_times(df: pd.DataFrame, column: str, path: Path) -> IntArray:
    """UTC nanoseconds from epoch numbers (s, ms, µs or ns by magnitude) or date strings."""
    values = df[column]
    if pd.api.types.is_datetime64_any_dtype(values):
        parsed = pd.to_datetime(values, utc=True)
    elif pd.api.types.is_numeric_dtype(values):
        numbers = values.to_numpy(dtype=np.float64)
        _reject_nan(numbers, path, column)
        scale = _epoch_scale(float(np.nanmax(np.abs(numbers))))
        return np.asarray(values.to_numpy(dtype=np.int64) * scale, dtype=np.int64)
    else:
        parsed = pd.to_datetime(values, utc=True, errors="coerce", format="mixed")
        bad = np.flatnonzero(parsed.isna().to_numpy())
        if len(bad):
            row = int(bad[0])
            raise DataError(
                str(path),
                f"timestamp '{values.iloc[row]}' is not a date",
                row=row + 1,
                field=column,
            )
    utc = parsed.dt.tz_convert("UTC").astype("datetime64[ns, UTC]")
    return np.asarray(utc.astype(np.int64).to_numpy(), dtype=np.int64)


def _epoch_scale(magnitude: float) -> int:
    if magnitude < 1e11:
        return 1_000_000_000  # seconds
    if magnitude < 1e14:
        return 1_000_000  # milliseconds
    if magnitude < 1e17:
        return 1_000  # microseconds
    return 1


def _reject_nan(values: FloatArray, path: Path, column: str) -> None:
    bad = np.flatnonzero(~np.isfinite(values))
    if len(bad):
        raise DataError(
            str(path), "value is missing or not a number", row=int(bad[0]) + 1, field=column
        )


def numeric(df: pd.DataFrame, column: str, path: Path, *, positive: bool) -> FloatArray:
    """A column as float64; NaN, text or (when ``positive``) values ≤ 0 are a ``DataError``."""
    values = np.asarray(pd.to_numeric(df[column], errors="coerce"), dtype=np.float64)
    _reject_nan(values, path, column)
    if positive:
        bad = np.flatnonzero(values <= 0)
        if len(bad):
            raise DataError(
                str(path),
                f"value {values[bad[0]]:g} is not positive",
                row=int(bad[0]) + 1,
                field=column,
            )
    return values


def check_increasing(ts: IntArray, path: Path, column: str) -> None:
    """Timestamps must be strictly increasing: report the first unsorted or duplicate row."""
    diffs = np.diff(ts)
    dup = np.flatnonzero(diffs == 0)
    back = np.flatnonzero(diffs < 0)
    first_dup = int(dup[0]) if len(dup) else None
    first_back = int(back[0]) if len(back) else None
    if first_dup is not None and (first_back is None or first_dup < first_back):
        raise DataError(
            str(path),
            "duplicate timestamp (same as the row before)",
            row=first_dup + 2,
            field=column,
        )
    if first_back is not None:
        raise DataError(
            str(path),
            "timestamp is earlier than the row before (unsorted)",
            row=first_back + 2,
            field=column,
        )


__all__ = [
    "END_TIME_ALIASES",
    "SUFFIXES",
    "TIME_ALIASES",
    "check_increasing",
    "find_column",
    "numeric",
    "parse_times",
    "read_table",
    "require_column",
]
