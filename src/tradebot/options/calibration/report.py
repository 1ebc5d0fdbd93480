"""Calibration outputs: the error table (CSV, JSON) and the smile plot (PNG), built in memory.

Everything is rendered to text or bytes first and only then written, so a failure while
building the outputs leaves no half-written file behind.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import math
from typing import Any

import numpy as np

from tradebot.options.calibration.compare import BucketStats, Evaluation, bucket_stats
from tradebot.options.synthetic.params_file import iv_model_to_dict

COLUMNS = ("stage", "group", "bucket", "n", "mae_usd", "bias_usd", "mae_vol", "bias_vol")


def table_rows(before: Evaluation, after: Evaluation) -> list[dict[str, Any]]:
    """One row per stage (``before``/``after`` the fit) and bucket."""
    rows: list[dict[str, Any]] = []
    for stage, ev in (("before", before), ("after", after)):
        for s in bucket_stats(ev):
            rows.append({"stage": stage, **dataclasses.asdict(s)})
    return rows


def overall(ev: Evaluation) -> BucketStats:
    """The ``all`` bucket of an evaluation."""
    return bucket_stats(ev)[0]


def csv_text(rows: list[dict[str, Any]]) -> str:
    """The table as CSV (numbers with full precision)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: row[k] for k in COLUMNS})
    return out.getvalue()


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def json_text(
    rows: list[dict[str, Any]],
    before: Evaluation,
    after: Evaluation,
    meta: dict[str, Any],
) -> str:
    """The table, both models and the inputs, as JSON."""
    doc = {
        "snapshot_time": _iso(before.quotes.ts_ns),
        "contracts": len(before.quotes),
        "realised_vol": before.realised,
        "before": iv_model_to_dict(before.model),
        "after": iv_model_to_dict(after.model),
        "table": rows,
        **meta,
    }
    return json.dumps(_clean(doc), indent=2, allow_nan=False) + "\n"


def _iso(ts_ns: int) -> str:
    return dt.datetime.fromtimestamp(ts_ns / 1e9, tz=dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def smile_png(before: Evaluation, after: Evaluation, title: str) -> bytes:
    """One panel per expiry: real mark IVs against the synthetic smile before and after."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    q = before.quotes
    expiries = np.unique(q.expiry_ns)
    cols = min(3, expiries.size)
    rows = math.ceil(expiries.size / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.2 * rows), squeeze=False)
    for ax, expiry in zip(axes.flat, expiries, strict=False):
        sel = q.expiry_ns == expiry
        fwd = float(np.median(q.forward[sel]))
        years = float(q.years[sel][0])
        lk = np.log(q.strike[sel] / q.forward[sel])
        grid_k = fwd * np.exp(np.linspace(lk.min(), lk.max(), 120))
        grid_x = np.log(grid_k / fwd)
        for ev, style, label in ((before, "--", "synthetic before"), (after, "-", "after fit")):
            curve = ev.model.iv(ev.realised, grid_k, fwd, years) * 100.0
            ax.plot(grid_x, curve, style, label=label)
        ax.scatter(lk, q.iv[sel] * 100.0, s=12, color="black", label="Deribit mark IV", zorder=3)
        day = dt.datetime.fromtimestamp(int(expiry) / 1e9, tz=dt.UTC).strftime("%d %b %y")
        ax.set_title(f"{day} ({years * 365:.1f} d)", fontsize=9)
        ax.set_xlabel("ln(K/F)", fontsize=8)
        ax.set_ylabel("IV %", fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[expiries.size :]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    return buf.getvalue()


__all__ = ["COLUMNS", "csv_text", "json_text", "overall", "smile_png", "table_rows"]
