"""User mistakes on the command line: one clear line, exit status 2, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tradebot.app.cli import app

runner = CliRunner()

HEADER = "time_utc,open,high,low,close,volume\n"
GOOD_ROWS = [
    "2022-12-13 00:00:00,100,101,99,100.5,1\n",
    "2022-12-13 00:01:00,100.5,102,100,101,1\n",
    "2022-12-13 00:02:00,101,103,100.5,102,1\n",
]


def _write(path: Path, rows: list[str]) -> Path:
    path.write_text(HEADER + "".join(rows))
    return path


def _backtest(tmp_path: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(
        app,
        [
            "backtest",
            *args,
            "--json",
            str(tmp_path / "out.json"),
            "--report",
            str(tmp_path / "out.html"),
        ],
    )
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            [*GOOD_ROWS[:1], "2022-12-13 00:01:00,100,101,99,nan,1\n", *GOOD_ROWS[2:]],
            "row 2, field 'close'",
        ),
        (
            [*GOOD_ROWS[:1], "2022-12-13 00:01:00,100,101,99,-5,1\n", *GOOD_ROWS[2:]],
            "row 2, field 'close'",
        ),
        ([*GOOD_ROWS[:2], GOOD_ROWS[1]], "row 3, field 'time_utc': duplicate"),
        ([GOOD_ROWS[1], GOOD_ROWS[0], GOOD_ROWS[2]], "row 2, field 'time_utc'"),
        (
            [*GOOD_ROWS[:1], "not a date,100,101,99,100,1\n", *GOOD_ROWS[2:]],
            "row 2, field 'time_utc'",
        ),
        (
            [*GOOD_ROWS[:1], "2022-12-13 00:01:00,100,99,98,100,1\n", *GOOD_ROWS[2:]],
            "row 2: high is below",
        ),
    ],
    ids=["nan", "negative", "duplicate", "unsorted", "bad-date", "high-below-close"],
)
def test_bad_data_file_names_file_and_row_and_writes_nothing(
    tmp_path: Path, rows: list[str], expected: str
) -> None:
    data = _write(tmp_path / "BTCUSDT_1m.csv", rows)

    code, output = _backtest(tmp_path, "--data", str(data))

    assert code == 2
    assert str(data) in output.replace("\n", "")
    assert expected in output.replace("\n", "")
    assert "Traceback" not in output
    assert not (tmp_path / "out.json").exists()
    assert not (tmp_path / "out.html").exists()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--strategy", "nope"], "unknown strategy 'nope'"),
        (["--param", "fast=3", "--param", "nonsense=1"], "no parameter 'nonsense'"),
        (["--param", "fast"], "is not of the form KEY=VALUE"),
        (["--param", "fast=40"], "parameter 'slow'"),
        (["--param", "fast=abc"], "parameter 'fast' was 'abc'; it must be a whole number"),
        (["--param", "long_only=maybe"], "it must be true or false"),
        (["--cash", "-5"], "--cash was -5"),
        (["--fee", "0.5"], "--fee was 0.5"),
        (["--latency-ms", "-1"], "--latency-ms was -1"),
        (["--data", "/no/such/file.csv"], "/no/such/file.csv: no such file"),
        (["--dataset", "nope"], "unknown dataset 'nope'"),
        (["--timeframe", "7m"], "cannot resample 4h bars to 7m"),
    ],
)
def test_bad_flag_gives_one_line_and_exit_2(tmp_path: Path, args: list[str], expected: str) -> None:
    code, output = _backtest(tmp_path, *args)

    assert code == 2, output
    assert expected in output.replace("\n", "")
    assert "Traceback" not in output
    assert not (tmp_path / "out.json").exists()


def test_missing_column_lists_the_columns_found(tmp_path: Path) -> None:
    data = tmp_path / "BTCUSDT_1m.csv"
    data.write_text("time_utc,open,high,low,volume\n2022-12-13 00:00:00,1,1,1,1\n")

    code, output = _backtest(tmp_path, "--data", str(data))

    assert code == 2
    assert "no close column" in output.replace("\n", "")
