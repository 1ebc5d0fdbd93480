"""A small stateful Binance USD-M behind the stubbed ccxt transport (``ccxt_stub``).

Only the HTTP session under ccxt is replaced: ccxt builds, signs and parses every request for
real. Payload shapes are the recorded ones in ``tests/integration/ccxt/resources/binanceusdm``
(exchangeInfo verbatim; klines, order, userTrades, account and positionRisk rows in their
recorded field layout with scripted values): candles are numbered from a start a few hours
before now, and each klines request shows one more closed candle, so a REST poll sees a new
bar per call without waiting a minute. Market orders fill at once at the last close.
"""

from __future__ import annotations

import copy
import itertools
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ccxt"))

from ccxt_stub import KEYS, MARKET_ROUTES, Reply, Request, Route, StubSession, attach, load

from tradebot.engine.clock import WallClock

MIN_MS = 60_000
SYMBOL = "BTC/USDT:USDT"


class FakeBinance:
    """Klines, orders, fills, balances and positions of one BTCUSDT account."""

    def __init__(
        self, *, position: bool = True, bars_ahead: int = 3, clock: FastClock | None = None
    ) -> None:
        self.clock = clock
        now = int((clock.now_ns() if clock is not None else time.time_ns()) // 1_000_000)
        back = bars_ahead if clock is not None else 300
        self.start_ms = (now // MIN_MS) * MIN_MS - back * MIN_MS
        self.shown = bars_ahead  # closed candles visible so far
        self.kline_row = load("binanceusdm/http_fapi_v1_klines.json")[0]
        self.order_row = load("binanceusdm/http_fapi_v1_order.json")
        self.trade_row = load("binanceusdm/http_fapi_v1_userTrades.json")[0]
        self.account = load("binanceusdm/http_fapi_v2_account.json")
        self.position_rows = load("binanceusdm/http_fapi_v2_positionRisk.json") if position else []
        self.orders: dict[str, dict[str, Any]] = {}
        self.trades: list[dict[str, Any]] = []
        self.created: list[Request] = []
        self.canceled: list[Request] = []
        self._ids = itertools.count(1000)

    # -- market data -----------------------------------------------------------------------
    def close(self, i: int) -> float:
        return 50_000.0 + 10.0 * i

    def kline(self, i: int) -> list[Any]:
        row = list(self.kline_row)
        t = self.start_ms + i * MIN_MS
        c = self.close(i)
        row[0], row[6] = t, t + MIN_MS - 1
        row[1], row[2], row[3], row[4] = str(c - 5), str(c + 10), str(c - 10), str(c)
        return row

    def klines(self, request: Request) -> Reply:
        if self.clock is None:
            self.shown += 1  # one more candle per request, hours in the past
        else:  # the candles closed by the venue's (accelerated) now
            self.shown = (self.clock.now_ns() // 1_000_000 - self.start_ms) // MIN_MS
        limit = int(request.query.get("limit", 500))
        since = request.query.get("startTime")
        last = self.shown
        first = max(0, last - limit) if since is None else (int(since) - self.start_ms) // MIN_MS
        return Reply([self.kline(i) for i in range(max(first, 0), last)])

    @property
    def last_close(self) -> float:
        return self.close(self.shown - 1)

    # -- orders ----------------------------------------------------------------------------
    def _order_json(self, o: dict[str, Any]) -> dict[str, Any]:
        out = copy.deepcopy(self.order_row)
        out.update(o)
        return out

    def create(self, request: Request) -> Reply:
        self.created.append(request)
        p = request.params()
        cid = p["newClientOrderId"]
        if cid in self.orders:
            return Reply({"code": -4116, "msg": "ClientOrderId is duplicated."}, status=400)
        now = int(time.time() * 1000)
        o = {
            "orderId": next(self._ids),
            "symbol": p["symbol"],
            "clientOrderId": cid,
            "side": p["side"],
            "type": p["type"],
            "origType": p["type"],
            "origQty": p["quantity"],
            "price": p.get("price", "0"),
            "reduceOnly": p.get("reduceOnly") == "true",
            "timeInForce": p.get("timeInForce", "GTC"),
            "status": "NEW",
            "executedQty": "0",
            "avgPrice": "0",
            "cumQuote": "0",
            "time": now,
            "updateTime": now,
        }
        if p["type"] == "MARKET":
            price = self.last_close
            qty = float(p["quantity"])
            o.update(status="FILLED", executedQty=p["quantity"], avgPrice=str(price))
            o["cumQuote"] = str(price * qty)
            trade = dict(self.trade_row)
            trade.update(
                symbol=p["symbol"],
                id=next(self._ids),
                orderId=o["orderId"],
                side=p["side"],
                price=str(price),
                qty=p["quantity"],
                quoteQty=str(price * qty),
                commission=str(round(price * qty * 0.0004, 8)),
                commissionAsset="USDT",
                time=now,
                buyer=p["side"] == "BUY",
                maker=False,
            )
            self.trades.append(trade)
        self.orders[cid] = o
        return Reply(self._order_json(o))

    def _by_client_id(self, request: Request) -> dict[str, Any] | None:
        return self.orders.get(request.params().get("origClientOrderId", ""))

    def fetch(self, request: Request) -> Reply:
        o = self._by_client_id(request)
        if o is None:
            return Reply({"code": -2013, "msg": "Order does not exist."}, status=400)
        return Reply(self._order_json(o))

    def cancel(self, request: Request) -> Reply:
        self.canceled.append(request)
        o = self._by_client_id(request)
        if o is None or o["status"] != "NEW":
            return Reply({"code": -2011, "msg": "Unknown order sent."}, status=400)
        o["status"] = "CANCELED"
        return Reply(self._order_json(o))

    def open_orders(self, request: Request) -> Reply:
        return Reply([self._order_json(o) for o in self.orders.values() if o["status"] == "NEW"])

    def user_trades(self, request: Request) -> Reply:
        return Reply(
            [t for t in self.trades if t["symbol"] == request.query.get("symbol", t["symbol"])]
        )

    # -- wiring ----------------------------------------------------------------------------
    def routes(self) -> dict[str, Route]:
        return {
            **MARKET_ROUTES["binanceusdm"],
            "GET /fapi/v1/klines": self.klines,
            "POST /fapi/v1/order": self.create,
            "GET /fapi/v1/order": self.fetch,
            "DELETE /fapi/v1/order": self.cancel,
            "GET /fapi/v1/openOrders": self.open_orders,
            "GET /fapi/v1/userTrades": self.user_trades,
            "GET /fapi/v3/account": Reply(self.account),
            "GET /fapi/v2/account": Reply(self.account),
            "GET /fapi/v1/leverageBracket": Reply([]),
            "GET /fapi/v3/positionRisk": Reply(self.position_rows),
            "GET /fapi/v2/positionRisk": Reply(self.position_rows),
        }

    def attach(self, exchange: Any) -> StubSession:
        exchange.enableRateLimit = False
        clock = self.clock
        if clock is not None:  # ccxt's "now" (closed-candle filter) on the same clock
            exchange.milliseconds = lambda: clock.now_ns() // 1_000_000
        return attach(exchange, self.routes())


class FastClock(WallClock):
    """The wall clock run ``speed`` times faster from its creation (a minute candle closes
    every ``60 / speed`` real seconds)."""

    __slots__ = ("_origin", "_speed")

    def __init__(self, speed: float) -> None:
        super().__init__()
        self._origin = time.time_ns()
        self._speed = speed

    def now_ns(self) -> int:
        return self._origin + int((time.time_ns() - self._origin) * self._speed)


__all__ = ["KEYS", "SYMBOL", "FakeBinance", "FastClock"]
