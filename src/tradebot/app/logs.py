"""Logging: structlog to JSON lines in rotating files, readable console output, no secrets.

Three files under ``logging.dir``:

* ``tradebot.log`` every record (JSON lines);
* ``trades.log`` orders and fills only (logger ``tradebot.trades``);
* ``errors.log`` errors and worse, with their tracebacks.

Records of the standard :mod:`logging` module (the engine's, uvicorn's, APScheduler's) go the
same way. Before any record is written, :class:`Redactor` scrubs it: values under secret-looking
keys (``api_key``, ``token``, ``password`` …), every value registered as secret (the settings'
secrets are registered by :func:`configure_logging`), and the password of any URL.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
import sys
import threading
from collections.abc import Iterable, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

from tradebot.engine.bus import MessageBus
from tradebot.model.events import OrderFilled, OrderUpdated

MASK = "***"
_SECRET_KEY = re.compile(
    r"(api_?key|api_?secret|secret|token|password|passwd|passphrase|private_?key|"
    r"authorization|credential)s?$",
    re.IGNORECASE,
)
_URL_PASSWORD = re.compile(r"(?P<head>[a-zA-Z][a-zA-Z0-9+.\-]*://[^:/@\s]*:)[^@\s]+@")
_INLINE_SECRET = re.compile(
    r"(?P<key>(?:api_?key|api_?secret|secret|token|password|passwd|passphrase)"
    r"[\"']?\s*[:=]\s*[\"']?)(?P<value>[^\s\"',}&]+)",
    re.IGNORECASE,
)
TRADE_LOGGER = "tradebot.trades"


class Redactor:
    """A structlog processor that removes secrets from keys and values, recursively."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._secrets: tuple[str, ...] = ()
        self.add(*secrets)

    def add(self, *values: str | None) -> None:
        """Register values that must never appear in a log line (shorter than 4 chars: ignored)."""
        with self._lock:
            known = set(self._secrets)
            known.update(v for v in values if isinstance(v, str) and len(v) >= 4)
            self._secrets = tuple(sorted(known, key=len, reverse=True))

    def scrub_text(self, text: str) -> str:
        """``text`` with every registered secret, URL password and ``key=value`` secret masked."""
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        if "://" in text:
            text = _URL_PASSWORD.sub(lambda m: m.group("head") + MASK + "@", text)
        return _INLINE_SECRET.sub(lambda m: m.group("key") + MASK, text)

    def scrub(self, value: Any, key: str = "") -> Any:
        """A copy of ``value`` with secrets masked; anything under a secret key is masked."""
        if key and _SECRET_KEY.search(key) and value not in (None, "", MASK):
            return MASK
        if isinstance(value, str):
            return self.scrub_text(value)
        if isinstance(value, MutableMapping | dict):
            return {k: self.scrub(v, str(k)) for k, v in value.items()}
        if isinstance(value, list | tuple | set | frozenset):
            return [self.scrub(v) for v in value]
        if isinstance(value, int | float | bool) or value is None:
            return value
        return self.scrub_text(str(value))

    def __call__(self, logger: WrappedLogger, method: str, event_dict: EventDict) -> EventDict:
        return {k: self.scrub(v, k) for k, v in event_dict.items()}


REDACTOR = Redactor()
"""The process-wide redactor every handler set up here uses."""


def register_secret(*values: str | None) -> None:
    """Never log these values (for example a key read at run time)."""
    REDACTOR.add(*values)


def _pre_chain() -> list[Processor]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]


def _exception_into_event(logger: WrappedLogger, method: str, event_dict: EventDict) -> EventDict:
    """Console: the (already scrubbed) traceback text goes under the message."""
    text = event_dict.pop("exception", None)
    if text:
        event_dict["event"] = f"{event_dict.get('event', '')}\n{text}"
    return event_dict


def _formatter(
    renderer: Processor, redactor: Redactor, *, console: bool = False
) -> structlog.stdlib.ProcessorFormatter:
    chain: list[Processor] = [
        structlog.stdlib.ProcessorFormatter.remove_processors_meta,
        structlog.processors.format_exc_info,
        redactor,
    ]
    if console:
        chain.append(_exception_into_event)
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_pre_chain(), processors=[*chain, renderer]
    )


