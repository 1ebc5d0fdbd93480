"""CcxtGateway over ccxt with a stubbed HTTP session: orders, fills, balances, positions.

Each test answers the exact endpoints ccxt calls with recorded payloads, checks that our client
order id travels in the request in the exchange's own parameter, and that the answer comes back
as our records with the payload's numbers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from ccxt_stub import Reply, StubSession, load, stubbed_gateway

from tradebot.execution.gateway import OrderRequest
from tradebot.venues.ccxt import CcxtGateway

T = TypeVar("T")


def _run(
    exchange: str, routes: dict[str, Any], act: Callable[[CcxtGateway], Awaitable[T]]
) -> tuple[T, StubSession]:
    gateway, session = stubbed_gateway(exchange, routes)

    async def go() -> T:
        try:
            return await act(gateway)
        finally:
            await gateway.close()

    return asyncio.run(go()), session


# -- Binance USD-M --
def test_binanceusdm_create_sends_new_client_order_id_and_parses_the_answer() -> None:
    raw = load("binanceusdm/http_fapi_v1_order.json")
    request = OrderRequest(
        client_order_id=raw["clientOrderId"],
        symbol="BTC/USDT:USDT",
        side="buy",
        type="limit",
        amount=0.001,
        price=50000.0,
    )

    order, session = _run(
        "binanceusdm", {"POST /fapi/v1/order": Reply(raw)}, lambda gw: gw.create_order(request)
    )

    sent = session.last("/fapi/v1/order").params()
    assert sent["newClientOrderId"] == "testOrder123"
    assert (sent["symbol"], sent["side"], sent["type"], sent["timeInForce"]) == (
        "BTCUSDT",
        "BUY",
        "LIMIT",
        "GTC",
    )
    assert "signature" in sent  # ccxt signed it for real
    assert order.client_order_id == "testOrder123"
    assert order.venue_order_id == str(raw["orderId"])
    assert (order.status, order.amount, order.filled, order.price) == ("open", 0.001, 0.0, 50000.0)


def test_binanceusdm_fetch_and_cancel_address_the_order_by_our_id() -> None:
    order_raw = load("binanceusdm/http_fapi_v1_order.json")
    cancel_raw = load("binanceusdm/http_spot_cancel_order_response.json")

    async def act(gw: CcxtGateway) -> Any:
        return await gw.fetch_order("testOrder123", "BTC/USDT:USDT"), await gw.cancel_order(
            "testOrder123", "BTC/USDT:USDT"
        )

    (fetched, canceled), session = _run(
        "binanceusdm",
        {"GET /fapi/v1/order": Reply(order_raw), "DELETE /fapi/v1/order": Reply(cancel_raw)},
        act,
    )

    lookups = [r for r in session.requests if r.path == "/fapi/v1/order"]
    assert [r.method for r in lookups] == ["GET", "DELETE"]
    assert all(r.query["origClientOrderId"] == "testOrder123" for r in lookups)
    assert fetched is not None
    assert (fetched.client_order_id, fetched.status, fetched.filled) == ("testOrder123", "open", 0)
    assert (canceled.status, canceled.venue_order_id, canceled.filled) == ("canceled", "4", 0.0)


def test_binanceusdm_open_orders_fills_balances_positions() -> None:
    trades = load("binanceusdm/http_fapi_v1_userTrades.json")
    account = load("binanceusdm/http_fapi_v2_account.json")
    risk = load("binanceusdm/http_fapi_v2_positionRisk.json")[0]
    routes = {
        "GET /fapi/v1/openOrders": Reply(load("binanceusdm/http_fapi_v1_openOrders.json")),
        "GET /fapi/v1/userTrades": Reply(trades),
        "GET /fapi/v3/account": Reply(account),
        "GET /fapi/v1/leverageBracket": Reply([]),
        "GET /fapi/v3/positionRisk": Reply([risk]),
    }

    async def act(gw: CcxtGateway) -> Any:
        return (
            await gw.fetch_open_orders(),
            await gw.fetch_fills("ETH/USDT:USDT", 0),
            await gw.fetch_balances(),
            await gw.fetch_positions(),
        )

    (open_orders, fills, balances, positions), _ = _run("binanceusdm", routes, act)

    assert [(o.client_order_id, o.symbol, o.status) for o in open_orders] == [
        ("abc", "BTC/USDT:USDT", "open")
    ]
    assert [(f.trade_id, f.side, f.amount, f.price, f.fee, f.fee_currency) for f in fills] == [
        (
            str(t["id"]),
            t["side"].lower(),
            float(t["qty"]),
            float(t["price"]),
            float(t["commission"]),
            t["commissionAsset"],
        )
        for t in trades
    ]
    assert [f.venue_order_id for f in fills] == [str(t["orderId"]) for t in trades]
    usdt = next(b for b in balances if b.currency == "USDT")
    assert usdt.total == float(account["assets"][0]["walletBalance"])
    assert usdt.free == float(account["assets"][0]["availableBalance"])
    assert len(positions) == 1
    position = positions[0]
    assert (position.symbol, position.amount) == ("BTC/USDT:USDT", float(risk["positionAmt"]))
    assert position.entry_price == float(risk["entryPrice"])
    assert position.mark_price == float(risk["markPrice"])
    assert position.unrealized_pnl == float(risk["unRealizedProfit"])
    assert position.liquidation_price == float(risk["liquidationPrice"])


# -- Bybit --
def test_bybit_create_and_cancel_carry_order_link_id() -> None:
    answer = load("bybit/http_v5_order_create.json")
    request = OrderRequest(
        client_order_id="bybit1",
        symbol="ETH/USDT:USDT",
        side="buy",
        type="limit",
        amount=0.01,
        price=3930.4,
        post_only=True,
    )

    async def act(gw: CcxtGateway) -> Any:
        return await gw.create_order(request), await gw.cancel_order("bybit1", "ETH/USDT:USDT")

    (created, canceled), session = _run(
        "bybit",
        {"POST /v5/order/create": Reply(answer), "POST /v5/order/cancel": Reply(answer)},
        act,
    )

    create_body = session.last("/v5/order/create").params()
    assert create_body["orderLinkId"] == "bybit1"
    assert (create_body["category"], create_body["symbol"], create_body["timeInForce"]) == (
        "linear",
        "ETHUSDT",
        "PostOnly",
    )
    assert "X-BAPI-SIGN" in session.last("/v5/order/create").headers
    assert session.last("/v5/order/cancel").params()["orderLinkId"] == "bybit1"
    assert (created.client_order_id, created.venue_order_id, created.status) == (
        "bybit1",
        answer["result"]["orderId"],
        "open",
    )
    assert (created.amount, created.price) == (0.01, 3930.4)  # Bybit answers with ids only
    assert (canceled.client_order_id, canceled.status) == ("bybit1", "canceled")


def test_bybit_fetch_order_by_link_id_then_history() -> None:
    realtime = load("bybit/http_v5_orders_realtime.json")
    history = load("bybit/http_v5_orders_history.json")

    def realtime_route(request: Any) -> Reply:
        rows = [
            r
            for r in realtime["result"]["list"]
            if r["orderLinkId"] == request.query["orderLinkId"]
        ]
        return Reply({**realtime, "result": {**realtime["result"], "list": rows}})

    async def act(gw: CcxtGateway) -> Any:
        return (
            await gw.fetch_order("client-open-1", "ETH/USDT:USDT"),
            await gw.fetch_order("client-1", "BTC/USDT:USDT"),
        )

    (open_order, old_order), session = _run(
        "bybit",
        {"GET /v5/order/realtime": realtime_route, "GET /v5/order/history": Reply(history)},
        act,
    )

    row = realtime["result"]["list"][0]
    assert open_order is not None
    assert (open_order.client_order_id, open_order.venue_order_id, open_order.status) == (
        "client-open-1",
        row["orderId"],
        "open",
    )
    assert (open_order.amount, open_order.price) == (float(row["qty"]), float(row["price"]))
    hist = history["result"]["list"][0]
    assert old_order is not None
    assert old_order.client_order_id == "client-1"
    assert old_order.filled == float(hist["cumExecQty"])
    assert session.last("/v5/order/history").query["orderLinkId"] == "client-1"


def test_bybit_fills_balances_positions() -> None:
    executions = load("bybit/http_v5_executions.json")
    positions_raw = load("bybit/http_v5_positions.json")["result"]["list"]
    routes = {
        "GET /v5/execution/list": Reply(executions),
        "GET /v5/account/wallet-balance": Reply(load("bybit/http_v5_account_wallet_balance.json")),
        "GET /v5/position/list": Reply(load("bybit/http_v5_positions.json")),
    }

    async def act(gw: CcxtGateway) -> Any:
        return (
            await gw.fetch_fills("BTC/USDT:USDT", 0),
            await gw.fetch_balances(),
            await gw.fetch_positions(),
        )

    (fills, balances, positions), _ = _run("bybit", routes, act)

    first = executions["result"]["list"][0]
    assert fills[0].client_order_id == first["orderLinkId"] == "test-order-001"
    assert (fills[0].amount, fills[0].price, fills[0].fee) == (
        float(first["execQty"]),
        float(first["execPrice"]),
        float(first["execFee"]),
    )
    assert fills[0].maker is first["isMaker"]
    assert [(b.currency, b.total) for b in balances] == [("USDT", 1000.5)]
    assert [(p.symbol, p.amount) for p in positions] == [
        ("BTC/USDT:USDT", float(positions_raw[0]["size"])),
        ("ETH/USDT:USDT", -float(positions_raw[1]["size"])),  # Sell side: short
    ]  # the flat SOLUSDT row is left out
    assert positions[0].liquidation_price == float(positions_raw[0]["liqPrice"])


# -- MEXC --
def test_mexc_create_cancel_fetch_amend_by_client_order_id() -> None:
    created_raw = load("mexc/doc_create_order_spot.json")
    order_raw = load("mexc/doc_fetch_order_spot.json")
    routes = {
        "POST /api/v3/order": Reply(created_raw),
        "GET /api/v3/order": Reply(order_raw),
        "DELETE /api/v3/order": Reply(order_raw),
    }
    request = OrderRequest(
        client_order_id="tb-1",
        symbol="BTC/USDT",
        side="buy",
        type="limit",
        amount=0.0002,
        price=30000.0,
    )

    async def act(gw: CcxtGateway) -> Any:
        return (
            await gw.create_order(request),
            await gw.cancel_order("tb-1", "BTC/USDT"),
            await gw.fetch_order("tb-1", "BTC/USDT"),
            await gw.amend_order("tb-1", "BTC/USDT", price=31000.0, amount=None),
        )

    (created, canceled, fetched, amended), session = _run("mexc", routes, act)

    posts = [r for r in session.requests if r.method == "POST"]
    assert posts[0].query["newClientOrderId"] == "tb-1"  # ccxt renames clientOrderId for spot
    assert (created.client_order_id, created.venue_order_id) == ("tb-1", created_raw["orderId"])
    deletes = [r for r in session.requests if r.method == "DELETE"]
    assert deletes[0].query["origClientOrderId"] == "tb-1"
    assert (canceled.status, canceled.amount) == ("canceled", float(order_raw["origQty"]))
    assert fetched is not None
    assert (fetched.client_order_id, fetched.venue_order_id) == ("tb-1", order_raw["orderId"])
    # MEXC has no edit: cancel by venue id, then the same client id at the new price.
    assert deletes[1].query["orderId"] == order_raw["orderId"]
    assert (posts[1].query["newClientOrderId"], posts[1].query["price"]) == ("tb-1", "31000")
    assert (amended.client_order_id, amended.price, amended.status) == ("tb-1", 31000.0, "open")


def test_mexc_open_orders_fills_balance_from_ccxt_static_fixtures() -> None:
    orders = load("mexc/static_fetchOrders.json")
    trades = load("mexc/static_fetchMyTrades.json")
    routes = {
        "GET /api/v3/openOrders": Reply(orders),
        "GET /api/v3/myTrades": Reply(trades),
        "GET /api/v3/account": Reply(load("mexc/doc_account_spot.json")),
    }

    async def act(gw: CcxtGateway) -> Any:
        return (
            await gw.fetch_open_orders("BTC/USDT"),
            await gw.fetch_fills("BTC/USDT", 0),
            await gw.fetch_balances(),
        )

    (open_orders, fills, balances), _ = _run("mexc", routes, act)

    assert [(o.status, o.amount, o.filled, o.average) for o in open_orders] == [
        ("closed", 1220.0, 1220.0, 0.004542)
    ]  # ccxt's parsedResponse: FILLED, avg 5.54124/1220
    assert [(f.trade_id, f.side, f.amount, f.price, f.maker) for f in fills] == [
        (trades[0]["id"], "sell", 1220.0, 0.004542, False)
    ]
    assert [(b.currency, b.total, b.free) for b in balances] == [("USDT", 6.74e-10, 6.74e-10)]


# -- Deribit --
LABEL = "O-19700101-000000-001-001-1"


def test_deribit_create_sends_label_and_cancel_fetch_use_the_by_label_endpoints() -> None:
    buy = load("deribit/ws_order_buy_response.json")
    cancelled = load("deribit/ws_order_cancel_response.json")["result"]
    routes = {
        "GET /api/v2/private/buy": Reply(buy),
        "GET /api/v2/private/cancel_by_label": Reply({"jsonrpc": "2.0", "result": 1}),
        "GET /api/v2/private/get_order_state_by_label": Reply(
            {"jsonrpc": "2.0", "result": [cancelled]}
        ),
    }
    request = OrderRequest(
        client_order_id=LABEL,
        symbol="ETH/USDC:USDC",
        side="buy",
        type="limit",
        amount=0.01,
        price=2973.55,
        post_only=True,
    )

    async def act(gw: CcxtGateway) -> Any:
        return (
            await gw.create_order(request),
            await gw.cancel_order(LABEL, "ETH/USDC:USDC"),
            await gw.fetch_order(LABEL, "ETH/USDC:USDC"),
        )

    (created, canceled, fetched), session = _run("deribit", routes, act)

    sent = session.last("/private/buy").query
    assert (sent["label"], sent["instrument_name"], sent["post_only"]) == (
        LABEL,
        "ETH_USDC-PERPETUAL",
        "true",
    )
    assert session.last("/private/buy").headers["Authorization"].startswith("deri-hmac-sha256")
    order = buy["result"]["order"]
    assert (created.client_order_id, created.venue_order_id, created.status) == (
        LABEL,
        order["order_id"],
        "open",
    )
    assert (created.amount, created.filled, created.price) == (
        order["amount"],
        order["filled_amount"],
        order["price"],
    )
    assert session.last("/private/cancel_by_label").query == {"label": LABEL, "currency": "USDC"}
    assert (canceled.status, canceled.price) == ("canceled", cancelled["price"])
    assert fetched is not None
    assert (fetched.client_order_id, fetched.status) == (LABEL, "canceled")


def test_deribit_fills_balances_positions() -> None:
    trades = load("deribit/ws_user_trades_exact.json")["params"]["data"]
    summaries = load("deribit/http_private_get_account_summaries.json")
    routes = {
        "GET /api/v2/private/get_user_trades_by_instrument": Reply(
            {"jsonrpc": "2.0", "result": {"trades": trades, "has_more": False}}
        ),
        "GET /api/v2/private/get_account_summaries": Reply(summaries),
        "GET /api/v2/private/get_positions": Reply(load("deribit/http_private_get_positions.json")),
    }

    async def act(gw: CcxtGateway) -> Any:
        return (
            await gw.fetch_fills("BTC/USD:BTC", 0),
            await gw.fetch_balances(),
            await gw.fetch_positions(),
        )

    (fills, balances, positions), _ = _run("deribit", routes, act)

    assert [(f.trade_id, f.client_order_id, f.maker) for f in fills] == [
        (t["trade_id"], t["label"], t["liquidity"] == "M") for t in trades
    ]
    assert fills[2].fee == trades[2]["fee"]
    btc = summaries["result"]["summaries"][0]
    assert (balances[0].currency, balances[0].total, balances[0].free) == (
        "BTC",
        btc["equity"],
        btc["available_funds"],
    )
    raw_position = load("deribit/http_private_get_positions.json")["result"][0]
    assert [(p.symbol, p.amount, p.entry_price, p.mark_price) for p in positions] == [
        (
            "BTC/USD:BTC",
            raw_position["size"],
            raw_position["average_price"],
            raw_position["mark_price"],
        )
    ]


def test_deribit_combo_order_creates_the_combo_then_buys_it_with_our_label() -> None:
    combo = load("deribit/http_public_get_combos.json")["result"][0]
    buy = load("deribit/ws_order_buy_response.json")
    routes = {
        "GET /api/v2/private/create_combo": Reply({"jsonrpc": "2.0", "result": combo}),
        "GET /api/v2/private/buy": Reply(buy),
    }
    from tradebot.venues.ccxt import ComboLeg

    legs = [
        ComboLeg(symbol="BTC/USD:BTC", side="buy"),
        ComboLeg(symbol="BTC/USD:BTC-241227", side="sell"),
    ]

    order, session = _run(
        "deribit",
        routes,
        lambda gw: gw.create_combo_order(
            legs, side="buy", amount=10.0, price=None, client_order_id=LABEL
        ),
    )

    assert "Authorization" in session.last("/private/create_combo").headers  # signed
    trades_sent = session.last("/private/create_combo").query["trades"]
    assert '"instrument_name":"BTC-PERPETUAL"' in trades_sent.replace(" ", "")
    assert '"direction":"sell"' in trades_sent.replace(" ", "")
    bought = session.last("/private/buy").query
    assert (bought["instrument_name"], bought["label"], bought["type"]) == (
        combo["id"],
        LABEL,
        "market",
    )
    assert order.client_order_id == LABEL


def test_bybit_amend_looks_up_the_order_then_edits_it_by_venue_id() -> None:
    realtime = load("bybit/http_v5_orders_realtime.json")
    answer = load("bybit/http_v5_order_create.json")
    routes = {
        "GET /v5/order/realtime": Reply(
            {**realtime, "result": {**realtime["result"], "list": realtime["result"]["list"][:1]}}
        ),
        "POST /v5/order/amend": Reply(answer),
    }

    amended, session = _run(
        "bybit",
        routes,
        lambda gw: gw.amend_order("client-open-1", "ETH/USDT:USDT", price=3900.0, amount=None),
    )

    body = session.last("/v5/order/amend").params()
    assert (body["orderId"], body["price"], body["qty"]) == ("open-order-1", "3900", "0.01")
    assert amended.price == 3900.0
    assert amended.amount == 0.01
