"""``tradebot backtest --config bot.yml``: the YAML file's strategies, limits and venue are used;
flags given explicitly win; a bad value is one line naming key, value and what is allowed."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tradebot.app.cli import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.upper().startswith("TRADEBOT_"):
            monkeypatch.delenv(name)


def _config(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "bot.yml"
    path.write_text(f'logging: {{dir: "{tmp_path / "logs"}", console: "off"}}\n{body}')
    return path


def _backtest(tmp_path: Path, *args: str) -> tuple[int, str, Path]:
    out = tmp_path / "r.json"
    result = runner.invoke(
        app,
        [
            "backtest",
            "--dataset",
            "bybit_btc_usdt_perp_1m",
            *args,
            "--json",
            str(out),
            "--report",
            str(tmp_path / "r.html"),
        ],
    )
    return result.exit_code, result.output, out


def test_the_yaml_strategies_limits_and_venue_drive_the_backtest(tmp_path: Path) -> None:
    path = _config(
        tmp_path,
        "risk: {limits: {max_daily_trades: 3}}\nvenue: {taker_fee: 0.001}\n"
        "strategies:\n  sma_cross: {params: {fast: 5, slow: 20}}\n",
    )
    code, output, out = _backtest(tmp_path, "--config", str(path))
    assert code == 0, output
    doc = json.loads(out.read_text())
    assert doc["strategy"] == "sma_cross"
    assert doc["params"] == {"fast": 5, "slow": 20, "size": 1.0, "long_only": True}
    assert doc["extra"]["taker_fee"] == 0.001
    entries = [t for t in doc["trades"]]
    assert len(entries) <= 3  # three opening orders a day at most
    assert doc["risk"]["rejections"].get("MAX_DAILY_TRADES", 0) > 0
    assert (tmp_path / "logs" / "tradebot.log").read_text().count("daily P&L reset") == 1


def test_an_explicit_strategy_flag_wins_over_the_file(tmp_path: Path) -> None:
    path = _config(tmp_path, "strategies:\n  sma_cross: {params: {fast: 5, slow: 20}}\n")
    code, output, out = _backtest(tmp_path, "--config", str(path), "--strategy", "rsi_bb")
    assert code == 0, output
    assert json.loads(out.read_text())["strategy"] == "rsi_bb"


def test_a_bad_yaml_value_is_one_line_and_exit_2(tmp_path: Path) -> None:
    path = _config(tmp_path, "risk: {limits: {max_leverage: 0}}\n")
    code, output, out = _backtest(tmp_path, "--config", str(path))
    assert code == 2
    text = " ".join(output.split())
    assert "risk.limits.max_leverage = 0 is not allowed: Input should be greater than 0" in text
    assert not out.exists()
