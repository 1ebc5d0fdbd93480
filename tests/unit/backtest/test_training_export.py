"""Training export (seed 003): the candidate CSV, its outcomes, the two chat JSONL shapes,
atomic writes, and training mode's three profiles in one account.

Outcomes are recomputed here bar by bar from the closes and the table market's formula
(an out-of-the-money call is worth tv x sqrt(years) BTC, intrinsic / spot is added in the
money; bid/ask 0.0005 either side), with Deribit's fees, independently of the tracker.
"""

from __future__ import annotations

import csv
import json
import math
import os
from pathlib import Path

import pytest

from fixtures.covered_call_market import ScriptedMarket
from fixtures.factories import spot
from tradebot.backtest.training import (
    COLUMNS,
    per_candidate,
    per_decision_ranking,
    read_csv,
    run_training,
    write_csv,
    write_llm_files,
)
from tradebot.backtest.training.run import TrainingRun
from tradebot.engine.config import SessionConfig
from tradebot.model.data import Bar
from tradebot.options.contract import OptionSpec
from tradebot.risk.config import RiskConfig
from tradebot.strategies.options.covered_call import CoveredCallParams, CoveredCallStrategy

HOUR = 3_600 * 10**9
YEAR_H = 365 * 24
DAY0 = 1_600_000_000 // 86_400 * 86_400 * 10**9
E1 = DAY0 + 80 * HOUR
E2 = DAY0 + 200 * HOUR
BTC = spot()
SPEC = OptionSpec(venue="T")
DELTAS = {10_500.0: 0.35, 11_000.0: 0.22, 11_500.0: 0.15, 12_000.0: 0.08}
PARAMS = {
    "rv_days": 1.0,
    "min_ivrv": 0.0,
    "min_score": 0.0,
    "dte_min": 1.0,
    "underlying_fraction": 0.5,
    "take_profit": 0.7,
    "roll_hours": 24.0,
    "roll_delta": 0.55,
}
# 10,000 until the bar closing at 60 h, then 11,300 past both expiries.
CLOSES = [10_000.0] * 60 + [11_300.0] * 150


