"""What selling each candidate call would have earned: the covered-call simulator (seed 003).

Every call considered at a decision — chosen or not — is followed as if one contract had been
sold at its bid at the decision. At each later bar of the underlying it is checked with the
strategy's own exit rule (:func:`~tradebot.strategies.options.covered_call_scoring.exit_reason`,
bought back at the ask on a take profit or a roll) and it is also held to expiry, where it
settles at intrinsic value on the index (intrinsic / index for inverse options). Fees follow
the paper venue (:mod:`tradebot.options.economics`, taker rate of the series). Two outcomes per
candidate, in the premium currency per contract and in USD at the exit's index:

* ``tp_and_roll``: sold, then closed by the exit rule, or settled when it never fired;
* ``hold_to_expiry``: sold and settled at expiry.

The chosen candidate's real trade is sold at the same bid (option orders fill at the quote of
the moment) and bought back at the ask of the bar the same rule fires on, so its
``tp_and_roll`` outcome is the trade's P&L per contract; the trade's own fee per contract may
differ where the 12.5 % cap binds on the index of the moment.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from tradebot.model.instruments import Option
from tradebot.options import economics
from tradebot.options.market import OptionMarket
from tradebot.strategies.options.covered_call import (
    CoveredCallParams,
    CoveredCallStrategy,
    Decision,
)
from tradebot.strategies.options.covered_call_scoring import exit_reason

_HOUR_NS = 3_600 * 10**9


@dataclass(slots=True)
class Outcome:
    """The fate of one contract of a candidate sold at a decision."""

    option: Option
    premium: float
    entry_fee: float
    exit_reason: str = "open"
    """``take_profit``, ``roll``, ``expiry``, or ``open`` when the data ended first."""
    exit_ns: int | None = None
    exit_price: float = math.nan
    exit_index: float = math.nan
    exit_fee: float = math.nan
    expiry_index: float = math.nan
    settlement: float = math.nan
    settlement_fee: float = math.nan

    @property
    def pnl_rule(self) -> float:
        """Premium-currency P&L of ``tp_and_roll`` (NaN while open)."""
        return self.premium - self.exit_price - self.entry_fee - self.exit_fee

    @property
    def pnl_expiry(self) -> float:
        """Premium-currency P&L of ``hold_to_expiry`` (NaN before expiry)."""
        return self.premium - self.settlement - self.entry_fee - self.settlement_fee

    def usd(self, amount: float, index: float) -> float:
        """A premium-currency amount in USD at ``index``."""
        return amount * index if economics.premium_in_underlying(self.option) else amount


@dataclass(slots=True)
class _Followed:
    outcome: Outcome
    params: CoveredCallParams
    settled: bool = False


@dataclass(slots=True)
class OutcomeTracker:
    """Follows the candidates of every decision of the given strategies through the run.

    Call :meth:`after_event` after the engine has processed each event (see
    :func:`~tradebot.backtest.training.run.run_training`); it reads new decisions from each
    strategy's ``decisions`` list and moves every open candidate on at each underlying bar.
    """

    market: OptionMarket
    strategies: list[CoveredCallStrategy]
    outcomes: dict[tuple[str, int], list[Outcome]] = field(default_factory=dict)
    """(strategy id, decision number) → one outcome per candidate, in candidate order."""
    _seen: dict[str, int] = field(default_factory=dict)
    _open: list[_Followed] = field(default_factory=list)

    def after_event(self, ts_ns: int) -> None:
        """Move open candidates to ``ts_ns`` and start following new decisions."""
        if self._open:
            self._advance(ts_ns)
        for strategy in self.strategies:
            decisions = strategy.decisions
            sid = str(strategy.id)
            start = self._seen.get(sid, 0)
            for n in range(start, len(decisions)):
                self._follow(sid, n, decisions[n], strategy.params)
            self._seen[sid] = len(decisions)

    def _follow(self, sid: str, n: int, decision: Decision, params: CoveredCallParams) -> None:
        found = decision.candidates
        chain = found.chain
        outcomes = []
        for k in range(len(found)):
            option = chain.instrument_at(int(found.rows[k]))
            premium = float(found.premium[k])
            fee = economics.trading_fee(option, 1.0, premium, chain.spot, option.taker_fee)
            outcome = Outcome(option, premium, fee)
            outcomes.append(outcome)
            self._open.append(_Followed(outcome, params))
        self.outcomes[sid, n] = outcomes

    def _advance(self, ts: int) -> None:
        market = self.market
        still: list[_Followed] = []
        for item in self._open:
            out = item.outcome
            option = out.option
            if option.expiry_ns <= ts:
                self._settle(item, ts)
                continue
            if out.exit_ns is None:
                quote = market.quote(option, ts)
                index = market.index_price(option.underlying, ts)
                if quote is not None and index is not None:
                    p = item.params
                    reason = _rule(p, out, quote.ask, quote.delta, index, ts)
                    if reason is not None:
                        out.exit_reason = reason
                        out.exit_ns = ts
                        out.exit_price = quote.ask
                        out.exit_index = index
                        out.exit_fee = economics.trading_fee(
                            option, 1.0, quote.ask, index, option.taker_fee
                        )
            still.append(item)
        self._open = still

    def _settle(self, item: _Followed, ts: int) -> None:
        out = item.outcome
        option = out.option
        index = self.market.index_price(option.underlying, option.expiry_ns)
        if index is None or not index > 0:
            return
        value = economics.settlement_value(option, index)
        out.expiry_index = index
        out.settlement = value
        out.settlement_fee = economics.settlement_fee(option, 1.0, value, index)
        if out.exit_ns is None:
            out.exit_reason = "expiry"
            out.exit_ns = option.expiry_ns
            out.exit_price = value
            out.exit_index = index
            out.exit_fee = out.settlement_fee


def _rule(
    p: CoveredCallParams, out: Outcome, ask: float, delta: float, index: float, ts: int
) -> str | None:
    return exit_reason(
        ask=ask,
        premium=out.premium,
        spot=index,
        strike=out.option.strike,
        hours_left=(out.option.expiry_ns - ts) / _HOUR_NS,
        delta=delta,
        take_profit=p.take_profit,
        roll_hours=p.roll_hours,
        roll_delta=p.roll_delta,
    )


__all__ = ["Outcome", "OutcomeTracker"]
