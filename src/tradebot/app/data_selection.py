"""Turn the command line's data flags into a data source and its instruments."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tradebot.errors import ConfigError, DataError
from tradebot.model.identifiers import InstrumentId
from tradebot.model.instruments import Instrument
from tradebot.venues.files.catalog import (
    BUNDLED,
    default_symbol_from_path,
    instrument_for_symbol,
    open_dataset,
)
from tradebot.venues.files.frames import Frame
from tradebot.venues.files.loaders import load_bars, load_funding, load_quotes, load_trades
from tradebot.venues.files.source import FileDataSource

DATA_SUFFIXES = (".csv", ".csv.gz", ".parquet", ".feather")
FILE_VENUE = "FILE"


@dataclass(frozen=True, slots=True)
class DataSelection:
    """What a session will replay."""

    source: FileDataSource
    instruments: list[Instrument]
    description: str


def select_data(
    *,
    data: Path | None,
    dataset: str,
    symbol: str | None,
    timeframe: str | None,
) -> DataSelection:
    """Resolve ``--data``/``--dataset``/``--symbol``/``--timeframe``.

    Raises
    ------
    DataError, ConfigError
        For a missing path, an unknown dataset, or a file whose symbol cannot be told.
    """
    if data is None:
        if dataset not in BUNDLED:
            raise ConfigError(f"unknown dataset '{dataset}'; bundled: {', '.join(BUNDLED)}")
        source = open_dataset(dataset, timeframe=timeframe)
        if symbol is not None:
            wanted = [i for i in source.instruments if symbol in (i.id.symbol, str(i.id))]
            if not wanted:
                names = ", ".join(i.id.symbol for i in source.instruments)
                raise ConfigError(f"dataset '{dataset}' has no symbol '{symbol}'; it has {names}")
            ids = {i.id for i in wanted}
            source = FileDataSource([f for f in source.frames if f.instrument_id in ids], wanted)
        return DataSelection(source, list(source.instruments), BUNDLED[dataset].description)
    files = _data_files(data)
    if symbol is not None and len({_kind_stem(f) for f in files}) > 1:
        raise ConfigError(
            f"--symbol names one symbol but {data} holds files for several; pass one file"
        )
    frames: list[Frame] = []
    instruments: dict[InstrumentId, Instrument] = {}
    for path in files:
        sym = symbol or default_symbol_from_path(path)
        if sym is None:
            raise DataError(str(path), "cannot tell the symbol from the file name; pass --symbol")
        instrument = instrument_for_symbol(sym, FILE_VENUE)
        instruments.setdefault(instrument.id, instrument)
        frames.append(_load(path, instrument.id, timeframe))
    source = FileDataSource(frames)
    return DataSelection(source, list(instruments.values()), f"{len(files)} file(s) from {data}")


def _data_files(data: Path) -> list[Path]:
    if not data.exists():
        raise DataError(str(data), "no such file or folder")
    if data.is_file():
        return [data]
    files = sorted(p for p in data.iterdir() if p.name.lower().endswith(DATA_SUFFIXES))
    if not files:
        raise DataError(str(data), f"folder holds no data files ({', '.join(DATA_SUFFIXES)})")
    return files


def _kind_stem(path: Path) -> str:
    name = path.name.lower()
    for word in ("_quote", "_trades", "_trade", "_funding"):
        name = name.replace(word, "")
    return name.split(".")[0]


def _load(path: Path, instrument_id: InstrumentId, timeframe: str | None) -> Frame:
    name = path.name.lower()
    if "funding" in name:
        return load_funding(path, instrument_id)
    if "quote" in name:
        return load_quotes(path, instrument_id)
    if "trades" in name:
        return load_trades(path, instrument_id)
    return load_bars(path, instrument_id, timeframe)


__all__ = ["DataSelection", "select_data"]
