"""Bundled datasets load completely, and resampling equals pandas' resample on real data."""

from __future__ import annotations

import csv
import gzip

import numpy as np
import pandas as pd
import pytest

from tradebot.model.identifiers import InstrumentId
from tradebot.model.timeframes import timeframe_ns
from tradebot.venues.files.catalog import BUNDLED, bundled_path, open_dataset
from tradebot.venues.files.loaders import load_bars

IID = InstrumentId("BTC/USDT", "BYBIT")
SPOT_1M = "bybit_spot_BTCUSDT_1m_trade_20221213_lean.csv"


def _raw_rows(name: str) -> int:
    path = bundled_path(name)
    opener = gzip.open if name.endswith(".gz") else open
    with opener(path, "rt", newline="") as handle:  # type: ignore[operator]
        return sum(1 for _ in csv.reader(handle)) - 1


@pytest.mark.parametrize("name", list(BUNDLED))
def test_every_bundled_dataset_loads_every_row_in_time_order(name: str) -> None:
    source = open_dataset(name)

    expected = sum(_raw_rows(f.name) for f in BUNDLED[name].files)
    assert len(source) == expected
    for frame in source.frames:
        assert np.all(np.diff(frame.ts_event) > 0)
    ts = [event.ts_event for event in source]
    assert ts == sorted(ts)


@pytest.mark.parametrize("timeframe", ["3m", "5m", "15m", "30m", "1h", "4h", "1d"])
def test_resample_equals_pandas_on_real_minutes(timeframe: str) -> None:
    frame = load_bars(bundled_path(SPOT_1M), IID)
    df = pd.read_csv(bundled_path(SPOT_1M), parse_dates=["time_utc"]).set_index("time_utc")
    rule = {"m": "min", "h": "h", "d": "D"}[timeframe[-1]]
    expected = (
        df.resample(f"{timeframe[:-1]}{rule}", origin="epoch", label="left", closed="left")
        .agg({"open": "first", "high": "max", "low": "min", "close": "last", "volume": "sum"})
        .dropna()
    )
    last_close = frame.ts_open[-1] + timeframe_ns("1m")
    starts = expected.index.as_unit("ns").asi8
    expected = expected[starts + timeframe_ns(timeframe) <= last_close]

    out = frame.resample(timeframe)

    assert len(out) == len(expected) > 0
    np.testing.assert_array_equal(out.ts_open, expected.index.as_unit("ns").asi8)
    for column in ("open", "high", "low", "close"):
        np.testing.assert_array_equal(getattr(out, column), expected[column].to_numpy())
    np.testing.assert_allclose(out.volume, expected["volume"].to_numpy(), rtol=1e-12)


def test_incomplete_trailing_bucket_is_dropped() -> None:
    frame = load_bars(bundled_path(SPOT_1M), IID)
    partial = frame.slice(int(frame.ts_open[0]), int(frame.ts_open[0]) + 90 * 60 * 10**9)

    hourly = partial.resample("1h")

    assert len(partial) == 90
    assert len(hourly) == 1
    assert hourly.close[0] == partial.close[59]


def test_two_symbols_merge_in_time_order_and_replay_identically() -> None:
    source = open_dataset("binance_btc_eth_1m")
    first = [(e.ts_event, e.instrument_id.symbol) for e in source]
    second = [(e.ts_event, e.instrument_id.symbol) for e in source]

    assert first == second
    assert {s for _, s in first} == {"BTC/USDT", "ETH/USDT"}
    assert [t for t, _ in first] == sorted(t for t, _ in first)


def test_equal_timestamps_keep_frame_order() -> None:
    source = open_dataset("bybit_btc_usdt_1m")
    events = list(source)
    kinds_at_first_quote_time = [
        type(e).__name__ for e in events if e.ts_event == source.frames[1].ts_event[0]
    ]

    assert kinds_at_first_quote_time == ["Bar", "QuoteTick"]
