"""What ``--config tradebot.yml`` adds to ``tradebot backtest`` and ``tradebot run``.

The YAML file's risk, manager and venue sections reach the session through
:func:`tradebot.app.config_file.load_config` like the TOML file's; here its strategies replace
the command line's default (flags given explicitly still win), and a :class:`Runtime` starts
logging, metrics, the health server, the scheduler, the watchdog and hot reload.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import msgspec

from tradebot.app.config_file import YAML_SUFFIXES
from tradebot.app.runtime import Observer, Runtime
from tradebot.app.settings import LoadedConfig, load_settings
from tradebot.engine.config import SessionConfig
from tradebot.engine.trading_engine import TradingEngine
from tradebot.errors import ConfigError
from tradebot.strategies.base import Strategy
from tradebot.strategies.manager.config import ManagerConfig


def yaml_config(path: Path | None) -> LoadedConfig | None:
    """The YAML configuration when ``path`` is one, else None."""
    if path is None or path.suffix.lower() not in YAML_SUFFIXES:
        return None
    return load_settings(path)


def _current_context() -> Any:
    """The running command's click context (Typer ships its own copy of click)."""
    for name in ("typer._click.globals", "click.globals"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        ctx = module.get_current_context(silent=True)
        if ctx is not None:
            return ctx
    return None


def flags_given(*names: str) -> bool:
    """Whether any of these command-line parameters was given (not left at its default)."""
    ctx = _current_context()
    if ctx is None:
        return False
    for name in names:
        source = ctx.get_parameter_source(name)
        if source is not None and source.name != "DEFAULT":
            return True
    return False


def yaml_strategies(
    loaded: LoadedConfig, config: SessionConfig
) -> tuple[list[Strategy[Any]], dict[str, Any], SessionConfig]:
    """The file's enabled strategies, their parameters, and the session config for them."""
    if not loaded.strategies:
        raise ConfigError(
            f"--config {loaded.path}: no enabled strategy under 'strategies'; add one or "
            "pass --strategy"
        )
    strategies = loaded.build_strategies()
    manager = loaded.manager
    if manager is None and len(strategies) > 1:
        manager = ManagerConfig()
    return strategies, loaded.resolved_params(), msgspec.structs.replace(config, manager=manager)


@contextmanager
def session_runtime(
    loaded: LoadedConfig | None,
    *,
    start_ns: int,
    serve: bool,
    watch: bool,
    strategies_from_file: bool = True,
) -> Iterator[tuple[Callable[[TradingEngine], None] | None, Callable[[Observer], Observer]]]:
    """``(attach, wrap_observer)`` for a session; without a YAML configuration, no-ops.

    ``strategies_from_file`` False (the command line chose the strategies): hot reload leaves
    the strategies alone.
    """
    if loaded is None:
        yield None, lambda observe: observe
        return
    runtime = Runtime(loaded, serve=serve, watch=watch, strategies_from_file=strategies_from_file)
    try:
        yield (lambda engine: runtime.attach(engine, start_ns)), runtime.observer
        runtime.finish()
    finally:
        runtime.close()


__all__ = ["flags_given", "session_runtime", "yaml_config", "yaml_strategies"]
