"""Live sessions end to end, offline: the live runner fed by a CcxtDataClient polling a
Binance USD-M whose HTTP transport is stubbed (ccxt signs and parses for real), orders through
LiveExecutionClient → CcxtGateway → the same stub; the paper-on-live path; the mainnet gate.

Each test runs under an asyncio timeout (or a bounded run), so a bug cannot hang the suite.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from fake_binance import KEYS, SYMBOL, FakeBinance, FastClock
from typer.testing import CliRunner

from fixtures.factories import ScriptedStrategy
from tradebot.app import venue_commands
from tradebot.app.cli import app
from tradebot.app.live_session import LiveSession, LiveSessionSpec, run_live_session
from tradebot.app.metrics import EngineMetrics
from tradebot.app.venue_commands import LiveRequest, run_venue
from tradebot.engine.config import SessionConfig
from tradebot.execution.live_client import LiveClientConfig
from tradebot.execution.venue_health import VenueStatus
from tradebot.model.enums import OrderSide, OrderStatus, OrderType
from tradebot.model.identifiers import InstrumentId
from tradebot.model.signals import Signal, SizeMode
from tradebot.risk.config import RiskConfig
from tradebot.venues.ccxt import CcxtDataClient, build_exchange, build_gateway
from tradebot.venues.ccxt.config import CcxtVenueConfig
from tradebot.venues.feed import FeedConfig, MarketDataLag

IID = InstrumentId(SYMBOL, "BINANCEUSDM")
FAST_FEED = FeedConfig(max_lag_s=None, stall_timeout_s=5.0, backoff_initial_s=0.01)
"""No lag safe mode here: the testnet test's candles are hours old, the paper test's clock runs
600 times faster than the network."""
runner = CliRunner()


def _plan() -> dict[int, list[Signal]]:
    return {
        2: [Signal(instrument_id=IID, side=OrderSide.BUY, size=0.002, size_mode=SizeMode.QUANTITY)],
        3: [
            Signal(
                instrument_id=IID,
                side=OrderSide.BUY,
                size=0.002,
                size_mode=SizeMode.QUANTITY,
                order_type=OrderType.LIMIT,
                price=40_000.0,
            )
        ],
    }


def _spec(mode: str, strategy: ScriptedStrategy, tmp_path: Path, **kw: Any) -> LiveSessionSpec:
    return LiveSessionSpec(
        venue="BINANCEUSDM",
        mode=mode,  # type: ignore[arg-type]
        symbol=SYMBOL,
        strategies=[strategy],
        params={},
        config=SessionConfig(cash=10_000.0, leverage=20.0, risk=RiskConfig.unlimited()),
        json_path=tmp_path / "live.json",
        report_path=tmp_path / "live.html",
        streams=False,
        quotes=False,
        bar_poll_s=0.01,
        tick_s=0.02,
        feed=FAST_FEED,
        max_events=6,
        install_signals=False,
        shutdown_timeout_s=3.0,
        **kw,
    )


def test_testnet_session_trades_through_the_gateway_and_shuts_down_cleanly(tmp_path: Path) -> None:
    fake = FakeBinance()
    config = CcxtVenueConfig(exchange="binanceusdm")  # testnet: Binance demo trading
    rest = build_exchange(config, private=False)
    data_session = fake.attach(rest)
    gateway = build_gateway(config, environ=KEYS["binanceusdm"])
    private = fake.attach(gateway.exchange)
    strategy = ScriptedStrategy(_plan())
    spec = _spec(
        "testnet",
        strategy,
        tmp_path,
        client=LiveClientConfig(poll_every_s=0.05, reconcile_every_s=0),
    )
    built: list[LiveSession] = []
    seen: list[object] = []

    def keep(session: LiveSession) -> None:
        built.append(session)
        metrics = EngineMetrics()
        metrics.attach(session.engine)
        seen.append(metrics)
        for kind in (MarketDataLag, VenueStatus):
            session.engine.bus.subscribe(kind, seen.append)

    async def go() -> Any:
        async with asyncio.timeout(8):
            return await run_live_session(
                spec, CcxtDataClient(rest, "BINANCEUSDM"), gateway, built=keep
            )

    outcome = asyncio.run(go())
    session = built[0]
    engine = session.engine

    # The market order left with our client order id, signed, and came back filled.
    market, limit = strategy.orders
    assert market is not None
    assert limit is not None
    sent = [r.params() for r in fake.created]
    assert [p["newClientOrderId"] for p in sent] == [
        market.client_order_id,
        limit.client_order_id,
    ]
    assert all("signature" in p for p in sent)
    assert all(r.headers.get("X-MBX-APIKEY") == "test-key" for r in fake.created)
    assert "demo" in fake.created[0].url  # --testnet on Binance USD-M is demo trading
    assert market.status is OrderStatus.FILLED
    fill = next(f for f in engine.orders.fills if f.client_order_id == market.client_order_id)
    assert fill.quantity == pytest.approx(0.002)
    assert fill.fee == pytest.approx(fill.price * 0.002 * 0.0004)
    # The portfolio: seeded by the start reconciliation (recorded 0.001 BTC position and
    # 23.72 USDT), then our fill on top.
    assert engine.portfolio.holding(IID) == pytest.approx(0.003)
    assert engine.portfolio.account.balance("USDT") == pytest.approx(23.72469206 - fill.fee)
    # Graceful shutdown canceled the working limit order at the venue.
    assert limit.status is OrderStatus.CANCELED
    assert [r.params()["origClientOrderId"] for r in fake.canceled] == [limit.client_order_id]
    assert fake.orders[limit.client_order_id]["status"] == "CANCELED"
    assert session.runner.stats.stopped_by == "limit"
    assert private.closed
    assert data_session.closed
    # Metrics: the feed's lag reached the gauge; the venue came up.
    metrics = seen[0]
    assert isinstance(metrics, EngineMetrics)
    lag = metrics.value("tradebot_market_data_lag_seconds", {"symbol": str(IID)})
    assert lag is not None
    assert lag > 60
    assert any(isinstance(m, VenueStatus) and m.up for m in seen)
    assert json.loads((tmp_path / "live.json").read_text())["extra"]["mode"] == "live-testnet"
    assert outcome.completed


def test_paper_on_live_data_fills_on_the_paper_venue_and_writes_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = FastClock(600.0)  # a minute candle closes every 0.1 s
    fake = FakeBinance(clock=clock)
    sessions = []
    real_build = venue_commands.build_exchange

    def build(config: Any, **kwargs: Any) -> Any:
        assert config.read_only  # paper on live data: public data, never keys
        if kwargs.get("pro"):
            return None  # no ccxt.pro here: the REST polling path
        exchange = real_build(config, **kwargs)
        sessions.append(fake.attach(exchange))
        return exchange

    monkeypatch.setattr(venue_commands, "build_exchange", build)
    for name in KEYS["binanceusdm"]:
        monkeypatch.delenv(name, raising=False)
    strategy = ScriptedStrategy(_plan())
    request = LiveRequest(
        [strategy],
        {},
        SessionConfig(cash=10_000.0, risk=RiskConfig.unlimited()),
        json_path=tmp_path / "paper.json",
        report_path=tmp_path / "paper.html",
        spec={
            "bar_poll_s": 0.01,
            "tick_s": 0.02,
            "feed": FAST_FEED,  # (600x time inflates every lag 600-fold)
            "quotes": False,
            "max_events": 6,
            "install_signals": False,
            "duration_s": 8.0,
            "clock": clock,
        },
    )

    outcome = run_venue(
        "binanceusdm",
        testnet=False,
        live=False,
        confirm_mainnet=False,
        symbol=SYMBOL,
        connect=lambda host, port, timeout: None,
        request=request,
    )

    assert outcome is not None
    market, limit = strategy.orders
    assert market is not None
    assert market.status is OrderStatus.FILLED
    assert limit is not None
    assert limit.status is OrderStatus.CANCELED
    assert not fake.created  # nothing reached the venue
    result = json.loads((tmp_path / "paper.json").read_text())
    assert result["extra"]["mode"] == "live-paper"
    assert result["open_positions"]
    assert (tmp_path / "paper.html").stat().st_size > 1000
    assert all(r.path in ("/fapi/v1/exchangeInfo", "/fapi/v1/klines") for r in sessions[0].requests)


def test_mainnet_without_the_yaml_confirmation_is_one_line_and_exit_2(tmp_path: Path) -> None:
    yml = tmp_path / "tradebot.yml"
    yml.write_text("venue: {confirm_mainnet: false}\nstrategies: {sma_cross: {}}\n")

    for extra in ([], ["--config", str(yml)]):
        result = runner.invoke(
            app,
            [
                "run",
                "--venue",
                "binanceusdm",
                "--live",
                "--confirm-mainnet",
                "--symbol",
                SYMBOL,
                *extra,
            ],
        )
        assert result.exit_code == 2
        lines = [line for line in result.output.splitlines() if line.strip()]
        assert len(lines) == 1, result.output
        assert "confirm_mainnet: true" in lines[0]


def test_mainnet_with_every_confirmation_reaches_the_preflight(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    yml = tmp_path / "tradebot.yml"
    yml.write_text(
        "venue: {confirm_mainnet: true}\nstrategies: {sma_cross: {}}\nmetrics: {enabled: false}\n"
    )
    for name in KEYS["binanceusdm"]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(venue_commands, "_tcp_connect", lambda host, port, timeout: None)

    result = runner.invoke(
        app,
        [
            "run",
            "--venue",
            "binanceusdm",
            "--live",
            "--confirm-mainnet",
            "--symbol",
            SYMBOL,
            "--config",
            str(yml),
        ],
    )

    assert result.exit_code == 2
    assert "TRADEBOT_BINANCEUSDM_API_KEY" in result.output  # the gate let it through to the keys


def test_paper_on_live_data_needs_a_symbol() -> None:
    result = runner.invoke(app, ["run", "--venue", "bybit"])

    assert result.exit_code == 2
    assert "--symbol" in result.output
