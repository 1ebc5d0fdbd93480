"""File data source: bars, quotes, trades and funding from CSV, Parquet and Feather."""

from tradebot.venues.files.catalog import BUNDLED, instrument_for_symbol, open_dataset
from tradebot.venues.files.frames import BarFrame, FundingFrame, QuoteFrame, TradeFrame
from tradebot.venues.files.loaders import load_bars, load_funding, load_quotes, load_trades
from tradebot.venues.files.resample import resample_bars
from tradebot.venues.files.source import FileDataSource, merge_events

__all__ = [
    "BUNDLED",
    "BarFrame",
    "FileDataSource",
    "FundingFrame",
    "QuoteFrame",
    "TradeFrame",
    "instrument_for_symbol",
    "load_bars",
    "load_funding",
    "load_quotes",
    "load_trades",
    "merge_events",
    "open_dataset",
    "resample_bars",
]
