"""``tradebot calibrate``: compare synthetic option prices with a real chain and fit the IV model.

Reads a snapshot (schepal CSV or Deribit ticker JSONL) and the underlying's candles up to the
snapshot's time, prints the error by moneyness and expiry before and after the fit, and writes
the table (CSV and JSON), a smile plot (PNG) and the fitted parameters (JSON for ``--skew``).
Bad input prints one line and exits with status 2 before any file is written.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from tradebot.app.data_selection import select_data
from tradebot.errors import ConfigError, DataError, UserInputError
from tradebot.model.data import Bar
from tradebot.model.instruments import Option
from tradebot.options.calibration import evaluate, fit_iv_model, real_quotes, realised_vol_before
from tradebot.options.calibration.report import (
    csv_text,
    json_text,
    overall,
    smile_png,
    table_rows,
)
from tradebot.options.chain import OptionChain
from tradebot.options.recorded import load_snapshot
from tradebot.options.synthetic import IVModel
from tradebot.options.synthetic.params_file import iv_model_to_dict, read_iv_model, with_multiplier

console = Console()
err_console = Console(stderr=True)

DEFAULT_DATASET = "btc_usd_4h"


def _pick_chain(chains: list[OptionChain], asset: str | None, snapshot: Path) -> OptionChain:
    if asset is None:
        return chains[0]
    for chain in chains:
        if chain.spec.underlying == asset:
            return chain
    have = ", ".join(c.spec.underlying for c in chains)
    raise ConfigError(f"--asset {asset}: snapshot {snapshot} has options on {have} only")


def _write_all(files: dict[Path, bytes]) -> None:
    """Write every file or none: all go to temporary files first, then are renamed."""
    staged: list[tuple[str, Path]] = []
    try:
        for path, content in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
            staged.append((tmp, path))
            with os.fdopen(fd, "wb") as fh:
                fh.write(content)
            os.chmod(tmp, 0o644)
        for tmp, path in staged:
            os.replace(tmp, path)
    finally:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)


def _check_out(out: Path, params: Path) -> None:
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {out} is a file; give a folder")
    if params.exists() and params.is_dir():
        raise ConfigError(f"--params {params} is a folder; give a file path")


def _fmt(x: float, spec: str) -> str:
    return "n/a" if not math.isfinite(x) else format(x, spec)


def _print_table(rows: list[dict[str, Any]], title: str) -> None:
    """Before → after in each cell, one section per grouping."""
    after = {(r["group"], r["bucket"]): r for r in rows if r["stage"] == "after"}
    table = Table("bucket", "n", "MAE USD", "bias USD", "MAE vol pts", "bias vol pts", title=title)
    group = ""
    for r in rows:
        if r["stage"] != "before":
            continue
        if group and r["group"] != group:
            table.add_section()
        group = r["group"]
        a = after[(r["group"], r["bucket"])]
        cells = [
            f"{_fmt(r[k], spec)} → {_fmt(a[k], spec)}"
            for k, spec in (
                ("mae_usd", ".1f"),
                ("bias_usd", "+.1f"),
                ("mae_vol", ".1f"),
                ("bias_vol", "+.1f"),
            )
        ]
        table.add_row(r["bucket"], str(r["n"]), *cells)
    console.print(table)


def calibrate(
    snapshot: Annotated[
        Path,
        typer.Option("--snapshot", help="Real chain: schepal CSV or Deribit ticker JSONL."),
    ],
    data: Annotated[
        Path | None, typer.Option("--data", help="Underlying candles (file or folder).")
    ] = None,
    dataset: Annotated[
        str, typer.Option("--dataset", help="Bundled candles when --data is not given.")
    ] = DEFAULT_DATASET,
    symbol: Annotated[str | None, typer.Option("--symbol", help="Symbol of --data.")] = None,
    timeframe: Annotated[
        str | None, typer.Option("--timeframe", help="Resample the candles first.")
    ] = None,
    asset: Annotated[
        str | None, typer.Option("--asset", help="Underlying to calibrate (default: the first).")
    ] = None,
    iv_multiplier: Annotated[
        float | None,
        typer.Option("--iv-multiplier", help="Unfitted model: IV = realised vol x this (1)."),
    ] = None,
    skew: Annotated[
        Path | None, typer.Option("--skew", help="Unfitted model from a fitted-parameter file.")
    ] = None,
    vol_days: Annotated[
        float, typer.Option("--vol-days", help="Realised-vol window in days.")
    ] = 30.0,
    min_days: Annotated[
        float, typer.Option("--min-days", help="Leave out contracts closer to expiry than this.")
    ] = 1.0,
    fit_term: Annotated[
        bool,
        typer.Option("--fit-term/--no-fit-term", help="Fit the ATM term-structure exponent."),
    ] = True,
    out: Annotated[
        Path, typer.Option("--out", help="Folder for the table, the plot and the parameters.")
    ] = Path("reports/calibration"),
    params_path: Annotated[
        Path | None,
        typer.Option("--params", help="Fitted parameters JSON (default OUT/iv_params.json)."),
    ] = None,
) -> None:
    """Compare synthetic option prices with a real chain snapshot and fit the IV model."""
    params_file = params_path or out / "iv_params.json"
    try:
        for flag, value in (("--vol-days", vol_days), ("--min-days", min_days)):
            if not math.isfinite(value) or value < 0 or (flag == "--vol-days" and value == 0):
                raise ConfigError(f"{flag} was {value}; it must be a positive number")
        if iv_multiplier is not None and not (iv_multiplier > 0 and math.isfinite(iv_multiplier)):
            raise ConfigError(f"--iv-multiplier was {iv_multiplier}; it must be above 0")
        _check_out(out, params_file)
        chain = _pick_chain(load_snapshot(snapshot), asset, snapshot)
        name = chain.spec.underlying
        try:
            quotes = real_quotes(chain, min_days=min_days)
        except ValueError as exc:
            raise DataError(str(snapshot), str(exc)) from None
        start = read_iv_model(skew) if skew is not None else IVModel()
        if iv_multiplier is not None:
            start = with_multiplier(start, iv_multiplier)
        selection = select_data(data=data, dataset=dataset, symbol=symbol, timeframe=timeframe)
        underlying = [
            i for i in selection.instruments if i.base == name and not isinstance(i, Option)
        ]
        if not underlying:
            have = ", ".join(str(i.id) for i in selection.instruments)
            raise ConfigError(
                f"the candles ({selection.description}) have no {name} instrument; they have {have}"
            )
        iid = underlying[0].id
        bars = (e for e in selection.source if type(e) is Bar and e.instrument_id == iid)
        try:
            vol = realised_vol_before(bars, chain.ts_ns, vol_days=vol_days)
        except ValueError as exc:
            raise DataError(selection.description, f"{iid}: {exc}") from None
    except UserInputError as exc:
        err_console.print(f"[red]error:[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=2) from None

    before = evaluate(quotes, vol.value, start)
    fit = fit_iv_model(quotes, vol.value, start, fit_term=fit_term)
    after = fit.evaluation
    rows = table_rows(before, after)
    b, a = overall(before), overall(after)
    meta = {
        "snapshot": str(snapshot),
        "asset": name,
        "candles": selection.description,
        "candle_instrument": str(iid),
        "candles_used": vol.bars,
        "last_candle_close": vol.last_close,
        "snapshot_index": chain.spot,
        "min_days": min_days,
        "vol_days": vol_days,
        "fit": {"success": fit.success, "message": fit.message, "evaluations": fit.iterations},
    }
    title = (
        f"{name} {snapshot.name}: realised vol {vol.value:.1%}, {len(quotes)} contracts; "
        f"MAE {b.mae_vol:.1f} -> {a.mae_vol:.1f} vol pts"
    )
    fit_info = {
        "fitted_on": str(snapshot),
        "realised_vol": vol.value,
        "mae_vol_before": b.mae_vol,
        "mae_vol_after": a.mae_vol,
        "mae_usd_before": b.mae_usd,
        "mae_usd_after": a.mae_usd,
    }
    files = {
        out / "calibration.csv": csv_text(rows).encode(),
        out / "calibration.json": json_text(rows, before, after, meta).encode(),
        out / "calibration_smile.png": smile_png(before, after, title),
        params_file: (
            json.dumps(iv_model_to_dict(fit.model, fit=fit_info), indent=2, allow_nan=False) + "\n"
        ).encode(),
    }
    _write_all(files)
    _print_table(rows, title)
    m = fit.model
    console.print(
        f"fitted: iv_multiplier {m.multiplier:.4f}, skew a {m.skew.a:+.4f}, "
        f"b {m.skew.b:+.4f}, term {m.skew.term:+.4f}"
    )
    for path in files:
        console.print(f"wrote {path}")


__all__ = ["calibrate"]
