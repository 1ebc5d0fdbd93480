"""``/healthz``, ``/readyz`` and ``/metrics``: a small FastAPI app served on loopback.

* ``/healthz`` (liveness): 200 while the process and its supervised tasks are alive, 503 when
  a task the watchdog cannot restart (the engine loop) has stalled.
* ``/readyz`` (readiness): 200 only when every traded symbol's market data is fresh and every
  venue is up; 503 with the reasons otherwise.
* ``/metrics``: the Prometheus text exposition of a registry.

The app reads a :class:`HealthState` that the engine thread keeps up to date; requests never
touch the engine itself.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import Any

import uvicorn
from fastapi import FastAPI, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

NowNs = Callable[[], int]


class HealthState:
    """What liveness and readiness are judged on.

    Parameters
    ----------
    now_ns : callable
        The engine clock (the wall clock live; the simulated clock in a replay, so that data
        is judged stale in data time).
    stale_after_seconds : float
        A symbol whose newest market data is older than this makes the bot not ready.
    """

    def __init__(self, now_ns: NowNs, stale_after_seconds: float = 5.0) -> None:
        self.now_ns = now_ns
        self.stale_after_ns = int(stale_after_seconds * 1e9)
        self._lock = threading.Lock()
        self._data: dict[str, tuple[int, int]] = {}
        """Symbol → (newest data time, arrival interval); written by the engine thread only."""
        self._venues: dict[str, tuple[bool, str]] = {}
        self._stalled: dict[str, str] = {}
        self.started = False

    def data_seen(self, symbol: str, ts_ns: int, interval_ns: int = 0) -> None:
        """Market data for ``symbol`` up to ``ts_ns`` has been processed; ``interval_ns`` is
        how often it arrives (a bar's length), added to the allowed age."""
        last = self._data.get(symbol)
        if last is None or ts_ns > last[0]:
            self._data[symbol] = (ts_ns, max(interval_ns, last[1] if last else 0))
        self.started = True

    def venue(self, name: str, up: bool, reason: str = "") -> None:
        """A venue's connection state."""
        with self._lock:
            self._venues[name] = (up, reason)

    def stalled(self, task: str, reason: str | None) -> None:
        """A task that cannot be restarted stalled (``reason``) or recovered (None)."""
        with self._lock:
            if reason is None:
                self._stalled.pop(task, None)
            else:
                self._stalled[task] = reason

    def liveness(self) -> tuple[bool, list[str]]:
        """(alive, reasons)."""
        with self._lock:
            reasons = [f"{task}: {why}" for task, why in sorted(self._stalled.items())]
        return not reasons, reasons

    def readiness(self) -> tuple[bool, list[str]]:
        """(ready, reasons it is not)."""
        now = self.now_ns()
        data = dict(self._data)  # one C-level copy: safe against the engine thread's writes
        with self._lock:
            venues = dict(self._venues)
        reasons: list[str] = []
        if not data:
            reasons.append("no market data yet")
        for symbol, (ts, interval) in sorted(data.items()):
            age = now - ts
            limit = self.stale_after_ns + interval
            if age > limit:
                reasons.append(
                    f"market data for {symbol} is {age / 1e9:.1f} s old (limit {limit / 1e9:g} s)"
                )
        for name, (up, why) in sorted(venues.items()):
            if not up:
                reasons.append(f"venue {name} is down" + (f": {why}" if why else ""))
        _alive, stalled = self.liveness()
        reasons += stalled
        return not reasons, reasons


def create_app(registry: CollectorRegistry, health: HealthState) -> FastAPI:
    """The FastAPI app serving the three endpoints."""
    app = FastAPI(title="tradebot", docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/healthz")
    def healthz() -> JSONResponse:
        alive, reasons = health.liveness()
        return JSONResponse(
            {"status": "ok" if alive else "failing", "reasons": reasons},
            status_code=200 if alive else 503,
        )

    @app.get("/readyz")
    def readyz() -> JSONResponse:
        ready, reasons = health.readiness()
        return JSONResponse({"ready": ready, "reasons": reasons}, status_code=200 if ready else 503)

    @app.get("/metrics")
    def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return app


class HealthServer:
    """Serves an app with uvicorn on its own thread and event loop (port 0: any free port)."""

    def __init__(self, app: FastAPI, host: str = "127.0.0.1", port: int = 0) -> None:
        self.config = uvicorn.Config(
            app, host=host, port=port, log_level="warning", access_log=False, lifespan="off"
        )
        self.server = uvicorn.Server(self.config)
        self._thread: threading.Thread | None = None
        self.port = port
        self.host = host

    def start(self, timeout: float = 10.0) -> HealthServer:
        """Start serving; returns once the socket listens."""
        self._thread = threading.Thread(target=self._run, name="tradebot-health", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the health server did not start on {self.host}:{self.port}")
            time.sleep(0.01)
        sockets: list[Any] = [s for srv in self.server.servers for s in srv.sockets]
        if sockets:
            self.port = int(sockets[0].getsockname()[1])
        return self

    def _run(self) -> None:
        asyncio.run(self.server.serve())

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:9108``."""
        return f"http://{self.host}:{self.port}"

    def stop(self, timeout: float = 5.0) -> None:
        """Stop serving and wait for the thread."""
        self.server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)


__all__ = ["HealthServer", "HealthState", "create_app"]
