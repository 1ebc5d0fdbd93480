"""``tradebot run --venue`` pre-flight and ``tradebot data download`` with a stubbed transport."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from ccxt_stub import KEYS, MARKET_ROUTES, Reply, Request, attach
from typer.testing import CliRunner

from tradebot.app import venue_commands
from tradebot.app.cli import app
from tradebot.model.identifiers import InstrumentId
from tradebot.venues.files import load_bars
from tradebot.venues.files.catalog import bundled_path

runner = CliRunner()
VENUES = ["binanceusdm", "bybit", "deribit"]


def _no_network(host: str, port: int, timeout: float) -> None:
    raise OSError(f"[Errno -2] Name or service not known: {host}")


def _clear_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for names in KEYS.values():
        for name in names:
            monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("venue", VENUES)
def test_run_venue_without_keys_names_the_variables_and_exits_2(
    venue: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _clear_keys(monkeypatch)
    monkeypatch.setattr(venue_commands, "_tcp_connect", lambda host, port, timeout: None)

    result = runner.invoke(app, ["run", "--venue", venue, "--testnet"])

    assert result.exit_code == 2
    assert f"TRADEBOT_{venue.upper()}_API_KEY" in result.output
    assert f"TRADEBOT_{venue.upper()}_SECRET" in result.output
    assert "network" not in result.output


@pytest.mark.parametrize("venue", VENUES)
def test_run_venue_with_keys_but_no_network_says_so_and_exits_2(
    venue: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in KEYS[venue].items():
        monkeypatch.setenv(name, value)
    hosts: list[str] = []

    def unreachable(host: str, port: int, timeout: float) -> None:
        hosts.append(host)
        _no_network(host, port, timeout)

    monkeypatch.setattr(venue_commands, "_tcp_connect", unreachable)

    result = runner.invoke(app, ["run", "--venue", venue, "--testnet"])

    assert result.exit_code == 2
    assert "network unreachable" in result.output
    assert "API keys missing" not in result.output
    assert hosts
    assert "test" in hosts[0] or "demo" in hosts[0]  # the testnet's host


def test_run_mexc_testnet_is_refused_because_mexc_has_none(monkeypatch: pytest.MonkeyPatch) -> None:
    result = runner.invoke(app, ["run", "--venue", "mexc", "--testnet"])

    assert result.exit_code == 2
    assert "mexc has no testnet" in result.output


def test_run_venue_without_testnet_or_live_is_refused() -> None:
    result = runner.invoke(app, ["run", "--venue", "bybit"])

    assert result.exit_code == 2
    assert "--testnet" in result.output


def test_mainnet_needs_confirmation() -> None:
    result = runner.invoke(app, ["run", "--venue", "bybit", "--live"])

    assert result.exit_code == 2
    assert "confirm" in result.output


# -- data download --
LEAN = bundled_path("bybit_linear_perp_BTCUSDT_1m_trade_20221213_lean.csv")


def _kline_route(rows: pd.DataFrame) -> Any:
    """Bybit /v5/market/kline over recorded 1m bars: candles from ``start``, newest first."""
    ms = [int(t.timestamp() * 1000) for t in pd.to_datetime(rows["time_utc"], utc=True)]

    def route(request: Request) -> Reply:
        start = int(request.query.get("start", 0))
        limit = int(request.query.get("limit", 200))
        picked = [i for i, t in enumerate(ms) if t >= start][:limit]
        fields = ("open", "high", "low", "close", "volume")
        candles = [
            [str(ms[i]), *(str(float(rows[f][i])) for f in fields), "0"] for i in reversed(picked)
        ]
        return Reply(
            {
                "retCode": 0,
                "retMsg": "OK",
                "result": {"category": "linear", "symbol": "BTCUSDT", "list": candles},
                "retExtInfo": {},
                "time": 1670889600000,
            }
        )

    return route


def test_data_download_pages_through_candles_and_writes_a_file_the_loader_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = pd.read_csv(LEAN)
    sessions = []
    real_build = venue_commands.build_exchange

    def build(config: Any, **kwargs: Any) -> Any:
        exchange = real_build(config, **kwargs)
        exchange.enableRateLimit = False
        sessions.append(
            attach(exchange, {**MARKET_ROUTES["bybit"], "GET /v5/market/kline": _kline_route(rows)})
        )
        return exchange

    monkeypatch.setattr(venue_commands, "build_exchange", build)
    out = tmp_path / "data"

    result = runner.invoke(
        app,
        [
            "data",
            "download",
            "--venue",
            "bybit",
            "--symbol",
            "BTC/USDT:USDT",
            "--timeframe",
            "1m",
            "--since",
            "2022-12-13",
            "--until",
            "2022-12-13T12:00",
            "--out",
            str(out),
            "--limit",
            "200",
        ],
    )

    assert result.exit_code == 0, result.output
    kline_calls = [r for r in sessions[0].requests if r.path == "/v5/market/kline"]
    assert [r.query["limit"] for r in kline_calls] == ["200"] * 4  # 720 bars in pages of 200
    files = list(out.glob("*.csv"))
    assert [f.name for f in files] == ["bybit_perp_BTCUSDT_1m_20221213_20221213.csv"]
    assert not list(out.glob(".*.tmp"))  # atomic write left no temporary file
    frame = load_bars(files[0], InstrumentId("BTC/USDT:USDT", "BYBIT"))
    assert frame.timeframe == "1m"
    assert len(frame.close) == 720  # 00:00 … 11:59; --until is exclusive
    assert frame.close.tolist() == rows["close"][:720].tolist()
    assert frame.volume.tolist() == rows["volume"][:720].tolist()


def test_data_download_unknown_symbol_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_build = venue_commands.build_exchange

    def build(config: Any, **kwargs: Any) -> Any:
        exchange = real_build(config, **kwargs)
        attach(exchange, MARKET_ROUTES["bybit"])
        return exchange

    monkeypatch.setattr(venue_commands, "build_exchange", build)

    result = runner.invoke(
        app,
        [
            "data",
            "download",
            "--venue",
            "bybit",
            "--symbol",
            "NOPE/USDT:USDT",
            "--timeframe",
            "1m",
            "--since",
            "2022-12-13",
            "--out",
            str(tmp_path),
        ],
    )

    assert result.exit_code == 2
    assert "NOPE/USDT:USDT" in result.output
    assert not list(tmp_path.iterdir())
