"""A local WebSocket server on 127.0.0.1 that speaks just enough of each venue's protocol.

ccxt.pro connects to it (the exchange's ``urls['api']['ws']`` point here), sends its own
subscribe message, gets an acknowledgement in the venue's format, and then receives the
script's frames one by one. One cursor runs across connections, so a reconnect resumes where
the previous connection stopped. Markers in the script make the server misbehave once:
drop the connection, stall it, or (with ``refusing``) answer every handshake with HTTP 503.

Dialects (what the server reads and answers; the frame formats are the venues' own):

* ``binanceusdm``: ``{"method": "SUBSCRIBE", "params": [...], "id": n}`` →
  ``{"result": null, "id": n}``;
* ``bybit`` (v5): ``{"op": "subscribe", "req_id": n, "args": [...]}`` →
  ``{"success": true, "ret_msg": "", "conn_id": ..., "req_id": n, "op": "subscribe"}``;
  ``{"op": "ping"}`` → ``{"op": "pong", ...}``;
* ``deribit`` (JSON-RPC): ``{"method": "public/subscribe", "params": {"channels": [...]},
  "id": n}`` → ``{"jsonrpc": "2.0", "id": n, "result": [...channels]}``;
* ``mexc`` (contract): ``{"method": "sub.<channel>", "param": {...}}`` →
  ``{"channel": "rs.sub.<channel>", "data": "success", "ts": ...}``;
  ``{"method": "ping"}`` → ``{"channel": "pong", "data": ...}``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Sequence
from enum import Enum
from types import TracebackType
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response


class Command(Enum):
    """Script markers: what the server does when its cursor reaches them (once)."""

    DROP = "drop"
    """Close the connection with code 1011; the next connection resumes after the marker."""
    STALL = "stall"
    """Send nothing more on this connection (pings still answered) until the client leaves."""


Frame = str | Command


def _ms() -> int:
    return int(time.time() * 1000)


def acknowledge(dialect: str, message: dict[str, Any]) -> tuple[list[str], str | None]:
    """(topics subscribed, acknowledgement to send) for a subscribe message, else ([], reply).

    ``reply`` is a pong for a ping, None for anything else.
    """
    if dialect == "binanceusdm":
        if message.get("method") == "SUBSCRIBE":
            ack = {"result": None, "id": message.get("id")}
            return list(message.get("params") or []), json.dumps(ack)
    elif dialect == "bybit":
        if message.get("op") == "ping":
            pong = {"success": True, "ret_msg": "pong", "conn_id": "local", "op": "pong"}
            return [], json.dumps(pong | {"req_id": message.get("req_id")})
        if message.get("op") == "subscribe":
            ack = {
                "success": True,
                "ret_msg": "",
                "conn_id": "local",
                "req_id": message.get("req_id"),
                "op": "subscribe",
            }
            return list(message.get("args") or []), json.dumps(ack)
    elif dialect == "deribit":
        if message.get("method") == "public/subscribe":
            channels = list((message.get("params") or {}).get("channels") or [])
            ack = {
                "jsonrpc": "2.0",
                "id": message.get("id"),
                "result": channels,
                "usIn": _ms() * 1000,
                "usOut": _ms() * 1000,
                "usDiff": 1,
                "testnet": False,
            }
            return channels, json.dumps(ack)
    elif dialect == "mexc":
        method = str(message.get("method") or "")
        if method == "ping":
            return [], json.dumps({"channel": "pong", "data": _ms()})
        if method.startswith("sub."):
            param = message.get("param") or {}
            topic = f"{method}:{param.get('symbol')}:{param.get('interval', '')}".rstrip(":")
            ack = {"channel": f"rs.{method}", "data": "success", "ts": _ms()}
            return [topic], json.dumps(ack)
    else:
        raise ValueError(f"unknown dialect {dialect!r}")
    return [], None


class VenueServer:
    """Answers subscriptions in ``dialect`` and then sends ``script`` frame by frame.

    ``subscriptions`` lists, per connection, the topics the client subscribed to;
    ``refused`` counts handshakes answered with 503 while ``refusing`` was set.
    """

    def __init__(self, dialect: str, script: Sequence[Frame], *, pace_s: float = 0.002) -> None:
        acknowledge(dialect, {})  # fail early on an unknown dialect
        self.dialect = dialect
        self.pace_s = pace_s
        """Pause after each frame (a venue sends klines 100 ms or more apart; see the Deribit
        test for what a burst does to ccxt)."""
        self.script = list(script)
        self.cursor = 0
        self.refusing = False
        self.refused = 0
        self.connections = 0
        self.subscriptions: list[list[str]] = []
        self.port = 0
        self._server: Server | None = None

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    @property
    def done(self) -> bool:
        """Whether every frame of the script was sent."""
        return self.cursor >= len(self.script)

    async def __aenter__(self) -> VenueServer:
        self._server = await serve(
            self._handle,
            "127.0.0.1",
            0,
            process_request=self._gate,
            ping_interval=None,
            compression=None,
        )
        self.port = next(iter(self._server.sockets)).getsockname()[1]
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._server is not None
        self._server.close()
        await asyncio.wait_for(self._server.wait_closed(), 2)

    def _gate(self, connection: ServerConnection, request: Request) -> Response | None:
        if self.refusing:
            self.refused += 1
            return Response(503, "Service Unavailable", Headers(), b"refused by the test\n")
        return None

    async def _handle(self, ws: ServerConnection) -> None:
        self.connections += 1
        topics: list[str] = []
        self.subscriptions.append(topics)
        subscribed = asyncio.Event()
        sender = asyncio.create_task(self._send(ws, subscribed))
        try:
            async for raw in ws:
                try:
                    message = json.loads(raw)
                except ValueError:
                    continue
                if not isinstance(message, dict):
                    continue
                got, reply = acknowledge(self.dialect, message)
                if reply is not None:
                    await ws.send(reply)
                if got:
                    topics.extend(got)
                    subscribed.set()
        except ConnectionClosed:
            pass
        finally:
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError, ConnectionClosed):
                await sender

    async def _send(self, ws: ServerConnection, subscribed: asyncio.Event) -> None:
        await subscribed.wait()  # set after the acknowledgement went out
        while self.cursor < len(self.script):
            frame = self.script[self.cursor]
            self.cursor += 1
            if frame is Command.DROP:
                await ws.close(1011, "dropped by the test")
                return
            if frame is Command.STALL:
                return  # the reader keeps answering pings; no data frame follows
            await ws.send(frame)
            await asyncio.sleep(self.pace_s)


__all__ = ["Command", "Frame", "VenueServer", "acknowledge"]
