"""Load bars, quotes, trades and funding rates from files into validated frames."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from tradebot.errors import ConfigError, DataError
from tradebot.model.identifiers import InstrumentId
from tradebot.model.timeframes import seconds_to_timeframe, timeframe_ns
from tradebot.venues.files.frames import BarFrame, FundingFrame, IntArray, QuoteFrame, TradeFrame
from tradebot.venues.files.reading import (
    END_TIME_ALIASES,
    TIME_ALIASES,
    check_increasing,
    find_column,
    numeric,
    parse_times,
    read_table,
    require_column,
)


def load_bars(
    path: str | Path, instrument_id: InstrumentId, timeframe: str | None = None
) -> BarFrame:
    """OHLCV bars from a file; resampled to ``timeframe`` when it is longer than the file's.

    The time column is the bar's start (``time_utc``, ``timestamp``, ``open_time_ms`` …); a
    bar-end column (``end_time_utc``, ``close_time`` …) is moved back by one bar.

    Raises
    ------
    DataError
        For a missing or malformed file, bad prices, or unsorted/duplicate timestamps.
    ConfigError
        If ``timeframe`` is not a multiple of the file's bar length.
    """
    path = Path(path)
    df = read_table(path)
    time_col = find_column(df, TIME_ALIASES)
    end_col = None if time_col else find_column(df, END_TIME_ALIASES)
    if time_col is None and end_col is None:
        require_column(df, TIME_ALIASES + END_TIME_ALIASES, path, "time")
    column = time_col or end_col
    assert column is not None
    ts = parse_times(df, column, path)
    check_increasing(ts, path, column)
    o = numeric(df, require_column(df, ("open", "o"), path, "open"), path, positive=True)
    h = numeric(df, require_column(df, ("high", "h"), path, "high"), path, positive=True)
    lo = numeric(df, require_column(df, ("low", "l"), path, "low"), path, positive=True)
    c = numeric(df, require_column(df, ("close", "c"), path, "close"), path, positive=True)
    vol_col = find_column(df, ("volume", "vol", "v"))
    v = numeric(df, vol_col, path, positive=False) if vol_col else np.zeros(len(df))
    _check_ohlc(path, o, h, lo, c)
    native = _native_timeframe(ts, path)
    if end_col is not None:
        ts = ts - timeframe_ns(native)
    frame = BarFrame(instrument_id, native, ts, o, h, lo, c, v, str(path))
    if timeframe is not None and timeframe != native:
        try:
            timeframe_ns(timeframe)
        except ValueError as exc:
            raise ConfigError(str(exc)) from exc
        frame = frame.resample(timeframe)
    return frame


def _native_timeframe(ts: IntArray, path: Path) -> str:
    if len(ts) < 2:
        raise DataError(str(path), "needs at least two bars to tell their timeframe")
    steps, counts = np.unique(np.diff(ts), return_counts=True)
    step_s = int(steps[np.argmax(counts)]) // 1_000_000_000
    if step_s <= 0:
        raise DataError(str(path), "bars are less than one second apart")
    return seconds_to_timeframe(step_s)


def _check_ohlc(path: Path, o: np.ndarray, h: np.ndarray, lo: np.ndarray, c: np.ndarray) -> None:
    tol = 1e-9 * h
    bad_high = np.flatnonzero(h + tol < np.maximum(o, c))
    bad_low = np.flatnonzero(lo - tol > np.minimum(o, c))
    for bad, what in (
        (bad_high, "high is below open or close"),
        (bad_low, "low is above open or close"),
    ):
        if len(bad):
            raise DataError(str(path), what, row=int(bad[0]) + 1)


def _read_timed(path: Path) -> tuple[pd.DataFrame, IntArray, str]:
    """The table, its strictly increasing UTC ns timestamps, and the time column's name."""
    df = read_table(path)
    time_col = require_column(df, TIME_ALIASES, path, "time")
    ts = parse_times(df, time_col, path)
    check_increasing(ts, path, time_col)
    return df, ts, time_col


def load_quotes(path: str | Path, instrument_id: InstrumentId) -> QuoteFrame:
    """Top-of-book quotes; quote *bars* (bid_close/ask_close) become one quote at bar close."""
    path = Path(path)
    df, ts, _ = _read_timed(path)
    bid_col = find_column(df, ("bid", "bid_price", "bid_px"))
    if bid_col is None and "bid_close" in df.columns:
        bid_col, ask_col = "bid_close", require_column(df, ("ask_close",), path, "ask")
        ts = ts + timeframe_ns(_native_timeframe(ts, path))  # the quote stands at bar close
    else:
        bid_col = require_column(df, ("bid", "bid_price", "bid_px"), path, "bid")
        ask_col = require_column(df, ("ask", "ask_price", "ask_px"), path, "ask")
    bid = numeric(df, bid_col, path, positive=True)
    ask = numeric(df, ask_col, path, positive=True)
    crossed = np.flatnonzero(bid > ask)
    if len(crossed):
        raise DataError(str(path), "bid is above ask", row=int(crossed[0]) + 1, field=bid_col)
    sizes = []
    for aliases in (("bid_size", "bid_qty", "bid_sz"), ("ask_size", "ask_qty", "ask_sz")):
        col = find_column(df, aliases)
        sizes.append(numeric(df, col, path, positive=False) if col else np.zeros(len(df)))
    return QuoteFrame(instrument_id, ts, bid, ask, sizes[0], sizes[1], str(path))


def load_trades(path: str | Path, instrument_id: InstrumentId) -> TradeFrame:
    """Public trades (equal timestamps are allowed: several trades can print at once)."""
    path = Path(path)
    df = read_table(path)
    time_col = require_column(df, TIME_ALIASES, path, "time")
    ts = parse_times(df, time_col, path)
    back = np.flatnonzero(np.diff(ts) < 0)
    if len(back):
        raise DataError(
            str(path),
            "timestamp is earlier than the row before (unsorted)",
            row=int(back[0]) + 2,
            field=time_col,
        )
    price = numeric(df, require_column(df, ("price", "px"), path, "price"), path, positive=True)
    size_col = require_column(df, ("size", "quantity", "qty", "amount"), path, "size")
    return TradeFrame(
        instrument_id, ts, price, numeric(df, size_col, path, positive=True), str(path)
    )


def load_funding(path: str | Path, instrument_id: InstrumentId) -> FundingFrame:
    """Funding rates (fraction per interval), paid at each timestamp."""
    path = Path(path)
    df, ts, _ = _read_timed(path)
    rate_col = find_column(df, ("funding_rate", "rate", "fundingrate"))
    if rate_col is None and "funding" in path.name.lower() and "open" in df.columns:
        rate_col = "open"  # freqtrade stores the rate in the open column
    if rate_col is None:
        require_column(df, ("funding_rate", "rate"), path, "funding rate")
    assert rate_col is not None
    return FundingFrame(instrument_id, ts, numeric(df, rate_col, path, positive=False), str(path))


__all__ = ["load_bars", "load_funding", "load_quotes", "load_trades"]
