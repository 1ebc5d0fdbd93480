"""Real snapshots: the loaders (schepal CSV, Deribit tickers) and the market that serves them
ahead of the synthetic one."""

from __future__ import annotations

import ast
import csv
import json
import math
from pathlib import Path

import numpy as np
import pytest

from tradebot.errors import DataError
from tradebot.model.enums import OptionKind
from tradebot.options.pricing import deribit_expiry_ns
from tradebot.options.recorded import (
    RecordedOptionMarket,
    load_deribit_tickers,
    load_schepal_csv,
    load_snapshot,
    parse_instrument_name,
)
from tradebot.options.synthetic import SyntheticOptionMarket

from .conftest import RESOURCES, MakeBars

CSV = RESOURCES / "deribit_BTC_option_chain_20200514_schepal.csv"
TICKERS = RESOURCES / "deribit_ws_tickers_last_20210722.jsonl"


def _csv_rows() -> list[dict[str, str]]:
    with CSV.open(newline="") as fh:
        return list(csv.DictReader(fh))


def test_schepal_snapshot_loads_every_row_in_chain_units() -> None:
    (chain,) = load_schepal_csv(CSV)
    rows = _csv_rows()
    assert len(chain) == len(rows) == 310
    assert chain.spec.underlying == "BTC"
    assert chain.spec.premium_in_underlying
    assert chain.ts_ns == max(int(r["timestamp"]) for r in rows) * 10**6
    assert chain.spot == float(np.median([float(r["index_price"]) for r in rows]))
    for r in rows[::23]:
        kind = OptionKind.CALL if r["option_type"] == "call" else OptionKind.PUT
        expiry = int(r["expiration_timestamp"]) * 10**6
        q = chain.quote(expiry, float(r["strike"]), kind)
        assert q.instrument.expiry_ns == deribit_expiry_ns(r["instrument_name"].split("-")[1])
        assert q.mark == float(r["mark_price"])
        assert q.iv == pytest.approx(float(r["mark_iv"]) / 100)
        greeks = ast.literal_eval(r["greeks"])
        assert q.vega == pytest.approx(greeks["vega"] * 100)  # per 1 % → per 1.00
        assert q.theta == pytest.approx(greeks["theta"] * 365)  # per day → per year
        assert q.delta == greeks["delta"]
        bid = float(r["best_bid_price"])
        assert (math.isnan(q.bid) and bid == 0) or q.bid == bid
        i = chain.row(expiry, float(r["strike"]), kind)
        assert chain.forward[i] == float(r["underlying_price"])


def test_deribit_tickers_keep_the_last_ticker_per_option() -> None:
    chains = load_deribit_tickers(TICKERS)
    assert [c.spec.underlying for c in chains] == ["BTC", "ETH"]
    payloads = [
        json.loads(line)["data"]["params"]["data"] for line in TICKERS.read_text().splitlines()
    ]
    assert sum(len(c) for c in chains) == len(payloads) == 10
    btc = chains[0]
    for t in payloads:
        if not t["instrument_name"].startswith("BTC"):
            continue
        _asset, expiry, strike, is_call = parse_instrument_name(t["instrument_name"])  # type: ignore[misc]
        q = btc.quote(expiry, strike, OptionKind.CALL if is_call else OptionKind.PUT)
        assert q.mark == t["mark_price"]
        assert q.iv == pytest.approx(t["mark_iv"] / 100)


def test_bare_ticker_lines_are_understood(tmp_path: Path) -> None:
    bare = tmp_path / "bare.jsonl"
    lines = [
        json.dumps(json.loads(x)["data"]["params"]["data"])
        for x in TICKERS.read_text().splitlines()
    ]
    bare.write_text("\n".join(lines) + "\n")
    assert sum(len(c) for c in load_snapshot(bare)) == 10


def test_parse_instrument_name() -> None:
    assert parse_instrument_name("BTC-24SEP21-8000-P") == (
        "BTC",
        deribit_expiry_ns("24SEP21"),
        8000.0,
        False,
    )
    assert parse_instrument_name("BTC-PERPETUAL") is None


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (None, "missing.csv", "no such file"),
        ("a,b\n1,2\n", "cols.csv", "missing column(s) instrument_name"),
        ("{not json\n", "bad.jsonl", "row 1: not a JSON line"),
        ('{"x": 1}\n', "empty.jsonl", "holds no Deribit option ticker"),
        ("x", "snap.txt", "unknown snapshot format"),
    ],
)
def test_bad_snapshot_files_name_the_file(
    tmp_path: Path, content: str | None, name: str, expected: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_text(content)
    with pytest.raises(DataError) as info:
        load_snapshot(path)
    assert str(path) in str(info.value)
    assert expected in str(info.value)


def test_bad_number_names_row_and_column(tmp_path: Path) -> None:
    text = CSV.read_text().splitlines()
    header = text[0].split(",")
    col = header.index("strike")
    cells = next(csv.reader([text[1]]))
    cells[col] = "abc"
    path = tmp_path / "bad.csv"
    out = [text[0], ",".join(json.dumps(c) if "," in c else c for c in cells)]
    path.write_text("\n".join(out) + "\n")
    with pytest.raises(DataError, match=r"row 2, field 'strike'"):
        load_schepal_csv(path)


def test_recorded_market_serves_the_snapshot_then_falls_back(make_bars: MakeBars) -> None:
    (snap,) = load_schepal_csv(CSV)
    synthetic = SyntheticOptionMarket()
    market = RecordedOptionMarket([snap], synthetic, max_age_ns=3_600 * 10**9)
    start = snap.ts_ns - 40 * 4 * 3_600 * 10**9
    rng = np.random.default_rng(5)
    closes = list(9_000 * np.exp(np.cumsum(rng.normal(0, 0.02, 60))))
    for bar in make_bars(closes, start):
        market.on_underlying_bar(bar, "BTC")
    at = snap.ts_ns + 60 * 10**9
    served = market.chain("BTC", at)
    assert served is not None
    assert served.spot == snap.spot
    assert len(served) == len(snap)  # the 14MAY20 08:00 expiry is still alive at 05:45
    i = 0
    option = snap.instrument_at(i)
    quote = market.quote(option, at)
    assert quote is not None
    assert quote.mark == snap.mark[i]
    assert quote.iv == snap.iv[i]
    # An hour and more after the snapshot: the synthetic market again.
    later = snap.ts_ns + 2 * 3_600 * 10**9
    assert market.chain("BTC", later) is synthetic.chain("BTC", later)
    fallback, direct = market.quote(option, later), synthetic.quote(option, later)
    assert fallback is not None
    assert direct is not None
    assert (fallback.mark, fallback.ask, fallback.iv) == (direct.mark, direct.ask, direct.iv)
    assert fallback.mark != snap.mark[i]
    # Before the snapshot: nothing recorded.
    assert market.recorded("BTC", snap.ts_ns - 1) is None
    assert market.index_price("BTC", at) == synthetic.index_price("BTC", at)
    # After 08:00 the expired rows are left out of the served chain.
    late = RecordedOptionMarket([snap], synthetic, max_age_ns=4 * 3_600 * 10**9)
    after_expiry = late.chain("BTC", deribit_expiry_ns("14MAY20") + 1)
    assert after_expiry is not None
    assert len(after_expiry) == len(snap) - 34
