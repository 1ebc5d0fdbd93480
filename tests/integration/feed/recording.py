"""The recorded frames and, parsed independently of the adapter, the events they hold."""

from __future__ import annotations

import asyncio
import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tradebot.engine.bus import MessageBus
from tradebot.model.data import Bar, MarketEvent, QuoteTick, TradeTick
from tradebot.venues.feed import FeedSupervisor

RESOURCES = Path(__file__).resolve().parent / "resources"
STREAM = RESOURCES / "binance_usdm_ws_20210722.jsonl"
CANDLES = RESOURCES / "binance_spot_BTCUSDT_1m_20180428_octobot.csv"
VENUE = "binanceusdm"
SYMBOLS = {
    "SUSHIUSDT": "SUSHI/USDT:USDT",
    "AKROUSDT": "AKRO/USDT:USDT",
    "KEEPUSDT": "KEEP/USDT:USDT",
    "CTKUSDT": "CTK/USDT:USDT",
    "BTCUSDT": "BTC/USDT:USDT",
}
MS = 1_000_000
MINUTE_MS = 60_000


def recorded_lines() -> list[dict[str, Any]]:
    with STREAM.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def recorded_frames() -> list[str]:
    """The frames as the exchange sent them."""
    return [json.dumps(line["data"], separators=(",", ":")) for line in recorded_lines()]


def expected_row(payload: dict[str, Any]) -> tuple[object, ...] | None:
    """What an event parsed from ``payload`` (one frame's ``data``) must hold, or None."""
    kind = payload.get("e")
    if kind == "bookTicker":
        return (
            "quote",
            SYMBOLS[payload["s"]],
            payload["T"] * MS,
            float(payload["b"]),
            float(payload["a"]),
            float(payload["B"]),
            float(payload["A"]),
        )
    if kind == "aggTrade":
        side = "seller" if payload["m"] else "buyer"
        return (
            "trade",
            SYMBOLS[payload["s"]],
            payload["T"] * MS,
            float(payload["p"]),
            float(payload["q"]),
            side,
            str(payload["a"]),
        )
    if kind == "kline" and payload["k"]["x"]:
        k = payload["k"]
        return (
            "bar",
            SYMBOLS[k["s"]],
            k["i"],
            k["t"] * MS,
            (k["T"] + 1) * MS,
            *(float(k[f]) for f in ("o", "h", "l", "c", "v")),
        )
    return None


def expected_rows() -> list[tuple[object, ...]]:
    rows = (expected_row(line["data"]["data"]) for line in recorded_lines())
    return [row for row in rows if row is not None]


def row_of(event: MarketEvent) -> tuple[object, ...]:
    """The same tuple read off a delivered event."""
    iid = event.instrument_id
    assert iid.venue == VENUE
    if isinstance(event, QuoteTick):
        return (
            "quote",
            iid.symbol,
            event.ts_event,
            event.bid,
            event.ask,
            event.bid_size,
            event.ask_size,
        )
    if isinstance(event, TradeTick):
        return (
            "trade",
            iid.symbol,
            event.ts_event,
            event.price,
            event.size,
            str(event.aggressor),
            event.trade_id,
        )
    assert isinstance(event, Bar)
    return (
        "bar",
        iid.symbol,
        event.timeframe,
        event.ts_open,
        event.ts_event,
        event.open,
        event.high,
        event.low,
        event.close,
        event.volume,
    )


def candle_rows() -> list[dict[str, str]]:
    with CANDLES.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def kline_frame(template: dict[str, Any], candle: dict[str, str]) -> str:
    """The recorded closed-kline frame with one candle's symbol, times and OHLCV."""
    start = int(candle["open_time_ms"])
    k = dict(template["data"]["k"])
    k.update(
        s="BTCUSDT",
        t=start,
        T=start + MINUTE_MS - 1,
        o=candle["open"],
        h=candle["high"],
        l=candle["low"],
        c=candle["close"],
        v=candle["volume"],
        x=True,
    )
    data = dict(template["data"], s="BTCUSDT", E=start + MINUTE_MS, k=k)
    return json.dumps({"stream": "btcusdt@kline_1m", "data": data}, separators=(",", ":"))


def closed_kline_template() -> dict[str, Any]:
    for line in recorded_lines():
        payload = line["data"]["data"]
        if payload.get("e") == "kline" and payload["k"]["x"]:
            return dict(line["data"])
    raise AssertionError("the recording holds no closed kline")


class Collector:
    """Everything a test watches: delivered events and bus messages by type."""

    def __init__(self) -> None:
        self.events: list[MarketEvent] = []
        self.bus = MessageBus()
        self.messages: dict[type, list[Any]] = {}

    def watch(self, *types: type) -> None:
        for kind in types:
            box: list[Any] = self.messages.setdefault(kind, [])
            self.bus.subscribe(kind, box.append)

    def of(self, kind: type) -> list[Any]:
        return self.messages.get(kind, [])


async def run_until(
    supervisor: FeedSupervisor, done: Callable[[], bool], *, within: float = 4.0
) -> None:
    """Run ``supervisor`` until ``done()`` holds, then stop it; fail after ``within`` s."""
    task = asyncio.create_task(supervisor.run())
    try:
        async with asyncio.timeout(within):
            while not done():
                if task.done():
                    task.result()
                    raise AssertionError("the supervisor ended on its own")
                await asyncio.sleep(0.002)
    finally:
        supervisor.stop()
        await asyncio.wait_for(task, 2)


async def eventually(done: Callable[[], bool], *, within: float = 3.0) -> None:
    """Wait until ``done()`` holds; fail after ``within`` seconds."""
    async with asyncio.timeout(within):
        while True:
            if done():
                return
            await asyncio.sleep(0.002)
