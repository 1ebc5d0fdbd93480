"""The candidate-level training dataset (seed 003's ``training_candidates_*.csv``).

One row per call considered at each decision of a covered-call backtest: its features as the
strategy scored them, the market context, whether it was chosen, and its outcome under both
exit styles (:mod:`tradebot.backtest.training.outcomes`). Columns, in order:

``decision_id`` (``<strategy id>-<n>``), ``strategy_id``, ``preset``, ``decision_time``
(ISO 8601 UTC), ``decision_reason`` (``interval`` or ``roll``), ``asset``, ``spot``, ``trend``,
``trend_regime``, ``rv_short``, ``rv_long``, ``vol_regime``, ``instrument``, ``expiry``
(ISO), ``strike``, ``dte`` (days), ``moneyness`` (strike / spot - 1), ``delta`` (|delta|),
``iv``, ``rv``, ``ivrv``, ``premium`` (bid, premium currency), ``premium_currency``,
``premium_usd``, ``yield`` (premium per unit of the underlying), ``yield_ann``, ``score``,
``rank`` (1 = highest score of the decision), ``eligible`` (score and IV/RV pass the
minimums), ``chosen`` (0/1), ``quantity`` (contracts sold when chosen, else 0),
``tp_roll_exit`` (``take_profit`` / ``roll`` / ``expiry`` / ``open``), ``tp_roll_exit_time``,
``tp_roll_exit_price``, ``pnl_tp_roll``, ``pnl_tp_roll_usd``, ``expiry_index``,
``settlement``, ``pnl_expiry``, ``pnl_expiry_usd``.

P&L columns are per contract sold, net of fees, in the premium currency (``*_usd``: at the
index of the exit). A figure that does not exist yet (the data ended before the exit or the
expiry) is empty.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from tradebot.backtest.atomic import write_atomic
from tradebot.backtest.timefmt import iso
from tradebot.backtest.training.outcomes import Outcome
from tradebot.strategies.options.covered_call import CoveredCallStrategy

COLUMNS = (
    "decision_id",
    "strategy_id",
    "preset",
    "decision_time",
    "decision_reason",
    "asset",
    "spot",
    "trend",
    "trend_regime",
    "rv_short",
    "rv_long",
    "vol_regime",
    "instrument",
    "expiry",
    "strike",
    "dte",
    "moneyness",
    "delta",
    "iv",
    "rv",
    "ivrv",
    "premium",
    "premium_currency",
    "premium_usd",
    "yield",
    "yield_ann",
    "score",
    "rank",
    "eligible",
    "chosen",
    "quantity",
    "tp_roll_exit",
    "tp_roll_exit_time",
    "tp_roll_exit_price",
    "pnl_tp_roll",
    "pnl_tp_roll_usd",
    "expiry_index",
    "settlement",
    "pnl_expiry",
    "pnl_expiry_usd",
)


def candidate_rows(
    strategies: Iterable[CoveredCallStrategy], outcomes: dict[tuple[str, int], list[Outcome]]
) -> list[dict[str, Any]]:
    """Every candidate of every decision of ``strategies`` as a row (column → value)."""
    rows: list[dict[str, Any]] = []
    for strategy in strategies:
        sid = str(strategy.id)
        p = strategy.params
        for n, decision in enumerate(strategy.decisions):
            found = decision.candidates
            if len(found) == 0:
                continue
            eligible = found.eligible(p.min_score, p.min_ivrv)
            order = np.argsort(-found.score, kind="stable")
            rank = np.empty(len(found), dtype=np.int64)
            rank[order] = np.arange(1, len(found) + 1)
            fates = outcomes.get((sid, n), [])
            ctx = decision.context
            chain = found.chain
            for k in range(len(found)):
                option = chain.instrument_at(int(found.rows[k]))
                fate = fates[k] if k < len(fates) else None
                chosen = decision.chosen == k
                rows.append(
                    {
                        "decision_id": f"{sid}-{n}",
                        "strategy_id": sid,
                        "preset": p.preset,
                        "decision_time": iso(decision.ts_ns),
                        "decision_reason": decision.reason,
                        "asset": decision.asset,
                        "spot": decision.spot,
                        "trend": ctx.trend,
                        "trend_regime": ctx.trend_regime,
                        "rv_short": ctx.rv_short,
                        "rv_long": ctx.rv_long,
                        "vol_regime": ctx.vol_regime,
                        "instrument": str(option.id),
                        "expiry": iso(option.expiry_ns),
                        "strike": option.strike,
                        "dte": float(found.dte[k]),
                        "moneyness": float(found.moneyness[k]),
                        "delta": float(found.delta[k]),
                        "iv": float(found.iv[k]),
                        "rv": found.rv,
                        "ivrv": float(found.ivrv[k]),
                        "premium": float(found.premium[k]),
                        "premium_currency": option.quote,
                        "premium_usd": float(found.premium_usd[k]),
                        "yield": float(found.yield_[k]),
                        "yield_ann": float(found.yield_ann[k]),
                        "score": float(found.score[k]),
                        "rank": int(rank[k]),
                        "eligible": int(bool(eligible[k])),
                        "chosen": int(chosen),
                        "quantity": decision.quantity if chosen else 0.0,
                        **_outcome_columns(fate),
                    }
                )
    return rows


def _outcome_columns(fate: Outcome | None) -> dict[str, Any]:
    if fate is None:
        return {name: math.nan for name in COLUMNS[-9:]} | {"tp_roll_exit": "open"}
    return {
        "tp_roll_exit": fate.exit_reason,
        "tp_roll_exit_time": iso(fate.exit_ns) if fate.exit_ns is not None else "",
        "tp_roll_exit_price": fate.exit_price,
        "pnl_tp_roll": fate.pnl_rule,
        "pnl_tp_roll_usd": fate.usd(fate.pnl_rule, fate.exit_index),
        "expiry_index": fate.expiry_index,
        "settlement": fate.settlement,
        "pnl_expiry": fate.pnl_expiry,
        "pnl_expiry_usd": fate.usd(fate.pnl_expiry, fate.expiry_index),
    }


def _text(value: Any) -> str:
    if isinstance(value, float):
        return "" if not math.isfinite(value) else repr(value)
    return str(value)


def write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    """Write the rows as CSV with a header, atomically (temporary file, then rename)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_text(row[name]) for name in COLUMNS])
    write_atomic(path, buffer.getvalue().encode("utf-8"))


def read_csv(path: Path) -> list[dict[str, str]]:
    """Rows of a candidate CSV as text (column → value).

    Raises
    ------
    ValueError
        Naming the file and the columns it lacks.
    """
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(
                f"not a candidate dataset, it lacks the column(s) {', '.join(missing)}"
            )
        return list(reader)


__all__ = ["COLUMNS", "candidate_rows", "read_csv", "write_csv"]
