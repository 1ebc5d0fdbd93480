"""CcxtDataClient on recorded payloads: bars, quotes, book top, trades, funding, mark price,
Deribit option greeks — ccxt's parsing, then ours."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from ccxt_stub import Reply, load, stubbed_gateway

from tradebot.model.data import Bar, QuoteTick
from tradebot.model.enums import AggressorSide, OptionKind
from tradebot.model.identifiers import InstrumentId
from tradebot.options.contract import DERIBIT_BTC
from tradebot.venues.ccxt import CcxtDataClient
from tradebot.venues.ccxt.parsing import option_quote_from_ticker

T = TypeVar("T")
MS = 1_000_000


def _data(
    exchange: str, routes: dict[str, Any], act: Callable[[CcxtDataClient], Awaitable[T]]
) -> T:
    gateway, _ = stubbed_gateway(exchange, routes)
    client = CcxtDataClient(gateway.exchange, gateway.venue)

    async def go() -> T:
        try:
            return await act(client)
        finally:
            await client.close()

    return asyncio.run(go())


def test_binanceusdm_klines_book_funding_and_mark_price() -> None:
    kline = load("binanceusdm/http_fapi_v1_klines.json")[0]
    depth = load("binanceusdm/http_fapi_v1_depth.json")
    premium = load("binanceusdm/http_fapi_v1_premiumIndex.json")
    routes = {
        "GET /fapi/v1/klines": Reply([kline]),
        "GET /fapi/v1/depth": Reply(depth),
        "GET /fapi/v1/premiumIndex": Reply(premium),
    }

    async def act(client: CcxtDataClient) -> Any:
        symbol = "BTC/USDT:USDT"
        return (
            await client.fetch_bars(symbol, "1m"),
            await client.fetch_book_top(symbol),
            await client.fetch_funding_rate(symbol),
            await client.fetch_mark_price(symbol),
        )

    bars, top, funding, mark = _data("binanceusdm", routes, act)

    iid = InstrumentId("BTC/USDT:USDT", "BINANCEUSDM")
    assert bars == [
        Bar(
            iid,
            "1m",
            kline[0] * MS,
            kline[0] * MS + 60 * 10**9,
            float(kline[1]),
            float(kline[2]),
            float(kline[3]),
            float(kline[4]),
            float(kline[5]),
        )
    ]
    assert top == QuoteTick(
        iid,
        depth["T"] * MS,
        float(depth["bids"][0][0]),
        float(depth["asks"][0][0]),
        float(depth["bids"][0][1]),
        float(depth["asks"][0][1]),
    )
    assert funding.rate == float(premium["lastFundingRate"])
    assert funding.ts_event == premium["nextFundingTime"] * MS
    assert mark == float(premium["markPrice"])


def test_bybit_klines_trades_and_order_book() -> None:
    kline = load("bybit/http_v5_klines_linear.json")
    trades = load("bybit/http_v5_trades_recent.json")
    book = load("bybit/http_v5_orderbook.json")
    routes = {
        "GET /v5/market/kline": Reply(kline),
        "GET /v5/market/recent-trade": Reply(trades),
        "GET /v5/market/orderbook": Reply(book),
    }

    async def act(client: CcxtDataClient) -> Any:
        symbol = "BTC/USDT:USDT"
        return (
            await client.fetch_bars(symbol, "1m"),
            await client.fetch_trades(symbol),
            await client.fetch_book_top(symbol),
        )

    bars, ticks, top = _data("bybit", routes, act)

    row = kline["result"]["list"][0]
    assert [(b.ts_open, b.open, b.close, b.volume) for b in bars] == [
        (int(row[0]) * MS, float(row[1]), float(row[4]), float(row[5]))
    ]
    raw_trade = trades["result"]["list"][0]
    assert [(t.price, t.size, t.trade_id) for t in ticks] == [
        (float(raw_trade["price"]), float(raw_trade["size"]), raw_trade["execId"])
    ]
    assert ticks[0].aggressor is (
        AggressorSide.BUYER if raw_trade["side"] == "Buy" else AggressorSide.SELLER
    )
    result = book["result"]
    assert top is not None
    assert (top.bid, top.bid_size, top.ask, top.ask_size) == (
        float(result["b"][0][0]),
        float(result["b"][0][1]),
        float(result["a"][0][0]),
        float(result["a"][0][1]),
    )


def test_mexc_ticker_ohlcv_book_from_ccxt_static_responses() -> None:
    ticker = load("mexc/static_fetchTicker.json")
    candle = load("mexc/static_fetchOHLCV.json")[0]
    routes = {
        "GET /api/v3/ticker/24hr": Reply(ticker),
        "GET /api/v3/klines": Reply(load("mexc/static_fetchOHLCV.json")),
        "GET /api/v3/depth": Reply(load("mexc/static_fetchOrderBook.json")),
        "GET /api/v3/aggTrades": Reply(load("mexc/static_fetchTrades.json")),
    }

    async def act(client: CcxtDataClient) -> Any:
        return (
            await client.fetch_quote("BTC/USDT"),
            await client.fetch_bars("BTC/USDT", "1h"),
            await client.fetch_book_top("BTC/USDT"),
            await client.fetch_trades("BTC/USDT"),
        )

    quote, bars, top, trades = _data("mexc", routes, act)

    assert (quote.bid, quote.ask, quote.bid_size, quote.ask_size) == (
        73369.83,
        73369.84,
        10.010045,
        6.337532,
    )  # = ccxt's parsedResponse
    assert quote.ts_event == int(ticker["closeTime"]) * MS
    assert [(b.ts_open, b.open, b.high, b.low, b.close, b.volume) for b in bars] == [
        (candle[0] * MS, 73260.0, 73442.95, 73238.69, 73414.21, 49.560236)
    ]
    assert bars[0].ts_event == candle[6] * MS  # a 1h bar closes at the venue's close time
    assert top is not None
    assert (top.bid, top.ask) == (45995.47, 45995.48)
    assert [(t.price, t.size, t.aggressor) for t in trades] == [
        (73238.7, 0.000112, AggressorSide.BUYER)
    ]


def test_deribit_perpetual_quote_and_mark_from_the_ticker() -> None:
    data = load("deribit/ws_ticker_BTC-PERPETUAL.json")["params"]["data"]
    routes = {"GET /api/v2/public/ticker": Reply({"jsonrpc": "2.0", "result": data})}

    async def act(client: CcxtDataClient) -> Any:
        return await client.fetch_quote("BTC/USD:BTC")

    quote = _data("deribit", routes, act)

    assert (quote.bid, quote.ask, quote.bid_size, quote.ask_size) == (
        data["best_bid_price"],
        data["best_ask_price"],
        data["best_bid_amount"],
        data["best_ask_amount"],
    )
    assert quote.ts_event == data["timestamp"] * MS


def test_deribit_option_ticker_gives_greeks_and_mark_iv_of_the_payload() -> None:
    message = load("deribit/ws_ticker_BTC-24SEP21-8000-P.json")
    data = message["params"]["data"]
    listing = load("deribit/instrument_BTC-24SEP21-8000-P_20210722.json")
    gateway, _ = stubbed_gateway("deribit")
    option = DERIBIT_BTC.instrument(
        listing["expiration_timestamp"] * MS, listing["strike"], OptionKind.PUT
    )

    ticker = gateway.exchange.parse_ticker(data)  # ccxt's own Deribit ticker parser
    quote = option_quote_from_ticker(ticker, option)
    asyncio.run(gateway.close())

    greeks = data["greeks"]
    assert (quote.delta, quote.gamma, quote.vega, quote.theta) == (
        greeks["delta"],
        greeks["gamma"],
        greeks["vega"],
        greeks["theta"],
    )
    assert math.isclose(quote.iv, data["mark_iv"] / 100.0)
    assert (quote.bid, quote.ask, quote.mark) == (
        data["best_bid_price"],
        data["best_ask_price"],
        data["mark_price"],
    )
    assert quote.open_interest == data["open_interest"]
    assert quote.instrument.id.symbol == "BTC/USD:BTC-210924-8000-P"


class _FakePro:
    """Stands in for a ccxt.pro instance: hands out prepared watch_* results in order.

    (The WebSocket transport itself is exercised by the feed supervisor's replay-server tests.)
    """

    def __init__(self, **batches: list[Any]) -> None:
        self.has = {"watchOHLCV": True, "watchTrades": True, "watchOrderBook": True}
        self._batches = batches

    async def _next(self, name: str) -> Any:
        queue = self._batches[name]
        if not queue:
            raise asyncio.CancelledError
        return queue.pop(0)

    async def watch_ohlcv(self, symbol: str, timeframe: str) -> Any:
        return await self._next("ohlcv")

    async def watch_trades(self, symbol: str) -> Any:
        return await self._next("trades")

    async def watch_order_book(self, symbol: str, depth: int) -> Any:
        return await self._next("book")

    async def close(self) -> None:
        return None


def _collect(iterator: Any) -> list[Any]:
    async def go() -> list[Any]:
        out = []
        try:
            async for item in iterator:
                out.append(item)
        except asyncio.CancelledError:
            pass
        return out

    return asyncio.run(go())


def test_streams_yield_closed_bars_once_and_each_trade_once() -> None:
    t0 = 1_670_889_600_000
    candle = [t0, 1.0, 2.0, 0.5, 1.5, 10.0]
    pro = _FakePro(
        ohlcv=[[candle], [[t0, 1.0, 2.5, 0.5, 2.0, 12.0]], [[t0 + 60_000, 2.0, 2, 2, 2, 1.0]]],
        trades=[
            [{"id": "a", "timestamp": t0, "price": 1.0, "amount": 1.0, "side": "buy"}],
            [
                {"id": "a", "timestamp": t0, "price": 1.0, "amount": 1.0, "side": "buy"},
                {"id": "b", "timestamp": t0, "price": 1.1, "amount": 2.0, "side": "sell"},
            ],
        ],
    )
    client = CcxtDataClient(object(), "BYBIT", stream_exchange=pro)

    bars = _collect(client.stream_bars("BTC/USDT:USDT", "1m"))
    trades = _collect(client.stream_trades("BTC/USDT:USDT"))

    assert [(b.ts_open, b.high, b.close, b.ts_event) for b in bars] == [
        (t0 * MS, 2.5, 2.0, (t0 + 60_000) * MS)
    ]  # the forming bar's last state, once closed
    assert [t.trade_id for t in trades] == ["a", "b"]


def test_poll_quotes_repeats_the_fetch_and_skips_unchanged_quotes() -> None:
    gateway, session = stubbed_gateway(
        "mexc", {"GET /api/v3/ticker/24hr": Reply(load("mexc/static_fetchTicker.json"))}
    )
    pauses: list[float] = []

    async def sleep(seconds: float) -> None:
        pauses.append(seconds)
        if len(pauses) == 3:
            raise asyncio.CancelledError

    client = CcxtDataClient(gateway.exchange, gateway.venue, sleep=sleep)

    quotes = _collect(client.poll_quotes("BTC/USDT", 0.5))
    asyncio.run(gateway.close())

    assert len(quotes) == 1  # the same recorded ticker three times
    assert pauses == [0.5, 0.5, 0.5]
    assert sum(1 for r in session.requests if r.path == "/api/v3/ticker/24hr") == 3
