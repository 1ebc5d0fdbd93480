"""``tradebot backtest --strategy momentum_option`` on the bundled BTC/USD 4h candles: the
synthetic market is wired in, dailies are crossed and settled at the candle close at 08:00."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from typer.testing import CliRunner

from tradebot.app.cli import app
from tradebot.model.data import Bar
from tradebot.venues.files.catalog import open_dataset

runner = CliRunner()
_NAME = re.compile(r":BTC-(\d{6})-(\d+)-([CP])@")


def test_momentum_option_backtest_settles_expiries_at_the_index(tmp_path: Path) -> None:
    out = tmp_path / "bt.json"
    result = runner.invoke(
        app,
        [
            "backtest",
            "--strategy",
            "momentum_option",
            "--iv-multiplier",
            "1.1",
            "--json",
            str(out),
            "--report",
            str(tmp_path / "bt.html"),
        ],
    )
    assert result.exit_code == 0, result.output
    trades = json.loads(out.read_text())["trades"]
    expired = [t for t in trades if t["exit_tag"] == "expiry"]
    assert trades
    assert expired
    closes = {e.ts_event: e.close for e in open_dataset("btc_usd_4h") if type(e) is Bar}
    for t in expired:
        day, strike_text, right = _NAME.search(t["instrument"]).groups()  # type: ignore[union-attr]
        expiry = dt.datetime.strptime(day + "08", "%y%m%d%H").replace(tzinfo=dt.UTC)
        index = closes[int(expiry.timestamp()) * 10**9]
        strike = float(strike_text)
        intrinsic = max(index - strike, 0.0) if right == "C" else max(strike - index, 0.0)
        assert abs(t["exit_price"] - intrinsic / index) < 1e-12
        assert t["exit_time"] == expiry.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_bad_skew_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    out = tmp_path / "bt.json"
    result = runner.invoke(
        app,
        [
            "backtest",
            "--strategy",
            "momentum_option",
            "--skew",
            str(tmp_path / "nope.json"),
            "--json",
            str(out),
            "--report",
            str(tmp_path / "bt.html"),
        ],
    )
    assert result.exit_code == 2
    assert "nope.json: no such file" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not out.exists()
