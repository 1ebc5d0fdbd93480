"""Per venue: the frames the local server sends, the REST stub ccxt reads, and what the
events must hold, parsed here from the frames independently of ccxt and of tradebot."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ccxt_stub import MARKET_ROUTES, Reply, Request, Route  # REST stub (see conftest.py)

HERE = Path(__file__).resolve().parent
RESOURCES = HERE / "resources"

MINUTE_MS = 60_000
MS = 1_000_000

Row = tuple[Any, ...]
"""(ts_open_ms, open, high, low, close, volume) of a bar, or (ts_ms, price, size, side, id)
of a trade."""


def _dump(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"))


def _read(name: str) -> Any:
    return json.loads((RESOURCES / name).read_text(encoding="utf-8"))


def candles() -> list[dict[str, str]]:
    """30 real Binance BTC/USDT 1m candles (OctoBot), the bars every venue streams here."""
    path = RESOURCES / "binance_spot_BTCUSDT_1m_20180428_octobot.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _ohlcv(c: dict[str, str]) -> tuple[int, str, str, str, str, str]:
    return (int(c["open_time_ms"]), c["open"], c["high"], c["low"], c["close"], c["volume"])


# -- kline frames, one builder and one independent parser per venue ---------------------------
def binance_kline(c: dict[str, str]) -> str:
    t, o, h, low, close, v = _ohlcv(c)
    frame = _read("binanceusdm_ws_kline_closed_20210722.json")
    k = dict(frame["data"]["k"], s="BTCUSDT", t=t, T=t + MINUTE_MS - 1, o=o, h=h, l=low, c=close)
    k.update(v=v, x=True)
    data = dict(frame["data"], s="BTCUSDT", E=t + MINUTE_MS, k=k)
    return _dump({"stream": "btcusdt@kline_1m", "data": data})


def binance_bar(frame: str) -> Row:
    k = json.loads(frame)["data"]["k"]
    return (k["t"], *(float(k[f]) for f in "ohlcv"))


def bybit_kline(c: dict[str, str]) -> str:
    t, o, h, low, close, v = _ohlcv(c)
    frame = _read("bybit_ws_kline_nautilus.json")
    row = dict(frame["data"][0], start=t, end=t + MINUTE_MS - 1, interval="1")
    row.update(open=o, high=h, low=low, close=close, volume=v, turnover="0", confirm=True)
    row["timestamp"] = t + MINUTE_MS - 1
    return _dump(dict(frame, topic="kline.1.BTCUSDT", data=[row], ts=t + MINUTE_MS - 1))


def bybit_bar(frame: str) -> Row:
    row = json.loads(frame)["data"][0]
    fields = ("open", "high", "low", "close", "volume")
    return (row["start"], *(float(row[f]) for f in fields))


def deribit_kline(c: dict[str, str]) -> str:
    t, o, h, low, close, v = _ohlcv(c)
    frame = _read("deribit_ws_chart_nautilus.json")
    data = dict(frame["params"]["data"], tick=t, open=float(o), high=float(h), low=float(low))
    data.update(close=float(close), volume=float(v), cost=round(float(v) * float(close), 2))
    params = {"channel": "chart.trades.BTC-PERPETUAL.1", "data": data}
    return _dump(dict(frame, params=params))


def deribit_bar(frame: str) -> Row:
    d = json.loads(frame)["params"]["data"]
    return (d["tick"], d["open"], d["high"], d["low"], d["close"], d["volume"])


def mexc_kline(c: dict[str, str]) -> str:
    t, o, h, low, close, v = _ohlcv(c)
    frame = _read("mexc_ws_swap_kline_ccxt.json")
    prices = {"o": float(o), "h": float(h), "l": float(low), "c": float(close)}
    data = dict(frame["data"], symbol="LTC_USDT", t=t // 1000, q=float(v), **prices)
    data.update({"r" + k: p for k, p in prices.items()}, a=round(float(v) * float(close), 4))
    return _dump(dict(frame, data=data, symbol="LTC_USDT", ts=t + MINUTE_MS))


def mexc_bar(frame: str) -> Row:
    d = json.loads(frame)["data"]
    return (d["t"] * 1000, d["o"], d["h"], d["l"], d["c"], d["q"])


# -- REST klines for the back-fill (the venues' own answer formats) ----------------------------
def _picked(since_ms: int, until_ms: int | None, limit: int) -> list[dict[str, str]]:
    rows = [c for c in candles() if int(c["open_time_ms"]) >= since_ms]
    if until_ms is not None:
        rows = [c for c in rows if int(c["open_time_ms"]) <= until_ms]
    return rows[:limit]


def binance_rest(request: Request) -> Reply:
    q = request.query
    rows = _picked(int(q.get("startTime", 0)), None, int(q.get("limit", 500)))
    out = []
    for c in rows:
        t, o, h, low, close, v = _ohlcv(c)
        out.append([t, o, h, low, close, v, t + MINUTE_MS - 1, "0", 1, "0", "0", "0"])
    return Reply(out)


def bybit_rest(request: Request) -> Reply:
    q = request.query
    rows = _picked(int(q.get("start", 0)), None, int(q.get("limit", 200)))
    lst = [[str(_ohlcv(c)[0]), *_ohlcv(c)[1:], "0"] for c in reversed(rows)]
    result = {"category": "linear", "symbol": "BTCUSDT", "list": lst}
    return Reply({"retCode": 0, "retMsg": "OK", "result": result, "retExtInfo": {}, "time": 0})


def deribit_rest(request: Request) -> Reply:
    q = request.query
    rows = _picked(int(q["start_timestamp"]), int(q["end_timestamp"]), 5000)
    cols: dict[str, list[Any]] = {k: [] for k in ("ticks", "open", "high", "low", "close")}
    cols |= {"volume": [], "cost": []}
    cols_ohlcv = ("open", "high", "low", "close", "volume")
    for c in rows:
        t, o, h, low, close, v = _ohlcv(c)
        cols["ticks"].append(t)
        for key, value in zip(cols_ohlcv, (o, h, low, close, v), strict=True):
            cols[key].append(float(value))
        cols["cost"].append(round(float(v) * float(close), 2))
    return Reply({"jsonrpc": "2.0", "result": {"status": "ok" if rows else "no_data", **cols}})


def mexc_rest(request: Request) -> Reply:
    q = request.query
    rows = _picked(int(q.get("start", 0)) * 1000, None, 2000)
    keys = ("time", "open", "high", "low", "close", "vol", "amount")
    cols: dict[str, list[Any]] = {k: [] for k in keys}
    for c in rows:
        t, o, h, low, close, v = _ohlcv(c)
        cols["time"].append(t // 1000)
        for key, value in zip(keys[1:6], (o, h, low, close, v), strict=True):
            cols[key].append(float(value))
        cols["amount"].append(round(float(v) * float(close), 4))
    return Reply({"success": True, "code": 0, "data": cols})


# -- recorded trades ---------------------------------------------------------------------------
def _jsonl(name: str) -> list[Any]:
    with (RESOURCES / name).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def binance_trades() -> list[str]:
    return [_dump(f) for f in _jsonl("binanceusdm_ws_aggtrade_sushiusdt_20210722.jsonl")]


def binance_trade_rows(frame: str) -> list[Row]:
    d = json.loads(frame)["data"]
    side = "seller" if d["m"] else "buyer"
    return [(d["T"], float(d["p"]), float(d["q"]), side, str(d["a"]))]


def bybit_trades() -> list[str]:
    return [_dump(f) for f in _jsonl("bybit_ws_publictrade_ethusdt_20210417.jsonl")]


def bybit_trade_rows(frame: str) -> list[Row]:
    rows = json.loads(frame)["data"]
    side = {"Buy": "buyer", "Sell": "seller"}
    return [(r["T"], float(r["p"]), float(r["v"]), side[r["S"]], r["i"]) for r in rows]


def deribit_trades() -> list[str]:
    return [_dump(_read("deribit_ws_trades_nautilus.json"))]


def deribit_trade_rows(frame: str) -> list[Row]:
    rows = json.loads(frame)["params"]["data"]
    side = {"buy": "buyer", "sell": "seller"}
    # ccxt's amount is Deribit's ``amount`` (USD on BTC-PERPETUAL), not ``contracts``.
    return [
        (r["timestamp"], r["price"], r["amount"], side[r["direction"]], r["trade_id"]) for r in rows
    ]


def mexc_trades() -> list[str]:
    return [_dump(dict(_read("mexc_ws_swap_deal_ccxt.json"), symbol="LTC_USDT"))]


def mexc_trade_rows(frame: str) -> list[Row]:
    rows = json.loads(frame)["data"]
    side = {1: "buyer", 2: "seller"}
    # MEXC contract deals: ``t`` is the time in ms, ``T`` the side (1 buy, 2 sell); no id.
    return [(r["t"], r["p"], r["v"], side[r["T"]], None) for r in rows]


@dataclass(frozen=True)
class VenueCase:
    """Everything one parametrised run needs for one exchange."""

    exchange: str
    symbol: str
    kline_topic: str
    """What the client must subscribe to for 1m klines (as the local server records it)."""
    kline: Callable[[dict[str, str]], str]
    bar_row: Callable[[str], Row]
    rest_path: str
    rest_klines: Callable[[Request], Reply]
    trade_symbol: str
    trade_topic: str
    trades: Callable[[], list[str]]
    trade_rows: Callable[[str], list[Row]]
    bad_frames: tuple[str, ...] = ()
    """Well-formed JSON on the right channel that ccxt's parser raises on (not a ccxt error)."""
    error_frame: str = ""
    """A venue error message in the venue's format."""
    pro_options: dict[str, Any] = field(default_factory=dict)
    """ccxt.pro options the recorded channel needs (Binance: aggregate trades)."""

    def routes(self) -> dict[str, Route]:
        return {**MARKET_ROUTES[self.exchange], self.rest_path: self.rest_klines}

    def kline_frames(self) -> list[str]:
        return [self.kline(c) for c in candles()]


