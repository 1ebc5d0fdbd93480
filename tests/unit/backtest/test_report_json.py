"""The JSON report: schema, ISO times, nulls for non-finite numbers, downsampled curve."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import jsonschema
import msgspec
import numpy as np
import pytest

from tradebot.backtest import report_json
from tradebot.backtest.metrics import Metrics, compute_metrics
from tradebot.backtest.report_json import SCHEMA_FILE, write_json
from tradebot.backtest.result import RunResult

from .factories import HOUR, btc_sma_run, random_walk, result, trade

ISO_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")


def _write_and_read(tmp_path: Path, run: RunResult) -> dict[str, Any]:
    path = tmp_path / "report.json"
    write_json(path, run, compute_metrics(run))
    doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return doc


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


@pytest.mark.parametrize(
    "make_run",
    [
        btc_sma_run,
        lambda: result([100.0]),
        lambda: result([100.0, 110.0], trades=[trade(10)]),
        lambda: result([math.nan, 100.0, 90.0], open_positions={"BTC/USDT@TEST": -0.5}),
    ],
    ids=["real-btc", "one-point", "no-losses", "unmarked-start"],
)
def test_report_validates_against_the_schema(
    tmp_path: Path, validator: jsonschema.protocols.Validator, make_run: Any
) -> None:
    doc = _write_and_read(tmp_path, make_run())

    errors = [e.message for e in validator.iter_errors(doc)]

    assert errors == []


def test_schema_rejects_a_report_missing_a_metric(
    tmp_path: Path, validator: jsonschema.protocols.Validator
) -> None:
    doc = _write_and_read(tmp_path, btc_sma_run())
    del doc["metrics"]["sharpe"]

    assert not validator.is_valid(doc)


def test_schema_lists_every_metric() -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    metrics = schema["properties"]["metrics"]

    assert set(metrics["required"]) == set(Metrics.__struct_fields__)


def test_top_level_and_trade_fields(tmp_path: Path) -> None:
    run = btc_sma_run()

    doc = _write_and_read(tmp_path, run)

    assert list(doc) == [
        "strategy",
        "params",
        "currency",
        "initial_equity",
        "final_equity",
        "metrics",
        "trades",
        "open_positions",
        "strategies",
        "risk",
        "equity_curve",
        "extra",
    ]
    assert doc["strategy"] == "sma_cross"
    assert doc["params"] == {"window": 20}
    assert len(doc["trades"]) == len(run.trades)
    first, t = doc["trades"][0], run.trades[0]
    assert first["instrument"] == "BTC/USDT@TEST"
    assert first["side"] == "long"
    assert (first["entry_price"], first["exit_price"], first["pnl"]) == (
        t.entry_price,
        t.exit_price,
        t.pnl,
    )


def test_times_are_iso_utc_with_z(tmp_path: Path) -> None:
    run = result([100.0, 101.0], start=1_670_890_000 * 10**9 - 300 * 10**9, trades=[trade(1)])

    doc = _write_and_read(tmp_path, run)

    assert doc["equity_curve"][0][0] == "2022-12-13T00:01:40Z"
    assert doc["trades"][0]["entry_time"] == "2020-09-13T00:00:00Z"
    assert doc["trades"][0]["exit_time"] == "2020-09-14T00:00:00Z"
    times = [doc["metrics"]["start"], doc["metrics"]["end"]]
    times += [p[0] for p in doc["equity_curve"]]
    assert all(ISO_Z.match(t) for t in times)


def test_sub_second_times_keep_their_fraction(tmp_path: Path) -> None:
    run = result([100.0, 101.0], start=1_670_889_900 * 10**9 + 250_000_000, step=HOUR)

    doc = _write_and_read(tmp_path, run)

    assert doc["metrics"]["start"] == "2022-12-13T00:05:00.250000Z"
    assert doc["equity_curve"][0][0] == "2022-12-13T00:05:00.250000Z"


def test_non_finite_numbers_are_null(tmp_path: Path) -> None:
    run = result(
        [math.nan, 100.0, 110.0],
        trades=[trade(10)],
        extra={"ratio": math.inf, "nested": {"x": -math.inf}},
        params={"threshold": math.nan},
    )

    doc = _write_and_read(tmp_path, run)

    assert doc["metrics"]["profit_factor"] is None
    assert doc["extra"] == {"ratio": None, "nested": {"x": None}}
    assert doc["params"] == {"threshold": None}
    assert doc["equity_curve"][0][1] is None
    assert "NaN" not in (tmp_path / "report.json").read_text()
    assert "Infinity" not in (tmp_path / "report.json").read_text()


def test_numpy_values_and_odd_types_in_extra_become_json(tmp_path: Path) -> None:
    run = result(
        [100.0, 101.0],
        extra={"n": np.int64(3), "x": np.float64(0.5), "v": np.array([1, 2]), "p": Path("a/b")},
    )

    doc = _write_and_read(tmp_path, run)

    assert doc["extra"] == {"n": 3, "x": 0.5, "v": [1, 2], "p": "a/b"}


def test_long_equity_curve_is_downsampled_keeping_ends_and_extremes(tmp_path: Path) -> None:
    equity = random_walk(50_000, seed=9, vol=0.002, drift=0.0)
    run = result(equity, step=HOUR)

    doc = _write_and_read(tmp_path, run)

    values = [v for _, v in doc["equity_curve"]]
    assert len(values) <= report_json.MAX_CURVE_POINTS
    assert values[0] == equity[0]
    assert values[-1] == equity[-1]
    assert min(values) == equity.min()
    assert max(values) == equity.max()


def test_metrics_block_equals_the_metrics(tmp_path: Path) -> None:
    run = btc_sma_run()
    metrics = compute_metrics(run)

    doc = _write_and_read(tmp_path, run)

    assert doc["metrics"] == msgspec.to_builtins(metrics)


def test_failed_render_leaves_no_file_and_keeps_the_old_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = btc_sma_run()
    path = tmp_path / "report.json"
    path.write_text("old report")

    def broken(*_: object) -> dict[str, Any]:
        raise RuntimeError("render failed")

    monkeypatch.setattr(report_json, "report_dict", broken)
    with pytest.raises(RuntimeError, match="render failed"):
        write_json(path, run, compute_metrics(run))

    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]
    assert path.read_text() == "old report"
