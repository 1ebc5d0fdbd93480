"""The machine-readable result file."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
import numpy as np

from tradebot.backtest.atomic import write_atomic
from tradebot.backtest.metrics import Metrics
from tradebot.backtest.result import RunResult

MAX_CURVE_POINTS = 2_000


def iso(ns: int) -> str:
    """ISO 8601 UTC with a Z, to the second (or the microsecond when not whole)."""
    dt = datetime.fromtimestamp(ns // 1_000_000_000, tz=UTC)
    rest = ns % 1_000_000_000
    if rest:
        dt = dt.replace(microsecond=rest // 1000)
        return dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def _clean(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def report_dict(result: RunResult, metrics: Metrics) -> dict[str, Any]:
    """The JSON document as a dict (non-finite numbers become null)."""
    n = len(result.equity)
    idx: list[int] = (
        np.unique(np.linspace(0, n - 1, min(n, MAX_CURVE_POINTS)).astype(np.int64)).tolist()
        if n
        else []
    )
    doc = {
        "strategy": result.strategy,
        "params": result.params,
        "currency": result.currency,
        "initial_equity": result.initial_equity,
        "final_equity": result.final_equity,
        "metrics": msgspec.structs.asdict(metrics),
        "trades": [
            {
                "instrument": str(t.instrument_id),
                "strategy": t.strategy_id,
                "side": t.side,
                "quantity": t.quantity,
                "entry_time": iso(t.entry_time),
                "exit_time": iso(t.exit_time),
                "entry_price": t.entry_price,
                "exit_price": t.exit_price,
                "pnl": t.pnl,
                "gross_pnl": t.gross_pnl,
                "fees": t.fees,
                "funding": t.funding,
                "return_pct": t.return_pct,
                "exit_tag": t.exit_tag,
            }
            for t in result.trades
        ],
        "open_positions": result.open_positions,
        "equity_curve": [[iso(int(result.equity_ts[i])), float(result.equity[i])] for i in idx],
        "extra": result.extra,
    }
    cleaned: dict[str, Any] = _clean(doc)
    return cleaned


def write_json(path: str | Path, result: RunResult, metrics: Metrics) -> None:
    """Write the result as JSON, atomically."""
    text = json.dumps(report_dict(result, metrics), indent=2, allow_nan=False, default=str)
    write_atomic(Path(path), text.encode("utf-8"))


__all__ = ["iso", "report_dict", "write_json"]
