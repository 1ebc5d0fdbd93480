"""``tradebot backtest`` of the option-selling strategies on the bundled BTC/USD 4h candles:
dailies are crossed, what is held at expiry settles at intrinsic value over the 08:00 close,
and the iron condor's time exit happens 20 minutes before expiry."""

from __future__ import annotations

import bisect
import datetime as dt
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tradebot.app.cli import app
from tradebot.model.data import Bar
from tradebot.venues.files.catalog import open_dataset

runner = CliRunner()
_NAME = re.compile(r":BTC-(\d{6})-(\d+)-([CP])@")


def _expiry(instrument: str) -> tuple[dt.datetime, float, str]:
    day, strike, right = _NAME.search(instrument).groups()  # type: ignore[union-attr]
    expiry = dt.datetime.strptime(day + "08", "%y%m%d%H").replace(tzinfo=dt.UTC)
    return expiry, float(strike), right


def _iso(ts_ns: int) -> str:
    return dt.datetime.fromtimestamp(ts_ns / 1e9, tz=dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.slow
@pytest.mark.parametrize("strategy", ["iron_condor", "short_straddle"])
def test_option_seller_backtest_crosses_and_settles_expiries(
    strategy: str, tmp_path: Path
) -> None:
    out = tmp_path / "bt.json"
    result = runner.invoke(
        app,
        ["backtest", "--strategy", strategy, "--json", str(out), "--report",
         str(tmp_path / "bt.html")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    trades = json.loads(out.read_text())["trades"]
    options = [t for t in trades if _NAME.search(t["instrument"])]
    expired = [t for t in options if t["exit_tag"] == "expiry"]
    assert len(expired) >= 20
    bars = [(e.ts_event, e.close) for e in open_dataset("btc_usd_4h") if type(e) is Bar]
    times = [ts for ts, _ in bars]
    for t in expired:
        expiry, strike, right = _expiry(t["instrument"])
        # The index is the last close at or before 08:00 (the data has a few gaps).
        index = bars[bisect.bisect_right(times, int(expiry.timestamp()) * 10**9) - 1][1]
        intrinsic = max(index - strike, 0.0) if right == "C" else max(strike - index, 0.0)
        assert abs(t["exit_price"] - intrinsic / index) < 1e-12
        # Booked at the first bar at or after 08:00 (later only across a gap in the data).
        settled = times[bisect.bisect_left(times, int(expiry.timestamp()) * 10**9)]
        assert t["exit_time"] == _iso(settled)
    # Nothing was closed by a trade after its expiry: only settlement closes it then.
    for t in options:
        expiry, _, _ = _expiry(t["instrument"])
        if t["exit_tag"] != "expiry":
            assert t["exit_time"] <= _iso(int(expiry.timestamp()) * 10**9)
    if strategy == "iron_condor":
        timed = [t for t in options if t["exit_tag"] == "t_minus_exit"]
        assert timed
        for t in timed:
            expiry, _, _ = _expiry(t["instrument"])
            early = expiry - dt.timedelta(minutes=20)
            assert t["exit_time"] == _iso(int(early.timestamp()) * 10**9)