CASES = [
    VenueCase(
        "binanceusdm",
        "BTC/USDT:USDT",
        "btcusdt@kline_1m",
        binance_kline,
        binance_bar,
        "GET /fapi/v1/klines",
        binance_rest,
        "SUSHI/USDT:USDT",
        "sushiusdt@aggTrade",
        binance_trades,
        binance_trade_rows,
        ('{"e":"kline","E":1,"s":"BTCUSDT","k":[1,2]}',),
        '{"error":{"code":2,"msg":"Invalid request: unknown variant"},"id":1}',
        {"watchTrades": {"name": "aggTrade"}},
    ),
    VenueCase(
        "bybit",
        "BTC/USDT:USDT",
        "kline.1.BTCUSDT",
        bybit_kline,
        bybit_bar,
        "GET /v5/market/kline",
        bybit_rest,
        "ETH/USDT:USDT",
        "publicTrade.ETHUSDT",
        bybit_trades,
        bybit_trade_rows,
        (),  # ccxt's Bybit parser tolerates every wrong shape tried
        '{"success":false,"ret_msg":"error:handler not found","conn_id":"local","req_id":"1",'
        '"op":"subscribe"}',
    ),
    VenueCase(
        "deribit",
        "BTC/USD:BTC",
        "chart.trades.BTC-PERPETUAL.1",
        deribit_kline,
        deribit_bar,
        "GET /api/v2/public/get_tradingview_chart_data",
        deribit_rest,
        "BTC/USD:BTC",
        "trades.BTC-PERPETUAL.100ms",
        deribit_trades,
        deribit_trade_rows,
        ('{"jsonrpc":"2.0","method":"subscription","params":{"channel":"nope.x","data":{}}}',),
        '{"jsonrpc":"2.0","id":7,"error":{"message":"Invalid params","code":-32602}}',
    ),
    VenueCase(
        "mexc",
        "LTC/USDT:USDT",
        "sub.kline:LTC_USDT:Min1",
        mexc_kline,
        mexc_bar,
        "GET /api/v1/contract/kline/LTC_USDT",
        mexc_rest,
        "LTC/USDT:USDT",
        "sub.deal:LTC_USDT",
        mexc_trades,
        mexc_trade_rows,
        ('{"channel":"push.kline","data":[1],"symbol":"LTC_USDT","ts":1}',),
        '{"channel":"rs.error","data":"unknown method","ts":1}',
    ),
]
