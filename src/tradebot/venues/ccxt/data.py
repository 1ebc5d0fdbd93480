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

ccxt.pro keeps one WebSocket client per URL, with its subscriptions and a per-URL dial
backoff, and reuses it on the next ``watch_*`` call. So that a new iterator really is a new
connection, a ``stream_*`` iterator that ends for any reason (failure, stall timeout, close)
closes the ccxt.pro clients its subscription went to and clears ccxt's dial backoff: the
supervisor owns reconnects, backoff and the circuit. The ccxt.pro instance gets its markets
from the REST instance (loaded once, over REST), never loads them itself.

A frame ccxt.pro cannot decode or parse would raise inside its receive loop, which then stops
reading while the socket stays open (every stream on it goes silent). Each ccxt.pro client's
frame handler is therefore guarded: undecodable JSON and frames the exchange's parser chokes
on (or has no handler for) are counted in ``malformed`` (by kind: ``json``, ``parse``) and
dropped; any other ccxt error the exchange's handler raises (the venue reported an error)
fails the connection's pending watches, so the stream ends with the translated error and the
supervisor reconnects.

A bar is yielded when it is closed (``ts_event`` = its close), never while it is still forming.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import ccxt

from tradebot.execution import errors as ours
from tradebot.model.data import Bar, FundingRate, QuoteTick, TradeTick
from tradebot.model.identifiers import InstrumentId
from tradebot.model.instruments import Option
from tradebot.model.timeframes import timeframe_ns
from tradebot.options.chain import OptionQuote
from tradebot.venues.ccxt.errors import is_ccxt_error, translate, translated
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
log = logging.getLogger("tradebot.feed")
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
        self.malformed: dict[str, int] = {}
        """WebSocket frames dropped because ccxt.pro could not decode (``json``) or parse
        (``parse``) them."""
        self._guarded_pro: Any = None

    def instrument_id(self, symbol: str) -> InstrumentId:
        """Our id of a ccxt symbol on this venue."""
        return InstrumentId(symbol, self.venue)

    async def _rest(self, context: str, call: Callable[[], Awaitable[T]]) -> T:
        async def run() -> T:
            if not self.exchange.markets:
                await self.instruments.load()
            return await call()

        return await translated(self.venue, self.exchange, context, run)

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
    async def _pro(self, method: str) -> Any:
        pro = self.stream_exchange
        if pro is None or not pro.has.get(method):
            raise ours.VenueUnavailableError(self.venue, f"{method} is not available")
        share = getattr(pro, "set_markets_from_exchange", None)
        if share is not None and not pro.markets:
            # One markets load per venue, over REST (translated errors); ccxt.pro shares it.
            if not self.exchange.markets:
                await self._rest("load_markets", self._loaded_markets)  # _rest loads them
            share(self.exchange)
        if self._guarded_pro is not pro:
            self._guard_frames(pro)
        return pro

    def _guard_frames(self, pro: Any) -> None:
        """Wrap ``pro.client`` so that every WebSocket client it makes has a guarded handler."""
        make = getattr(pro, "client", None)
        if make is None:
            return
        self._guarded_pro = pro

        def client(url: str) -> Any:
            ws = make(url)
            if not getattr(ws, "_tradebot_guarded", False):
                ws.handle_text_or_binary_message = self._guarded_handler(ws)
                ws._tradebot_guarded = True
            return ws

        pro.client = client

    def _guarded_handler(self, ws: Any) -> Callable[[Any], None]:
        handle = ws.handle_text_or_binary_message

        def guarded(data: Any) -> None:
            try:
                handle(data)
            except Exception as exc:
                unhandled = isinstance(exc, ccxt.NotSupported)  # no handler for the frame
                if is_ccxt_error(exc) and not unhandled:
                    ws.reject(exc)  # the venue said something failed: end the watches
                    return
                kind = "json" if isinstance(exc, json.JSONDecodeError) else "parse"
                self.malformed[kind] = self.malformed.get(kind, 0) + 1
                log.warning(
                    "%s: dropped a WebSocket frame ccxt could not %s: %s: %s",
                    self.venue,
                    "decode" if kind == "json" else "parse",
                    type(exc).__name__,
                    str(data)[:120],
                )

        return guarded

    async def _loaded_markets(self) -> Any:
        return self.exchange.markets

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
        pro = await self._pro("watchTrades")
        iid = self.instrument_id(symbol)
        last_ts = -1
        ids_at_last: set[str] = set()
        async with _WsLink(pro) as link:
            while True:
                rows = await link.watch(
                    self._watch(f"watch_trades {symbol}", lambda: pro.watch_trades(symbol))
                )
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
        pro = await self._pro("watchTicker")
        iid = self.instrument_id(symbol)
        last: QuoteTick | None = None
        async with _WsLink(pro) as link:
            while True:
                ticker = await link.watch(
                    self._watch(f"watch_ticker {symbol}", lambda: pro.watch_ticker(symbol))
                )
                quote = quote_from_ticker(ticker, iid)
                if quote != last:
                    last = quote
                    yield quote

    async def stream_book_top(self, symbol: str, depth: int = 5) -> AsyncIterator[QuoteTick]:
        """Top of the book whenever it changes (``watch_order_book``)."""
        pro = await self._pro("watchOrderBook")
        iid = self.instrument_id(symbol)
        last: tuple[float, float, float, float] | None = None
        async with _WsLink(pro) as link:
            while True:
                book = await link.watch(
                    self._watch(
                        f"watch_order_book {symbol}", lambda: pro.watch_order_book(symbol, depth)
                    )
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
        pro = await self._pro("watchOHLCV")
        iid = self.instrument_id(symbol)
        forming: list[Any] | None = None
        emitted = -1
        async with _WsLink(pro) as link:
            while True:
                rows = await link.watch(
                    self._watch(
                        f"watch_ohlcv {symbol} {timeframe}",
                        lambda: pro.watch_ohlcv(symbol, timeframe),
                    )
                )
                for row in sorted(rows, key=lambda r: r[0]):
                    if forming is not None and row[0] > forming[0] and forming[0] > emitted:
                        emitted = int(forming[0])
                        yield bar_from_ohlcv(forming, iid, timeframe)
                    if forming is None or row[0] >= forming[0]:
                        forming = list(row)

    async def stream_option_quotes(self, symbol: str) -> AsyncIterator[OptionQuote]:
        """A Deribit option's quote, mark IV and greeks on every ticker message."""
        pro = await self._pro("watchTicker")
        option = await self._option(symbol)
        async with _WsLink(pro) as link:
            while True:
                ticker = await link.watch(
                    self._watch(f"watch_ticker {symbol}", lambda: pro.watch_ticker(symbol))
                )
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


def _subscriptions(pro: Any) -> dict[str, set[Any]]:
    clients = getattr(pro, "clients", None) or {}
    return {url: set(client.subscriptions) for url, client in clients.items()}


class _WsLink:
    """The ccxt.pro connections one ``stream_*`` iterator uses, closed when it ends.

    The URLs are found on the first answered ``watch_*`` call: those whose client gained a
    subscription (or appeared). On exit, for whatever reason, each such client is closed and
    dropped from ``pro.clients`` (the next ``watch_*`` dials afresh and subscribes again) and
    ccxt's per-URL dial backoff is cleared (the supervisor's backoff and circuit decide).
    """

    def __init__(self, pro: Any) -> None:
        self.pro = pro
        self.urls: set[str] = set()
        self._before: dict[str, set[Any]] | None = None

    async def __aenter__(self) -> _WsLink:
        self._before = _subscriptions(self.pro)
        return self

    async def watch(self, call: Awaitable[T]) -> T:
        """Await one ``watch_*`` call, noting the connections it subscribed on."""
        try:
            return await call
        finally:
            if not self.urls and self._before is not None:
                before = self._before
                for url, subs in _subscriptions(self.pro).items():
                    if url not in before or subs - before[url]:
                        self.urls.add(url)

    async def __aexit__(self, *exc: object) -> None:
        clients = getattr(self.pro, "clients", None) or {}
        for url in self.urls:
            client = clients.pop(url, None)
            if client is not None:
                with contextlib.suppress(Exception):
                    await client.close()
        backoff = getattr(self.pro, "ws_dial_backoff", None)
        if isinstance(backoff, dict):
            backoff.clear()


__all__ = ["CcxtDataClient"]
