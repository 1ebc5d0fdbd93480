"""``--option-snapshot``: a real chain snapshot is traded at while fresh, the synthetic chain
elsewhere; a bad snapshot file is one line and exit 2."""

from __future__ import annotations

import csv
from pathlib import Path

from typer.testing import CliRunner

from tradebot.app.cli import app
from tradebot.app.option_market import build_option_market
from tradebot.model.data import Bar
from tradebot.model.enums import OptionKind
from tradebot.options.recorded import RecordedOptionMarket
from tradebot.strategies.options.momentum_option import MomentumOptionStrategy
from tradebot.venues.files.catalog import open_dataset

RESOURCES = Path(__file__).parents[2] / "unit" / "options" / "resources"
SNAPSHOT = RESOURCES / "deribit_BTC_option_chain_20200514_schepal.csv"
HOUR = 3_600 * 10**9


def _raw_row() -> dict[str, str]:
    """A liquid call of the snapshot, read straight from the CSV."""
    with SNAPSHOT.open() as f:
        rows = [r for r in csv.DictReader(f) if r["option_type"] == "call"]
    return next(
        r for r in rows if float(r["best_bid_price"]) > 0 and float(r["best_ask_price"]) > 0
    )


def test_real_quotes_while_fresh_synthetic_after() -> None:
    ds = open_dataset("btc_usd_4h")
    market = build_option_market([MomentumOptionStrategy()], ds.instruments, snapshots=[SNAPSHOT])
    assert isinstance(market, RecordedOptionMarket)
    row = _raw_row()
    taken = int(row["timestamp"]) * 10**6
    for event in ds:
        if type(event) is Bar and event.ts_event <= taken + 8 * HOUR:
            market.on_underlying_bar(event, "BTC")
    expiry = int(row["expiration_timestamp"]) * 10**6
    strike = float(row["strike"])
    fresh = market.chain("BTC", taken + HOUR)
    assert fresh is not None
    option = fresh.instrument(expiry, strike, OptionKind.CALL)
    quote = market.quote(option, taken + HOUR)
    assert quote is not None
    assert quote.bid == float(row["best_bid_price"])
    assert quote.ask == float(row["best_ask_price"])
    later = market.quote(option, taken + 6 * HOUR)  # past the 4 h a snapshot stands for
    synthetic = market.fallback.quote(option, taken + 6 * HOUR)
    assert later is not None
    assert synthetic is not None
    assert (later.bid, later.ask, later.mark) == (synthetic.bid, synthetic.ask, synthetic.mark)
    assert later.bid != float(row["best_bid_price"])


def test_a_missing_snapshot_is_one_line_and_exit_2(tmp_path: Path) -> None:
    out = tmp_path / "bt.json"
    result = CliRunner().invoke(
        app,
        ["backtest", "--strategy", "momentum_option", "--option-snapshot",
         str(tmp_path / "nope.csv"), "--json", str(out), "--report", str(tmp_path / "r.html")],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "nope.csv" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not out.exists()
