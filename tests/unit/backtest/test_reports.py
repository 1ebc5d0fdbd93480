"""JSON and HTML reports: content, self-containment, and atomic writes."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from tradebot.backtest import report_html
from tradebot.backtest.metrics import compute_metrics
from tradebot.backtest.report_html import write_html
from tradebot.backtest.report_json import write_json

from .factories import result, trade


@pytest.fixture
def run():  # type: ignore[no-untyped-def]
    eq = 10_000 * np.cumprod(1 + np.random.default_rng(3).normal(0, 0.01, 3000))
    return result(eq, step=3_600 * 10**9, trades=[trade(5.0), trade(-2.0, day=3)])


def test_json_report_has_trades_metrics_and_iso_times(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "r.json"

    write_json(path, run, compute_metrics(run))

    doc = json.loads(path.read_text())
    assert doc["final_equity"] == pytest.approx(run.final_equity)
    assert doc["metrics"]["number_of_trades"] == 2
    assert doc["trades"][0]["entry_time"] == "2020-09-13T00:00:00Z"
    assert len(doc["equity_curve"]) <= 2000
    assert doc["equity_curve"][-1][1] == pytest.approx(run.final_equity)


def test_infinite_profit_factor_is_written_as_null(tmp_path: Path) -> None:
    run = result([100, 110], trades=[trade(10)])
    metrics = compute_metrics(run)
    assert math.isinf(metrics.profit_factor or 0)

    write_json(tmp_path / "r.json", run, metrics)

    assert json.loads((tmp_path / "r.json").read_text())["metrics"]["profit_factor"] is None


def test_html_report_is_self_contained(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "r.html"

    write_html(path, run, compute_metrics(run))

    html = path.read_text()
    assert 'src="http' not in html
    assert 'href="http' not in html
    assert html.count("data:image/png;base64,") == 3  # equity, drawdown, one price chart
    for label in ("sharpe", "max drawdown", "win rate", "profit factor", "expectancy"):
        assert label in html


def test_failed_render_leaves_no_file(tmp_path: Path, run, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "r.html"

    def broken(*_: object) -> str:
        raise RuntimeError("chart failed")

    monkeypatch.setattr(report_html, "equity_chart", broken)
    with pytest.raises(RuntimeError):
        write_html(path, run, compute_metrics(run))

    assert list(tmp_path.iterdir()) == []
