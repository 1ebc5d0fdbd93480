"""The strategy manager: several strategies on one account, with weights, a vote and regimes.

Opening signals of one step are reviewed together, in this order (each stage is the seed's
filter → combiner → ranker → sizer pipeline):

1. filter: strategies switched off (weight 0), signals below ``min_confidence``, and
   strategies not built for the instrument's current regime are dropped;
2. combiner: opposing signals on one instrument are put to a vote weighted by
   share × confidence; the losing side is dropped (a tie drops both);
3. ranker: the rest are ordered best first (share × confidence) and cut at
   ``max_signals_per_step``;
4. allocation: each signal is scaled to its strategy's share of the account and cut to what
   is left of the strategy's and the combined exposure limits, best first.

Closing signals never pass through here: an exit must not wait for a vote.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

import msgspec

from tradebot.model.data import Bar
from tradebot.model.identifiers import InstrumentId, StrategyId
from tradebot.model.positions import TradeRecord
from tradebot.model.regime import Regime
from tradebot.model.signals import Signal
from tradebot.strategies.base import Strategy
from tradebot.strategies.manager.config import ManagerConfig
from tradebot.strategies.manager.performance import PerformanceTracker
from tradebot.strategies.manager.regime import RegimeDetector

_EPS = 1e-12


class AccountView(Protocol):
    """What the manager reads from the engine to allocate capital."""

    def budget(self) -> float:
        """Net liquidation value times leverage, in the base currency."""
        ...

    def order_value(self, signal: Signal) -> float | None:
        """Base-currency value ``signal`` asks for as written, or None without a price."""
        ...

    def strategy_exposure(self, strategy_id: StrategyId) -> float:
        """Gross value of a strategy's open positions."""
        ...

    def total_exposure(self) -> float:
        """Gross value of every strategy's open positions."""
        ...


class Dropped(msgspec.Struct, frozen=True):
    """Why the manager held a signal back; ``code`` is machine-readable."""

    code: str
    reason: str


@dataclass(slots=True)
class Review:
    """Outcome of one step's review: signals to send (resized) and signals dropped."""

    approved: list[Signal] = field(default_factory=list)
    denied: list[tuple[Signal, Dropped]] = field(default_factory=list)


