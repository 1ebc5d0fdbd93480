"""An options strategy left at its default asset trades the options of the data's underlying;
an asset given with --param is kept, and a mismatch is one clear error."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tradebot.app.cli import app

runner = CliRunner()


def _backtest(tmp_path: Path, *extra: str) -> tuple[int, str, Path]:
    out = tmp_path / "bt.json"
    result = runner.invoke(
        app,
        ["backtest", "--strategy", "momentum_option", "--dataset", "eth_usd_1d",
         "--json", str(out), "--report", str(tmp_path / "bt.html"), *extra],
    )  # fmt: skip
    return result.exit_code, result.output, out


def test_default_asset_follows_the_data(tmp_path: Path) -> None:
    code, output, out = _backtest(tmp_path)
    assert code == 0, output
    doc = json.loads(out.read_text())
    assert doc["params"]["asset"] == "ETH"
    options = [t for t in doc["trades"] if ":ETH-" in t["instrument"]]
    assert options
    assert not [t for t in doc["trades"] if ":BTC-" in t["instrument"]]


def test_an_explicit_asset_is_kept_and_a_mismatch_is_one_line(tmp_path: Path) -> None:
    code, output, out = _backtest(tmp_path, "--param", "asset=BTC")
    assert code == 2
    assert "trades BTC options but the data has no BTC instrument" in output
    assert len(output.strip().splitlines()) == 1
    assert not out.exists()
