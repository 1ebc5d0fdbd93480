"""The exit monitor: watches every open position and says when to close it, and why.

A pure domain component: the engine opens a plan when a position opens (or grows), feeds bars
and prices, sends the closing orders the decisions ask for, and closes the plan once the
position is flat. The monitor sends nothing and drops no plan by itself; after a decision it
marks the plan ``exiting`` and stays quiet about it until :meth:`ExitMonitor.close` or a new
:meth:`ExitMonitor.open`, so a slow fill never yields a second decision.

Per plan and bar the checks run in a fixed order and the first that fires is the decision:
stop, take profit, trailing (profit locks, then the pullback), time limit, invalidation. The
price checks and their conservative reading of a bar are described in
:mod:`tradebot.risk.exits.price_checks`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from tradebot.model.data import Bar
from tradebot.model.identifiers import InstrumentId, StrategyId
from tradebot.risk.exits.conditions import Condition, compile_condition
from tradebot.risk.exits.errors import ConditionError
from tradebot.risk.exits.exit_plan import ExitDecision, ExitPlan, ExitReason, check_entry
from tradebot.risk.exits.names import is_known_name
from tradebot.risk.exits.price_checks import Found, PriceSpan, check_prices, raise_peak, single
from tradebot.risk.exits.settings import ExitSettings
from tradebot.risk.exits.shared_values import SharedValues

_Key = tuple[StrategyId, InstrumentId]
_HOUR_NS = 3_600_000_000_000
_NOT_FED: frozenset[str] = frozenset()
"""No timeframe was fed by a bar (shared, not a new empty set on every bar)."""


class ExitMonitor:
    """Exit plans of all open positions, keyed by (strategy, instrument).

    Parameters
    ----------
    settings : ExitSettings
        Time limit and trailing rules; validated here, so bad settings fail at start-up.
    """

    __slots__ = ("_by_instrument", "_plans", "_ttl_ns", "_values", "exits", "settings")

    def __init__(self, settings: ExitSettings | None = None) -> None:
        self.settings = settings if settings is not None else ExitSettings()
        self.settings.validate()
        self._ttl_ns = self.settings.ttl_ns
        self._plans: dict[_Key, ExitPlan] = {}
        self._by_instrument: dict[InstrumentId, dict[StrategyId, ExitPlan]] = {}
        self._values: dict[InstrumentId, dict[str | None, SharedValues]] = {}
        self.exits: dict[str, int] = {}
        """Decisions emitted so far, by reason."""

    def open(
        self,
        strategy_id: StrategyId,
        instrument_id: InstrumentId,
        side: int,
        entry_price: float,
        ts_ns: int,
        leverage: float,
        stop_loss: float | None = None,
        take_profit: float | None = None,
        invalidation: Iterable[str] = (),
        timeframe: str | None = None,
    ) -> ExitPlan:
        """Watch a position that opened, or update the plan of one that grew.

        ``invalidation`` is compiled here, so a bad condition fails when the position opens,
        not at its first bar. Opening an existing plan on the same side (pyramiding) sets the
        new average ``entry_price`` and leverage, the stop and target when given, adds the new
        conditions, keeps the time limit running from the first entry and re-bases the trailing
        peak on the new entry (a lock may drop, never rise). It also re-arms a plan marked
        ``exiting``. Opening on the other side replaces the plan: the position was reversed.
        ``timeframe`` names the bars the conditions read (None: the instrument's first one).

        Raises
        ------
        ConditionError
            If a condition does not parse or names an unknown indicator; nothing changes then.
        ValueError
            If a number cannot belong to a position (side not ±1, price or leverage not
            positive), or a pyramiding open names another timeframe.
        """
        conditions = _compile(invalidation)
        check_entry(side, entry_price, leverage, stop_loss, take_profit)
        key = (strategy_id, instrument_id)
        plan = self._plans.get(key)
        if plan is not None and plan.side == side:
            if timeframe is not None and timeframe != plan.timeframe:
                raise ValueError(
                    f"exit plan of {strategy_id} on {instrument_id} has timeframe "
                    f"{plan.timeframe!r}, not {timeframe!r}"
                )
            self._add_values(instrument_id, plan.timeframe, conditions)
            self._grow(plan, entry_price, leverage, stop_loss, take_profit, conditions)
            return plan
        self._add_values(instrument_id, timeframe, conditions)
        plan = ExitPlan(
            strategy_id=strategy_id,
            instrument_id=instrument_id,
            side=side,
            entry_price=entry_price,
            opened_ns=ts_ns,
            leverage=leverage,
            stop_loss=stop_loss,
            take_profit=take_profit,
            conditions=conditions,
            timeframe=timeframe,
        )
        self._plans[key] = plan
        self._by_instrument.setdefault(instrument_id, {})[strategy_id] = plan
        return plan

    def close(self, strategy_id: StrategyId, instrument_id: InstrumentId) -> ExitPlan | None:
        """Forget the plan of a position that is flat, whatever closed it; None if there was none.

        The instrument's indicators keep running, warm for its next trade.
        """
        plan = self._plans.pop((strategy_id, instrument_id), None)
        if plan is not None:
            plans = self._by_instrument[instrument_id]
            del plans[strategy_id]
            if not plans:
                del self._by_instrument[instrument_id]
        return plan

    def restore(self, plan: ExitPlan) -> None:
        """Watch ``plan`` as it was before a restart (rebuilt from storage), replacing any plan
        of its strategy and instrument."""
        self.close(plan.strategy_id, plan.instrument_id)
        self._add_values(plan.instrument_id, plan.timeframe, plan.conditions)
        self._plans[plan.key] = plan
        self._by_instrument.setdefault(plan.instrument_id, {})[plan.strategy_id] = plan

    def plans(self) -> tuple[ExitPlan, ...]:
        """Copies of the current plans, for reports and the API."""
        return tuple(dataclasses.replace(plan) for plan in self._plans.values())

    def on_bar(self, bar: Bar) -> list[ExitDecision]:
        """Update the instrument's indicators with ``bar`` and check each of its plans.

        A bar that closed at or before a plan's entry is not checked for it; one that began
        before prices the plan has already seen (the entry, earlier quotes, shorter bars) only
        contributes its close, since its high and low may predate them.
        """
        iid = bar.instrument_id
        shared = self._values.get(iid)
        fed = {tf for tf, values in shared.items() if values.update(bar)} if shared else _NOT_FED
        plans = self._by_instrument.get(iid)
        if not plans:
            return []
        ts = bar.ts_event
        decisions = []
        for plan in plans.values():
            if plan.exiting or ts <= plan.opened_ns:
                continue
            found = None
            if ts > plan.seen_ns:
                span = (
                    PriceSpan(bar.open, bar.high, bar.low, bar.close, "bar")
                    if bar.ts_open >= plan.seen_ns
                    else single(bar.close, "close")
                )
                plan.seen_ns = ts
                found = check_prices(plan, self.settings, span)
            if found is None:
                found = self._held_too_long(plan, ts, bar.close)
            if found is None and plan.conditions and plan.timeframe in fed:
                found = _invalidated(plan, self._values[iid][plan.timeframe].values, bar.close)
            if found is not None:
                decisions.append(self._decide(plan, found, ts))
        return decisions

    def on_price(self, instrument_id: InstrumentId, price: float, ts_ns: int) -> list[ExitDecision]:
        """Check the plans of ``instrument_id`` against one price (a quote's mid, a trade).

        The same checks as :meth:`on_bar` without the conditions, which read bars. A price older
        than what a plan has seen is only checked against the time limit.
        """
        plans = self._by_instrument.get(instrument_id)
        if not plans:
            return []
        decisions = []
        for plan in plans.values():
            if plan.exiting or ts_ns < plan.opened_ns:
                continue
            found = None
            if ts_ns >= plan.seen_ns:
                plan.seen_ns = ts_ns
                found = check_prices(plan, self.settings, single(price, "price"))
            if found is None:
                found = self._held_too_long(plan, ts_ns, price)
            if found is not None:
                decisions.append(self._decide(plan, found, ts_ns))
        return decisions

    def _add_values(
        self, instrument_id: InstrumentId, timeframe: str | None, conditions: Iterable[Condition]
    ) -> None:
        names = [name for condition in conditions for name in sorted(condition.names)]
        if not names:
            return
        per_timeframe = self._values.setdefault(instrument_id, {})
        shared = per_timeframe.get(timeframe)
        if shared is None:
            shared = per_timeframe[timeframe] = SharedValues(timeframe)
        shared.add(names)

    def _grow(
        self,
        plan: ExitPlan,
        entry_price: float,
        leverage: float,
        stop_loss: float | None,
        take_profit: float | None,
        conditions: tuple[Condition, ...],
    ) -> None:
        """Pyramiding: new average entry, levels when given, more conditions, peak re-based."""
        plan.entry_price = entry_price
        plan.leverage = leverage
        if stop_loss is not None:
            plan.stop_loss = stop_loss
        if take_profit is not None:
            plan.take_profit = take_profit
        texts = {condition.text for condition in plan.conditions}
        plan.conditions += tuple(c for c in conditions if c.text not in texts)
        plan.peak_profit = 0.0
        plan.locked_profit = None
        if plan.side * (entry_price - plan.best_price) > 0:
            plan.best_price = entry_price
        raise_peak(plan, self.settings, plan.best_price)
        plan.exiting = False

    def _held_too_long(self, plan: ExitPlan, ts: int, price: float) -> Found | None:
        ttl = self._ttl_ns
        if ttl is None or ts - plan.opened_ns < ttl:
            return None
        return Found(ExitReason.TTL, price, f"held {(ts - plan.opened_ns) / _HOUR_NS:.1f} h")

    def _decide(self, plan: ExitPlan, found: Found, ts: int) -> ExitDecision:
        plan.exiting = True
        reason = found.reason.value
        self.exits[reason] = self.exits.get(reason, 0) + 1
        return ExitDecision(
            strategy_id=plan.strategy_id,
            instrument_id=plan.instrument_id,
            reason=found.reason,
            price_hint=found.price_hint,
            detail=found.detail,
            ts_event=ts,
        )


def _compile(texts: Iterable[str]) -> tuple[Condition, ...]:
    if isinstance(texts, str):
        raise ConditionError(
            f"invalidation must be a collection of conditions, not the single text {texts!r}"
        )
    return tuple(compile_condition(text, is_known_name) for text in dict.fromkeys(texts))


def _invalidated(plan: ExitPlan, values: dict[str, float], close: float) -> Found | None:
    for condition in plan.conditions:
        if condition.evaluate(values):
            return Found(ExitReason.INVALIDATED, close, f"condition {condition.text!r} held")
    return None


__all__ = ["ExitMonitor"]
