"""``<Name>DataClient``: market data as async iterators of tradebot events.

No reconnect or back-off here: the feed supervisor (``tradebot.venues.feed``) wraps the
iterators. Failures raise ``tradebot.execution.errors`` classes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from tradebot.model.data import Bar, FundingRate, QuoteTick, TradeTick


class TemplateDataClient:
    """Required methods."""

    async def fetch_bars(
        self, symbol: str, timeframe: str, since_ns: int | None = None, limit: int | None = None
    ) -> list[Bar]:
        """Closed candles from ``since_ns``."""
        raise NotImplementedError

    async def fetch_quote(self, symbol: str) -> QuoteTick:
        """Best bid and ask now."""
        raise NotImplementedError

    async def fetch_funding_rate(self, symbol: str) -> FundingRate:
        """Current funding rate of a perpetual."""
        raise NotImplementedError

    def stream_trades(self, symbol: str) -> AsyncIterator[TradeTick]:
        """Public trades, each once."""
        raise NotImplementedError

    def stream_quotes(self, symbol: str) -> AsyncIterator[QuoteTick]:
        """Top-of-book changes."""
        raise NotImplementedError

    def stream_bars(self, symbol: str, timeframe: str) -> AsyncIterator[Bar]:
        """Closed bars only."""
        raise NotImplementedError

    async def close(self) -> None:
        """Release connections."""
        raise NotImplementedError


__all__ = ["TemplateDataClient"]
