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
        self._state: dict[InstrumentId, _Windows] = {}

    def update(self, instrument_id: InstrumentId, price: float) -> None:
        """Add a closing price: O(1), two running sums of log returns and their squares."""
        state = self._state.get(instrument_id)
        if state is None:
            state = self._state[instrument_id] = _Windows(self.short, self.long)
        state.add(price)

    def __call__(self, instrument_id: InstrumentId) -> VolRegime | None:
        """The instrument's regime now."""
        state = self._state.get(instrument_id)
        if state is None or len(state.returns) < self.long:
            return None
        long_var = state.variance(state.long_sum, state.long_sq, self.long)
        if long_var <= 0:
            return VolRegime.NORMAL
        ratio = math.sqrt(max(state.variance(state.short_sum, state.short_sq, self.short), 0.0))
        ratio /= math.sqrt(long_var)
        if ratio > 2.5:
            return VolRegime.EXTREME
        if ratio > 1.5:
            return VolRegime.HIGH
        if ratio < 0.5:
            return VolRegime.LOW
        return VolRegime.NORMAL


class _Windows:
    """Log returns of the last ``long`` closes with running sums over both windows."""

    __slots__ = ("last", "long", "long_sq", "long_sum", "returns", "short", "short_sq", "short_sum")

    def __init__(self, short: int, long: int) -> None:
        self.short, self.long = short, long
        self.last = 0.0
        self.returns: deque[float] = deque()
        self.short_sum = self.short_sq = self.long_sum = self.long_sq = 0.0

    def add(self, price: float) -> None:
        """One close; the sums move in locals (runs on every bar while ``vol_scaling`` is on)."""
        last, self.last = self.last, price
        if last <= 0 or price <= 0:
            return
        r = math.log(price / last)
        rr = r * r
        returns = self.returns
        returns.append(r)
        short_sum, short_sq = self.short_sum + r, self.short_sq + rr
        long_sum, long_sq = self.long_sum + r, self.long_sq + rr
        n = len(returns)
        short = self.short
        if n > short:
            old = returns[n - 1 - short]
            short_sum -= old
            short_sq -= old * old
        if n > self.long:
            old = returns.popleft()
            long_sum -= old
            long_sq -= old * old
        self.short_sum, self.short_sq = short_sum, short_sq
        self.long_sum, self.long_sq = long_sum, long_sq

    @staticmethod
    def variance(total: float, squares: float, n: int) -> float:
        mean = total / n
        return squares / n - mean * mean


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
