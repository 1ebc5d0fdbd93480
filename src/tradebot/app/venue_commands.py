"""CLI for real venues: ``tradebot run --venue …`` pre-flight and ``tradebot data download``.

``run --venue`` checks, before anything starts, that the API keys are in the environment and
that the exchange's API host answers; when either is missing it prints exactly what (the
variable names, the host) and exits with status 2. Then, with ``--symbol``, it trades
(:mod:`tradebot.app.live_session`): without ``--testnet`` paper trading on the venue's live
public data (no keys needed, only the network check), with ``--testnet`` through the live
execution client on the testnet, with ``--live --confirm-mainnet`` and ``venue.confirm_mainnet:
true`` in the YAML configuration on mainnet. Without ``--symbol`` a keyed run only connects,
loads the markets and prints balances and positions (a check of the keys).

``data download`` pages through a venue's candles (ccxt ``fetch_ohlcv`` with since/limit) and
writes one CSV in the data-folder format ``--data`` reads, atomically.
"""

from __future__ import annotations

import asyncio
import io
import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import typer
from pydantic import ValidationError
from rich.console import Console

from tradebot.app.live_session import LiveSessionSpec, Mode, run_live_session
from tradebot.app.session import SessionOutcome
from tradebot.app.settings import LoadedConfig
from tradebot.app.yaml_session import session_runtime
from tradebot.backtest.atomic import write_atomic
from tradebot.engine.config import SessionConfig
from tradebot.errors import ConfigError, UserInputError
from tradebot.execution.errors import VenueCallError
from tradebot.model.data import Bar
from tradebot.model.timeframes import timeframe_ns
from tradebot.strategies.base import Strategy
from tradebot.venues.ccxt.config import SUPPORTED_EXCHANGES, CcxtVenueConfig, missing_credentials
from tradebot.venues.ccxt.data import CcxtDataClient
from tradebot.venues.ccxt.execution import CcxtGateway
from tradebot.venues.ccxt.factories import build_exchange, build_gateway

console = Console()
err_console = Console(stderr=True)

data_app = typer.Typer(no_args_is_help=True, help="Market data from real venues.")

Connect = Callable[[str, int, float], None]
"""Open and close a TCP connection to (host, port) within a timeout, or raise ``OSError``."""

ExchangeFactory = Callable[[CcxtVenueConfig], Any]


