"""Hot reload: risk limits, strategy parameters and the active set change mid-run; an invalid
edit is rejected and the configuration in force stays; every reload is logged and audited."""

from __future__ import annotations

import itertools
import json
import os
import time
from pathlib import Path

import pytest

from tradebot.app.data_selection import select_data
from tradebot.app.logs import configure_logging
from tradebot.app.reload import ConfigReloader
from tradebot.app.runtime import Runtime
from tradebot.app.settings import load_settings
from tradebot.app.yaml_session import yaml_strategies
from tradebot.engine.config import SessionConfig
from tradebot.engine.runners import build_paper_engine
from tradebot.engine.trading_engine import TradingEngine
from tradebot.model.identifiers import StrategyId
from tradebot.storage import audit_log, open_database
from tradebot.strategies.technical.rsi_bb import RsiBbParams
from tradebot.strategies.technical.sma_cross import SmaCrossParams

BASE = """
risk:
  limits: {max_position: 0.25, max_daily_trades: 30}
logging: {dir: LOGDIR, console: "off"}
metrics: {port: 0}
strategies:
  sma_cross:
    params: {fast: 5, slow: 20}
"""


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.upper().startswith("TRADEBOT_"):
            monkeypatch.delenv(name)


def _engine(path: Path) -> tuple[TradingEngine, list]:  # type: ignore[type-arg]
    loaded = load_settings(path)
    data = select_data(data=None, dataset="bybit_btc_usdt_perp_1m", symbol=None, timeframe=None)
    config = SessionConfig(risk=loaded.risk, venue=loaded.venue)
    strategies, _, config = yaml_strategies(loaded, config)
    engine = build_paper_engine(data.instruments, strategies, config)
    return engine, list(data.source)


def test_edits_apply_without_restart_and_a_bad_edit_keeps_the_old_config(tmp_path: Path) -> None:
    path = tmp_path / "bot.yml"
    path.write_text(BASE.replace("LOGDIR", str(tmp_path / "logs")))
    db = open_database(f"sqlite:///{tmp_path / 'audit.db'}")
    logs = configure_logging(tmp_path / "logs", console="off")
    try:
        engine, events = _engine(path)
        reloader = ConfigReloader(load_settings(path), engine, db=db)
        engine.start()
        half = len(events) // 2
        for event in events[:half]:
            engine.on_event(event)
        sma = engine._by_id[StrategyId("sma_cross")]

        # 1. limits, params and a new strategy, all at once
        path.write_text(
            BASE.replace("LOGDIR", str(tmp_path / "logs"))
            .replace("max_position: 0.25", "max_position: 0.1")
            .replace("{fast: 5, slow: 20}", "{fast: 8, slow: 21}")
            + "  mr:\n    strategy: rsi_bb\n    params: {rsi_period: 7}\n"
        )
        applied = reloader.reload()
        assert applied.applied, applied
        assert engine.risk.limits.max_position == 0.1
        assert engine.risk.breakers.limits.max_position == 0.1
        assert engine._by_id[StrategyId("sma_cross")] is sma
        assert sma.params == SmaCrossParams(fast=8, slow=21)
        assert engine._by_id[StrategyId("mr")].params == RsiBbParams(rsi_period=7)
        assert "risk.limits.max_position: 0.25 -> 0.1" in applied.changes

        # 2. an invalid edit: rejected, nothing changes
        in_force = reloader.current
        path.write_text(path.read_text().replace("max_position: 0.1", "max_position: -3"))
        rejected = reloader.reload()
        assert not rejected.applied
        assert rejected.error is not None
        assert "risk.limits.max_position = -3 is not allowed" in rejected.error
        assert reloader.current is in_force
        assert engine.risk.limits.max_position == 0.1
        assert set(engine._by_id) == {"sma_cross", "mr"}
        for event in events[half : half + 120]:
            engine.on_event(event)

        # 3. remove a strategy from the active set (disable it)
        path.write_text(
            path.read_text()
            .replace("max_position: -3", "max_position: 0.1")
            .replace("  mr:\n", "  mr:\n    enabled: false\n")
        )
        removed = reloader.reload()
        assert removed.applied
        assert set(engine._by_id) == {"sma_cross"}
        removed_at = engine.clock.now_ns()
        for event in events[half + 120 :]:
            engine.on_event(event)  # the engine keeps running on the new configuration
        engine.stop()
        late = [
            r
            for r in engine.signals
            if r.signal.strategy_id == "mr"
            and r.signal.ts_event > removed_at
            and r.signal.tag != "manual"
        ]
        assert late == []
    finally:
        logs.close()

    entries = list(reversed(audit_log(db)))
    db.close()
    assert [(e.command, e.ok) for e in entries] == [
        ("config_reload", True),
        ("config_reload", False),
        ("config_reload", True),
    ]
    assert entries[0].arguments["path"] == str(path)
    assert "risk.limits.max_position: 0.25 -> 0.1" in entries[0].arguments["changes"]
    assert entries[1].result.startswith("rejected: ")
    assert "max_position = -3" in entries[1].result
    lines = [json.loads(x) for x in (tmp_path / "logs" / "tradebot.log").read_text().splitlines()]
    events_logged = [x["event"] for x in lines if x.get("logger") == "tradebot.config"]
    assert events_logged.count("configuration reloaded") == 2
    assert (
        events_logged.count("configuration reload rejected; the configuration in force stays") == 1
    )
    errors = (tmp_path / "logs" / "errors.log").read_text()
    assert "max_position = -3" in errors


def test_the_risk_engine_refuses_invalid_limits_and_keeps_the_old(tmp_path: Path) -> None:
    path = tmp_path / "bot.yml"
    path.write_text(BASE.replace("LOGDIR", str(tmp_path)))
    engine, _ = _engine(path)
    before = engine.risk.limits
    from tradebot.risk.limits import RiskLimits

    with pytest.raises(ValueError, match="drawdown_close_only"):
        engine.risk.update_limits(RiskLimits(drawdown_close_only=0.5, drawdown_pause=0.2))
    assert engine.risk.limits is before


def test_the_runtime_watches_the_file_and_applies_a_change_on_the_engine_thread(
    tmp_path: Path,
) -> None:
    path = tmp_path / "bot.yml"
    path.write_text(BASE.replace("LOGDIR", str(tmp_path / "logs")))
    engine, events = _engine(path)
    runtime = Runtime(load_settings(path), serve=False, watch=True)
    try:
        runtime.attach(engine, events[0].ts_event)
        engine.start()
        on_event = runtime.observer()(engine, engine.bus)
        feed = itertools.cycle(events[:10])
        first = next(feed)
        engine.on_event(first)
        on_event(first)
        time.sleep(0.3)  # let the watcher start
        path.write_text(path.read_text().replace("max_position: 0.25", "max_position: 0.15"))
        deadline = time.monotonic() + 15
        while engine.risk.limits.max_position != 0.15 and time.monotonic() < deadline:
            on_event(first)  # the engine thread drains the queued reload between events
            time.sleep(0.05)
        assert engine.risk.limits.max_position == 0.15
        assert runtime.metrics is not None
        assert runtime.metrics.value("tradebot_config_reloads_total", {"outcome": "applied"}) == 1
    finally:
        runtime.close()
