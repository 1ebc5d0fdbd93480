"""Charts for the HTML report, rendered with matplotlib into embedded PNGs."""

from __future__ import annotations

import base64
import io

import numpy as np
import numpy.typing as npt
from matplotlib.figure import Figure

from tradebot.backtest.metrics import drawdown
from tradebot.backtest.result import FloatArray, IntArray, RunResult

MAX_POINTS = 5_000


def _downsample(ts: IntArray, values: FloatArray) -> tuple[IntArray, FloatArray]:
    """At most ~MAX_POINTS points, keeping each bucket's min and max so spikes stay visible."""
    n = len(ts)
    if n <= MAX_POINTS:
        return ts, values
    buckets = np.array_split(np.arange(n), MAX_POINTS // 2)
    keep = np.unique(
        np.concatenate(
            [[b[np.argmin(values[b])], b[np.argmax(values[b])]] for b in buckets if len(b)]
        )
    )
    return ts[keep], values[keep]


def _dates(ts: IntArray) -> npt.NDArray[np.datetime64]:
    return np.asarray(ts, dtype=np.int64).astype("datetime64[ns]")


def _png(fig: Figure) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def equity_chart(result: RunResult) -> str:
    """Equity curve, base64 PNG."""
    fig = Figure(figsize=(11, 3.2))
    ax = fig.add_subplot()
    ts, eq = _downsample(result.equity_ts, result.equity)
    ax.plot(_dates(ts), eq, color="#1f6feb", linewidth=1)
    ax.set_ylabel(f"equity ({result.currency})")
    ax.grid(alpha=0.3)
    return _png(fig)


def drawdown_chart(result: RunResult) -> str:
    """Underwater curve, base64 PNG."""
    fig = Figure(figsize=(11, 2.2))
    ax = fig.add_subplot()
    ts, dd = _downsample(result.equity_ts, -drawdown(result.equity) * 100)
    ax.fill_between(_dates(ts), dd, 0, color="#d1242f", alpha=0.4, linewidth=0)
    ax.set_ylabel("drawdown %")
    ax.grid(alpha=0.3)
    return _png(fig)


def price_charts(result: RunResult) -> list[tuple[str, str]]:
    """(instrument, base64 PNG) per instrument: closes with entries ▲ and exits ▼."""
    charts = []
    for series in result.prices:
        if len(series.ts) == 0:
            continue
        fig = Figure(figsize=(11, 3.2))
        ax = fig.add_subplot()
        ts, close = _downsample(series.ts, series.close)
        ax.plot(_dates(ts), close, color="#444", linewidth=0.8)
        trades = [t for t in result.trades if str(t.instrument_id) == series.instrument]
        if trades:
            entry_up = [t for t in trades if t.side == "long"]
            entry_dn = [t for t in trades if t.side == "short"]
            for group, marker, color in ((entry_up, "^", "#1a7f37"), (entry_dn, "v", "#1a7f37")):
                if group:
                    ax.scatter(
                        _dates(np.array([t.entry_time for t in group])),
                        [t.entry_price for t in group],
                        marker=marker,
                        color=color,
                        s=18,
                        zorder=3,
                        label="entry",
                    )
            ax.scatter(
                _dates(np.array([t.exit_time for t in trades])),
                [t.exit_price for t in trades],
                marker="v" if trades[0].side == "long" else "^",
                color="#d1242f",
                s=18,
                zorder=3,
                label="exit",
            )
            ax.legend(loc="upper left", fontsize=8)
        ax.set_title(series.instrument, fontsize=9)
        ax.grid(alpha=0.3)
        charts.append((series.instrument, _png(fig)))
    return charts


__all__ = ["drawdown_chart", "equity_chart", "price_charts"]
