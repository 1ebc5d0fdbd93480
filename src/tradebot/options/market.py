"""Where option prices come from: the interface the engine and the paper venue read.

A backtest has no option tape for most history, so an :class:`OptionMarket` builds quotes on
demand: a synthetic one prices contracts from the underlying's candles (seed 003), a recorded
one serves real snapshots. Live adapters implement the same interface from exchange tickers.
"""

from __future__ import annotations

from typing import Protocol

from tradebot.model.data import Bar
from tradebot.model.instruments import Option
from tradebot.options.chain import OptionChain, OptionQuote


class OptionMarket(Protocol):
    """Chains, single quotes and settlement prices at a given time."""

    def underlyings(self) -> tuple[str, ...]:
        """Assets this market lists options on (``("BTC",)``)."""
        ...

    def on_underlying_bar(self, bar: Bar, asset: str) -> None:
        """A bar of ``asset``'s underlying instrument closed: update spot and volatility."""
        ...

    def chain(self, asset: str, ts_ns: int) -> OptionChain | None:
        """Every listed contract on ``asset`` at ``ts_ns``, or None before any price is known."""
        ...

    def quote(self, option: Option, ts_ns: int) -> OptionQuote | None:
        """Bid, ask, mark and greeks of one contract now (None when it cannot be priced)."""
        ...

    def index_price(self, asset: str, ts_ns: int) -> float | None:
        """The settlement index of ``asset`` at ``ts_ns`` (last known at or before it)."""
        ...


__all__ = ["OptionMarket"]
