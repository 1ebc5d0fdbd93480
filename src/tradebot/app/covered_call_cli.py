"""Command-line settings of ``covered_call`` runs: ``--preset`` and the risk they run under."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec

from tradebot.engine.config import SessionConfig
from tradebot.risk.config import RiskConfig
from tradebot.risk.limits import RiskLimits
from tradebot.strategies.base import Strategy
from tradebot.strategies.options.covered_call import CoveredCallStrategy
from tradebot.strategies.options.covered_call_presets import apply_preset


def covered_call_risk() -> RiskConfig:
    """Risk settings of covered-call runs.

    The strategy holds the whole account in the coin and covers it with calls, so the limits
    built for directional trades are lifted: position and exposure size, risk per trade, the
    loss breakers and the drawdown steps (a coin holder's drawdown is the coin's) and the exit
    monitor (its 36 h time limit would sell the coin from under the calls). What still binds:
    no leverage beyond 1.5x, 10 open positions, 20 opening orders a day, the margin buffer, the
    15-minute option expiry cutoff, stale-data safe mode and the kill switch.
    """
    limits = msgspec.structs.replace(
        RiskLimits.off(),
        max_open_positions=10,
        max_daily_trades=20,
        max_leverage=1.5,
        margin_buffer=0.10,
        option_expiry_cutoff_minutes=15.0,
        stale_after_seconds=5.0,
    )
    return RiskConfig(limits=limits, exit_monitor=False)


def covered_call_session(config: SessionConfig, *, risk: bool = True) -> SessionConfig:
    """``config`` set up for covered calls: option cash kept in the coin, as on a
    coin-margined Deribit account, so a call bought back at a loss costs coin (the coin is
    "called away") instead of a USD debt that keeps the coin; with ``risk`` also
    :func:`covered_call_risk`."""
    changes: dict[str, Any] = {"convert_option_cash": False}
    if risk:
        changes["risk"] = covered_call_risk()
    return msgspec.structs.replace(config, **changes)


def covered_call_config(
    strategies: list[Strategy[Any]], config: SessionConfig, config_file: Path | None
) -> SessionConfig:
    """``config`` set up by :func:`covered_call_session` when only covered calls run (the
    risk settings only when no ``--config`` file gives them)."""
    if not strategies or not all(isinstance(s, CoveredCallStrategy) for s in strategies):
        return config
    return covered_call_session(config, risk=config_file is None)


__all__ = ["apply_preset", "covered_call_config", "covered_call_risk", "covered_call_session"]
