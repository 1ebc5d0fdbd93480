"""``tradebot backtest --strategy covered_call --preset …`` and ``tradebot export-training`` on
the bundled ETH/USD daily candles; user mistakes give one line and exit status 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tradebot.app.cli import app

runner = CliRunner()
ETH = ["--dataset", "eth_usd_1d"]


def _reports(tmp_path: Path) -> list[str]:
    return ["--json", str(tmp_path / "r.json"), "--report", str(tmp_path / "r.html")]


def test_backtest_with_a_preset_reports_every_call_sold(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "backtest",
            "--strategy",
            "covered_call",
            "--preset",
            "BALANCED",
            *ETH,
            "--param",
            "asset=ETH",
            *_reports(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["params"]["preset"] == "BALANCED"
    assert report["params"]["delta_max"] == 0.30
    trades = report["trades"]
    assert len(trades) > 100
    assert {t["exit_tag"] for t in trades} <= {"take_profit", "roll", "expiry"}
    assert all(t["side"] == "short" and ":ETH-" in t["instrument"] for t in trades)
    # The coin bought at the start is still held under the last call.
    assert any(k.startswith("ETH/USD@") for k in report["open_positions"])
    assert report["metrics"]["max_drawdown"] is not None
    assert (tmp_path / "r.html").exists()


def test_export_training_writes_the_csv_and_both_jsonl_files(tmp_path: Path) -> None:
    out = tmp_path / "data"
    result = runner.invoke(
        app, ["export-training", *ETH, "--out", str(out), "--prefix", "eth", *_reports(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    csv_path = out / "eth.csv"
    header = csv_path.read_text().splitlines()[0].split(",")
    assert header[:4] == ["decision_id", "strategy_id", "preset", "decision_time"]
    for name in ("eth_per_candidate.jsonl", "eth_per_decision_ranking.jsonl"):
        lines = (out / name).read_text().splitlines()
        assert lines
        record = json.loads(lines[0])
        assert [m["role"] for m in record["messages"]] == ["system", "user", "assistant"]
    # --from-csv rebuilds the same JSONL from the CSV alone.
    again = tmp_path / "again"
    result = runner.invoke(
        app, ["export-training", "--from-csv", str(csv_path), "--out", str(again)]
    )
    assert result.exit_code == 0, result.output
    for name in ("eth_per_candidate.jsonl", "eth_per_decision_ranking.jsonl"):
        assert (again / name).read_bytes() == (out / name).read_bytes()


def test_training_mode_shows_pnl_per_profile(tmp_path: Path) -> None:
    out = tmp_path / "data"
    result = runner.invoke(
        app, ["export-training", *ETH, "--training-mode", "--out", str(out), *_reports(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    for profile in ("conservative", "moderate", "aggressive"):
        assert f"covered_call_{profile}" in result.output
    report = json.loads((tmp_path / "r.json").read_text())
    assert [s["strategy_id"] for s in report["strategies"]] == [
        "covered_call_conservative",
        "covered_call_moderate",
        "covered_call_aggressive",
    ]
    rows = (out / "training_candidates_ETH_training.csv").read_text().splitlines()[1:]
    assert {r.split(",")[1] for r in rows} == {
        "covered_call_conservative",
        "covered_call_moderate",
        "covered_call_aggressive",
    }


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["backtest", "--strategy", "covered_call", "--preset", "SAFE"],
            "--preset was 'SAFE'; it must be one of ULTRA_SAFE, BALANCED, AGGRESSIVE, CUSTOM",
        ),
        (
            [
                "backtest",
                "--strategy",
                "covered_call",
                "--preset",
                "ULTRA_SAFE",
                "--param",
                "delta_max=0.5",
            ],
            "--preset ULTRA_SAFE is a fixed set; use --preset CUSTOM",
        ),
        (
            [
                "backtest",
                "--strategy",
                "covered_call",
                "--preset",
                "CUSTOM",
                "--param",
                "delta_max=2",
            ],
            "parameter 'delta_max' was 2.0; it must be in (0, 1]",
        ),
        (
            ["backtest", "--strategy", "sma_cross", "--preset", "BALANCED"],
            "--preset applies to the covered_call strategy",
        ),
        (
            ["backtest", "--strategy", "covered_call", *ETH, "--param", "asset=BTC"],
            "a strategy trades BTC options but the data has no BTC instrument",
        ),
        (
            ["export-training", "--exit-style", "late"],
            "--exit-style was 'late'; it must be one of tp_and_roll, hold_to_expiry",
        ),
        (["export-training", "--preset", "NOPE"], "--preset was 'NOPE'"),
        (
            ["export-training", "--training-mode", "--param", "take_profit=0.5"],
            "--training-mode runs fixed profiles; it takes no --param",
        ),
        (["export-training", "--cash", "-5"], "--cash was -5.0; it must be a number greater"),
        (["export-training", "--prefix", "a/b"], "--prefix was 'a/b'"),
        (["export-training", "--from-csv", "missing.csv"], "--from-csv missing.csv: no such file"),
    ],
)
def test_mistakes_give_one_line_and_status_2(
    tmp_path: Path, args: list[str], expected: str
) -> None:
    out = tmp_path / "out"
    extra = ["--out", str(out)] if args[0] == "export-training" else []
    result = runner.invoke(app, [*args, *extra, *_reports(tmp_path)])
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert expected in text
    assert len(result.output.strip().splitlines()) <= 3  # one message, wrapped at most
    assert not (tmp_path / "r.json").exists()
    assert not out.exists()


def test_from_csv_that_is_not_a_dataset_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    result = runner.invoke(
        app, ["export-training", "--from-csv", str(bad), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2
    assert "not a candidate dataset, it lacks the column(s) decision_id" in " ".join(
        result.output.split()
    )
    assert not (tmp_path / "o").exists()
