"""``tradebot export-training``: covered-call training data (seed 003).

Runs the ``covered_call`` backtest on synthetic options (as ``tradebot backtest`` does) and
writes, into ``--out``:

* ``<prefix>.csv`` — every call considered at each decision with its features, whether it
  was chosen and its outcome (:mod:`tradebot.backtest.training.dataset`);
* ``<prefix>_per_candidate.jsonl`` and ``<prefix>_per_decision_ranking.jsonl`` — chat records
  for fine-tuning (:mod:`tradebot.backtest.training.llm`);
* the usual JSON and HTML reports of the backtest (``--json``, ``--report``).

``--training-mode`` runs the conservative, moderate and aggressive profiles side by side and
prints the P&L of each. ``--from-csv FILE`` skips the backtest and only turns an existing
candidate CSV into the two JSONL files. Every file is written atomically; a mistake prints one
line and exits with status 2 before anything is written.
"""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path
from typing import Annotated, Any

import msgspec
import typer
from rich.console import Console
from rich.table import Table

from tradebot.app.covered_call_cli import covered_call_session
from tradebot.app.data_selection import select_data
from tradebot.app.option_market import build_option_market
from tradebot.app.params import parse_pairs
from tradebot.backtest import compute_metrics, write_html, write_json
from tradebot.backtest.collect import collect_result
from tradebot.backtest.training import (
    EXIT_STYLES,
    read_csv,
    run_training,
    training_strategies,
    write_csv,
    write_llm_files,
)
from tradebot.engine.config import SessionConfig
from tradebot.errors import ConfigError, UserInputError
from tradebot.model.instruments import Option
from tradebot.strategies import registry
from tradebot.strategies.options.covered_call import CoveredCallStrategy
from tradebot.strategies.options.covered_call_presets import apply_preset

console = Console()
err_console = Console(stderr=True)

_PREFIX = re.compile(r"^[A-Za-z0-9_.-]+$")


