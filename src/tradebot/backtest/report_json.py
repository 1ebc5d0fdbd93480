"""The machine-readable result file (schema: ``report.schema.json`` beside this module).

Conventions
-----------
- Times are ISO 8601 UTC with a ``Z`` (``2022-12-13T00:05:00Z``).
- Money is in ``currency``; fractions are fractions (0.23, not 23).
- JSON has no NaN or infinity: every non-finite number, such as ``profit_factor`` without a
  losing trade, is written as ``null``.
- ``equity_curve`` keeps at most about :data:`MAX_CURVE_POINTS` ``[time, equity]`` pairs, the
  minimum and maximum of each stretch of the curve, so its drawdowns stay visible.
- ``params`` and ``extra`` are written as given; values JSON cannot hold (paths, dates) become
  their text.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import msgspec
import numpy as np

from tradebot.backtest.atomic import write_atomic
from tradebot.backtest.downsample import minmax_indices
from tradebot.backtest.metrics import Metrics
from tradebot.backtest.result import RunResult
from tradebot.backtest.timefmt import iso, iso_many
from tradebot.model.positions import TradeRecord

MAX_CURVE_POINTS = 2_000
SCHEMA_FILE = Path(__file__).with_name("report.schema.json")


def _clean(value: Any) -> Any:
    """Plain JSON values: non-finite floats to None, NumPy scalars and arrays to Python."""
    if isinstance(value, np.generic | np.ndarray):
        value = value.tolist()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_clean(v) for v in value]
    if isinstance(value, msgspec.Struct):
        return _clean(msgspec.to_builtins(value, str_keys=True))
    return value


def trade_dict(trade: TradeRecord) -> dict[str, Any]:
    """One closed round trip as a JSON object."""
    return {
        "instrument": str(trade.instrument_id),
        "strategy": str(trade.strategy_id),
        "side": trade.side,
        "quantity": trade.quantity,
        "entry_time": iso(trade.entry_time),
        "exit_time": iso(trade.exit_time),
        "entry_price": trade.entry_price,
        "exit_price": trade.exit_price,
        "pnl": trade.pnl,
        "gross_pnl": trade.gross_pnl,
        "fees": trade.fees,
        "funding": trade.funding,
        "return_pct": trade.return_pct,
        "exit_tag": trade.exit_tag,
    }


def equity_points(result: RunResult, max_points: int = MAX_CURVE_POINTS) -> list[list[Any]]:
    """``[iso_time, equity]`` pairs of the downsampled equity curve."""
    keep = minmax_indices(result.equity, max_points)
    times = iso_many(result.equity_ts[keep])
    return [[t, v] for t, v in zip(times, result.equity[keep].tolist(), strict=True)]


def report_dict(result: RunResult, metrics: Metrics) -> dict[str, Any]:
    """The JSON document as plain Python values (non-finite numbers already None)."""
    doc = {
        "strategy": result.strategy,
        "params": result.params,
        "currency": result.currency,
        "initial_equity": result.initial_equity,
        "final_equity": result.final_equity,
        "metrics": msgspec.structs.asdict(metrics),
        "trades": [trade_dict(t) for t in result.trades],
        "open_positions": result.open_positions,
        "strategies": [msgspec.structs.asdict(row) for row in result.breakdown],
        "risk": result.risk,
        "equity_curve": equity_points(result),
        "extra": result.extra,
    }
    cleaned: dict[str, Any] = _clean(doc)
    return cleaned


def write_json(path: str | Path, result: RunResult, metrics: Metrics) -> None:
    """Write the result as indented UTF-8 JSON, atomically (see :mod:`.atomic`)."""
    text = json.dumps(
        report_dict(result, metrics), indent=2, allow_nan=False, default=str, ensure_ascii=False
    )
    write_atomic(Path(path), text.encode("utf-8"))


__all__ = ["MAX_CURVE_POINTS", "SCHEMA_FILE", "equity_points", "report_dict", "write_json"]
