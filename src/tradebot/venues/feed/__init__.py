"""Market-data feed supervision: reconnects, circuit breaker, gap back-fill, lag, bad frames.

:class:`FeedSupervisor` wraps any source given as an async-iterator factory (the CCXT client
and :func:`binance_ws_source` provide them) and delivers its events to the engine.
"""

from tradebot.venues.feed.binance_ws import binance_ws_source, parse_combined, usdm_symbol
from tradebot.venues.feed.config import FeedConfig
from tradebot.venues.feed.gaps import BarGaps
from tradebot.venues.feed.messages import MarketDataLag
from tradebot.venues.feed.supervisor import CircuitState, FeedFailure, FeedStats, FeedSupervisor
from tradebot.venues.feed.types import (
    Backfill,
    Ignored,
    Malformed,
    SafeModeControl,
    SourceFactory,
    SourceItem,
)

__all__ = [
    "Backfill",
    "BarGaps",
    "CircuitState",
    "FeedConfig",
    "FeedFailure",
    "FeedStats",
    "FeedSupervisor",
    "Ignored",
    "Malformed",
    "MarketDataLag",
    "SafeModeControl",
    "SourceFactory",
    "SourceItem",
    "binance_ws_source",
    "parse_combined",
    "usdm_symbol",
]
