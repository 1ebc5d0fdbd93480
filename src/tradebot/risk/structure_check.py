"""Risk for multi-leg structures: the legs are checked together, as the one trade they are.

A condor's short legs are not naked and its risk is its max loss, not the sum of its legs, so
the per-order sizing rules do not apply leg by leg. What applies: the trading state (breakers),
the expiry cutoff, the daily trade count and the open-position count per leg; risk per trade
on the structure's planned loss (it shrinks the number of units); and the portfolio greek
limits on the structure's net greeks. Closing structures are never refused.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import msgspec

from tradebot.model.enums import OrderSide
from tradebot.model.identifiers import InstrumentId
from tradebot.model.signals import Signal, SignalIntent, SizeMode, StructureSignal
from tradebot.risk.rules.base import Proposal, Reject
from tradebot.risk.verdict import Denied

if TYPE_CHECKING:
    from tradebot.risk.engine import RiskEngine

_CLOSE = SignalIntent.CLOSE
_PER_LEG_RULES = ("trading_state", "expiry_cutoff", "max_daily_trades", "max_open_positions")


class StructureApproved(msgspec.Struct, frozen=True):
    """The legs to send (signed quantities) and how many units they make."""

    legs: tuple[tuple[InstrumentId, float], ...]
    units: float
    note: str = ""


def check_structure(
    risk: RiskEngine, signal: StructureSignal, held: dict[InstrumentId, float]
) -> StructureApproved | Denied:
    """Size and check ``signal``; ``held`` is what the strategy holds in each leg."""
    pf = risk.portfolio
    for iid, _ in signal.legs:
        if iid not in pf.instruments:
            return Denied("UNKNOWN_INSTRUMENT", f"{iid} is not a known instrument")
    if signal.intent is _CLOSE:
        closing = []
        for iid, ratio in signal.legs:
            own = held.get(iid, 0.0)
            quantity = math.copysign(min(abs(ratio * signal.units), abs(own)), -own)
            if abs(quantity) > 1e-12:
                closing.append((iid, quantity))
        if not closing:
            return Denied("NOTHING_TO_CLOSE", f"no position in the legs of {signal.name}")
        return StructureApproved(tuple(closing), signal.units)
    if not (signal.units > 0 and math.isfinite(signal.units)):
        return Denied("BAD_SIZE", f"structure units must be positive, got {signal.units!r}")
    units = signal.units
    notes = []
    nlv = pf.valuation()[0]
    limit = risk.limits.max_risk_per_trade
    if signal.max_loss is not None and signal.max_loss > 0 and limit is not None:
        affordable = limit * nlv / signal.max_loss
        if affordable < units:
            units = affordable
            notes.append(
                f"risk_per_trade: planned loss {signal.max_loss:,.2f} per unit, "
                f"{limit:.2%} of NLV allows {affordable:.4g} units"
            )
    legs = _sized_legs(risk, signal, units)
    if isinstance(legs, Denied):
        return legs
    denied = _per_leg_rules(risk, signal, legs, nlv)
    if denied is not None:
        return denied
    denied = _greek_limits(risk, legs)
    if denied is not None:
        return denied
    risk.state.trades_today += 1
    return StructureApproved(legs, units, "; ".join(notes))


def _sized_legs(
    risk: RiskEngine, signal: StructureSignal, units: float
) -> tuple[tuple[InstrumentId, float], ...] | Denied:
    """Every leg at ``units`` floored to its lot, the units cut to the most floored leg so
    that the legs keep their ratios."""
    pf = risk.portfolio
    floored = min(
        pf.instruments[iid].floor_size(abs(ratio) * units) / abs(ratio)
        for iid, ratio in signal.legs
    )
    legs = []
    for iid, ratio in signal.legs:
        inst = pf.instruments[iid]
        quantity = inst.floor_size(abs(ratio) * floored)
        if quantity <= 0 or quantity < float(inst.min_quantity):
            return Denied(
                "ZERO_SIZE",
                f"{signal.name}: {units:.4g} units give leg {iid} {quantity:g}, below its "
                f"minimum {inst.min_quantity}",
            )
        legs.append((iid, math.copysign(quantity, ratio)))
    return tuple(legs)


def _per_leg_rules(
    risk: RiskEngine,
    signal: StructureSignal,
    legs: tuple[tuple[InstrumentId, float], ...],
    nlv: float,
) -> Denied | None:
    pf = risk.portfolio
    rules = [rule for rule in risk.rules if rule.name in _PER_LEG_RULES]
    for iid, quantity in legs:
        inst = pf.instruments[iid]
        side = OrderSide.BUY if quantity > 0 else OrderSide.SELL
        leg_signal = Signal(
            instrument_id=iid,
            side=side,
            size=abs(quantity),
            size_mode=SizeMode.QUANTITY,
            strategy_id=signal.strategy_id,
            ts_event=signal.ts_event,
            tag=signal.tag,
        )
        price = pf.last_price.get(iid, 0.0)
        unit_value = inst.notional(1.0, price) * pf.rate(inst.settlement_currency) if price else 0
        proposal = Proposal(
            leg_signal, inst, side.sign, abs(quantity), price, unit_value, nlv, signal.ts_event
        )
        for rule in rules:
            outcome = rule.check(proposal, risk)
            if isinstance(outcome, Reject):
                return Denied(rule.name.upper(), f"{signal.name} leg {iid}: {outcome.reason}")
    return None


def _greek_limits(risk: RiskEngine, legs: tuple[tuple[InstrumentId, float], ...]) -> Denied | None:
    provider = risk.greeks
    limits = risk.limits
    wanted = (
        ("delta", limits.max_net_delta),
        ("gamma", limits.max_net_gamma),
        ("vega", limits.max_net_vega),
    )
    if provider is None or all(limit is None for _, limit in wanted):
        return None
    pf = risk.portfolio
    for greek, limit in wanted:
        if limit is None:
            continue
        net = 0.0
        for iid in pf.instruments:
            held = pf.holding(iid)
            if held:
                g = provider(iid)
                if g is not None:
                    net += held * getattr(g, greek)
        added = 0.0
        for iid, quantity in legs:
            g = provider(iid)
            if g is not None:
                added += quantity * getattr(g, greek)
        after = net + added
        if abs(after) > limit and abs(after) > abs(net):
            return Denied(
                "GREEK_LIMITS", f"net {greek} would be {after:,.4g}, beyond the limit ±{limit:g}"
            )
    return None


__all__ = ["StructureApproved", "check_structure"]
