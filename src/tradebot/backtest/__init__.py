"""Results, metrics and reports of backtests and paper sessions."""

from tradebot.backtest.metrics import Metrics, compute_metrics
from tradebot.backtest.report_html import write_html
from tradebot.backtest.report_json import write_json
from tradebot.backtest.result import PriceSeries, RunResult

__all__ = ["Metrics", "PriceSeries", "RunResult", "compute_metrics", "write_html", "write_json"]
