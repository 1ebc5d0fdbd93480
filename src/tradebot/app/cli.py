"""The ``tradebot`` command line.

A user mistake (bad file, unknown strategy or parameter, bad number) prints one line naming
the file, row or flag and exits with status 2, without a traceback and before any report is
written.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Annotated, Any

import msgspec
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from tradebot.app.calibrate_command import calibrate
from tradebot.app.config_file import FileConfig, load_config
from tradebot.app.covered_call_cli import apply_preset, covered_call_config
from tradebot.app.data_selection import select_data
from tradebot.app.live_view import make_observer
from tradebot.app.option_market import adopt_data_asset, build_option_market
from tradebot.app.params import build_strategies, parse_pairs, parse_weights, strategy_names
from tradebot.app.session import SessionOutcome, run_backtest_session, run_paper_session
from tradebot.app.training_command import export_training
from tradebot.app.venue_commands import LiveRequest, data_app, run_venue
from tradebot.app.yaml_session import flags_given, session_runtime, yaml_config, yaml_strategies
from tradebot.engine.config import SessionConfig
from tradebot.errors import ConfigError, UserInputError
from tradebot.storage.errors import StorageUnavailableError
from tradebot.strategies import registry
from tradebot.strategies.base import Strategy
from tradebot.strategies.manager.config import ManagerConfig
from tradebot.venues.files.catalog import BUNDLED
from tradebot.venues.paper.config import PaperVenueConfig

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="tradebot: backtest, paper-trade and (later) live-trade with one engine.",
)
console = Console()
err_console = Console(stderr=True)

DEFAULT_BACKTEST_DATASET = "btc_usd_4h"
DEFAULT_RUN_DATASET = "bybit_btc_usdt_perp_1m"

DataOpt = Annotated[
    Path | None, typer.Option("--data", help="Data file or folder (CSV, CSV.GZ, Parquet, Feather).")
]
SymbolOpt = Annotated[
    str | None, typer.Option("--symbol", help="Symbol, e.g. BTC/USDT or BTC/USDT:USDT.")
]
TimeframeOpt = Annotated[
    str | None, typer.Option("--timeframe", help="Resample bars to 3m, 5m, 15m, 30m, 1h, 4h or 1d.")
]
StrategyOpt = Annotated[
    str,
    typer.Option(
        "--strategy",
        help="Strategy name (see `tradebot strategies`), or several separated by commas, run "
        "together under the strategy manager.",
    ),
]
ParamOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--param",
        help="Strategy parameter KEY=VALUE (repeatable); with several strategies NAME.KEY=VALUE.",
    ),
]
WeightOpt = Annotated[
    list[str] | None,
    typer.Option("--weight", help="Weight of a strategy in a set, NAME=WEIGHT (default 1 each)."),
]
MinConfOpt = Annotated[
    float | None,
    typer.Option("--min-confidence", help="Strategy set: drop opening signals below this."),
]
RegimeOpt = Annotated[
    bool | None,
    typer.Option(
        "--regime-switching/--no-regime-switching",
        help="Strategy set: open positions only for strategies built for the current regime.",
    ),
]
AutoSwitchOpt = Annotated[
    bool | None,
    typer.Option(
        "--auto-switch/--no-auto-switch",
        help="Strategy set: scale weights by recent profit factor.",
    ),
]
MaxExposureOpt = Annotated[
    float | None,
    typer.Option(
        "--max-exposure",
        help="Strategy set: combined gross exposure as a fraction of equity × leverage.",
    ),
]
CashOpt = Annotated[float, typer.Option("--cash", help="Starting balance in the account currency.")]
FeeOpt = Annotated[
    float | None,
    typer.Option(
        "--fee", help="Fee per side as a fraction, maker and taker (default 0.0002 / 0.0006)."
    ),
]
SlipOpt = Annotated[
    float | None, typer.Option("--slippage", help="Slippage as a fraction (default 0.0005).")
]
LevOpt = Annotated[float, typer.Option("--leverage", help="Leverage for perpetuals and futures.")]
LatencyOpt = Annotated[
    float | None,
    typer.Option("--latency-ms", help="Order latency to the simulated venue, in ms (default 0)."),
]
ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        help="TOML file with [risk.limits], [risk.sizing.NAME], [manager] and [venue] settings, "
        "or a YAML file (.yml/.yaml: see config/tradebot.example.yml) that also sets "
        "strategies, storage, logging, metrics and the scheduler, and is hot-reloaded by run.",
    ),
]
PresetOpt = Annotated[
    str | None,
    typer.Option(
        "--preset",
        help="covered_call: ULTRA_SAFE, BALANCED, AGGRESSIVE, or CUSTOM (BALANCED + --param).",
    ),
]
JsonOpt = Annotated[Path | None, typer.Option("--json", help="Where to write the JSON result.")]
ReportOpt = Annotated[Path | None, typer.Option("--report", help="Where to write the HTML report.")]
IvMultOpt = Annotated[
    float | None,
    typer.Option(
        "--iv-multiplier",
        help="Options strategies: synthetic IV = realised vol x this (default 1, or --skew's).",
    ),
]
SkewOpt = Annotated[
    Path | None,
    typer.Option("--skew", help="Options strategies: fitted IV parameters (`tradebot calibrate`)."),
]
SnapshotOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--option-snapshot",
        help="Options strategies: real chain snapshot (schepal CSV or Deribit ticker JSONL) "
        "to trade at while fresh (repeatable); the synthetic chain elsewhere.",
    ),
]


def _fail(message: str) -> None:
    err_console.print(f"[red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


def _session_config(
    cash: float,
    fee: float | None,
    slippage: float | None,
    leverage: float,
    latency_ms: float | None,
    config_path: Path | None = None,
) -> SessionConfig:
    for flag, value in (("--cash", cash), ("--leverage", leverage)):
        if not math.isfinite(value) or value <= 0:
            raise ConfigError(f"{flag} was {value}; it must be a number greater than 0")
    venue_kwargs: dict[str, Any] = {}
    if fee is not None:
        if not math.isfinite(fee) or not 0 <= fee < 0.1:
            raise ConfigError(f"--fee was {fee}; it must be a fraction in [0, 0.1), e.g. 0.0006")
        venue_kwargs.update(maker_fee=fee, taker_fee=fee)
    if slippage is not None:
        if not math.isfinite(slippage) or not 0 <= slippage < 0.1:
            raise ConfigError(f"--slippage was {slippage}; it must be a fraction in [0, 0.1)")
        venue_kwargs["slippage"] = slippage
    if latency_ms is not None:
        if not math.isfinite(latency_ms) or latency_ms < 0:
            raise ConfigError(f"--latency-ms was {latency_ms}; it must be 0 or more")
        venue_kwargs["latency_ms"] = latency_ms
    file = load_config(config_path) if config_path is not None else FileConfig()
    venue = msgspec.structs.replace(file.venue or PaperVenueConfig(), **venue_kwargs)
    return SessionConfig(
        cash=cash, leverage=leverage, venue=venue, risk=file.risk, manager=file.manager
    )


def _strategies(
    spec: str,
    params: list[str] | None,
    weights: list[str] | None,
    config: SessionConfig,
    *,
    min_confidence: float | None,
    regime_switching: bool | None,
    auto_switch: bool | None,
    max_exposure: float | None,
) -> tuple[list[Strategy[Any]], dict[str, Any], SessionConfig]:
    """Build the strategies asked for and, for a set, the manager settings."""
    names = strategy_names(spec)
    strategies, resolved = build_strategies(spec, parse_pairs(params or []))
    if len(names) == 1:
        if weights:
            raise ConfigError("--weight needs several strategies, e.g. --strategy a,b")
        return strategies, resolved, config
    given: dict[str, Any] = {
        "min_confidence": min_confidence,
        "regime_switching": regime_switching,
        "auto_switch": auto_switch,
        "max_combined_exposure": max_exposure,
    }
    overrides = {k: v for k, v in given.items() if v is not None}
    if weights:
        overrides["weights"] = parse_weights(weights, names)
    try:
        manager = msgspec.structs.replace(config.manager or ManagerConfig(), **overrides)
        manager.validate()
    except ValueError as exc:
        raise ConfigError(f"strategy set: {exc}") from exc
    return strategies, resolved, msgspec.structs.replace(config, manager=manager)


def _check_output(path: Path | None, flag: str) -> None:
    if path is None:
        return
    if path.exists() and path.is_dir():
        raise ConfigError(f"{flag} {path} is a folder; give a file path")
    parent = path.parent if str(path.parent) else Path(".")
    if parent.exists() and not parent.is_dir():
        raise ConfigError(f"{flag} {path}: {parent} is not a folder")


def _summary(outcome: SessionOutcome) -> None:
    m = outcome.metrics
    r = outcome.result
    table = Table(title=f"{r.strategy} {r.params}", show_header=False)
    rows = [
        ("final equity", f"{r.final_equity:,.2f} {r.currency}"),
        ("total return", f"{m.total_return:.2%}" if m.total_return is not None else "n/a"),
        ("CAGR", _pct(m.cagr)),
        ("Sharpe", _num(m.sharpe)),
        ("Sortino", _num(m.sortino)),
        ("max drawdown", _pct(m.max_drawdown)),
        ("trades", str(m.number_of_trades)),
        ("win rate", _pct(m.win_rate)),
        ("profit factor", _num(m.profit_factor)),
    ]
    for k, v in rows:
        table.add_row(k, v)
    console.print(table)
    if r.open_positions:
        console.print(f"open at the end: {r.open_positions}")
    if len(r.breakdown) > 1:
        by_strategy = Table("strategy", f"net P&L ({r.currency})", "trades", "wins")
        for row in r.breakdown:
            by_strategy.add_row(
                row.strategy_id, f"{row.net_pnl:,.2f}", str(row.trades), str(row.wins)
            )
        console.print(by_strategy)
    for path in (outcome.report_path, outcome.json_path):
        if path is not None:
            console.print(f"wrote {path}")


def _pct(x: float | None) -> str:
    return "n/a" if x is None or not math.isfinite(x) else f"{x:.2%}"


def _num(x: float | None) -> str:
    return "n/a" if x is None or not math.isfinite(x) else f"{x:.3f}"


@app.command()
def backtest(
    data: DataOpt = None,
    dataset: Annotated[
        str, typer.Option("--dataset", help="Bundled dataset when --data is not given.")
    ] = DEFAULT_BACKTEST_DATASET,
    symbol: SymbolOpt = None,
    timeframe: TimeframeOpt = None,
    strategy: StrategyOpt = "sma_cross",
    param: ParamOpt = None,
    preset: PresetOpt = None,
    weight: WeightOpt = None,
    min_confidence: MinConfOpt = None,
    regime_switching: RegimeOpt = None,
    auto_switch: AutoSwitchOpt = None,
    max_exposure: MaxExposureOpt = None,
    config_file: ConfigOpt = None,
    cash: CashOpt = 10_000.0,
    fee: FeeOpt = None,
    slippage: SlipOpt = None,
    leverage: LevOpt = 1.0,
    latency_ms: LatencyOpt = None,
    json_path: JsonOpt = Path("reports/backtest.json"),
    report: ReportOpt = Path("reports/backtest.html"),
    iv_multiplier: IvMultOpt = None,
    skew: SkewOpt = None,
    option_snapshot: SnapshotOpt = None,
) -> None:
    """Backtest a strategy (default: sma_cross on bundled Coinbase BTC/USD 4h candles)."""
    try:
        config = _session_config(cash, fee, slippage, leverage, latency_ms, config_file)
        strats, params, config = _strategies(
            strategy,
            apply_preset(strategy, preset, param),
            weight,
            config,
            min_confidence=min_confidence,
            regime_switching=regime_switching,
            auto_switch=auto_switch,
            max_exposure=max_exposure,
        )
        loaded = yaml_config(config_file)
        if loaded is not None and not flags_given("strategy", "param", "weight", "preset"):
            strats, params, config = yaml_strategies(loaded, config)
            strategy = ",".join(str(s.id) for s in strats)
        config = covered_call_config(strats, config, config_file)
        _check_output(json_path, "--json")
        _check_output(report, "--report")
        selection = select_data(data=data, dataset=dataset, symbol=symbol, timeframe=timeframe)
        adopt_data_asset(strats, selection.instruments, params, param)
        options = build_option_market(
            strats,
            selection.instruments,
            iv_multiplier=iv_multiplier,
            skew=skew,
            snapshots=option_snapshot or (),
        )
        total = len(selection.source)
        start_ns = selection.source.start_ns
        services = session_runtime(loaded, start_ns=start_ns, serve=False, watch=False)
        with (
            services as (attach, _),
            Progress(
                TextColumn("backtest"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=console,
                transient=True,
            ) as progress,
        ):
            task = progress.add_task("events", total=total)
            outcome = run_backtest_session(
                selection,
                strats,
                params,
                config,
                json_path=json_path,
                report_path=report,
                progress=lambda n: progress.update(task, completed=n),
                options=options,
                attach=attach,
            )
    except UserInputError as exc:
        _fail(str(exc))
        return
    _summary(outcome)


@app.command()
def run(
    data: DataOpt = None,
    dataset: Annotated[
        str, typer.Option("--dataset", help="Bundled dataset when --data is not given.")
    ] = DEFAULT_RUN_DATASET,
    symbol: SymbolOpt = None,
    timeframe: TimeframeOpt = None,
    strategy: StrategyOpt = "sma_cross",
    param: ParamOpt = None,
    weight: WeightOpt = None,
    min_confidence: MinConfOpt = None,
    regime_switching: RegimeOpt = None,
    auto_switch: AutoSwitchOpt = None,
    max_exposure: MaxExposureOpt = None,
    config_file: ConfigOpt = None,
    cash: CashOpt = 10_000.0,
    fee: FeeOpt = None,
    slippage: SlipOpt = None,
    leverage: LevOpt = 1.0,
    latency_ms: LatencyOpt = None,
    speed: Annotated[
        float,
        typer.Option(
            "--speed", help="Replay speed: data seconds per real second (0 = as fast as possible)."
        ),
    ] = 3600.0,
    json_path: JsonOpt = Path("reports/paper.json"),
    report: ReportOpt = Path("reports/paper.html"),
    iv_multiplier: IvMultOpt = None,
    skew: SkewOpt = None,
    option_snapshot: SnapshotOpt = None,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Store the session as it runs and resume it after a crash: "
            "sqlite:///file.db, postgresql+psycopg://user:pw@host:port/db, or a file path "
            "(SQLite). Default: nothing stored.",
        ),
    ] = None,
    venue: Annotated[
        str | None,
        typer.Option(
            "--venue",
            help="Connect to a real venue instead (binanceusdm, bybit, mexc, deribit); keys from "
            "TRADEBOT_<VENUE>_API_KEY / _SECRET.",
        ),
    ] = None,
    testnet: Annotated[bool, typer.Option("--testnet", help="With --venue: its testnet.")] = False,
    live: Annotated[
        bool, typer.Option("--live", help="With --venue: mainnet (real money).")
    ] = False,
    confirm_mainnet: Annotated[
        bool, typer.Option("--confirm-mainnet", help="With --live: yes, real money.")
    ] = False,
) -> None:
    """Paper-trade on a replay of recorded data (default: Bybit BTC/USDT perpetual, 1m), or
    with --venue on a real venue's live data (paper, --testnet, or --live mainnet)."""
    if venue is not None:
        try:
            config = _session_config(cash, fee, slippage, leverage, latency_ms, config_file)
            strats, params, config = _strategies(
                strategy,
                param,
                weight,
                config,
                min_confidence=min_confidence,
                regime_switching=regime_switching,
                auto_switch=auto_switch,
                max_exposure=max_exposure,
            )
            loaded = yaml_config(config_file)
            from_file = loaded is not None and not flags_given("strategy", "param", "weight")
            if loaded is not None and from_file:
                strats, params, config = yaml_strategies(loaded, config)
            _check_output(json_path, "--json")
            _check_output(report, "--report")
        except UserInputError as exc:
            _fail(str(exc))
            return
        request = LiveRequest(
            strats,
            params,
            config,
            timeframe=timeframe or "1m",
            json_path=json_path,
            report_path=report,
            loaded=loaded,
            strategies_from_file=from_file,
        )
        outcome = run_venue(
            venue,
            testnet=testnet,
            live=live,
            confirm_mainnet=confirm_mainnet,
            symbol=symbol,
            request=request,
        )
        if outcome is not None:
            _summary(outcome)
        return
    try:
        if not math.isfinite(speed) or speed < 0:
            raise ConfigError(f"--speed was {speed}; it must be 0 or a positive number")
        config = _session_config(cash, fee, slippage, leverage, latency_ms, config_file)
        strats, params, config = _strategies(
            strategy,
            param,
            weight,
            config,
            min_confidence=min_confidence,
            regime_switching=regime_switching,
            auto_switch=auto_switch,
            max_exposure=max_exposure,
        )
        loaded = yaml_config(config_file)
        if loaded is not None and not flags_given("strategy", "param", "weight"):
            strats, params, config = yaml_strategies(loaded, config)
            strategy = ",".join(str(s.id) for s in strats)
        _check_output(json_path, "--json")
        _check_output(report, "--report")
        selection = select_data(data=data, dataset=dataset, symbol=symbol, timeframe=timeframe)
        adopt_data_asset(strats, selection.instruments, params, param)
        options = build_option_market(
            strats,
            selection.instruments,
            iv_multiplier=iv_multiplier,
            skew=skew,
            snapshots=option_snapshot or (),
        )
        config = covered_call_config(strats, config, config_file)
    except UserInputError as exc:
        _fail(str(exc))
        return
    console.print(
        f"paper trading [bold]{strategy}[/] on {selection.description} at {speed:g}x "
        "(Ctrl-C stops cleanly)"
    )
    try:
        start_ns = selection.source.start_ns
        from_file = not flags_given("strategy", "param", "weight")
        services = session_runtime(
            loaded, start_ns=start_ns, serve=True, watch=True, strategies_from_file=from_file
        )
        with services as (attach, wrap):
            outcome = run_paper_session(
                selection,
                strats,
                params,
                config,
                speed=speed,
                json_path=json_path,
                report_path=report,
                observe=wrap(make_observer(console)),
                options=options,
                db_url=db,
                attach=attach,
            )
    except (UserInputError, StorageUnavailableError) as exc:
        _fail(str(exc))
        return
    if not outcome.completed:
        console.print("[yellow]stopped: open orders canceled, state summarised below[/]")
    _summary(outcome)


@app.command()
def strategies() -> None:
    """List every strategy with its parameters and defaults."""
    table = Table("strategy", "parameter", "type", "default", "description")
    for name, cls in registry.available().items():
        doc = (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else ""
        for i, (pname, ptype, default) in enumerate(registry.describe(cls)):
            table.add_row(
                name if i == 0 else "", pname, ptype, repr(default), doc if i == 0 else ""
            )
    console.print(table)


@app.command()
def datasets() -> None:
    """List the bundled real datasets."""
    table = Table("name", "instruments", "timeframe", "description")
    for name, ds in BUNDLED.items():
        table.add_row(
            name, ", ".join(str(i.id) for i in ds.instruments), ds.timeframe, ds.description
        )
    console.print(table)


app.command()(calibrate)


app.command("export-training")(export_training)
app.add_typer(data_app, name="data")


def main() -> None:
    """Entry point of the ``tradebot`` script."""
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        err_console.print("interrupted")
        sys.exit(130)


__all__ = ["app", "main"]
