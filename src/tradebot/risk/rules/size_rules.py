"""Rules that bound the size of an order: risk at the stop, position, exposure, leverage,
margin, and the smallest order worth sending."""

from __future__ import annotations

from collections.abc import Callable

from tradebot.model.instruments import Option
from tradebot.risk.rules.base import Outcome, Proposal, Reject, Resize, RuleContext


def _fit(proposal: Proposal, room_value: float, what: Callable[[], str]) -> Outcome:
    """Shrink to ``room_value`` of value, or refuse when there is no room.

    ``what`` makes the reason; it is called only when the order does not fit, since
    formatting it on every order cost more than the check itself.
    """
    if proposal.quantity * proposal.unit_value <= room_value + 1e-9:
        return None
    if room_value <= 0 or proposal.unit_value <= 0:
        return Reject(f"{what()}: no room left")
    return Resize(room_value / proposal.unit_value, what())


class RiskPerTrade:
    """Loss at the stop (or premium paid for a long option) ≤ ``max_risk_per_trade`` × NLV."""

    name = "risk_per_trade"

    def check(self, proposal: Proposal, ctx: RuleContext) -> Outcome:
        """Shrink so that the loss at the stop fits the budget."""
        budget = ctx.limits.max_risk_per_trade * proposal.nlv
        inst = proposal.instrument
        stop = proposal.signal.stop_loss
        if isinstance(inst, Option) and proposal.side > 0:
            per_unit = proposal.unit_value  # the whole premium is at risk
            basis = "premium"
        elif stop is not None and stop > 0:
            if (stop - proposal.price) * proposal.side >= 0:
                return Reject(f"stop {stop:g} is on the wrong side of the price {proposal.price:g}")
            loss = abs(inst.pnl(proposal.side * 1.0, proposal.price, stop))
            per_unit = loss * ctx.portfolio.rate(inst.settlement_currency)
            basis = f"stop {stop:g}"
        else:
            return None  # no stop proposed: the position and exposure caps bound the size
        if per_unit <= 0:
            return None
        allowed = budget / per_unit
        if proposal.quantity <= allowed:
            return None
        return Resize(
            allowed,
            f"risk at the {basis} limited to {ctx.limits.max_risk_per_trade:.2%} of NLV "
            f"({budget:,.2f})",
        )


class MaxPosition:
    """The position after the order ≤ ``max_position`` × NLV by value."""

    name = "max_position"

    def check(self, proposal: Proposal, ctx: RuleContext) -> Outcome:
        """Shrink to what the cap leaves."""
        held = ctx.portfolio.holding(proposal.instrument.id) * proposal.side
        current = max(held, 0.0) * proposal.unit_value
        cap = ctx.limits.max_position * proposal.nlv
        # Buying against a short first reduces it: that part adds no exposure.
        reducing = max(-held, 0.0) * proposal.unit_value
        return _fit(
            proposal,
            cap - current + reducing,
            lambda: f"position capped at {ctx.limits.max_position:.0%} of NLV ({cap:,.2f})",
        )


class SymbolExposure:
    """Everything on one underlying ≤ ``max_symbol_exposure`` × NLV."""

    name = "symbol_exposure"

    def check(self, proposal: Proposal, ctx: RuleContext) -> Outcome:
        """Shrink to what is left on the underlying."""
        underlying = proposal.underlying()
        cap = ctx.limits.max_symbol_exposure * proposal.nlv
        used = ctx.symbol_exposure(underlying)
        held = ctx.portfolio.holding(proposal.instrument.id) * proposal.side
        reducing = max(-held, 0.0) * proposal.unit_value
        return _fit(
            proposal,
            cap - used + 2 * reducing,
            lambda: (
                f"exposure to {underlying} capped at {ctx.limits.max_symbol_exposure:.0%} of NLV"
            ),
        )


class MaxLeverage:
    """Gross exposure after the order ≤ ``max_leverage`` × NLV."""

    name = "max_leverage"

    def check(self, proposal: Proposal, ctx: RuleContext) -> Outcome:
        """Shrink to what the leverage cap leaves."""
        cap = ctx.limits.max_leverage * proposal.nlv
        used = ctx.portfolio.valuation()[1]
        return _fit(
            proposal,
            cap - used,
            lambda: f"gross exposure capped at {ctx.limits.max_leverage:g}x NLV",
        )


class MarginAvailable:
    """Initial margin of the order plus what is used ≤ margin equity × (1 − buffer)."""

    name = "margin"

    def check(self, proposal: Proposal, ctx: RuleContext) -> Outcome:
        """Shrink derivative orders to the free margin."""
        inst = proposal.instrument
        if not inst.is_derivative or isinstance(inst, Option):
            # Spot is paid in full; a long option's premium is its margin, and a short one is
            # margined on the underlying (naked-option formula), which the venue checks.
            return None
        pf = ctx.portfolio
        currency = inst.settlement_currency
        rate = pf.rate(currency)
        leverage = max(pf.account.leverage, 1e-12)
        free = pf.margin_equity(currency) * (1 - ctx.limits.margin_buffer) - pf.margin_used(
            currency
        )
        room_value = free * rate * leverage
        return _fit(
            proposal,
            room_value,
            lambda: (
                f"initial margin limited to the free margin less a {ctx.limits.margin_buffer:.0%} "
                "buffer"
            ),
        )


class MinPosition:
    """Orders worth less than ``min_position`` × NLV are not worth their fees."""

    name = "min_position"

    def check(self, proposal: Proposal, ctx: RuleContext) -> Outcome:
        """Refuse orders below the floor (checked after every resize)."""
        floor = ctx.limits.min_position * proposal.nlv
        if proposal.value < floor - 1e-9:
            return Reject(
                f"order worth {proposal.value:,.2f} is below the minimum of "
                f"{ctx.limits.min_position:.0%} of NLV ({floor:,.2f})"
            )
        return None


__all__ = [
    "MarginAvailable",
    "MaxLeverage",
    "MaxPosition",
    "MinPosition",
    "RiskPerTrade",
    "SymbolExposure",
]
