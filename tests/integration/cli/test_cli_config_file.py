"""``--config FILE``: risk limits, sizing, manager and venue settings from TOML; the JSON risk
section shows what the risk manager did."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tradebot.app.cli import app

runner = CliRunner()


def _run(tmp_path: Path, *args: str) -> tuple[int, str, Path]:
    out = tmp_path / "r.json"
    result = runner.invoke(
        app, ["backtest", *args, "--json", str(out), "--report", str(tmp_path / "r.html")]
    )
    return result.exit_code, result.output, out


def test_default_limits_resize_an_all_in_strategy_and_the_report_says_so(tmp_path: Path) -> None:
    code, output, out = _run(tmp_path)

    assert code == 0, output
    doc = json.loads(out.read_text())
    assert doc["risk"]["resizes"]["max_position"] > 0
    # Every entry is at most 20 % of the equity at the time (checked on the first trade).
    first = doc["trades"][0]
    assert first["quantity"] * first["entry_price"] <= 0.2 * doc["initial_equity"] * 1.001
    assert "Risk" in (tmp_path / "r.html").read_text()


def test_a_config_file_overrides_limits_and_sizing(tmp_path: Path) -> None:
    config = tmp_path / "bot.toml"
    config.write_text(
        """
[risk.limits]
max_position = 0.05
min_position = 0.001

[risk.sizing."*"]
method = "confidence"
max_fraction = 0.05
min_confidence = 0.0

[venue]
taker_fee = 0.0
maker_fee = 0.0
slippage = 0.0
"""
    )

    code, output, out = _run(tmp_path, "--config", str(config))

    assert code == 0, output
    doc = json.loads(out.read_text())
    assert doc["extra"]["taker_fee"] == 0.0
    assert doc["metrics"]["total_fees"] == 0.0
    first = doc["trades"][0]
    assert first["quantity"] * first["entry_price"] <= 0.05 * doc["initial_equity"] * 1.001


def test_flags_given_on_the_command_line_win_over_the_file(tmp_path: Path) -> None:
    config = tmp_path / "bot.toml"
    config.write_text("[venue]\ntaker_fee = 0.0\nmaker_fee = 0.0\n")

    code, output, out = _run(tmp_path, "--config", str(config), "--fee", "0.001")

    assert code == 0, output
    assert json.loads(out.read_text())["extra"]["taker_fee"] == 0.001


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[risk.limits]\nmax_positon = 0.1\n", "max_positon"),
        ("[risk.limits]\nmax_position = 'big'\n", "$.risk.limits.max_position"),
        ("[risk.limits]\ndrawdown_close_only = 0.3\ndrawdown_pause = 0.2\n", "drawdown_close_only"),
        ("[risk.sizing.momentum]\nmethod = 'kelly'\n", "'kelly'"),
        ("[manager]\nmin_confidence = 3\n", "min_confidence"),
        ("[risk\nbroken", "bot.toml"),
    ],
)
def test_a_bad_config_file_names_the_setting_and_writes_nothing(
    tmp_path: Path, text: str, expected: str
) -> None:
    config = tmp_path / "bot.toml"
    config.write_text(text)

    code, output, out = _run(tmp_path, "--config", str(config))

    assert code == 2
    assert expected in output
    assert not out.exists()


def test_a_missing_config_file_is_named(tmp_path: Path) -> None:
    code, output, out = _run(tmp_path, "--config", str(tmp_path / "nope.toml"))

    assert code == 2
    assert "nope.toml" in output
    assert not out.exists()
