"""Rules for options: no new positions just before expiry, and portfolio greek limits."""

from __future__ import annotations

from collections.abc import Callable

import msgspec

from tradebot.model.identifiers import InstrumentId
from tradebot.model.instruments import Option
from tradebot.risk.rules.base import Outcome, Proposal, Reject, RuleContext

_NS_PER_MINUTE = 60 * 10**9


class Greeks(msgspec.Struct, frozen=True):
    """Sensitivities of one unit (contract) of an instrument."""

    delta: float = 0.0
    gamma: float = 0.0
    vega: float = 0.0


GreeksProvider = Callable[[InstrumentId], Greeks | None]
"""Greeks per unit of an instrument now, or None when it has none (spot, futures: delta 1
is implied by the caller if it wants it counted)."""


class ExpiryCutoff:
    """No new option positions in the last ``option_expiry_cutoff_minutes`` before expiry."""

    name = "expiry_cutoff"

    def check(self, proposal: Proposal, ctx: RuleContext) -> Outcome:
        """Refuse options too close to expiry."""
        inst = proposal.instrument
        if not isinstance(inst, Option):
            return None
        left = (inst.expiry_ns - proposal.now_ns) / _NS_PER_MINUTE
        cutoff = ctx.limits.option_expiry_cutoff_minutes
        if left < cutoff:
            return Reject(
                f"{inst.id} expires in {max(left, 0):.1f} min; no new option positions in the "
                f"last {cutoff:g} min"
            )
        return None


class GreekLimits:
    """Net delta, gamma and vega of the portfolio after the order stay within their limits.

    Works on whatever greeks the provider gives per instrument, so it is ready for any option
    pricer; instruments without greeks do not count.
    """

    name = "greek_limits"

    def __init__(self, provider: GreeksProvider | None = None) -> None:
        self.provider = provider

    def check(self, proposal: Proposal, ctx: RuleContext) -> Outcome:
        """Refuse an order that would push a net greek past its limit."""
        limits = ctx.limits
        wanted = (
            ("delta", limits.max_net_delta),
            ("gamma", limits.max_net_gamma),
            ("vega", limits.max_net_vega),
        )
        if self.provider is None or all(limit is None for _, limit in wanted):
            return None
        mine = self.provider(proposal.instrument.id)
        if mine is None:
            return None
        pf = ctx.portfolio
        for greek, limit in wanted:
            if limit is None:
                continue
            net = 0.0
            for iid in pf.instruments:
                held = pf.holding(iid)
                if held:
                    g = self.provider(iid)
                    if g is not None:
                        net += held * getattr(g, greek)
            after = net + proposal.side * proposal.quantity * getattr(mine, greek)
            if abs(after) > limit and abs(after) > abs(net):
                return Reject(f"net {greek} would be {after:,.4g}, beyond the limit ±{limit:g}")
        return None


__all__ = ["ExpiryCutoff", "GreekLimits", "Greeks", "GreeksProvider"]
