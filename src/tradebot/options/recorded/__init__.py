"""Recorded option quotes: snapshot loaders and a market that prefers them to synthetic ones."""

from tradebot.options.recorded.loaders import (
    SCHEPAL_COLUMNS,
    load_deribit_tickers,
    load_schepal_csv,
    load_snapshot,
    parse_instrument_name,
)
from tradebot.options.recorded.market import RecordedOptionMarket

__all__ = [
    "SCHEPAL_COLUMNS",
    "RecordedOptionMarket",
    "load_deribit_tickers",
    "load_schepal_csv",
    "load_snapshot",
    "parse_instrument_name",
]
