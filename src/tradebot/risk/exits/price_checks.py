"""The price exits of one plan over one span of prices: stop, take profit, trailing locks.

A span is a bar (open, high, low, close) or a single price. Inside a bar the order of the high
and the low is unknown, so the checks never assume a favourable one:

* stop before take profit: when one bar touches both, the stop wins;
* a profit lock held *before* the bar is checked against the bar's worst price; a lock raised by
  the bar's own best price is checked only against its close, the one price known to come after
  the best. (Checking the worst price against it would exit at a profit the market may never
  have offered: the low may have come first.) The pullback is measured at the close too;
* a stop or lock the bar opened beyond (a gap) is hinted at the open, the price actually there.

Profit is ``side × (price − entry) / entry``, times the leverage when the settings say so. The
same price return serves inverse contracts: the tiers are about how far the price moved, not
about P&L in the settlement coin.
"""

from __future__ import annotations

from typing import NamedTuple

from tradebot.risk.exits.exit_plan import ExitPlan, ExitReason
from tradebot.risk.exits.settings import ExitSettings


class PriceSpan(NamedTuple):
    """Prices seen since the last check, in the order first, (high, low in either order), last."""

    first: float
    high: float
    low: float
    last: float
    kind: str
    """``"bar"`` (OHLC), ``"price"`` (one quote or trade) or ``"close"`` (a bar reduced to it)."""


class Found(NamedTuple):
    """A price exit: its reason, price hint and the sentence explaining it."""

    reason: ExitReason
    price_hint: float
    detail: str


def single(price: float, kind: str) -> PriceSpan:
    """A span of one price."""
    return PriceSpan(price, price, price, price, kind)


def profit(plan: ExitPlan, settings: ExitSettings, price: float) -> float:
    """Profit fraction of ``plan`` at ``price``."""
    factor = plan.leverage if settings.use_leverage else 1.0
    return plan.side * (price - plan.entry_price) / plan.entry_price * factor


def lock_price(plan: ExitPlan, settings: ExitSettings, locked: float) -> float:
    """The price at which ``plan`` makes the profit fraction ``locked``."""
    factor = plan.leverage if settings.use_leverage else 1.0
    return plan.entry_price * (1.0 + plan.side * locked / factor)


def raise_peak(plan: ExitPlan, settings: ExitSettings, price: float) -> None:
    """Move the best price, peak profit and lock of ``plan`` up to ``price`` if it is better."""
    if plan.side * (price - plan.best_price) > 0:
        plan.best_price = price
    peak = profit(plan, settings, plan.best_price)
    if peak <= plan.peak_profit:
        return
    plan.peak_profit = peak
    for trigger, lock in settings.trailing_tiers:  # rising, so the last one reached wins
        if peak >= trigger:
            plan.locked_profit = lock


def check_prices(plan: ExitPlan, settings: ExitSettings, span: PriceSpan) -> Found | None:
    """The first price exit ``span`` triggers for ``plan`` (updating its peak), or None."""
    long = plan.side > 0
    worst, best = (span.low, span.high) if long else (span.high, span.low)
    bar = span.kind == "bar"
    worst_word = ("low" if long else "high") if bar else span.kind
    best_word = ("high" if long else "low") if bar else span.kind

    stop = plan.stop_loss
    if stop is not None and plan.side * (worst - stop) <= 0:
        return _adverse(ExitReason.STOP, f"stop {_p(stop)}", stop, plan.side, span, worst_word)
    target = plan.take_profit
    if target is not None and plan.side * (best - target) >= 0:
        detail = f"take profit {_p(target)} touched by {best_word} {_p(best)}"
        return Found(ExitReason.TAKE_PROFIT, target, detail)
    if not settings.trailing:
        return None

    held = plan.locked_profit
    if held is not None and profit(plan, settings, worst) <= held:
        level = lock_price(plan, settings, held)
        what = f"profit lock {held:+.2%} ({_p(level)})"
        return _adverse(ExitReason.TRAILING, what, level, plan.side, span, worst_word)
    raise_peak(plan, settings, best)
    locked = plan.locked_profit
    if locked is None:
        return None
    at_last = profit(plan, settings, span.last)
    last_word = "close" if bar else span.kind
    if at_last <= locked:  # only reachable when this span raised the lock: see the module doc
        level = lock_price(plan, settings, locked)
        detail = (
            f"profit lock {locked:+.2%} ({_p(level)}) crossed: {last_word} {_p(span.last)} "
            f"after {best_word} {_p(best)}"
        )
        return Found(ExitReason.TRAILING, level, detail)
    peak = plan.peak_profit
    if at_last <= peak * (1.0 - settings.pullback):
        detail = (
            f"profit {at_last:+.2%} at {last_word} {_p(span.last)} fell "
            f"{1.0 - at_last / peak:.0%} from its peak {peak:+.2%} "
            f"(limit {settings.pullback:.0%})"
        )
        return Found(ExitReason.TRAILING, span.last, detail)
    return None


def _adverse(
    reason: ExitReason, what: str, level: float, side: int, span: PriceSpan, word: str
) -> Found:
    """A level touched against the position: hinted at the level, or at the first price when
    the span started beyond it (a bar that gapped through, or a single price past the level)."""
    if side * (span.first - level) >= 0:
        worst = span.low if side > 0 else span.high
        return Found(reason, level, f"{what} touched by {word} {_p(worst)}")
    if span.kind == "bar":
        return Found(reason, span.first, f"{what} gapped through: open {_p(span.first)}")
    return Found(reason, span.first, f"{what} passed by {span.kind} {_p(span.first)}")


def _p(price: float) -> str:
    """A price without float noise: 103.00000000000001 reads 103.0."""
    return repr(float(f"{price:.12g}"))


__all__ = ["Found", "PriceSpan", "check_prices", "lock_price", "profit", "raise_peak", "single"]
