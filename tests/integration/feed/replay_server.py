"""A WebSocket server on 127.0.0.1 that replays recorded frames and misbehaves on command."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from enum import Enum
from types import TracebackType

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response


class Command(Enum):
    """Markers in a script: what the server does when its cursor reaches them (once)."""

    DROP = "drop"
    """Close the connection with code 1011 (server error); the next connection resumes after."""
    STALL = "stall"
    """Send nothing more on this connection until the client gives up on it."""


Frame = str | bytes | Command


class ReplayServer:
    """Sends ``script`` frame by frame; one cursor runs across connections.

    While ``refusing`` is true every handshake is answered with HTTP 503.
    """

    def __init__(self, script: Sequence[Frame]) -> None:
        self.script = list(script)
        self.cursor = 0
        self.refusing = False
        self.refused = 0
        self.connections = 0
        self.port = 0
        self._server: Server | None = None

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/stream?streams=recorded"

    async def __aenter__(self) -> ReplayServer:
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
        while self.cursor < len(self.script):
            frame = self.script[self.cursor]
            self.cursor += 1
            if frame is Command.DROP:
                await ws.close(1011, "dropped by the test")
                return
            if frame is Command.STALL:
                await ws.wait_closed()
                return
            await ws.send(frame)
        await ws.wait_closed()  # the script is done: stay connected and quiet
