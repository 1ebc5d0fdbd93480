"""``CcxtDataClient``: market data of one exchange as our events.

Two kinds of source:

* REST (ccxt ``async_support``): one-shot ``fetch_*`` calls, ``fetch_bars_range`` that pages
  through candles with ``since``/``limit``, and ``poll_*`` async iterators that repeat a fetch
  every ``interval_s`` and yield only what is new;
* WebSocket (ccxt.pro ``watch_*``): ``stream_*`` async iterators of trades, ticker quotes,
  order-book tops, closed bars and Deribit option quotes.

The iterators do **not** reconnect or back off: a failure is translated to
:mod:`tradebot.execution.errors` and ends the iterator. The feed supervisor in
``tradebot.venues.feed`` wraps them and decides when to start a new one.

A bar is yielded when it is closed (``ts_event`` = its close), never while it is still forming.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

from tradebot.execution import errors as ours
from tradebot.model.data import Bar, FundingRate, QuoteTick, TradeTick
from tradebot.model.identifiers import InstrumentId
from tradebot.model.instruments import Option
from tradebot.model.timeframes import timeframe_ns
from tradebot.options.chain import OptionQuote
from tradebot.venues.ccxt.errors import is_ccxt_error, translate
from tradebot.venues.ccxt.parsing import (
    bar_from_ohlcv,
    funding_from_ccxt,
    mark_price_from_ccxt,
    option_quote_from_ticker,
    quote_from_order_book,
    quote_from_ticker,
    trade_from_ccxt,
)
from tradebot.venues.ccxt.providers import CcxtInstrumentProvider

T = TypeVar("T")
_NS_PER_MS = 1_000_000
Sleep = Callable[[float], Awaitable[None]]


class CcxtDataClient:
    """Market data of one exchange.

    Parameters
    ----------
    exchange : Any
        ccxt ``async_support`` instance for REST.
    venue : str
        Venue name of the instrument ids.
    stream_exchange : Any | None
        ccxt.pro instance for ``stream_*`` (None: streams raise ``VenueUnavailableError``).
    sleep : Callable[[float], Awaitable[None]]
        Pause between polls (``asyncio.sleep``; tests pass a fake).
    """

    def __init__(
        self,
        exchange: Any,
        venue: str,
        *,
        stream_exchange: Any | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.exchange = exchange
        self.stream_exchange = stream_exchange
        self.venue = venue
        self.instruments = CcxtInstrumentProvider(exchange, venue)
        self._sleep = sleep

    def instrument_id(self, symbol: str) -> InstrumentId:
        """Our id of a ccxt symbol on this venue."""
        return InstrumentId(symbol, self.venue)

    async def _rest(self, context: str, call: Callable[[], Awaitable[T]]) -> T:
        try:
            if not self.exchange.markets:
                await self.instruments.load()
            return await call()
        except ours.VenueCallError:
            raise
        except Exception as exc:
            if is_ccxt_error(exc):
                headers = getattr(self.exchange, "last_response_headers", None)
                raise translate(self.venue, exc, context, headers) from exc
            raise

    async def load_instruments(self) -> dict[str, Any]:
        """Load markets and return our instruments by symbol."""
        return await self.instruments.load()

    # -- REST ----------------------------------------------------------------------------------
    async def fetch_bars(
        self,
        symbol: str,
        timeframe: str,
        since_ns: int | None = None,
        limit: int | None = None,
        *,
        closed_only: bool = True,
    ) -> list[Bar]:
        """Candles from ``since_ns`` (ccxt ``fetch_ohlcv``); the forming one dropped."""
        since_ms = None if since_ns is None else since_ns // _NS_PER_MS
        rows = await self._rest(
            f"fetch_ohlcv {symbol} {timeframe}",
            lambda: self.exchange.fetch_ohlcv(symbol, timeframe, since_ms, limit),
        )
        iid = self.instrument_id(symbol)
        bars = [bar_from_ohlcv(r, iid, timeframe) for r in rows]
        if closed_only:
            now_ns = int(self.exchange.milliseconds()) * _NS_PER_MS
            bars = [b for b in bars if b.ts_event <= now_ns]
        return bars

    async def fetch_bars_range(
        self,
        symbol: str,
        timeframe: str,
        since_ns: int,
        until_ns: int | None = None,
        *,
        page_limit: int = 1000,
        max_pages: int = 100_000,
    ) -> list[Bar]:
        """Every closed candle in ``[since_ns, until_ns)``, page by page (``since`` + ``limit``).

        Stops when a page adds nothing new, when it reaches ``until_ns`` or after
        ``max_pages``. Bars come back sorted and without duplicates.
        """
        step = timeframe_ns(timeframe)
        cursor = since_ns
        seen: dict[int, Bar] = {}
        for _ in range(max_pages):
            page = await self.fetch_bars(symbol, timeframe, cursor, page_limit)
            fresh = [b for b in page if b.ts_open >= cursor and b.ts_open not in seen]
            for bar in fresh:
                if until_ns is None or bar.ts_open < until_ns:
                    seen[bar.ts_open] = bar
            if not fresh:
                break
            cursor = max(b.ts_open for b in fresh) + step
            if until_ns is not None and cursor >= until_ns:
                break
        return [seen[k] for k in sorted(seen)]

    async def fetch_quote(self, symbol: str) -> QuoteTick:
        """Best bid and ask from the ticker."""
        ticker = await self._rest(
            f"fetch_ticker {symbol}", lambda: self.exchange.fetch_ticker(symbol)
        )
        return quote_from_ticker(ticker, self.instrument_id(symbol))

    async def fetch_book_top(self, symbol: str, depth: int = 5) -> QuoteTick | None:
        """Top of the order book with sizes, or None while a side is empty."""
        book = await self._rest(
            f"fetch_order_book {symbol}", lambda: self.exchange.fetch_order_book(symbol, depth)
        )
        return quote_from_order_book(book, self.instrument_id(symbol))

    async def fetch_trades(self, symbol: str, limit: int | None = None) -> list[TradeTick]:
        """Recent public trades, oldest first."""
        rows = await self._rest(
            f"fetch_trades {symbol}", lambda: self.exchange.fetch_trades(symbol, None, limit)
        )
        iid = self.instrument_id(symbol)
        return sorted((trade_from_ccxt(r, iid) for r in rows), key=lambda t: t.ts_event)

    async def fetch_funding_rate(self, symbol: str) -> FundingRate:
        """The current (next) funding rate of a perpetual."""
        funding = await self._rest(
            f"fetch_funding_rate {symbol}", lambda: self.exchange.fetch_funding_rate(symbol)
        )
        return funding_from_ccxt(funding, self.instrument_id(symbol))

    async def fetch_mark_price(self, symbol: str) -> float | None:
        """Mark price: from the funding endpoint for perpetuals, else from the ticker."""
        market = (self.exchange.markets or {}).get(symbol) or {}
        if market.get("swap") and self.exchange.has.get("fetchFundingRate"):
            data = await self._rest(
                f"fetch_funding_rate {symbol}", lambda: self.exchange.fetch_funding_rate(symbol)
            )
        else:
            data = await self._rest(
                f"fetch_ticker {symbol}", lambda: self.exchange.fetch_ticker(symbol)
            )
        return mark_price_from_ccxt(data)

    async def _option(self, symbol: str) -> Option:
        if not self.instruments.instruments:
            if self.exchange.markets:
                self.instruments.convert(self.exchange.markets)
            else:
                await self.instruments.load()
        instrument = self.instruments.find(symbol)
        if not isinstance(instrument, Option):
            raise ours.UnknownSymbolError(self.venue, f"{symbol} is not a listed option")
        return instrument

    async def fetch_option_quote(self, symbol: str) -> OptionQuote:
        """A Deribit option's bid, ask, mark, mark IV and greeks."""
        ticker = await self._rest(
            f"fetch_ticker {symbol}", lambda: self.exchange.fetch_ticker(symbol)
        )
        return option_quote_from_ticker(ticker, await self._option(symbol))

    # -- polling -------------------------------------------------------------------------------
    async def poll_quotes(self, symbol: str, interval_s: float = 1.0) -> AsyncIterator[QuoteTick]:
        """Ticker quotes every ``interval_s``; repeats of the same quote are skipped."""
        last: QuoteTick | None = None
        while True:
            quote = await self.fetch_quote(symbol)
            if quote != last:
                last = quote
                yield quote
            await self._sleep(interval_s)

    async def poll_bars(
        self, symbol: str, timeframe: str, interval_s: float = 5.0
    ) -> AsyncIterator[Bar]:
        """Each newly closed candle, once, in order."""
        last_open: int | None = None
        while True:
            bars = await self.fetch_bars(symbol, timeframe, limit=3)
            for bar in bars:
                if last_open is None or bar.ts_open > last_open:
                    last_open = bar.ts_open
                    yield bar
            await self._sleep(interval_s)

    async def poll_funding(
        self, symbol: str, interval_s: float = 60.0
    ) -> AsyncIterator[FundingRate]:
        """The funding rate whenever it (or its payment time) changes."""
        last: FundingRate | None = None
        while True:
            rate = await self.fetch_funding_rate(symbol)
            if rate != last:
                last = rate
                yield rate
            await self._sleep(interval_s)

    # -- WebSocket (ccxt.pro) ------------------------------------------------------------------
    def _pro(self, method: str) -> Any:
        pro = self.stream_exchange
        if pro is None or not pro.has.get(method):
            raise ours.VenueUnavailableError(self.venue, f"{method} is not available")
        return pro

    async def _watch(self, context: str, call: Callable[[], Awaitable[T]]) -> T:
        try:
            return await call()
        except ours.VenueCallError:
            raise
        except Exception as exc:
            if is_ccxt_error(exc):
                raise translate(self.venue, exc, context) from exc
            raise

    async def stream_trades(self, symbol: str) -> AsyncIterator[TradeTick]:
        """Public trades as they happen (ccxt.pro ``watch_trades``), each once."""
        pro = self._pro("watchTrades")
        iid = self.instrument_id(symbol)
        last_ts = -1
        ids_at_last: set[str] = set()
        while True:
            rows = await self._watch(f"watch_trades {symbol}", lambda: pro.watch_trades(symbol))
            for row in rows:
                tick = trade_from_ccxt(row, iid)
                if tick.ts_event < last_ts or (
                    tick.ts_event == last_ts and tick.trade_id in ids_at_last
                ):
                    continue
                if tick.ts_event > last_ts:
                    last_ts, ids_at_last = tick.ts_event, set()
                ids_at_last.add(tick.trade_id)
                yield tick

    async def stream_quotes(self, symbol: str) -> AsyncIterator[QuoteTick]:
        """Best bid/ask from the ticker channel (``watch_ticker``)."""
        pro = self._pro("watchTicker")
        iid = self.instrument_id(symbol)
        last: QuoteTick | None = None
        while True:
            ticker = await self._watch(f"watch_ticker {symbol}", lambda: pro.watch_ticker(symbol))
            quote = quote_from_ticker(ticker, iid)
            if quote != last:
                last = quote
                yield quote

    async def stream_book_top(self, symbol: str, depth: int = 5) -> AsyncIterator[QuoteTick]:
        """Top of the book whenever it changes (``watch_order_book``)."""
        pro = self._pro("watchOrderBook")
        iid = self.instrument_id(symbol)
        last: tuple[float, float, float, float] | None = None
        while True:
            book = await self._watch(
                f"watch_order_book {symbol}", lambda: pro.watch_order_book(symbol, depth)
            )
            quote = quote_from_order_book(book, iid)
            if quote is None:
                continue
            top = (quote.bid, quote.ask, quote.bid_size, quote.ask_size)
            if top != last:
                last = top
                yield quote

    async def stream_bars(self, symbol: str, timeframe: str) -> AsyncIterator[Bar]:
        """Closed candles (``watch_ohlcv``): a candle is yielded once the next one starts."""
        pro = self._pro("watchOHLCV")
        iid = self.instrument_id(symbol)
        forming: list[Any] | None = None
        emitted = -1
        while True:
            rows = await self._watch(
                f"watch_ohlcv {symbol} {timeframe}", lambda: pro.watch_ohlcv(symbol, timeframe)
            )
            for row in sorted(rows, key=lambda r: r[0]):
                if forming is not None and row[0] > forming[0] and forming[0] > emitted:
                    emitted = int(forming[0])
                    yield bar_from_ohlcv(forming, iid, timeframe)
                if forming is None or row[0] >= forming[0]:
                    forming = list(row)

    async def stream_option_quotes(self, symbol: str) -> AsyncIterator[OptionQuote]:
        """A Deribit option's quote, mark IV and greeks on every ticker message."""
        pro = self._pro("watchTicker")
        option = await self._option(symbol)
        while True:
            ticker = await self._watch(f"watch_ticker {symbol}", lambda: pro.watch_ticker(symbol))
            yield option_quote_from_ticker(ticker, option)

    async def close(self) -> None:
        """Close the REST session and the WebSocket connections."""
        for exchange in (self.exchange, self.stream_exchange):
            if exchange is not None:
                try:
                    await exchange.close()
                except Exception as exc:
                    if not is_ccxt_error(exc):
                        raise


__all__ = ["CcxtDataClient"]
