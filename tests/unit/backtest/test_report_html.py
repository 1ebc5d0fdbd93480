"""The HTML report: self-contained, complete, escaped, quick, and written atomically."""

from __future__ import annotations

import base64
import io
import re
import sys
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from matplotlib import image as mpimg

from tradebot.backtest import charts, report_html
from tradebot.backtest.metrics import Metrics, compute_metrics
from tradebot.backtest.report_html import METRIC_LABELS, write_html
from tradebot.backtest.result import PriceSeries, RunResult

from .factories import HOUR, IID, btc_sma_run, random_walk, result, trade

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _render(tmp_path: Path, run: RunResult) -> str:
    path = tmp_path / "report.html"
    write_html(path, run, compute_metrics(run))
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def real_html(tmp_path_factory: pytest.TempPathFactory) -> str:
    return _render(tmp_path_factory.mktemp("html"), btc_sma_run())


def _rgb(hex_color: str) -> tuple[int, int, int]:
    return (int(hex_color[1:3], 16), int(hex_color[3:5], 16), int(hex_color[5:7], 16))


def _has_color(png_b64: str, hex_color: str) -> bool:
    pixels = mpimg.imread(io.BytesIO(base64.b64decode(png_b64)), format="png")
    rgb = np.rint(pixels[..., :3] * 255).astype(int)
    return bool(np.any(np.all(rgb == _rgb(hex_color), axis=-1)))


def test_no_external_resources(real_html: str) -> None:
    targets = re.findall(r"""(?:src|href)\s*=\s*["']?([^"'\s>]+)""", real_html, re.IGNORECASE)

    assert targets  # the images are there to check
    assert all(t.startswith("data:") for t in targets)
    assert "http://" not in real_html
    assert "https://" not in real_html
    assert "@import" not in real_html
    assert "url(" not in real_html


def test_charts_are_embedded_pngs(real_html: str) -> None:
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', real_html)

    assert len(images) == 3  # equity, drawdown, one instrument
    assert all(base64.b64decode(b).startswith(PNG_MAGIC) for b in images)


def test_header_names_strategy_params_period_and_currency(real_html: str) -> None:
    assert "<h1>sma_cross</h1>" in real_html
    assert "window=20" in real_html
    assert "2022-05-01T04:00:00Z" in real_html
    assert "2022-08-09T00:00:00Z" in real_html
    assert "USDT" in real_html


def test_every_metric_has_a_label_and_it_is_shown(real_html: str) -> None:
    assert set(METRIC_LABELS) == set(Metrics.__struct_fields__)
    missing = [label for label in METRIC_LABELS.values() if f"<td>{label}</td>" not in real_html]
    assert missing == []


def test_run_facts_and_open_positions_are_listed(tmp_path: Path) -> None:
    run = result(
        [100.0, 101.0],
        extra={"data file": "btc.csv", "fees": {"USDT": 1.25}},
        open_positions={"ETH/USDT@TEST": 0.75},
    )

    html = _render(tmp_path, run)

    assert "<td>data file</td><td>btc.csv</td>" in html
    assert "{&#34;USDT&#34;: 1.25}" in html
    assert "open at the end: ETH/USDT@TEST</td><td>0.75</td>" in html


def test_text_is_escaped(tmp_path: Path) -> None:
    evil = "<script>alert(1)</script>"
    run = result(
        [100.0, 101.0],
        strategy=evil,
        params={"p": evil},
        extra={evil: evil},
        trades=[trade(1, exit_tag=evil)],
    )

    html = _render(tmp_path, run)

    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_only_the_last_500_trades_are_listed_with_a_note(tmp_path: Path) -> None:
    trades = [trade(1.0, day=i, exit_tag=f"tag{i:04d}") for i in range(600)]

    html = _render(tmp_path, result([100.0, 101.0], trades=trades))

    assert "tag0099" not in html
    assert "tag0100" in html
    assert "tag0599" in html
    assert len(re.findall(r"<tr><td>\d{4}-\d{2}-\d{2}T", html)) == 500
    assert "Showing the last 500 of 600 trades" in html


def test_no_note_when_every_trade_fits(real_html: str) -> None:
    assert "Showing the last" not in real_html


def test_price_chart_marks_entries_green_and_exits_red() -> None:
    run = btc_sma_run()
    series = run.prices[0]

    marked = charts.price_chart(series, run.trades)
    bare = charts.price_chart(series, [])

    assert _has_color(marked, charts.ENTRY_COLOR)
    assert _has_color(marked, charts.EXIT_COLOR)
    assert not _has_color(bare, charts.ENTRY_COLOR)
    assert not _has_color(bare, charts.EXIT_COLOR)


def test_a_run_without_prices_or_trades_still_renders(tmp_path: Path) -> None:
    html = _render(tmp_path, result([100.0], prices=[PriceSeries(str(IID), *_empty())]))

    assert "No price series." in html
    assert "No closed trades." in html
    assert html.count("data:image/png;base64,") == 2


def _empty() -> tuple[np.ndarray, np.ndarray]:
    return np.empty(0, dtype=np.int64), np.empty(0)


def test_twenty_thousand_bars_render_with_every_chart(tmp_path: Path) -> None:
    equity = random_walk(20_000, seed=4, vol=0.004, drift=0.0)
    run = result(equity, step=HOUR, trades=[trade(1.0, day=i) for i in range(0, 800, 2)])

    html = _render(tmp_path, run)

    assert html.count("data:image/png;base64,") == 3


def test_rendering_leaves_pyplot_and_the_backend_alone(tmp_path: Path) -> None:
    backend = matplotlib.get_backend()
    had_pyplot = "matplotlib.pyplot" in sys.modules

    _render(tmp_path, result([100.0, 101.0, 99.0]))

    assert matplotlib.get_backend() == backend
    assert ("matplotlib.pyplot" in sys.modules) == had_pyplot


def test_failed_render_leaves_no_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = btc_sma_run()
    path = tmp_path / "report.html"

    def broken(*_: object) -> str:
        raise RuntimeError("chart failed")

    monkeypatch.setattr(report_html, "equity_chart", broken)
    with pytest.raises(RuntimeError, match="chart failed"):
        write_html(path, run, compute_metrics(run))

    assert list(tmp_path.iterdir()) == []


def test_failed_render_keeps_the_previous_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = btc_sma_run()
    path = tmp_path / "report.html"
    path.write_text("previous report")

    def broken(*_: object) -> str:
        raise RuntimeError("template failed")

    monkeypatch.setattr(report_html, "render_html", broken)
    with pytest.raises(RuntimeError, match="template failed"):
        write_html(path, run, compute_metrics(run))

    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]
    assert path.read_text() == "previous report"
