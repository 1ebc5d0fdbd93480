"""Records the engine keeps of a run: signals with their verdicts, strategy failures, equity.

They are read by reports and storage. ``gc=False``: scalars and gc-free structs only (no
cycles), one per signal in a backtest, so the garbage collector need not re-scan them.
"""

from __future__ import annotations

import msgspec

from tradebot.model.signals import Signal
from tradebot.risk.verdict import Verdict


class StrategyFailed(msgspec.Struct, frozen=True, gc=False):
    """A strategy raised; it was stopped and the engine carried on."""

    strategy_id: str
    error: str
    ts_event: int


class SignalRecord(msgspec.Struct, frozen=True, gc=False):
    """A signal with the risk engine's verdict, kept for reports and storage."""

    signal: Signal
    verdict: Verdict
    client_order_id: str | None


class EquitySample(msgspec.Struct, frozen=True, gc=False):
    """Net liquidation value and gross exposure after a market step."""

    ts_event: int
    equity: float
    exposure: float


__all__ = ["EquitySample", "SignalRecord", "StrategyFailed"]
