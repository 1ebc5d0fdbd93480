"""Chat-style fine-tuning records from the candidate dataset (seed 003's LLM transformer).

It reads the rows of the candidate CSV (:mod:`tradebot.backtest.training.dataset`), so it
works on a file written earlier as well as on a fresh export, and makes two shapes of records,
each ``{"messages": [system, user, assistant], "metadata": {...}}``:

* ``*_per_candidate.jsonl`` — one record per candidate: the user message gives the market
  context and the call's features; the assistant answers ``SELL_CALL`` when selling it earned
  money under the exit style, else ``SKIP``, with that P&L.
* ``*_per_decision_ranking.jsonl`` — one record per decision: the user message lists every
  candidate (``C1`` … in the dataset's order); the assistant ranks them by their outcome, best
  first, and names the best one, or none when no candidate earned money.

Exit styles: ``tp_and_roll`` (the strategy's take profit and roll rule, ``pnl_tp_roll_usd``)
and ``hold_to_expiry`` (``pnl_expiry_usd``). Candidates without an outcome (the data ended
first) are left out, and so is a decision with any such candidate.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tradebot.backtest.atomic import write_atomic

EXIT_STYLES = {"tp_and_roll": "pnl_tp_roll_usd", "hold_to_expiry": "pnl_expiry_usd"}

SYSTEM_PROMPT = (
    "You are a covered-call assistant for Deribit BTC and ETH options. The account holds the "
    "coin and may sell one call against it. Judge each call by its premium yield, delta, "
    "implied versus realised volatility, days to expiry and the market context, and answer "
    "in JSON."
)

_CONTEXT = (
    "asset",
    "decision_time",
    "spot",
    "trend",
    "trend_regime",
    "rv_short",
    "rv_long",
    "vol_regime",
)
_FEATURES = (
    "instrument",
    "expiry",
    "strike",
    "dte",
    "moneyness",
    "delta",
    "iv",
    "ivrv",
    "premium",
    "premium_currency",
    "premium_usd",
    "yield_ann",
    "score",
)
_TEXT = {
    "asset",
    "decision_time",
    "trend_regime",
    "vol_regime",
    "instrument",
    "expiry",
    "premium_currency",
}


def _number(row: dict[str, str], name: str) -> float | None:
    text = row.get(name)
    if text is None or text == "":
        return None
    try:
        value = float(text)
    except ValueError:
        raise ValueError(
            f"decision {row.get('decision_id')}: column '{name}' is '{text}', not a number"
        ) from None
    return value if math.isfinite(value) else None


def _value(row: dict[str, str], name: str) -> Any:
    if name in _TEXT:
        return row.get(name) or ""
    number = _number(row, name)
    return None if number is None else round(number, 6)


def _pnl(row: dict[str, str], style: str) -> float | None:
    return _number(row, EXIT_STYLES[style])


def _check_style(style: str) -> None:
    if style not in EXIT_STYLES:
        raise ValueError(f"exit style was '{style}'; it must be one of {', '.join(EXIT_STYLES)}")


def per_candidate(rows: Iterable[dict[str, str]], style: str) -> list[dict[str, Any]]:
    """One chat record per candidate with an outcome under ``style``."""
    _check_style(style)
    records = []
    for row in rows:
        pnl = _pnl(row, style)
        if pnl is None:
            continue
        user = {
            "task": "Should this call be sold against the coin held? Answer SELL_CALL or SKIP.",
            "market": {k: _value(row, k) for k in _CONTEXT},
            "candidate": {k: _value(row, k) for k in _FEATURES},
        }
        answer = {
            "action": "SELL_CALL" if pnl > 0 else "SKIP",
            "pnl_usd_per_contract": round(pnl, 6),
            "exit_style": style,
        }
        records.append(
            {
                "messages": [
                    {"role": "system", "content": SYSTEM_PROMPT},
                    {"role": "user", "content": json.dumps(user, sort_keys=False)},
                    {"role": "assistant", "content": json.dumps(answer)},
                ],
                "metadata": {
                    "decision_id": row["decision_id"],
                    "instrument": row["instrument"],
                    "chosen_by_strategy": row["chosen"] == "1",
                    "exit_style": style,
                },
            }
        )
    return records


def per_decision_ranking(rows: Iterable[dict[str, str]], style: str) -> list[dict[str, Any]]:
    """One ranking record per decision whose candidates all have an outcome under ``style``."""
    _check_style(style)
    groups: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        groups.setdefault(row["decision_id"], []).append(row)
    records = []
    for decision_id, members in groups.items():
        pnls = [_pnl(r, style) for r in members]
        if any(p is None for p in pnls):
            continue
        ids = [f"C{i + 1}" for i in range(len(members))]
        listed = [
            {"id": cid, **{k: _value(r, k) for k in _FEATURES}}
            for cid, r in zip(ids, members, strict=True)
        ]
        user = {
            "task": "Rank these calls from best to worst to sell against the coin held, and "
            "name the best one, or null to sell none.",
            "market": {k: _value(members[0], k) for k in _CONTEXT},
            "candidates": listed,
        }
        order = sorted(range(len(members)), key=lambda i: (-(pnls[i] or 0.0), i))
        best = ids[order[0]] if (pnls[order[0]] or 0.0) > 0 else None
        answer = {
            "ranking": [ids[i] for i in order],
            "best": best,
            "action": "SELL_CALL" if best is not None else "SKIP",
            "pnl_usd_per_contract": {ids[i]: round(pnls[i] or 0.0, 6) for i in order},
            "exit_style": style,
        }
        chosen = [cid for cid, r in zip(ids, members, strict=True) if r["chosen"] == "1"]
        records.append(
            {
                "messages": [
                    {"role": "system", "content": SYSTEM_PROMPT},
                    {"role": "user", "content": json.dumps(user)},
                    {"role": "assistant", "content": json.dumps(answer)},
                ],
                "metadata": {
                    "decision_id": decision_id,
                    "chosen_by_strategy": chosen[0] if chosen else None,
                    "exit_style": style,
                },
            }
        )
    return records


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> None:
    """One JSON object per line, written atomically."""
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    write_atomic(path, text.encode("utf-8"))


def write_llm_files(
    rows: list[dict[str, str]], out_dir: Path, prefix: str, style: str
) -> tuple[Path, Path]:
    """Write ``<prefix>_per_candidate.jsonl`` and ``<prefix>_per_decision_ranking.jsonl``."""
    candidate_path = out_dir / f"{prefix}_per_candidate.jsonl"
    ranking_path = out_dir / f"{prefix}_per_decision_ranking.jsonl"
    per_c = per_candidate(rows, style)
    per_d = per_decision_ranking(rows, style)
    write_jsonl(candidate_path, per_c)
    write_jsonl(ranking_path, per_d)
    return candidate_path, ranking_path


__all__ = [
    "EXIT_STYLES",
    "SYSTEM_PROMPT",
    "per_candidate",
    "per_decision_ranking",
    "write_jsonl",
    "write_llm_files",
]
