"""Every technical strategy runs from the command line on bundled real data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tradebot.app.cli import app
from tradebot.strategies import registry

runner = CliRunner()

NAMES = [
    "momentum",
    "mean_reversion",
    "scalping",
    "universal_macd",
    "multi_supertrend",
    "adx_sma",
    "bandtastic",
    "volatility_system",
    "ichimoku",
    "keltner",
    "rsi_bb_momentum",
]


@pytest.mark.parametrize("name", NAMES)
def test_backtest_runs_the_strategy_on_real_perpetual_data(tmp_path: Path, name: str) -> None:
    out = tmp_path / "r.json"

    result = runner.invoke(
        app,
        [
            "backtest",
            "--strategy", name,
            "--dataset", "bybit_btc_usdt_perp_1m",
            "--leverage", "2",
            "--json", str(out),
            "--report", str(tmp_path / "r.html"),
        ],
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    assert doc["strategy"] == name
    assert doc["extra"]["strategy_failures"] == []
    assert doc["metrics"]["number_of_trades"] > 0


def test_strategies_lists_every_strategy_with_its_parameters(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "250")
    result = runner.invoke(app, ["strategies"])

    assert result.exit_code == 0
    for name in NAMES:
        assert name in result.output
        for field, _, _ in registry.describe(registry.get(name)):
            assert field in result.output
