"""Volatility-regime scaling of opening sizes, with a realised-volatility provider."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from enum import StrEnum

from tradebot.model.identifiers import InstrumentId
from tradebot.risk.rules.base import Outcome, Proposal, Resize, RuleContext


class VolRegime(StrEnum):
    """How volatile a market is now, relative to its own recent history."""

    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    EXTREME = "extreme"


VolRegimeProvider = Callable[[InstrumentId], VolRegime | None]
"""The regime of an instrument (a VIX feed, a model …), or None when unknown."""

SCALE: dict[VolRegime, float] = {
    VolRegime.LOW: 1.0,
    VolRegime.NORMAL: 1.0,
    VolRegime.HIGH: 0.5,
    VolRegime.EXTREME: 0.25,
}
"""Share of the asked size allowed in each regime."""


class RealisedVolatility:
    """Default provider: the last ``short`` log returns' volatility against the last ``long``.

    The regime is HIGH when the short-window volatility is over 1.5× the long one, EXTREME
    over 2.5×, LOW under 0.5×; None until ``long`` returns have been seen.
    """

    def __init__(self, short: int = 20, long: int = 200) -> None:
        self.short, self.long = short, long
        self._returns: dict[InstrumentId, deque[float]] = {}
        self._last: dict[InstrumentId, float] = {}

    def update(self, instrument_id: InstrumentId, price: float) -> None:
        """Add a closing price."""
        last = self._last.get(instrument_id)
        self._last[instrument_id] = price
        if last is None or last <= 0 or price <= 0:
            return
        returns = self._returns.get(instrument_id)
        if returns is None:
            returns = self._returns[instrument_id] = deque(maxlen=self.long)
        returns.append(math.log(price / last))

    def __call__(self, instrument_id: InstrumentId) -> VolRegime | None:
        """The instrument's regime now."""
        returns = self._returns.get(instrument_id)
        if returns is None or len(returns) < self.long:
            return None
        recent = list(returns)[-self.short :]
        long_sd = _sd(returns)
        if long_sd <= 0:
            return VolRegime.NORMAL
        ratio = _sd(recent) / long_sd
        if ratio > 2.5:
            return VolRegime.EXTREME
        if ratio > 1.5:
            return VolRegime.HIGH
        if ratio < 0.5:
            return VolRegime.LOW
        return VolRegime.NORMAL


def _sd(values: deque[float] | list[float]) -> float:
    n = len(values)
    mean = math.fsum(values) / n
    return math.sqrt(math.fsum((v - mean) ** 2 for v in values) / n)


class VolatilityScaling:
    """Shrink opening orders in high-volatility regimes (``SCALE``)."""

    name = "vol_scaling"

    def __init__(self, provider: VolRegimeProvider) -> None:
        self.provider = provider

    def check(self, proposal: Proposal, ctx: RuleContext) -> Outcome:
        """Scale by the regime's share."""
        if not ctx.limits.vol_scaling:
            return None
        regime = self.provider(proposal.instrument.id)
        if regime is None:
            return None
        share = SCALE[regime]
        if share >= 1:
            return None
        return Resize(proposal.quantity * share, f"{regime.value} volatility: size × {share:g}")


__all__ = ["SCALE", "RealisedVolatility", "VolRegime", "VolRegimeProvider", "VolatilityScaling"]
