"""Market regimes: the strategy manager switches strategies on and off by regime."""

from __future__ import annotations

from enum import StrEnum


class Regime(StrEnum):
    """The state of one market, classified from trend strength and volatility."""

    TRENDING = "trending"
    """A directional market (strong ADX)."""
    RANGING = "ranging"
    """A sideways market (weak ADX, narrow bands)."""
    HIGH_VOLATILITY = "high_volatility"
    """Unusually large ranges (ATR in the top of its recent distribution)."""


ALL_REGIMES: frozenset[Regime] = frozenset(Regime)

__all__ = ["ALL_REGIMES", "Regime"]
