"""``tradebot calibrate``: outputs written on the real snapshot, one-line errors otherwise."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tradebot.app.cli import app
from tradebot.options.synthetic.params_file import read_iv_model

RESOURCES = Path(__file__).resolve().parents[1] / "resources"
SNAPSHOT = RESOURCES / "deribit_BTC_option_chain_20200514_schepal.csv"
TICKERS = RESOURCES / "deribit_ws_tickers_last_20210722.jsonl"
OUTPUTS = ("calibration.csv", "calibration.json", "calibration_smile.png", "iv_params.json")

runner = CliRunner()


def _calibrate(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["calibrate", *args])
    return result.exit_code, result.output


def test_calibrate_on_the_real_snapshot_writes_table_plot_and_parameters(tmp_path: Path) -> None:
    out = tmp_path / "cal"
    code, text = _calibrate("--snapshot", str(SNAPSHOT), "--out", str(out))
    assert code == 0, text
    for name in OUTPUTS:
        assert (out / name).stat().st_size > 0
    assert (out / "calibration_smile.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with (out / "calibration.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    overall = {r["stage"]: r for r in rows if r["group"] == "all"}
    assert float(overall["after"]["mae_vol"]) < float(overall["before"]["mae_vol"])
    assert float(overall["after"]["mae_usd"]) < float(overall["before"]["mae_usd"])
    assert {r["group"] for r in rows} == {"all", "moneyness", "expiry"}
    doc = json.loads((out / "calibration.json").read_text())
    assert doc["asset"] == "BTC"
    assert doc["contracts"] == int(overall["before"]["n"])
    assert doc["after"]["iv_multiplier"] == read_iv_model(out / "iv_params.json").multiplier
    assert "fitted: iv_multiplier" in text


def test_fitted_file_feeds_a_backtest(tmp_path: Path) -> None:
    params = tmp_path / "p.json"
    code, text = _calibrate(
        "--snapshot", str(TICKERS), "--out", str(tmp_path / "c"), "--params", str(params)
    )
    assert code == 0, text
    model = read_iv_model(params)
    assert model.multiplier > 0


def _assert_nothing_written(out: Path) -> None:
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda d: d / "missing.csv", "missing.csv: no such file"),
        (lambda d: _write(d / "cols.csv", "a,b\n1,2\n"), "missing column(s) instrument_name"),
        (lambda d: _write(d / "t.jsonl", '{"a": 1}\n'), "holds no Deribit option ticker"),
    ],
)
def test_bad_snapshot_is_one_line_and_exit_2(tmp_path: Path, make, expected: str) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out"
    code, text = _calibrate("--snapshot", str(make(tmp_path)), "--out", str(out))
    assert code == 2
    assert expected in text
    assert len(text.strip().splitlines()) == 1
    _assert_nothing_written(out)


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_no_candles_before_the_snapshot(tmp_path: Path) -> None:
    candles = tmp_path / "BTCUSD_4h.csv"
    rows = ["time_utc,open,high,low,close,volume"]
    rows += [
        f"2021-01-{d:02d} {h:02d}:00:00,1,1,1,1,1"
        for d in range(1, 11)
        for h in (0, 4, 8, 12, 16, 20)
    ]
    candles.write_text("\n".join(rows) + "\n")
    out = tmp_path / "out"
    code, text = _calibrate(
        "--snapshot",
        str(SNAPSHOT),
        "--data",
        str(candles),
        "--symbol",
        "BTC/USD",
        "--out",
        str(out),
    )
    assert code == 2, text
    assert "0 candle(s) closed at or before the snapshot" in text
    assert len(text.strip().splitlines()) == 1
    _assert_nothing_written(out)


def test_candles_of_another_asset(tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, text = _calibrate(
        "--snapshot",
        str(SNAPSHOT),
        "--dataset",
        "bybit_btc_usdt_1m",
        "--asset",
        "ETH",
        "--out",
        str(out),
    )
    assert code == 2
    assert "has options on BTC only" in text
    _assert_nothing_written(out)
