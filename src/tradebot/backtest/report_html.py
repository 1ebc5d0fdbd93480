"""The self-contained HTML report: one file, no external resources, opens offline."""

from __future__ import annotations

from pathlib import Path

import jinja2
import msgspec

from tradebot.backtest.atomic import write_atomic
from tradebot.backtest.charts import drawdown_chart, equity_chart, price_charts
from tradebot.backtest.metrics import Metrics
from tradebot.backtest.report_json import iso
from tradebot.backtest.result import RunResult

MAX_TRADE_ROWS = 500
_PERCENT = {
    "total_return",
    "cagr",
    "max_drawdown",
    "win_rate",
    "exposure",
    "volatility",
    "best_trade",
    "worst_trade",
    "avg_trade_return",
}

_env = jinja2.Environment(
    loader=jinja2.PackageLoader("tradebot.backtest", "templates"),
    autoescape=jinja2.select_autoescape(["html", "j2"]),
    undefined=jinja2.StrictUndefined,
)


def _fmt(name: str, value: object) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        if name in _PERCENT:
            return f"{value:.2%}"
        if name == "max_drawdown_duration":
            return f"{value / 86_400:.1f} days"
        return f"{value:,.4f}" if abs(value) < 1000 else f"{value:,.2f}"
    return str(value)


def render_html(result: RunResult, metrics: Metrics) -> str:
    """The report as an HTML string."""
    trades = result.trades[-MAX_TRADE_ROWS:]
    return _env.get_template("report.html.j2").render(
        result=result,
        metrics=[
            (k.replace("_", " "), _fmt(k, v)) for k, v in msgspec.structs.asdict(metrics).items()
        ],
        equity_png=equity_chart(result),
        drawdown_png=drawdown_chart(result),
        price_pngs=price_charts(result),
        trades=[
            {
                "entry": iso(t.entry_time),
                "exit": iso(t.exit_time),
                "side": t.side,
                "instrument": str(t.instrument_id),
                "quantity": f"{t.quantity:.8g}",
                "entry_price": f"{t.entry_price:,.4f}",
                "exit_price": f"{t.exit_price:,.4f}",
                "pnl": f"{t.pnl:,.2f}",
                "ret": f"{t.return_pct:.2%}",
                "tag": t.exit_tag,
            }
            for t in trades
        ],
        truncated=len(result.trades) - len(trades),
        start=iso(int(result.equity_ts[0])) if len(result.equity_ts) else "n/a",
        end=iso(int(result.equity_ts[-1])) if len(result.equity_ts) else "n/a",
    )


def write_html(path: str | Path, result: RunResult, metrics: Metrics) -> None:
    """Render and write the report atomically."""
    write_atomic(Path(path), render_html(result, metrics).encode("utf-8"))


__all__ = ["render_html", "write_html"]
