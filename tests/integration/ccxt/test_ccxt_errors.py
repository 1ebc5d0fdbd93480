"""Venue errors → tradebot.execution.errors, through ccxt's own error handling.

One helper (``assert_maps``) feeds an error answer (or a transport failure) to a real ccxt
exchange and checks the class we raise, that the message keeps the venue's text and our
context, and that the gateway sent exactly one request (retries belong to the live client).
Bodies are the venues' documented error shapes with their real codes.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import aiohttp
import pytest
from ccxt_stub import Reply, stubbed_gateway

from tradebot.execution import errors as ours
from tradebot.execution.gateway import OrderRequest

ORDER = {
    "binanceusdm": ("POST /fapi/v1/order", "BTC/USDT:USDT", 0.001, 50000.0),
    "bybit": ("POST /v5/order/create", "ETH/USDT:USDT", 0.01, 3930.4),
    "mexc": ("POST /api/v3/order", "BTC/USDT", 0.0002, 30000.0),
    "deribit": ("GET /api/v2/private/buy", "BTC/USD:BTC", 10.0, 30000.0),
}


def assert_maps(exchange: str, answer: Reply | BaseException, expected: type[Exception]) -> Any:
    """Send one limit order into ``answer`` and check the error we raise."""
    route, symbol, amount, price = ORDER[exchange]
    gateway, session = stubbed_gateway(exchange, {route: answer})
    request = OrderRequest(
        client_order_id="cid-1", symbol=symbol, side="buy", type="limit", amount=amount, price=price
    )

    async def go() -> None:
        try:
            await gateway.create_order(request)
        finally:
            await gateway.close()

    with pytest.raises(expected) as caught:
        asyncio.run(go())
    assert type(caught.value) is expected
    error = caught.value
    assert isinstance(error, ours.VenueCallError)
    assert error.venue == exchange.upper()
    assert f"create_order {symbol} buy limit" in error.message
    assert "cid=cid-1" in error.message
    assert sum(1 for r in session.requests if f"{r.method} {r.path}" == route) == 1
    if isinstance(answer, Reply) and isinstance(answer.body, dict):
        text = answer.body.get("msg") or answer.body.get("retMsg") or ""
        assert str(text) in error.message
    return error


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"code": -2019, "msg": "Margin is insufficient."}, ours.InsufficientFundsError),
        (
            {"code": -1021, "msg": "Timestamp for this request is outside of the recvWindow."},
            ours.AuthenticationError,
        ),
        (
            {"code": -2015, "msg": "Invalid API-key, IP, or permissions for action."},
            ours.AuthenticationError,
        ),
        ({"code": -1121, "msg": "Invalid symbol."}, ours.UnknownSymbolError),
        (
            {
                "code": -4164,
                "msg": "Order's notional must be no smaller than 5.0 (unless you "
                "choose reduce only)",
            },
            ours.InvalidOrderError,
        ),
        (
            {
                "code": -5022,
                "msg": "Due to the order could not be executed as maker, the Post Only "
                "order will be rejected.",
            },
            ours.InvalidOrderError,
        ),
    ],
)
def test_binance_error_codes(body: dict[str, Any], expected: type[Exception]) -> None:
    assert_maps("binanceusdm", Reply(body, status=400), expected)


def test_http_429_is_rate_limited_with_retry_after() -> None:
    answer = Reply(
        {"code": -1003, "msg": "Too many requests; current limit is 2400 requests per minute."},
        status=429,
        headers={"Content-Type": "application/json", "Retry-After": "7"},
    )

    error = assert_maps("binanceusdm", answer, ours.RateLimitedError)

    assert error.retry_after_s == 7.0


@pytest.mark.parametrize("status", [500, 502, 503])
def test_http_5xx_is_venue_unavailable(status: int) -> None:
    answer = Reply(
        "<html><body><h1>503 Service Unavailable</h1></body></html>",
        status=status,
        headers={"Content-Type": "text/html"},
        raw=True,
    )

    assert_maps("binanceusdm", answer, ours.VenueUnavailableError)


@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        (TimeoutError(), ours.VenueTimeoutError),
        (aiohttp.ClientConnectionError("Connection reset by peer"), ours.VenueUnavailableError),
        (socket.gaierror(-2, "Name or service not known"), ours.VenueUnavailableError),
    ],
)
def test_transport_failures(failure: BaseException, expected: type[Exception]) -> None:
    assert_maps("bybit", failure, expected)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {
                "retCode": 110007,
                "retMsg": "ab not enough for new order",
                "result": {},
                "retExtInfo": {},
                "time": 1700000000000,
            },
            ours.InsufficientFundsError,
        ),
        (
            {
                "retCode": 10003,
                "retMsg": "API key is invalid.",
                "result": {},
                "retExtInfo": {},
                "time": 1700000000000,
            },
            ours.AuthenticationError,
        ),
        (
            {
                "retCode": 10006,
                "retMsg": "Too many visits!",
                "result": {},
                "retExtInfo": {},
                "time": 1700000000000,
            },
            ours.RateLimitedError,
        ),
        (
            {
                "retCode": 110017,
                "retMsg": "Reduce-only rule not satisfied",
                "result": {},
                "retExtInfo": {},
                "time": 1700000000000,
            },
            ours.InvalidOrderError,
        ),
    ],
)
def test_bybit_ret_codes(body: dict[str, Any], expected: type[Exception]) -> None:
    assert_maps("bybit", Reply(body), expected)


@pytest.mark.parametrize(
    ("code", "message", "expected"),
    [
        (10009, "not_enough_funds", ours.InsufficientFundsError),
        (13009, "unauthorized", ours.AuthenticationError),
        (10028, "too_many_requests", ours.RateLimitedError),
        (11044, "not_open_order", ours.InvalidOrderError),
    ],
)
def test_deribit_json_rpc_errors(code: int, message: str, expected: type[Exception]) -> None:
    body = {
        "jsonrpc": "2.0",
        "error": {"message": message, "code": code},
        "usIn": 1,
        "usOut": 2,
        "usDiff": 1,
        "testnet": True,
    }
    error = assert_maps("deribit", Reply(body, status=400), expected)
    assert message in error.message


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"code": 30004, "msg": "Insufficient position"}, ours.InsufficientFundsError),
        (
            {"code": 700003, "msg": "Timestamp for this request is outside of the recvWindow."},
            ours.AuthenticationError,
        ),
        ({"code": 10101, "msg": "Insufficient balance"}, ours.InsufficientFundsError),
    ],
)
def test_mexc_codes(body: dict[str, Any], expected: type[Exception]) -> None:
    assert_maps("mexc", Reply(body, status=400), expected)


def test_unknown_order_is_none_on_fetch_and_not_found_on_cancel() -> None:
    missing = Reply({"code": -2013, "msg": "Order does not exist."}, status=400)
    gateway, _ = stubbed_gateway(
        "binanceusdm", {"GET /fapi/v1/order": missing, "DELETE /fapi/v1/order": missing}
    )

    async def go() -> Any:
        try:
            found = await gateway.fetch_order("nope", "BTC/USDT:USDT")
            with pytest.raises(ours.OrderNotFoundError):
                await gateway.cancel_order("nope", "BTC/USDT:USDT")
            return found
        finally:
            await gateway.close()

    assert asyncio.run(go()) is None


def test_unlisted_symbol_is_refused_before_any_order_is_sent() -> None:
    gateway, session = stubbed_gateway("bybit")
    request = OrderRequest(
        client_order_id="c", symbol="NOPE/USDT:USDT", side="buy", type="market", amount=1.0
    )

    async def go() -> None:
        try:
            await gateway.create_order(request)
        finally:
            await gateway.close()

    with pytest.raises(ours.UnknownSymbolError):
        asyncio.run(go())
    assert not any("order" in r.path for r in session.requests)
