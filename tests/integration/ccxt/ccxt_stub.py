"""The only stub in these tests: the HTTP session under ccxt.

ccxt's async ``fetch`` builds the URL, signs the request, calls ``session.<method>(url, ...)``
and then runs its own ``handle_errors`` / ``handle_http_status_code`` and JSON parsing. We
replace only that session, so everything ccxt does for real still runs. Routes are keyed by
``METHOD /path`` (the query string is ignored for the key, but recorded).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

RESOURCES = Path(__file__).resolve().parent / "resources"


def load(name: str) -> Any:
    """A recorded payload from resources/ (``venue/file.json``)."""
    return json.loads((RESOURCES / name).read_text(encoding="utf-8"))


@dataclass
class Reply:
    """An HTTP answer: status, JSON (or raw text) body, headers."""

    body: Any
    status: int = 200
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})
    raw: bool = False

    def text(self) -> str:
        return self.body if self.raw else json.dumps(self.body)


@dataclass
class Request:
    """One request as ccxt sent it."""

    method: str
    url: str
    path: str
    query: dict[str, str]
    body: str
    headers: dict[str, str]

    def params(self) -> dict[str, str]:
        """Query and form/JSON body parameters together."""
        out = dict(self.query)
        if self.body:
            try:
                decoded = json.loads(self.body)
            except ValueError:
                out.update(dict(parse_qsl(self.body)))
            else:
                if isinstance(decoded, dict):
                    out.update({k: v for k, v in decoded.items()})
        return out


Route = Reply | Callable[[Request], Reply] | BaseException


class _Response:
    def __init__(self, reply: Reply) -> None:
        self.status = reply.status
        self.reason = "OK" if reply.status < 400 else "ERROR"
        self.headers = reply.headers
        self._text = reply.text()

    async def text(self, errors: str = "strict") -> str:
        return self._text

    async def __aenter__(self) -> _Response:
        return self

    async def __aexit__(self, *exc: object) -> bool:
        return False


class StubSession:
    """Stands in for ccxt's aiohttp session; answers from ``routes``."""

    closed = False

    def __init__(self, routes: dict[str, Route] | None = None) -> None:
        self.routes: dict[str, Route] = dict(routes or {})
        self.requests: list[Request] = []
        self.headers: dict[str, str] = {}

    def _request(
        self, method: str, url: Any, data: Any = None, headers: Any = None, **_: Any
    ) -> _Response:
        text_url = str(url)
        parts = urlsplit(text_url)
        body = data.decode() if isinstance(data, bytes) else (data or "")
        request = Request(
            method, text_url, parts.path, dict(parse_qsl(parts.query)), body, dict(headers or {})
        )
        self.requests.append(request)
        key = f"{method} {parts.path}"
        if key not in self.routes:
            raise AssertionError(f"unexpected request {key} ({text_url})")
        route = self.routes[key]
        if isinstance(route, BaseException):
            raise route
        reply = route(request) if callable(route) else route
        return _Response(reply)

    def get(self, url: Any, **kw: Any) -> _Response:
        return self._request("GET", url, **kw)

    def post(self, url: Any, **kw: Any) -> _Response:
        return self._request("POST", url, **kw)

    def put(self, url: Any, **kw: Any) -> _Response:
        return self._request("PUT", url, **kw)

    def delete(self, url: Any, **kw: Any) -> _Response:
        return self._request("DELETE", url, **kw)

    async def close(self) -> None:
        self.closed = True

    def last(self, path_suffix: str) -> Request:
        """The latest request whose path ends with ``path_suffix``."""
        for request in reversed(self.requests):
            if request.path.endswith(path_suffix):
                return request
        raise AssertionError(
            f"no request to {path_suffix}; sent: {[r.path for r in self.requests]}"
        )


def attach(exchange: Any, routes: dict[str, Route] | None = None) -> StubSession:
    """Put a stub session under a ccxt async exchange and return it."""
    session = StubSession(routes)
    exchange.session = session
    return session


# -- recorded market routes per exchange --------------------------------------------------------
KEYS = {
    "binanceusdm": {"TRADEBOT_BINANCEUSDM_API_KEY": "test-key", "TRADEBOT_BINANCEUSDM_SECRET": "s"},
    "bybit": {"TRADEBOT_BYBIT_API_KEY": "test-key", "TRADEBOT_BYBIT_SECRET": "s"},
    "mexc": {"TRADEBOT_MEXC_API_KEY": "test-key", "TRADEBOT_MEXC_SECRET": "s"},
    "deribit": {"TRADEBOT_DERIBIT_API_KEY": "test-key", "TRADEBOT_DERIBIT_SECRET": "s"},
}


def _bybit_instruments(request: Request) -> Reply:
    category = request.query["category"]
    if request.query.get("status") == "PreLaunch":
        return Reply({"retCode": 0, "retMsg": "OK", "result": {"category": category, "list": []}})
    if category == "option":
        files = {"ETH": "option", "BTC": "option_symbol_id"}
        name = files.get(request.query.get("baseCoin", ""))
        if name is None:
            return Reply(
                {"retCode": 0, "retMsg": "OK", "result": {"category": "option", "list": []}}
            )
        return Reply(load(f"bybit/http_v5_instruments_{name}.json"))
    return Reply(load(f"bybit/http_v5_instruments_{category}.json"))


def deribit_instruments() -> dict[str, Any]:
    """get_instruments (all currencies): the recorded lists, results joined in one envelope."""
    rows: list[Any] = []
    for name in ("", "_SOL", "_USDC"):
        rows += load(f"deribit/http_public_get_instruments{name}.json")["result"]
    return {"jsonrpc": "2.0", "result": rows}


MARKET_ROUTES: dict[str, dict[str, Route]] = {
    "binanceusdm": {
        "GET /fapi/v1/exchangeInfo": Reply(load("binanceusdm/http_fapi_v1_exchangeInfo.json")),
    },
    "bybit": {"GET /v5/market/instruments-info": _bybit_instruments},
    "mexc": {
        "GET /api/v3/exchangeInfo": Reply(load("mexc/http_api_v3_exchangeInfo.json")),
        "GET /api/v1/contract/detail": Reply(load("mexc/http_api_v1_contract_detail.json")),
    },
    "deribit": {"GET /api/v2/public/get_instruments": Reply(deribit_instruments())},
}


def config_for(exchange: str) -> Any:
    from tradebot.venues.ccxt import CcxtVenueConfig

    if exchange == "mexc":  # no testnet: mainnet with both switches (nothing leaves the stub)
        return CcxtVenueConfig(exchange="mexc", testnet=False, live=True, confirm_mainnet=True)
    return CcxtVenueConfig(exchange=exchange)  # type: ignore[arg-type]


def stubbed_gateway(
    exchange: str, routes: dict[str, Route] | None = None
) -> tuple[Any, StubSession]:
    """A real CcxtGateway over a real ccxt exchange whose HTTP session is the stub."""
    from tradebot.venues.ccxt import build_gateway

    gateway = build_gateway(config_for(exchange), environ=KEYS[exchange])
    gateway.exchange.enableRateLimit = False  # ccxt's throttle only sleeps; no server to spare
    session = attach(gateway.exchange, {**MARKET_ROUTES[exchange], **(routes or {})})
    return gateway, session