class StrategyManager:
    """Runs the review pipeline for a set of strategies sharing one account.

    Parameters
    ----------
    config : ManagerConfig
        Weights, filters, limits and regime settings.
    strategies : Iterable[Strategy]
        The managed strategies; their ``regimes`` say when they may open positions.
    """

    def __init__(self, config: ManagerConfig, strategies: Iterable[Strategy[Any]]) -> None:
        config.validate()
        self.config = config
        members = list(strategies)
        self._regimes = {s.id: type(s).regimes for s in members}
        unknown = set(config.weights) - {str(sid) for sid in self._regimes}
        if unknown:
            raise ValueError(
                f"weights were given for {', '.join(sorted(unknown))}, which are not in the "
                f"managed set ({', '.join(str(s) for s in self._regimes)})"
            )
        self._weights = {sid: config.weights.get(str(sid), 1.0) for sid in self._regimes}
        self.performance = PerformanceTracker(
            config.performance_window, config.min_trades, config.min_performance_factor
        )
        self._detectors: dict[InstrumentId, RegimeDetector] = {}
        self.regime_bars: dict[str, dict[str, int]] = {}
        """Bars spent in each regime, per instrument (for the report)."""
        self.dropped: dict[str, int] = {}
        """Signals dropped, by reason code."""

    # -- inputs ------------------------------------------------------------------------------
    def on_bar(self, bar: Bar) -> None:
        """Update the regime of ``bar``'s instrument with a bar of the data."""
        detector = self._detectors.get(bar.instrument_id)
        if detector is None:
            detector = self._detectors[bar.instrument_id] = RegimeDetector(self.config.regime)
        regime = detector.update(bar.high, bar.low, bar.close)
        counts = self.regime_bars.setdefault(str(bar.instrument_id), {})
        key = regime.value if regime is not None else "warming_up"
        counts[key] = counts.get(key, 0) + 1

    def on_trade_closed(self, trade: TradeRecord, pnl_base: float) -> None:
        """A strategy's round trip closed with ``pnl_base`` (net, base currency)."""
        self.performance.record(trade.strategy_id, pnl_base)

    # -- state -------------------------------------------------------------------------------
    def regime(self, instrument_id: InstrumentId) -> Regime | None:
        """Current regime of an instrument (None while warming up)."""
        detector = self._detectors.get(instrument_id)
        return None if detector is None else detector.regime

    def base_share(self, strategy_id: StrategyId) -> float:
        """The strategy's weight over the sum of weights."""
        total = sum(self._weights.values())
        return self._weights.get(strategy_id, 0.0) / total if total > 0 else 0.0

    def share(self, strategy_id: StrategyId) -> float:
        """Base share times the performance factor (when auto-switching)."""
        share = self.base_share(strategy_id)
        if self.config.auto_switch:
            share *= self.performance.factor(strategy_id)
        return share

    # -- the pipeline ------------------------------------------------------------------------
    def review(self, pending: list[Signal], account: AccountView) -> Review:
        """Filter, combine, rank and size one step's opening signals."""
        review = Review()
        kept = self._filter(pending, review)
        if self.config.combine:
            kept = self._combine(kept, review)
        kept = self._rank(kept, review)
        self._allocate(kept, account, review)
        for _, verdict in review.denied:
            self.dropped[verdict.code] = self.dropped.get(verdict.code, 0) + 1
        return review

    def _filter(self, pending: list[Signal], review: Review) -> list[Signal]:
        cfg = self.config
        kept = []
        for signal in pending:
            sid = signal.strategy_id
            if self._weights.get(sid, 0.0) <= 0:
                review.denied.append(
                    (signal, Dropped("STRATEGY_OFF", f"strategy {sid} has weight 0"))
                )
                continue
            if signal.confidence < cfg.min_confidence:
                review.denied.append(
                    (
                        signal,
                        Dropped(
                            "LOW_CONFIDENCE",
                            f"confidence {signal.confidence:.2f} is below the minimum "
                            f"{cfg.min_confidence:.2f}",
                        ),
                    )
                )
                continue
            regime = self.regime(signal.instrument_id)
            allowed = self._regimes.get(sid, frozenset())
            if cfg.regime_switching and regime is not None and regime not in allowed:
                review.denied.append(
                    (
                        signal,
                        Dropped(
                            "REGIME_OFF",
                            f"{signal.instrument_id} is {regime.value}; strategy {sid} trades "
                            f"only when {' or '.join(sorted(r.value for r in allowed))}",
                        ),
                    )
                )
                continue
            kept.append(signal)
        return kept

    def _score(self, signal: Signal) -> float:
        return self.share(signal.strategy_id) * signal.confidence

    def _combine(self, signals: list[Signal], review: Review) -> list[Signal]:
        votes: dict[InstrumentId, float] = {}
        sides: dict[InstrumentId, set[int]] = {}
        for s in signals:
            votes[s.instrument_id] = votes.get(s.instrument_id, 0.0) + s.side.sign * self._score(s)
            sides.setdefault(s.instrument_id, set()).add(s.side.sign)
        kept = []
        for s in signals:
            iid = s.instrument_id
            if len(sides[iid]) < 2:
                kept.append(s)
                continue
            vote = votes[iid]
            if abs(vote) > _EPS and (vote > 0) == (s.side.sign > 0):
                kept.append(s)
                continue
            outcome = "a tie" if abs(vote) <= _EPS else f"{vote:+.3f}"
            review.denied.append(
                (
                    s,
                    Dropped(
                        "OUTVOTED",
                        f"opposing signals on {iid} in the same step; the weighted vote was "
                        f"{outcome} (positive = buy)",
                    ),
                )
            )
        return kept

    def _rank(self, signals: list[Signal], review: Review) -> list[Signal]:
        ranked = sorted(signals, key=self._score, reverse=True)
        limit = self.config.max_signals_per_step
        if limit and len(ranked) > limit:
            for s in ranked[limit:]:
                review.denied.append(
                    (
                        s,
                        Dropped(
                            "RANKED_OUT",
                            f"{len(ranked)} opening signals in one step; only the best {limit} "
                            "are taken",
                        ),
                    )
                )
            ranked = ranked[:limit]
        return ranked

    def _allocate(self, signals: list[Signal], account: AccountView, review: Review) -> None:
        cfg = self.config
        budget = account.budget() * cfg.max_combined_exposure
        total_left = budget - account.total_exposure()
        added: dict[StrategyId, float] = {}
        for s in signals:
            sid = s.strategy_id
            share = self.share(sid)
            wanted = account.order_value(s)
            if wanted is None or wanted <= 0:
                review.approved.append(msgspec.structs.replace(s, size=s.size * share))
                continue
            own_left = (
                self.base_share(sid) * budget - account.strategy_exposure(sid) - added.get(sid, 0)
            )
            allowed = min(wanted * share, own_left, total_left)
            if allowed <= wanted * _EPS:
                code, limit = (
                    ("ALLOCATION_FULL", f"its share {own_left + added.get(sid, 0):.2f}")
                    if own_left <= total_left
                    else ("EXPOSURE_LIMIT", f"the combined limit {budget:.2f}")
                )
                review.denied.append(
                    (s, Dropped(code, f"strategy {sid} has no room left within {limit}"))
                )
                continue
            added[sid] = added.get(sid, 0.0) + allowed
            total_left -= allowed
            review.approved.append(msgspec.structs.replace(s, size=s.size * allowed / wanted))


__all__ = ["AccountView", "Dropped", "Review", "StrategyManager"]