def _fail(message: str) -> None:
    err_console.print(f"[red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


def _check_prefix(prefix: str) -> None:
    if not _PREFIX.match(prefix):
        raise ConfigError(f"--prefix was '{prefix}'; use letters, digits, '.', '-' and '_' only")


def _check_out(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {out} is a file; give a folder")


def _check_style(style: str) -> None:
    if style not in EXIT_STYLES:
        raise ConfigError(f"--exit-style was '{style}'; it must be one of {', '.join(EXIT_STYLES)}")


def export_training(
    data: Annotated[
        Path | None, typer.Option("--data", help="Data file or folder (default: --dataset).")
    ] = None,
    dataset: Annotated[
        str, typer.Option("--dataset", help="Bundled dataset when --data is not given.")
    ] = "btc_usd_4h",
    symbol: Annotated[str | None, typer.Option("--symbol", help="Symbol of --data.")] = None,
    timeframe: Annotated[
        str | None, typer.Option("--timeframe", help="Resample bars to this timeframe.")
    ] = None,
    preset: Annotated[
        str,
        typer.Option("--preset", help="ULTRA_SAFE, BALANCED, AGGRESSIVE or CUSTOM (+ --param)."),
    ] = "BALANCED",
    param: Annotated[
        list[str] | None, typer.Option("--param", help="covered_call KEY=VALUE (CUSTOM).")
    ] = None,
    training_mode: Annotated[
        bool,
        typer.Option(
            "--training-mode",
            help="Run the conservative, moderate and aggressive profiles side by side.",
        ),
    ] = False,
    exit_style: Annotated[
        str,
        typer.Option(
            "--exit-style", help="Outcome the JSONL labels use: tp_and_roll or hold_to_expiry."
        ),
    ] = "tp_and_roll",
    out: Annotated[Path, typer.Option("--out", help="Folder for the dataset files.")] = Path(
        "data"
    ),
    prefix: Annotated[
        str | None,
        typer.Option(
            "--prefix",
            help="File name stem (default training_candidates_<ASSET>_<PRESET or training>).",
        ),
    ] = None,
    from_csv: Annotated[
        Path | None,
        typer.Option("--from-csv", help="Only turn this candidate CSV into the JSONL files."),
    ] = None,
    cash: Annotated[float, typer.Option("--cash", help="Starting balance.")] = 10_000.0,
    iv_multiplier: Annotated[
        float | None, typer.Option("--iv-multiplier", help="Synthetic IV = realised vol x this.")
    ] = None,
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Where to write the backtest's JSON result.")
    ] = Path("reports/training.json"),
    report: Annotated[
        Path | None, typer.Option("--report", help="Where to write the backtest's HTML report.")
    ] = Path("reports/training.html"),
) -> None:
    """Export covered-call training data: candidate CSV and chat JSONL (seed 003)."""
    try:
        _check_style(exit_style)
        _check_out(out)
        if from_csv is not None:
            _from_csv(from_csv, out, prefix, exit_style)
            return
        if not (math.isfinite(cash) and cash > 0):
            raise ConfigError(f"--cash was {cash}; it must be a number greater than 0")
        selection = select_data(data=data, dataset=dataset, symbol=symbol, timeframe=timeframe)
        bases = [i.base for i in selection.instruments if not isinstance(i, Option)]
        if not bases:
            raise ConfigError("the data holds no underlying to sell calls on")
        asset = bases[0]
        if training_mode:
            if param:
                raise ConfigError("--training-mode runs fixed profiles; it takes no --param")
            strategies = training_strategies(asset)
            label = "training"
            params: dict[str, Any] = {
                str(s.id): msgspec.structs.asdict(s.params) for s in strategies
            }
        else:
            items = apply_preset("covered_call", preset, param)
            raw = parse_pairs(items)
            raw.setdefault("asset", asset)
            cls = registry.get("covered_call")
            parsed = registry.parse_params(cls, raw)
            strategies = [CoveredCallStrategy(parsed)]  # type: ignore[arg-type]
            label = str(getattr(parsed, "preset", preset))
            params = msgspec.structs.asdict(parsed)
        stem = prefix or f"training_candidates_{asset}_{label}"
        _check_prefix(stem)
        market = build_option_market(strategies, selection.instruments, iv_multiplier=iv_multiplier)
        assert market is not None  # covered_call names its asset
        config = covered_call_session(SessionConfig(cash=cash))
        run = run_training(
            selection.instruments, iter(selection.source), strategies, config, market
        )
    except UserInputError as exc:
        _fail(str(exc))
        return
    csv_path = out / f"{stem}.csv"
    write_csv(csv_path, run.rows)
    text_rows = read_csv(csv_path)
    per_c, per_d = write_llm_files(text_rows, out, stem, exit_style)
    result = collect_result(
        run.engine,
        strategy=",".join(str(s.id) for s in strategies),
        params=params,
        initial_equity=cash,
        extra={"mode": "export-training", "data": selection.description},
    )
    metrics = compute_metrics(result)
    if json_path is not None:
        write_json(json_path, result, metrics)
    if report is not None:
        write_html(report, result, metrics)
    decisions = sum(len(s.decisions) for s in strategies)
    sold = sum(1 for s in strategies for d in s.decisions if d.chosen is not None)
    table = Table(title=f"covered_call {label} on {selection.description}", show_header=False)
    table.add_row("final equity", f"{result.final_equity:,.2f} {result.currency}")
    table.add_row("total return", _pct(metrics.total_return))
    table.add_row("max drawdown", _pct(metrics.max_drawdown))
    table.add_row("trades", str(metrics.number_of_trades))
    table.add_row("decisions / calls sold", f"{decisions} / {sold}")
    table.add_row("candidates", str(len(run.rows)))
    console.print(table)
    if len(strategies) > 1:
        # Option cash stays in the coin (covered_call_session), so each profile's P&L is its
        # coin and open call at the last prices less what the coin cost; the books value coin
        # premiums at the rate of their day instead.
        books = {row.strategy_id: row for row in result.breakdown}
        by = Table("profile", f"P&L ({result.currency})", "calls sold", "option trades", "wins")
        for s in strategies:
            row = books.get(str(s.id))
            sold_by = sum(1 for d in s.decisions if d.chosen is not None)
            by.add_row(
                str(s.id),
                f"{s.pnl_in_quote():,.2f}",
                str(sold_by),
                str(row.trades) if row else "0",
                str(row.wins) if row else "0",
            )
        console.print(by)
    for path in (csv_path, per_c, per_d, json_path, report):
        if path is not None:
            console.print(f"wrote {path}")


def _from_csv(path: Path, out: Path, prefix: str | None, style: str) -> None:
    if not path.is_file():
        raise ConfigError(f"--from-csv {path}: no such file")
    stem = prefix or path.stem
    _check_prefix(stem)
    try:
        rows = read_csv(path)
        per_c, per_d = write_llm_files(rows, out, stem, style)
    except (ValueError, UnicodeDecodeError, csv.Error) as exc:
        raise ConfigError(f"--from-csv {path}: {exc}") from exc
    console.print(f"wrote {per_c}")
    console.print(f"wrote {per_d}")


def _pct(x: float | None) -> str:
    return "n/a" if x is None or not math.isfinite(x) else f"{x:.2%}"


__all__ = ["export_training"]
