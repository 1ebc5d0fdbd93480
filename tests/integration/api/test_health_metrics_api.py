"""/metrics, /healthz and /readyz read over real HTTP on loopback after a short paper run on
bundled data; expected values are counted independently of the metrics code."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tradebot.app.data_selection import select_data
from tradebot.app.runtime import Runtime
from tradebot.app.session import run_paper_session
from tradebot.app.settings import load_settings
from tradebot.app.yaml_session import yaml_strategies
from tradebot.engine.config import SessionConfig
from tradebot.engine.trading_engine import TradingEngine
from tradebot.execution.venue_health import VenueError, VenueStatus
from tradebot.model.data import Bar, FundingRate
from tradebot.model.events import OrderFilled, OrderUpdated
from tradebot.strategies.base import Strategy

CONFIG = """
logging: {dir: LOGDIR, console: "off"}
metrics: {port: 0, stale_after_seconds: 30}
scheduler: {heartbeat_seconds: 600}
strategies:
  sma_cross:
    params: {fast: 5, slow: 20}
"""


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.upper().startswith("TRADEBOT_"):
            monkeypatch.delenv(name)


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[s.name, tuple(sorted(s.labels.items()))] = s.value
    return out


def test_metrics_health_and_readiness_after_a_paper_run(tmp_path: Path) -> None:
    path = tmp_path / "bot.yml"
    path.write_text(CONFIG.replace("LOGDIR", str(tmp_path / "logs")))
    loaded = load_settings(path)
    data = select_data(data=None, dataset="bybit_btc_usdt_perp_1m", symbol=None, timeframe=None)
    strategies, params, config = yaml_strategies(
        loaded, SessionConfig(risk=loaded.risk, venue=loaded.venue)
    )
    seen: dict[str, Any] = {"fills": [], "updates": []}
    events = list(data.source)
    last_price_ts = max(e.ts_event for e in events if type(e) is not FundingRate)

    runtime = Runtime(loaded, serve=True, watch=False)
    try:

        def attach(engine: TradingEngine) -> None:
            runtime.attach(engine, data.source.start_ns)
            seen["engine"] = engine
            engine.bus.subscribe(OrderFilled, seen["fills"].append)
            engine.bus.subscribe(OrderUpdated, seen["updates"].append)

        outcome = run_paper_session(
            data,
            strategies,
            params,
            config,
            speed=0,
            json_path=None,
            report_path=None,
            observe=runtime.observer(),
            attach=attach,
        )
        runtime.finish()
        engine: TradingEngine = seen["engine"]
        assert runtime.server is not None
        base = runtime.server.url
        assert base.startswith("http://127.0.0.1:")
        with httpx.Client(base_url=base, timeout=10) as client:
            metrics = client.get("/metrics")
            health = client.get("/healthz")
            at_end = client.get("/readyz")  # the last price is older than the last funding
            end = engine.clock.now
            engine.clock.now = last_price_ts
            ready = client.get("/readyz")
            engine.clock.now += 120 * 10**9  # two minutes pass without data
            stale = client.get("/readyz")
            engine.clock.now = last_price_ts
            engine.bus.publish(VenueStatus("PAPER", False, "socket closed", engine.clock.now))
            engine.bus.publish(VenueError("PAPER", "network", "connection reset", 0))
            down = client.get("/readyz")
            after = _samples(client.get("/metrics").text)
    finally:
        runtime.close()

    assert metrics.status_code == 200
    assert metrics.headers["content-type"].startswith("text/plain")
    values = _samples(metrics.text)
    fills = seen["fills"]
    assert len(fills) > 5
    assert values["tradebot_fills_total", ()] == len(fills)
    trade_lines = [
        json.loads(x) for x in (tmp_path / "logs" / "trades.log").read_text().splitlines()
    ]
    assert sum(1 for x in trade_lines if x["event"] == "fill") == len(fills)
    assert values["tradebot_equity", ()] == pytest.approx(engine.equity(), rel=1e-12)
    assert values["tradebot_equity", ()] == pytest.approx(outcome.result.final_equity, rel=1e-9)
    assert values["tradebot_pnl", (("period", "total"),)] == pytest.approx(
        engine.equity() - config.cash, abs=1e-6
    )
    held = sum(1 for iid in engine.portfolio.instruments if abs(engine.holding(iid)) > 1e-12)
    assert values["tradebot_open_positions", ()] == held
    for status in {str(u.status) for u in seen["updates"]}:
        expected = sum(1 for u in seen["updates"] if str(u.status) == status)
        assert values["tradebot_orders_total", (("state", status),)] == expected
    for rule, count in engine.risk.denials.items():
        assert values["tradebot_risk_rejects_total", (("rule", rule),)] == count
    bars = sum(1 for e in events if type(e) is Bar)
    on_fill = type(strategies[0]).on_fill is not Strategy.on_fill
    decisions = bars + (len(fills) if on_fill else 0)
    assert (
        values["tradebot_strategy_decision_seconds_count", (("strategy", "sma_cross"),)]
        == decisions
    )
    symbol = str(data.instruments[0].id)
    lag = (events[-1].ts_event - last_price_ts) / 1e9
    assert lag > 60
    assert values["tradebot_market_data_lag_seconds", (("symbol", symbol),)] == lag
    assert end == events[-1].ts_event
    assert at_end.status_code == 503
    bar_seconds = next((e.ts_event - e.ts_open) for e in events if type(e) is Bar) / 1e9
    limit = 30 + bar_seconds  # metrics.stale_after_seconds beyond the bar interval
    assert at_end.json()["reasons"] == [
        f"market data for {symbol} is {lag:.1f} s old (limit {limit:g} s)"
    ]
    assert values["tradebot_scheduler_job_runs_total", (("job", "daily_reset"),)] == 1
    assert ("tradebot_event_loop_lag_seconds", ()) in values

    assert health.status_code == 200
    assert health.json() == {"status": "ok", "reasons": []}
    assert ready.status_code == 200, ready.json()
    assert ready.json() == {"ready": True, "reasons": []}
    assert stale.status_code == 503
    assert stale.json()["ready"] is False
    assert stale.json()["reasons"] == [
        f"market data for {symbol} is 120.0 s old (limit {limit:g} s)"
    ]
    assert down.status_code == 503
    assert down.json()["reasons"] == ["venue PAPER is down: socket closed"]
    assert (
        after["tradebot_exchange_api_errors_total", (("kind", "network"), ("venue", "PAPER"))] == 1
    )
    assert after["tradebot_venue_up", (("venue", "PAPER"),)] == 0


def test_readiness_is_false_before_any_data() -> None:
    from prometheus_client import CollectorRegistry

    from tradebot.api.health import HealthServer, HealthState, create_app

    state = HealthState(lambda: 0)
    server = HealthServer(create_app(CollectorRegistry(), state)).start()
    try:
        answer = httpx.get(f"{server.url}/readyz", timeout=10)
    finally:
        server.stop()
    assert answer.status_code == 503
    assert answer.json() == {"ready": False, "reasons": ["no market data yet"]}
