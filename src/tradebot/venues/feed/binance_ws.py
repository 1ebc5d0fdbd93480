"""A plain-WebSocket source for Binance USD-M combined streams (``/stream?streams=…``).

Each frame is ``{"stream": "<symbol>@<channel>", "data": {...}}``. ``bookTicker`` becomes a
:class:`QuoteTick`, ``aggTrade`` a :class:`TradeTick` and a *closed* ``kline`` a :class:`Bar`;
anything else well-formed (depth updates, open klines) is :class:`Ignored`, anything else
:class:`Malformed`. Times are the exchange's: ``T`` (transaction time) for quotes and trades,
the kline's close for bars (``T`` + 1 ms, so ``ts_event - ts_open`` is the interval).
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Callable
from typing import Any, Literal

import msgspec
from websockets.asyncio.client import connect

from tradebot.model.data import Bar, QuoteTick, TradeTick
from tradebot.model.enums import AggressorSide
from tradebot.model.identifiers import InstrumentId
from tradebot.venues.feed.types import Ignored, Malformed, SourceFactory, SourceItem

_MS = 1_000_000
_QUOTES = ("USDT", "BUSD", "USDC")
_decoder = msgspec.json.Decoder()


def usdm_symbol(raw: str) -> str:
    """``SUSHIUSDT`` → ``SUSHI/USDT:USDT`` (a linear perpetual in CCXT's notation)."""
    for quote in _QUOTES:
        if raw.endswith(quote) and len(raw) > len(quote):
            return f"{raw[: -len(quote)]}/{quote}:{quote}"
    return raw


class _Bad(Exception):
    pass


def _num(data: dict[str, Any], key: str, *, positive: bool = False) -> float:
    value = float(data[key])
    if not math.isfinite(value) or value < 0 or (positive and value == 0):
        raise _Bad(f"{key}={data[key]!r} is not a valid number")
    return value


def _ms(data: dict[str, Any], key: str) -> int:
    value = data[key]
    if type(value) is not int or value <= 0:
        raise _Bad(f"{key}={value!r} is not a millisecond time")
    return value * _MS


def parse_combined(
    frame: str | bytes,
    venue: str = "binanceusdm",
    symbol_of: Callable[[str], str] = usdm_symbol,
) -> SourceItem:
    """One combined-stream frame → an event, :class:`Ignored` or :class:`Malformed`."""
    try:
        message = _decoder.decode(frame)
    except (msgspec.DecodeError, UnicodeDecodeError) as exc:
        return Malformed("json", str(exc)[:120])
    if not isinstance(message, dict):
        return Malformed("envelope", f"a JSON {type(message).__name__}, not an object")
    if "id" in message and ("result" in message or "error" in message):
        return Ignored("response")  # the reply to a SUBSCRIBE / LIST_SUBSCRIPTIONS request
    data = message.get("data")
    stream = message.get("stream")
    if not isinstance(data, dict) or not isinstance(stream, str):
        return Malformed("envelope", "no 'stream' and 'data'")
    kind = data.get("e")
    if not isinstance(kind, str):
        # bookTicker on some endpoints has no "e"; take the channel from the stream name.
        kind = stream.partition("@")[2].split("@", 1)[0] or "unknown"
    try:
        if kind == "bookTicker":
            return QuoteTick(
                InstrumentId(symbol_of(str(data["s"])), venue),
                _ms(data, "T"),
                _num(data, "b", positive=True),
                _num(data, "a", positive=True),
                _num(data, "B"),
                _num(data, "A"),
            )
        if kind == "aggTrade":
            maker = data["m"]
            if not isinstance(maker, bool):
                raise _Bad(f"m={maker!r} is not a boolean")
            return TradeTick(
                InstrumentId(symbol_of(str(data["s"])), venue),
                _ms(data, "T"),
                _num(data, "p", positive=True),
                _num(data, "q", positive=True),
                AggressorSide.SELLER if maker else AggressorSide.BUYER,
                str(data["a"]),
            )
        if kind == "kline":
            k = data["k"]
            if not isinstance(k, dict):
                raise _Bad("k is not an object")
            if k["x"] is not True:
                return Ignored("kline_open")
            ts_open = _ms(k, "t")
            ts_event = _ms(k, "T") + _MS
            if ts_event <= ts_open:
                raise _Bad("the kline closes before it opens")
            return Bar(
                InstrumentId(symbol_of(str(k["s"])), venue),
                str(k["i"]),
                ts_open,
                ts_event,
                _num(k, "o", positive=True),
                _num(k, "h", positive=True),
                _num(k, "l", positive=True),
                _num(k, "c", positive=True),
                _num(k, "v"),
            )
    except (KeyError, TypeError, ValueError, _Bad) as exc:
        return Malformed(kind, f"{type(exc).__name__}: {exc}"[:120])
    return Ignored(kind)


def binance_ws_source(
    url: str,
    *,
    venue: str = "binanceusdm",
    symbol_of: Callable[[str], str] = usdm_symbol,
    open_timeout: float = 10.0,
    ping_interval: float | None = 20.0,
    close_timeout: float = 1.0,
    proxy: str | Literal[True] | None = True,
) -> SourceFactory:
    """A source that opens ``url`` (a combined-stream URL) and parses every frame.

    ``proxy=True`` honours the environment's proxy settings; pass ``None`` to connect direct.
    ``close_timeout`` bounds the closing handshake, so a stalled link is given up quickly.
    """

    async def stream() -> AsyncIterator[SourceItem]:
        async with connect(
            url,
            open_timeout=open_timeout,
            ping_interval=ping_interval,
            close_timeout=close_timeout,
            proxy=proxy,
            max_size=2**22,
        ) as ws:
            async for frame in ws:
                yield parse_combined(frame, venue, symbol_of)

    return stream


__all__ = ["binance_ws_source", "parse_combined", "usdm_symbol"]
