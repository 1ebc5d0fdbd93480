"""Charts for the HTML report, rendered with matplotlib into base64 PNG.

Figures are built with :class:`matplotlib.figure.Figure` and saved through its own Agg canvas,
never through ``pyplot``: no global backend switch, no figure registry, nothing left open for
other users of matplotlib in the same process. Long series are cut to at most
:data:`MAX_POINTS` points that keep each stretch's minimum and maximum, so a wick or the bottom
of a drawdown survives and rendering stays fast for any run length.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from tradebot.backtest.downsample import minmax_indices
from tradebot.backtest.drawdown import drawdown
from tradebot.backtest.result import FloatArray, IntArray, PriceSeries, RunResult
from tradebot.model.positions import TradeRecord

MAX_POINTS = 5_000
ENTRY_COLOR = "#1a7f37"
EXIT_COLOR = "#d1242f"
_DPI = 90


def _dates(ts: IntArray) -> npt.NDArray[np.datetime64]:
    return np.asarray(ts, dtype=np.int64).astype("datetime64[ns]")


def _thin(ts: IntArray, values: FloatArray) -> tuple[IntArray, FloatArray]:
    keep = minmax_indices(values, MAX_POINTS)
    return ts[keep], values[keep]


def _figure(height: float) -> Figure:
    fig = Figure(figsize=(11, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _png(fig: Figure) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=_DPI)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def equity_chart(result: RunResult) -> str:
    """Equity curve, base64 PNG."""
    fig = _figure(3.2)
    ax = fig.add_subplot()
    ts, eq = _thin(result.equity_ts, result.equity)
    ax.plot(_dates(ts), eq, color="#1f6feb", linewidth=1)
    ax.set_ylabel(f"equity ({result.currency})")
    ax.grid(alpha=0.3)
    return _png(fig)


def drawdown_chart(result: RunResult) -> str:
    """Underwater curve (drawdown below the running peak, in %), base64 PNG."""
    fig = _figure(2.2)
    ax = fig.add_subplot()
    finite = np.isfinite(result.equity)
    under = -100.0 * drawdown(result.equity[finite])
    ts, dd = _thin(result.equity_ts[finite], under)
    ax.fill_between(_dates(ts), dd, 0.0, color=EXIT_COLOR, alpha=0.4, linewidth=0)
    ax.set_ylabel("drawdown %")
    ax.grid(alpha=0.3)
    return _png(fig)


def _markers(
    trades: Sequence[TradeRecord], *, entries: bool
) -> tuple[npt.NDArray[np.datetime64], FloatArray]:
    n = len(trades)
    times = np.fromiter(
        ((t.entry_time if entries else t.exit_time) for t in trades), dtype=np.int64, count=n
    )
    prices = np.fromiter(
        ((t.entry_price if entries else t.exit_price) for t in trades), dtype=np.float64, count=n
    )
    return _dates(times), prices


def price_chart(series: PriceSeries, trades: Sequence[TradeRecord]) -> str:
    """Closes of one instrument with trade entries (▲ green) and exits (▼ red), base64 PNG."""
    fig = _figure(3.2)
    ax = fig.add_subplot()
    ts, close = _thin(series.ts, series.close)
    ax.plot(_dates(ts), close, color="#444", linewidth=0.8, label="close")
    if trades:
        for entries, marker, color, label in (
            (True, "^", ENTRY_COLOR, "entry"),
            (False, "v", EXIT_COLOR, "exit"),
        ):
            when, price = _markers(trades, entries=entries)
            ax.scatter(when, price, marker=marker, color=color, s=24, zorder=3, label=label)
        ax.legend(loc="upper left", fontsize=8)
    ax.set_title(series.instrument, fontsize=9)
    ax.grid(alpha=0.3)
    return _png(fig)


def price_charts(result: RunResult) -> list[tuple[str, str]]:
    """(instrument, base64 PNG) for every instrument with prices."""
    by_instrument: dict[str, list[TradeRecord]] = {}
    for trade in result.trades:
        by_instrument.setdefault(str(trade.instrument_id), []).append(trade)
    return [
        (s.instrument, price_chart(s, by_instrument.get(s.instrument, [])))
        for s in result.prices
        if len(s.ts)
    ]


__all__ = [
    "ENTRY_COLOR",
    "EXIT_COLOR",
    "MAX_POINTS",
    "drawdown_chart",
    "equity_chart",
    "price_chart",
    "price_charts",
]
