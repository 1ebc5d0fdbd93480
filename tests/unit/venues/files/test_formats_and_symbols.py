"""Every supported file format gives the same arrays; symbols parse into instruments."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tradebot.errors import ConfigError, DataError
from tradebot.model.enums import Settlement
from tradebot.model.identifiers import InstrumentId
from tradebot.model.instruments import Perpetual, Spot
from tradebot.venues.files.catalog import (
    bundled_path,
    default_symbol_from_path,
    instrument_for_symbol,
)
from tradebot.venues.files.loaders import load_bars, load_funding, load_quotes

IID = InstrumentId("BTC/USDT", "X")
SOURCE = "bybit_spot_BTCUSDT_1m_trade_20221213_lean.csv"


@pytest.mark.parametrize("suffix", [".csv", ".csv.gz", ".parquet", ".feather"])
def test_each_format_loads_the_same_bars(tmp_path: Path, suffix: str) -> None:
    reference = load_bars(bundled_path(SOURCE), IID)
    df = pd.read_csv(bundled_path(SOURCE))
    path = tmp_path / f"bars{suffix}"
    if suffix.startswith(".csv"):
        df.to_csv(path, index=False)
    elif suffix == ".parquet":
        df.to_parquet(path)
    else:
        df.to_feather(path)

    frame = load_bars(path, IID)

    for field in ("ts_open", "open", "high", "low", "close", "volume"):
        np.testing.assert_array_equal(getattr(frame, field), getattr(reference, field))
    assert frame.timeframe == "1m"


def test_epoch_milliseconds_and_bar_end_times_are_understood(tmp_path: Path) -> None:
    reference = load_bars(bundled_path(SOURCE), IID)
    df = pd.read_csv(bundled_path(SOURCE))
    start_ms = pd.to_datetime(df["time_utc"], utc=True).astype("int64") // 10**6
    ms = df.drop(columns="time_utc").assign(open_time_ms=start_ms)
    ms.to_csv(tmp_path / "ms.csv", index=False)
    ends = df.drop(columns="time_utc").assign(
        end_time_utc=pd.to_datetime(df["time_utc"]) + pd.Timedelta(minutes=1)
    )
    ends.to_csv(tmp_path / "end.csv", index=False)

    for name in ("ms.csv", "end.csv"):
        np.testing.assert_array_equal(load_bars(tmp_path / name, IID).ts_open, reference.ts_open)


def test_quote_bars_become_quotes_at_bar_close() -> None:
    quotes = load_quotes(bundled_path("bybit_spot_BTCUSDT_1m_quote_20221213_lean.csv"), IID)
    raw = pd.read_csv(bundled_path("bybit_spot_BTCUSDT_1m_quote_20221213_lean.csv"))

    assert quotes.ts[0] == pd.Timestamp(raw["time_utc"][0], tz="UTC").value + 60 * 10**9
    np.testing.assert_array_equal(quotes.bid, raw["bid_close"].to_numpy())
    np.testing.assert_array_equal(quotes.ask_size, raw["ask_size"].to_numpy())
    assert np.all(quotes.bid <= quotes.ask)


def test_funding_rates_load() -> None:
    funding = load_funding(bundled_path("bybit_linear_perp_BTCUSDT_fundingrate_lean.csv"), IID)

    assert len(funding) == 3
    assert funding.rate[0] == pytest.approx(-0.0002016)


@pytest.mark.parametrize("name", ["bars.txt", "bars.json"])
def test_unknown_suffix_is_refused(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text("x")

    with pytest.raises(DataError, match="unknown file type"):
        load_bars(path, IID)


def test_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("time_utc,open,high,low,close,volume\n")

    with pytest.raises(DataError, match="holds no data rows"):
        load_bars(path, IID)


@pytest.mark.parametrize(
    ("symbol", "kind", "settlement", "base", "quote"),
    [
        ("BTC/USDT", Spot, Settlement.LINEAR, "BTC", "USDT"),
        ("BTCUSDT", Spot, Settlement.LINEAR, "BTC", "USDT"),
        ("eth-usd", Spot, Settlement.LINEAR, "ETH", "USD"),
        ("BTC/USDT:USDT", Perpetual, Settlement.LINEAR, "BTC", "USDT"),
        ("BTC/USD:BTC", Perpetual, Settlement.INVERSE, "BTC", "USD"),
    ],
)
def test_symbols_parse(
    symbol: str, kind: type, settlement: Settlement, base: str, quote: str
) -> None:
    inst = instrument_for_symbol(symbol, "X")

    assert isinstance(inst, kind)
    assert (inst.settlement, inst.base, inst.quote) == (settlement, base, quote)


@pytest.mark.parametrize("symbol", ["", "BTC/", "hello world", "BTC/USD:ETH"])
def test_garbage_symbol_is_refused(symbol: str) -> None:
    with pytest.raises(ConfigError, match="symbol"):
        instrument_for_symbol(symbol, "X")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("binance_spot_BTCUSDT_1m_octobot.csv", "BTC/USDT"),
        ("bybit_linear_perp_BTCUSDT_1m_trade.csv", "BTC/USDT:USDT"),
        ("prices.csv", None),
    ],
)
def test_symbol_guessed_from_file_name(name: str, expected: str | None) -> None:
    assert default_symbol_from_path(Path(name)) == expected