def close_at(ts: int) -> float:
    return CLOSES[(ts - DAY0) // HOUR - 1]


def mark(ts: int, expiry: int, strike: float) -> float:
    s = close_at(ts)
    years = (expiry - ts) / HOUR / YEAR_H
    return (max(s - strike, 0.0) + 0.25 * s * math.sqrt(years)) / s


def by_hand(decision_ts: int, expiry: int, strike: float) -> dict[str, float | str]:
    """Sell one contract at the bid, then apply take profit / roll bar by bar; and to expiry."""
    premium = mark(decision_ts, expiry, strike) - 0.0005
    entry_fee = min(0.0003, 0.125 * premium)
    out: dict[str, float | str] = {"premium": premium}
    ts = decision_ts + HOUR
    while ts < expiry:
        ask = mark(ts, expiry, strike) + 0.0005
        s = close_at(ts)
        hours_left = (expiry - ts) / HOUR
        if ask <= 0.3 * premium:
            reason = "take_profit"
        elif hours_left <= 24 and s > strike:
            reason = "roll"
        else:
            reason = ""
        if reason:
            pnl = premium - ask - entry_fee - min(0.0003, 0.125 * ask)
            out.update(exit=reason, exit_ts=ts, pnl_rule=pnl, pnl_rule_usd=pnl * s)
            break
        ts += HOUR
    index = close_at(expiry)
    value = max(index - strike, 0.0) / index
    fee = min(0.00015, 0.125 * value) if value > 0 else 0.0
    pnl_expiry = premium - value - entry_fee - fee
    out.update(settlement=value, pnl_expiry=pnl_expiry, pnl_expiry_usd=pnl_expiry * index)
    if "exit" not in out:
        out.update(
            exit="expiry", exit_ts=expiry, pnl_rule=pnl_expiry, pnl_rule_usd=pnl_expiry * index
        )
    return out


def bars(closes: list[float]) -> list[Bar]:
    return [
        Bar(BTC.id, "1h", DAY0 + i * HOUR, DAY0 + (i + 1) * HOUR, c, c, c, c, 1.0)
        for i, c in enumerate(closes)
    ]


def training_run(strategies: list[CoveredCallStrategy] | None = None) -> TrainingRun:
    market = ScriptedMarket([E1, E2], DELTAS, spec=SPEC)
    strategies = strategies or [CoveredCallStrategy(CoveredCallParams(**PARAMS))]  # type: ignore[arg-type]
    config = SessionConfig(cash=100_000.0, risk=RiskConfig.unlimited(), convert_option_cash=False)
    return run_training([BTC], bars(CLOSES), strategies, config, market)


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[TrainingRun, Path]:
    run = training_run()
    path = tmp_path_factory.mktemp("export") / "cands.csv"
    write_csv(path, run.rows)
    return run, path


def _float(text: str) -> float:
    return float(text) if text else math.nan


def test_csv_has_every_candidate_with_its_features_choice_and_outcome(
    exported: tuple[TrainingRun, Path],
) -> None:
    run, path = exported
    with path.open(newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == COLUMNS
        rows = list(reader)
    decision_ts = DAY0 + 13 * HOUR
    first = [r for r in rows if r["decision_time"] == "2020-09-13T13:00:00Z"]
    assert len(first) == 4
    assert {(r["expiry"][:10], float(r["strike"])) for r in first} == {
        ("2020-09-16", 11_000.0),
        ("2020-09-16", 11_500.0),
        ("2020-09-21", 11_000.0),
        ("2020-09-21", 11_500.0),
    }
    for r in first:
        expiry = E1 if r["expiry"].startswith("2020-09-16") else E2
        expected = by_hand(decision_ts, expiry, float(r["strike"]))
        assert float(r["premium"]) == pytest.approx(expected["premium"], abs=1e-12)
        assert r["tp_roll_exit"] == expected["exit"]
        assert float(r["pnl_tp_roll"]) == pytest.approx(expected["pnl_rule"], abs=1e-12)
        assert float(r["pnl_tp_roll_usd"]) == pytest.approx(expected["pnl_rule_usd"], abs=1e-8)
        assert float(r["settlement"]) == pytest.approx(expected["settlement"], abs=1e-12)
        assert float(r["pnl_expiry"]) == pytest.approx(expected["pnl_expiry"], abs=1e-12)
        assert float(r["pnl_expiry_usd"]) == pytest.approx(expected["pnl_expiry_usd"], abs=1e-8)
        assert float(r["dte"]) == pytest.approx((expiry - decision_ts) / HOUR / 24)
        assert float(r["moneyness"]) == pytest.approx(float(r["strike"]) / 10_000 - 1)
        assert float(r["delta"]) == DELTAS[float(r["strike"])]
        assert float(r["yield_ann"]) == pytest.approx(float(r["premium"]) * 365 / float(r["dte"]))
    # In the money near expiry the 11,000 calls roll; the 11,500 ones decay to a take profit.
    assert {r["tp_roll_exit"] for r in first} == {"roll", "take_profit"}
    # Exactly one chosen candidate per decision that sold, and it is the call the engine sold.
    by_decision: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        by_decision.setdefault(r["decision_id"], []).append(r)
    sold = [f for f in run.engine.orders.fills if f.tag in ("sell_call", "roll_sell")]
    assert len(sold) >= 1
    traded = 0
    for members in by_decision.values():
        chosen = [r for r in members if r["chosen"] == "1"]
        if any(float(r["quantity"]) > 0 for r in members):
            assert len(chosen) == 1
            fill = sold[traded]
            assert chosen[0]["instrument"] == str(fill.instrument_id)
            assert float(chosen[0]["quantity"]) == fill.quantity
            traded += 1
        ranks = sorted(int(r["rank"]) for r in members)
        assert ranks == list(range(1, len(members) + 1))
        best = max(members, key=lambda r: float(r["score"]))
        assert best["rank"] == "1"
    assert traded == len(sold)


def test_per_candidate_jsonl_labels_follow_the_outcome(
    exported: tuple[TrainingRun, Path], tmp_path: Path
) -> None:
    _, path = exported
    rows = read_csv(path)
    cand_path, rank_path = write_llm_files(rows, tmp_path, "x", "tp_and_roll")
    assert cand_path.name == "x_per_candidate.jsonl"
    assert rank_path.name == "x_per_decision_ranking.jsonl"
    records = [json.loads(line) for line in cand_path.read_text().splitlines()]
    with_outcome = [r for r in rows if r["pnl_tp_roll_usd"] != ""]
    assert len(records) == len(with_outcome) > 0
    for record, row in zip(records, with_outcome, strict=True):
        roles = [m["role"] for m in record["messages"]]
        assert roles == ["system", "user", "assistant"]
        user = json.loads(record["messages"][1]["content"])
        answer = json.loads(record["messages"][2]["content"])
        assert user["candidate"]["instrument"] == row["instrument"]
        assert user["market"]["spot"] == pytest.approx(float(row["spot"]))
        pnl = float(row["pnl_tp_roll_usd"])
        assert answer["action"] == ("SELL_CALL" if pnl > 0 else "SKIP")
        assert answer["pnl_usd_per_contract"] == pytest.approx(pnl, abs=1e-6)
        assert record["metadata"]["chosen_by_strategy"] == (row["chosen"] == "1")


@pytest.mark.parametrize(
    ("style", "column"), [("tp_and_roll", "pnl_tp_roll_usd"), ("hold_to_expiry", "pnl_expiry_usd")]
)
def test_per_decision_ranking_orders_candidates_by_their_outcome(
    exported: tuple[TrainingRun, Path], style: str, column: str
) -> None:
    _, path = exported
    rows = read_csv(path)
    records = per_decision_ranking(rows, style)
    groups: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        groups.setdefault(r["decision_id"], []).append(r)
    complete = [d for d, m in groups.items() if all(r[column] != "" for r in m)]
    assert [r["metadata"]["decision_id"] for r in records] == complete
    for record in records:
        members = groups[record["metadata"]["decision_id"]]
        user = json.loads(record["messages"][1]["content"])
        answer = json.loads(record["messages"][2]["content"])
        ids = [c["id"] for c in user["candidates"]]
        assert ids == [f"C{i + 1}" for i in range(len(members))]
        pnl = {f"C{i + 1}": float(r[column]) for i, r in enumerate(members)}
        assert answer["ranking"] == sorted(pnl, key=lambda k: (-pnl[k], ids.index(k)))
        top = answer["ranking"][0]
        assert answer["best"] == (top if pnl[top] > 0 else None)
        chosen = [f"C{i + 1}" for i, r in enumerate(members) if r["chosen"] == "1"]
        assert record["metadata"]["chosen_by_strategy"] == (chosen[0] if chosen else None)


def test_unknown_exit_style_is_named() -> None:
    with pytest.raises(ValueError, match="exit style was 'late'; it must be one of"):
        per_candidate([], "late")


def test_a_bad_number_in_the_csv_names_the_decision_and_column() -> None:
    row = dict.fromkeys(COLUMNS, "")
    row.update(decision_id="d-0", pnl_tp_roll_usd="lots", chosen="0")
    with pytest.raises(ValueError, match="decision d-0: column 'pnl_tp_roll_usd' is 'lots'"):
        per_candidate([row], "tp_and_roll")


def test_writes_are_atomic(
    exported: tuple[TrainingRun, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run, _ = exported
    target = tmp_path / "out.csv"
    target.write_text("old\n")

    def broken(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError, match="disk full"):
        write_csv(target, run.rows)
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_training_mode_profiles_each_cover_their_own_coin() -> None:
    strategies = [
        CoveredCallStrategy(
            CoveredCallParams(**{**PARAMS, "underlying_fraction": 0.3}),  # type: ignore[arg-type]
            strategy_id=f"covered_call_{name}",
        )
        for name in ("a", "b", "c")
    ]
    run = training_run(strategies)
    engine = run.engine
    assert engine.manager is None  # the manager would sell calls on a share of each coin
    for s in strategies:
        fills = [f for f in engine.orders.fills if f.strategy_id == s.id]
        buy = next(f for f in fills if f.instrument_id == BTC.id)
        sell = next(f for f in fills if f.tag == "sell_call")
        assert sell.quantity == pytest.approx(math.floor(buy.quantity * 10) / 10)
    # Rows of every profile, each decision id naming its profile.
    assert {r["strategy_id"] for r in run.rows} == {str(s.id) for s in strategies}
    assert all(r["decision_id"].startswith(r["strategy_id"] + "-") for r in run.rows)
    # Each profile's book holds its own option trades (one per buy-back or settlement).
    books = {
        b.strategy_id: b
        for b in engine.book.summary(engine.portfolio.last_price, [s.id for s in strategies])
    }
    for s in strategies:
        exits = [
            f
            for f in engine.orders.fills
            if f.strategy_id == s.id and f.tag in ("take_profit", "roll", "expiry")
        ]
        assert books[str(s.id)].trades == len(exits) > 0
