"""The self-contained HTML report: one file, no external resources, opens offline.

Charts are embedded as base64 PNG ``data:`` URIs and the styles are inline, so the file can be
mailed, archived or opened without a network. All text (strategy name, parameters, tags, run
facts) goes through Jinja's autoescaping. Only the last :data:`MAX_TRADE_ROWS` trades are
listed, with a note saying how many were left out (the JSON report has all of them).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jinja2
import msgspec

from tradebot.backtest.atomic import write_atomic
from tradebot.backtest.charts import drawdown_chart, equity_chart, price_charts
from tradebot.backtest.metrics import Metrics
from tradebot.backtest.result import RunResult
from tradebot.backtest.timefmt import iso

MAX_TRADE_ROWS = 500
METRIC_LABELS: dict[str, str] = {
    "total_return": "Total return",
    "cagr": "CAGR",
    "sharpe": "Sharpe ratio",
    "sortino": "Sortino ratio",
    "calmar": "Calmar ratio",
    "max_drawdown": "Max drawdown",
    "max_drawdown_duration": "Max drawdown duration",
    "win_rate": "Win rate",
    "profit_factor": "Profit factor",
    "expectancy": "Expectancy per trade",
    "exposure": "Exposure",
    "number_of_trades": "Number of trades",
    "start": "Start",
    "end": "End",
    "duration_days": "Duration",
    "initial_equity": "Initial equity",
    "final_equity": "Final equity",
    "volatility": "Volatility (annualised)",
    "best_trade": "Best trade",
    "worst_trade": "Worst trade",
    "avg_trade_return": "Average trade return",
    "total_fees": "Total fees",
}
"""Human label of every :class:`Metrics` field, in display order."""

_PERCENT = frozenset(
    {
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
)
_MONEY = frozenset({"expectancy", "initial_equity", "final_equity", "total_fees"})

_env = jinja2.Environment(
    loader=jinja2.PackageLoader("tradebot.backtest", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def format_metric(name: str, value: object, currency: str) -> str:
    """Display text of one metric: percentages, money with its currency, days, ratios."""
    if value is None:
        return "n/a"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if name in _PERCENT:
        return f"{value:.2%}"
    if name in _MONEY:
        return f"{value:,.2f} {currency}"
    if name == "max_drawdown_duration":
        return f"{value / 86_400:,.1f} days"
    if name == "duration_days":
        return f"{value:,.1f} days"
    if isinstance(value, int):
        return f"{value:,d}"
    return f"{value:,.3f}"


def _text(value: Any) -> str:
    """Run facts and parameters as compact text (escaped later by the template)."""
    if isinstance(value, str):
        return value
    return json.dumps(value, default=str, ensure_ascii=False)


def _trade_rows(result: RunResult) -> list[dict[str, Any]]:
    return [
        {
            "entry": iso(t.entry_time),
            "exit": iso(t.exit_time),
            "instrument": str(t.instrument_id),
            "side": t.side,
            "quantity": f"{t.quantity:.8g}",
            "entry_price": f"{t.entry_price:,.4f}",
            "exit_price": f"{t.exit_price:,.4f}",
            "pnl": f"{t.pnl:,.2f}",
            "fees": f"{t.fees:,.2f}",
            "ret": f"{t.return_pct:.2%}",
            "tag": t.exit_tag,
            "pnl_class": "pos" if t.pnl > 0 else ("neg" if t.pnl < 0 else ""),
        }
        for t in result.trades[-MAX_TRADE_ROWS:]
    ]


def _breakdown_rows(result: RunResult) -> list[dict[str, Any]]:
    return [
        {
            "strategy": r.strategy_id,
            "net": f"{r.net_pnl:,.2f}",
            "realized": f"{r.realized_pnl:,.2f}",
            "unrealized": f"{r.unrealized_pnl:,.2f}",
            "fees": f"{r.fees:,.2f}",
            "funding": f"{r.funding:,.2f}",
            "trades": r.trades,
            "wins": r.wins,
            "pnl_class": "pos" if r.net_pnl > 0 else ("neg" if r.net_pnl < 0 else ""),
        }
        for r in result.breakdown
    ]


def render_html(result: RunResult, metrics: Metrics) -> str:
    """The report as an HTML string."""
    values = msgspec.structs.asdict(metrics)
    rows = _trade_rows(result)
    return _env.get_template("report.html.j2").render(
        strategy=result.strategy,
        currency=result.currency,
        params=[(str(k), _text(v)) for k, v in result.params.items()],
        start=metrics.start or "n/a",
        end=metrics.end or "n/a",
        metrics=[
            (label, format_metric(name, values[name], result.currency))
            for name, label in METRIC_LABELS.items()
        ],
        equity_png=equity_chart(result),
        drawdown_png=drawdown_chart(result),
        price_pngs=price_charts(result),
        breakdown=_breakdown_rows(result),
        risk={
            "rejections": _text(result.risk.get("rejections", {})),
            "resizes": _text(result.risk.get("resizes", {})),
            "seconds_in": _text(result.risk.get("seconds_in", {})),
            "exits": _text(result.risk.get("exits", {})),
            "events": result.risk.get("events", []),
        },
        trades=rows,
        total_trades=len(result.trades),
        truncated=len(result.trades) - len(rows),
        open_positions=[(str(k), _text(v)) for k, v in result.open_positions.items()],
        extra=[(str(k), _text(v)) for k, v in result.extra.items()],
    )


def write_html(path: str | Path, result: RunResult, metrics: Metrics) -> None:
    """Render the report and write it atomically (see :mod:`.atomic`).

    Rendering completes in memory first, so a failing chart or template leaves no file.
    """
    write_atomic(Path(path), render_html(result, metrics).encode("utf-8"))


__all__ = ["MAX_TRADE_ROWS", "METRIC_LABELS", "format_metric", "render_html", "write_html"]
