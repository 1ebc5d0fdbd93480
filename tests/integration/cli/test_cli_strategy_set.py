"""``--strategy a,b``: a managed set end to end, with P&L broken down per strategy."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from tradebot.app.cli import app
from tradebot.backtest.report_json import SCHEMA_FILE
from tradebot.venues.files.catalog import open_dataset
from tradebot.venues.files.frames import BarFrame

runner = CliRunner()


def test_a_strategy_set_reports_pnl_per_strategy(tmp_path: Path) -> None:
    out_json, out_html = tmp_path / "r.json", tmp_path / "r.html"

    result = runner.invoke(
        app,
        [
            "backtest",
            "--strategy", "sma_cross,rsi_bb",
            "--param", "sma_cross.fast=5",
            "--weight", "sma_cross=3",
            "--json", str(out_json),
            "--report", str(out_html),
        ],
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    doc = json.loads(out_json.read_text())
    jsonschema.validate(doc, json.loads(SCHEMA_FILE.read_text()))
    assert doc["strategy"] == "sma_cross,rsi_bb"
    assert doc["params"]["sma_cross"]["fast"] == 5
    rows = {r["strategy_id"]: r for r in doc["strategies"]}
    assert set(rows) == {"sma_cross", "rsi_bb"}
    assert rows["sma_cross"]["trades"] > 0
    assert sum(r["net_pnl"] for r in rows.values()) == pytest.approx(
        doc["final_equity"] - doc["initial_equity"], abs=1e-6
    )
    assert {t["strategy"] for t in doc["trades"]} <= set(rows)
    assert doc["extra"]["weights"] == pytest.approx({"sma_cross": 0.75, "rsi_bb": 0.25})
    assert "P&amp;L by strategy" in out_html.read_text()


def test_a_single_strategy_has_one_breakdown_row(tmp_path: Path) -> None:
    out_json = tmp_path / "r.json"

    result = runner.invoke(
        app, ["backtest", "--json", str(out_json), "--report", str(tmp_path / "r.html")]
    )

    assert result.exit_code == 0, result.output
    doc = json.loads(out_json.read_text())
    (row,) = doc["strategies"]
    assert row["strategy_id"] == "sma_cross"
    assert row["trades"] == len(doc["trades"])


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--strategy", "sma_cross,rsi_bb", "--param", "fast=5"], "sma_cross.fast=5"),
        (["--strategy", "sma_cross,rsi_bb", "--param", "nope.fast=5"], "'nope' is not one of"),
        (["--strategy", "sma_cross,rsi_bb", "--weight", "x=2"], "'x' is not one of"),
        (["--strategy", "sma_cross,rsi_bb", "--weight", "rsi_bb=-1"], "must be 0 or more"),
        (["--strategy", "sma_cross,sma_cross"], "twice"),
        (["--strategy", "sma_cross,"], "empty name"),
        (["--strategy", "sma_cross", "--weight", "sma_cross=2"], "several strategies"),
        (["--strategy", "sma_cross,rsi_bb", "--min-confidence", "2"], "min_confidence"),
    ],
)
def test_strategy_set_mistakes_give_one_line_and_exit_2(
    tmp_path: Path, args: list[str], expected: str
) -> None:
    out_json = tmp_path / "r.json"

    result = runner.invoke(
        app, ["backtest", *args, "--json", str(out_json), "--report", str(tmp_path / "r.html")]
    )

    assert result.exit_code == 2
    assert expected in result.output
    assert not out_json.exists()


def test_a_regime_switched_set_on_real_data_adds_up(tmp_path: Path) -> None:
    out_json = tmp_path / "r.json"

    result = runner.invoke(
        app,
        [
            "backtest",
            "--strategy", "momentum,mean_reversion,keltner",
            "--dataset", "bybit_btc_usdt_perp_1m",
            "--leverage", "3",
            "--json", str(out_json),
            "--report", str(tmp_path / "r.html"),
        ],
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    doc = json.loads(out_json.read_text())
    regimes = doc["extra"]["regime_bars"]["BTC/USDT:USDT@BYBIT"]
    bars = next(f for f in open_dataset("bybit_btc_usdt_perp_1m").frames if isinstance(f, BarFrame))
    assert sum(regimes.values()) == len(bars.close)  # every bar of the data is classified
    assert set(regimes) <= {"warming_up", "trending", "ranging", "high_volatility"}
    assert doc["extra"]["manager_dropped_signals"].get("REGIME_OFF", 0) > 0
    assert sum(r["net_pnl"] for r in doc["strategies"]) == pytest.approx(
        doc["final_equity"] - doc["initial_equity"], abs=1e-6
    )
    assert doc["extra"]["strategy_failures"] == []