def _fail(message: str) -> None:
    err_console.print(f"[red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


def _tcp_connect(host: str, port: int, timeout: float) -> None:
    with socket.create_connection((host, port), timeout=timeout):
        pass


def venue_config(
    venue: str,
    *,
    testnet: bool,
    live: bool = False,
    confirm_mainnet: bool = False,
    read_only: bool = False,
) -> CcxtVenueConfig:
    """The configuration of ``venue`` from CLI flags.

    Raises
    ------
    ConfigError
        For an unknown venue or a refused mainnet / testnet combination.
    """
    name = venue.strip().lower()
    if name not in SUPPORTED_EXCHANGES:
        raise ConfigError(
            f"--venue was '{venue}'; it must be one of {', '.join(SUPPORTED_EXCHANGES)}"
        )
    try:
        return CcxtVenueConfig(
            exchange=name,  # type: ignore[arg-type]
            testnet=testnet,
            live=live,
            confirm_mainnet=confirm_mainnet,
            read_only=read_only,
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ConfigError(str(first.get("msg", exc)).removeprefix("Value error, ")) from exc


def api_hosts(exchange: Any) -> list[str]:
    """The HTTPS hosts of an exchange's REST API (after sandbox/demo switches), most used first."""
    counts: dict[str, int] = {}

    def walk(value: Any) -> None:
        if isinstance(value, str):
            host = urlsplit(value.replace("{hostname}", str(getattr(exchange, "hostname", ""))))
            if host.scheme == "https" and host.hostname:
                counts[host.hostname] = counts.get(host.hostname, 0) + 1
        elif isinstance(value, Mapping):
            for item in value.values():
                walk(item)

    walk((getattr(exchange, "urls", {}) or {}).get("api"))
    return sorted(counts, key=lambda h: -counts[h])


def preflight(
    config: CcxtVenueConfig,
    *,
    environ: Mapping[str, str] | None = None,
    connect: Connect | None = None,
    timeout_s: float = 3.0,
    keys: bool = True,
) -> list[str]:
    """Everything that stops a live run, as lines to print (empty: ready).

    Checks the key variables first (unless ``keys`` is False: public data only), then that
    the first API host accepts a TCP connection.
    """
    problems: list[str] = []
    missing = missing_credentials(config, environ) if keys else []
    if missing:
        problems.append(
            f"{config.exchange}: API keys missing; set the environment variable(s) "
            + ", ".join(missing)
        )
    exchange = build_exchange(config, private=False)
    hosts = api_hosts(exchange)
    host = hosts[0] if hosts else ""
    if not host:
        problems.append(f"{config.exchange}: ccxt lists no API host for this environment")
    else:
        try:
            (connect or _tcp_connect)(host, 443, timeout_s)
        except OSError as exc:
            problems.append(
                f"{config.exchange}: network unreachable: cannot connect to {host}:443 ({exc})"
            )
    return problems


async def _live_session(config: CcxtVenueConfig, symbol: str | None, seconds: float) -> None:
    gateway = build_gateway(config)
    data = CcxtDataClient(gateway.exchange, config.venue)
    try:
        instruments = await data.load_instruments()
        console.print(f"{config.venue}: {len(instruments)} instruments")
        for balance in await gateway.fetch_balances():
            console.print(f"balance {balance.currency}: {balance.total:g} (free {balance.free:g})")
        if config.market_type != "spot":
            for position in await gateway.fetch_positions():
                console.print(
                    f"position {position.symbol}: {position.amount:g} @ {position.entry_price:g}"
                )
        if symbol is not None:
            loop = asyncio.get_running_loop()
            end = loop.time() + seconds if seconds > 0 else None
            async for quote in data.poll_quotes(symbol, 1.0):
                console.print(f"{symbol} bid {quote.bid:g} ask {quote.ask:g}")
                if end is not None and loop.time() >= end:
                    break
    finally:
        await gateway.close()


@dataclass
class LiveRequest:
    """What ``tradebot run --venue … --symbol …`` trades (built by the CLI from its flags)."""

    strategies: list[Strategy[Any]]
    params: dict[str, Any]
    config: SessionConfig
    timeframe: str = "1m"
    json_path: Path | None = None
    report_path: Path | None = None
    loaded: LoadedConfig | None = None
    strategies_from_file: bool = True
    streams: bool = True
    spec: dict[str, Any] = field(default_factory=dict)
    """Further :class:`LiveSessionSpec` fields (poll intervals, duration, feed settings)."""


def _mode(testnet: bool, live: bool) -> Mode:
    if testnet:
        return "testnet"
    return "mainnet" if live else "paper"


def run_venue(
    venue: str,
    *,
    testnet: bool,
    live: bool,
    confirm_mainnet: bool,
    symbol: str | None,
    seconds: float = 0.0,
    environ: Mapping[str, str] | None = None,
    connect: Connect | None = None,
    request: LiveRequest | None = None,
) -> SessionOutcome | None:
    """``tradebot run --venue``: pre-flight, then a session on the venue (exit 2 on a problem).

    Returns the outcome of a trading session (None after a key check without ``--symbol``).
    """
    mode = _mode(testnet, live)
    try:
        config = venue_config(
            venue,
            testnet=testnet,
            live=live,
            confirm_mainnet=confirm_mainnet,
            read_only=mode == "paper",
        )
        if mode == "mainnet" and not (
            request is not None
            and request.loaded is not None
            and request.loaded.settings.venue.confirm_mainnet
        ):
            raise ConfigError(
                f"{config.exchange}: mainnet (real money) needs venue: {{confirm_mainnet: true}} "
                "in the --config YAML file as well as --live --confirm-mainnet"
            )
        if mode == "paper" and symbol is None:
            raise ConfigError(
                "--venue without --testnet paper-trades the venue's live data: "
                "give --symbol, e.g. BTC/USDT:USDT"
            )
        problems = preflight(config, environ=environ, connect=connect, keys=mode != "paper")
    except UserInputError as exc:
        _fail(str(exc))
        return None
    if problems:
        for line in problems:
            err_console.print(f"[red]error:[/] {line}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=2)
    env = {"paper": "paper trading on live data", "testnet": "testnet", "mainnet": "MAINNET"}
    console.print(f"connecting to {config.exchange} ({env[mode]})")
    try:
        if symbol is None or request is None:
            asyncio.run(_live_session(config, symbol, seconds))
            return None
        return _trade(config, mode, symbol, request, environ)
    except (VenueCallError, UserInputError) as exc:
        _fail(str(exc))
        return None


def _trade(
    config: CcxtVenueConfig,
    mode: Mode,
    symbol: str,
    request: LiveRequest,
    environ: Mapping[str, str] | None,
) -> SessionOutcome:
    rest = build_exchange(config, environ=environ, private=False)
    stream = (
        build_exchange(config, environ=environ, private=False, pro=True)
        if request.streams
        else None
    )
    data = CcxtDataClient(rest, config.venue, stream_exchange=stream)
    gateway = None
    if mode != "paper":
        gateway = CcxtGateway(build_exchange(config, environ=environ), config)
    spec = LiveSessionSpec(
        venue=config.venue,
        mode=mode,
        symbol=symbol,
        strategies=request.strategies,
        params=request.params,
        config=request.config,
        timeframe=request.timeframe,
        json_path=request.json_path,
        report_path=request.report_path,
        streams=stream is not None,
        **request.spec,
    )
    services = session_runtime(
        request.loaded,
        start_ns=time.time_ns(),
        serve=True,
        watch=True,
        strategies_from_file=request.strategies_from_file,
    )
    with services as (attach, wrap):
        observe = wrap(None)  # type: ignore[arg-type]
        return asyncio.run(run_live_session(spec, data, gateway, attach=attach, observe=observe))


# -- data download ---------------------------------------------------------------------------
def _parse_time(text: str, flag: str) -> int:
    value = text.strip()
    try:
        if value.isdigit():
            number = int(value)
            return number * 1_000_000 if number > 10**11 else number * 1_000_000_000
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ConfigError(
            f"{flag} was '{text}'; give a date (2024-01-31), a UTC time (2024-01-31T12:00) "
            "or epoch seconds/milliseconds"
        ) from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return int(parsed.timestamp()) * 1_000_000_000


def _kind(market: Mapping[str, Any]) -> str:
    if market.get("swap"):
        return "perp"
    if market.get("future"):
        return "future"
    if market.get("option"):
        return "option"
    return "spot"


def candles_csv(bars: list[Bar]) -> bytes:
    """Bars as CSV: ``open_time_ms,time_utc,open,high,low,close,volume`` (bar start times)."""
    out = io.StringIO()
    out.write("open_time_ms,time_utc,open,high,low,close,volume\n")
    for bar in bars:
        ms = bar.ts_open // 1_000_000
        stamp = datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M:%S")
        out.write(
            f"{ms},{stamp},{bar.open!r},{bar.high!r},{bar.low!r},{bar.close!r},{bar.volume!r}\n"
        )
    return out.getvalue().encode()


def output_path(
    out: Path, exchange: str, market: Mapping[str, Any], timeframe: str, bars: list[Bar]
) -> Path:
    """``<out>/<exchange>_<spot|perp|future>_<BASEQUOTE>_<tf>_<first>_<last>.csv``."""

    def day(ns: int) -> str:
        return datetime.fromtimestamp(ns / 1e9, tz=UTC).strftime("%Y%m%d")

    pair = f"{market.get('base')}{market.get('quote')}"
    span = f"{day(bars[0].ts_open)}_{day(bars[-1].ts_open)}"
    name = f"{exchange}_{_kind(market)}_{pair}_{timeframe}_{span}.csv"
    return out / name


async def download_candles(
    config: CcxtVenueConfig,
    symbol: str,
    timeframe: str,
    since_ns: int,
    until_ns: int | None,
    out: Path,
    *,
    page_limit: int = 1000,
    exchange: Any | None = None,
) -> tuple[Path, int]:
    """Fetch candles page by page and write them; returns the file and the bar count.

    Raises
    ------
    ConfigError
        For an unknown symbol or timeframe, or when the venue returns no candles.
    VenueCallError
        When the venue fails (translated from ccxt).
    """
    rest = exchange if exchange is not None else build_exchange(config, private=False)
    client = CcxtDataClient(rest, config.venue)
    try:
        await client.load_instruments()
        markets = rest.markets or {}
        if symbol not in markets:
            raise ConfigError(f"--symbol {symbol}: {config.exchange} lists no such market")
        if timeframe not in (getattr(rest, "timeframes", None) or {}):
            raise ConfigError(
                f"--timeframe {timeframe}: {config.exchange} offers "
                + ", ".join(sorted(rest.timeframes or {}))
            )
        bars = await client.fetch_bars_range(
            symbol, timeframe, since_ns, until_ns, page_limit=page_limit
        )
    finally:
        await client.close()
    if not bars:
        raise ConfigError(f"{config.exchange} returned no {timeframe} candles for {symbol}")
    path = output_path(out, config.exchange, markets[symbol], timeframe, bars)
    write_atomic(path, candles_csv(bars))
    return path, len(bars)


@data_app.command("download")
def download(
    venue: Annotated[str, typer.Option("--venue", help="binanceusdm, bybit, mexc or deribit.")],
    symbol: Annotated[str, typer.Option("--symbol", help="ccxt symbol, e.g. BTC/USDT:USDT.")],
    timeframe: Annotated[str, typer.Option("--timeframe", help="Candle length, e.g. 1m, 1h.")],
    since: Annotated[str, typer.Option("--since", help="First candle: date, UTC time or epoch.")],
    until: Annotated[
        str | None, typer.Option("--until", help="Stop before this time (default: now).")
    ] = None,
    out: Annotated[Path, typer.Option("--out", help="Folder to write the CSV into.")] = Path(
        "data"
    ),
    testnet: Annotated[
        bool, typer.Option("--testnet", help="Read the venue's testnet instead of mainnet.")
    ] = False,
    limit: Annotated[int, typer.Option("--limit", help="Candles per request (page size).")] = 1000,
) -> None:
    """Download candles from a venue into a CSV that --data reads (no API keys needed)."""
    try:
        config = venue_config(venue, testnet=testnet, read_only=True)
        since_ns = _parse_time(since, "--since")
        until_ns = _parse_time(until, "--until") if until is not None else None
        if until_ns is not None and until_ns <= since_ns:
            raise ConfigError(f"--until {until} is not after --since {since}")
        if limit <= 0:
            raise ConfigError(f"--limit was {limit}; it must be a positive number")
        timeframe_ns(timeframe)
    except ValueError as exc:
        _fail(str(exc))
        return
    except UserInputError as exc:
        _fail(str(exc))
        return
    try:
        path, count = asyncio.run(
            download_candles(config, symbol, timeframe, since_ns, until_ns, out, page_limit=limit)
        )
    except (UserInputError, VenueCallError) as exc:
        _fail(str(exc))
        return
    console.print(f"wrote {count} {timeframe} candles of {symbol} to {path}")


__all__ = [
    "LiveRequest",
    "api_hosts",
    "candles_csv",
    "data_app",
    "download",
    "download_candles",
    "preflight",
    "run_venue",
    "venue_config",
]