class _OnlyTrades(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.name == TRADE_LOGGER or record.name.startswith(TRADE_LOGGER + ".")


class _NoTrades(_OnlyTrades):
    def filter(self, record: logging.LogRecord) -> bool:
        return not super().filter(record)


@dataclass
class LogHandles:
    """What :func:`configure_logging` installed; ``close`` removes it again."""

    directory: Path
    handlers: list[logging.Handler] = field(default_factory=list)
    previous_level: int = logging.WARNING
    previous_own_level: int = logging.NOTSET

    @property
    def files(self) -> dict[str, Path]:
        """The log files by role."""
        return {
            "app": self.directory / "tradebot.log",
            "trades": self.directory / "trades.log",
            "errors": self.directory / "errors.log",
        }

    def close(self) -> None:
        """Flush and detach every handler."""
        root = logging.getLogger()
        for handler in self.handlers:
            root.removeHandler(handler)
            handler.close()
        root.setLevel(self.previous_level)
        logging.getLogger("tradebot").setLevel(self.previous_own_level)
        self.handlers.clear()


def configure_logging(
    directory: Path,
    *,
    level: str = "INFO",
    console: str = "pretty",
    max_bytes: int = 10_000_000,
    backup_count: int = 5,
    secrets: Iterable[str] = (),
    stream: TextIO | None = None,
    redactor: Redactor = REDACTOR,
) -> LogHandles:
    """Send every log record to the three rotating JSON files and the console.

    ``console`` is ``pretty`` (structlog's readable renderer), ``json`` or ``off``; ``stream``
    defaults to standard error. ``secrets`` are registered with the redactor first.
    """
    redactor.add(*secrets)
    directory.mkdir(parents=True, exist_ok=True)
    handles = LogHandles(directory)
    json_renderer = structlog.processors.JSONRenderer(sort_keys=False)

    def rotating(name: str, lvl: int) -> logging.Handler:
        h = logging.handlers.RotatingFileHandler(
            directory / name, maxBytes=max_bytes, backupCount=backup_count, encoding="utf-8"
        )
        h.setLevel(lvl)
        h.setFormatter(_formatter(json_renderer, redactor))
        return h

    numeric = logging.getLevelName(level.upper())
    app_file = rotating("tradebot.log", numeric)
    trades = rotating("trades.log", logging.INFO)
    trades.addFilter(_OnlyTrades())
    errors = rotating("errors.log", logging.ERROR)
    handles.handlers += [app_file, trades, errors]
    if console != "off":
        out = logging.StreamHandler(stream or sys.stderr)
        out.setLevel(numeric)
        renderer: Processor = (
            json_renderer if console == "json" else structlog.dev.ConsoleRenderer(colors=False)
        )
        out.setFormatter(_formatter(renderer, redactor, console=console != "json"))
        out.addFilter(_NoTrades())  # the live view already shows orders and fills
        handles.handlers.append(out)
    root = logging.getLogger()
    own = logging.getLogger("tradebot")
    handles.previous_level = root.level
    handles.previous_own_level = own.level
    root.setLevel(max(numeric, logging.INFO))  # other libraries: INFO and up
    own.setLevel(numeric)  # tradebot's own loggers: as configured (DEBUG included)
    for handler in handles.handlers:
        root.addHandler(handler)
    for noisy in ("watchfiles", "apscheduler", "uvicorn.access", "numba", "matplotlib", "PIL"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.stdlib.filter_by_level,
            structlog.stdlib.add_logger_name,
            structlog.stdlib.add_log_level,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    return handles


class TradeLog:
    """Writes every order update and fill from the bus to the trade log."""

    def __init__(self) -> None:
        self.log = structlog.get_logger(TRADE_LOGGER)

    def attach(self, bus: MessageBus) -> None:
        """Subscribe to fills and order updates."""
        bus.subscribe(OrderFilled, self.on_fill)
        bus.subscribe(OrderUpdated, self.on_update)

    def on_fill(self, fill: OrderFilled) -> None:
        """A fill: one JSON line."""
        self.log.info(
            "fill",
            client_order_id=str(fill.client_order_id),
            instrument=str(fill.instrument_id),
            strategy=str(fill.strategy_id),
            side=str(fill.side),
            quantity=fill.quantity,
            price=fill.price,
            fee=fill.fee,
            fee_currency=fill.fee_currency,
            liquidity=str(fill.liquidity),
            ts_event=fill.ts_event,
            tag=fill.tag,
        )

    def on_update(self, update: OrderUpdated) -> None:
        """An order state change: one JSON line."""
        self.log.info(
            "order",
            client_order_id=str(update.client_order_id),
            instrument=str(update.instrument_id),
            status=str(update.status),
            reason=update.reason,
            ts_event=update.ts_event,
        )


__all__ = [
    "MASK",
    "REDACTOR",
    "TRADE_LOGGER",
    "LogHandles",
    "Redactor",
    "TradeLog",
    "configure_logging",
    "register_secret",
]
