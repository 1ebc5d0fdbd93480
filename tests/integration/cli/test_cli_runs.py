"""The command line end to end on the bundled data and on user files."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from tradebot.app.cli import app
from tradebot.venues.files.catalog import bundled_path

runner = CliRunner()


def test_default_backtest_writes_json_and_html(tmp_path: Path) -> None:
    out_json, out_html = tmp_path / "r.json", tmp_path / "r.html"

    result = runner.invoke(app, ["backtest", "--json", str(out_json), "--report", str(out_html)])

    assert result.exit_code == 0, result.output
    doc = json.loads(out_json.read_text())
    assert doc["strategy"] == "sma_cross"
    assert doc["metrics"]["number_of_trades"] == len(doc["trades"]) > 0
    for trade in doc["trades"]:
        assert set(trade) >= {
            "entry_time",
            "exit_time",
            "side",
            "quantity",
            "entry_price",
            "exit_price",
            "pnl",
        }
        assert trade["entry_time"].endswith("Z")
        assert trade["entry_time"] <= trade["exit_time"]
    html = out_html.read_text()
    assert "data:image/png;base64," in html
    assert "http://" not in html
    assert "https://" not in html


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".feather"])
def test_backtest_on_user_file_in_each_format(tmp_path: Path, suffix: str) -> None:
    raw = pd.read_csv(bundled_path("bybit_spot_BTCUSDT_1m_trade_20221213_lean.csv"))
    path = tmp_path / f"bybit_BTCUSDT_1m{suffix}"
    if suffix == ".csv":
        raw.to_csv(path, index=False)
    elif suffix == ".parquet":
        raw.to_parquet(path)
    else:
        raw.to_feather(path)
    out_json = tmp_path / "r.json"

    result = runner.invoke(
        app,
        [
            "backtest",
            "--data",
            str(path),
            "--timeframe",
            "5m",
            "--param",
            "fast=3",
            "--param",
            "slow=8",
            "--fee",
            "0.001",
            "--slippage",
            "0",
            "--json",
            str(out_json),
            "--report",
            str(tmp_path / "r.html"),
        ],
    )

    assert result.exit_code == 0, result.output
    doc = json.loads(out_json.read_text())
    assert doc["currency"] == "USDT"
    assert doc["extra"]["taker_fee"] == 0.001
    assert doc["metrics"]["number_of_trades"] > 0


def test_paper_run_replays_bundled_data_and_reports(tmp_path: Path) -> None:
    out_json = tmp_path / "p.json"

    result = runner.invoke(
        app, ["run", "--speed", "0", "--json", str(out_json), "--report", str(tmp_path / "p.html")]
    )

    assert result.exit_code == 0, result.output
    assert "FILL" in result.output
    doc = json.loads(out_json.read_text())
    assert doc["extra"]["mode"] == "paper"
    assert doc["extra"]["completed"] is True
    assert "USDT" in doc["extra"]["funding"]


def test_strategies_lists_parameters_and_defaults() -> None:
    result = runner.invoke(app, ["strategies"])

    assert result.exit_code == 0
    for word in ("sma_cross", "fast", "10", "rsi_bb", "oversold"):
        assert word in result.output


def test_symbol_picks_one_instrument_of_a_bundled_dataset(tmp_path: Path) -> None:
    out_json = tmp_path / "r.json"

    result = runner.invoke(
        app,
        [
            "backtest",
            "--dataset",
            "binance_btc_eth_1m",
            "--symbol",
            "ETH/USDT",
            "--param",
            "fast=3",
            "--param",
            "slow=8",
            "--json",
            str(out_json),
            "--report",
            str(tmp_path / "r.html"),
        ],
    )

    assert result.exit_code == 0, result.output
    doc = json.loads(out_json.read_text())
    assert doc["extra"]["instruments"] == ["ETH/USDT@BINANCE"]
    assert {t["instrument"] for t in doc["trades"]} == {"ETH/USDT@BINANCE"}
