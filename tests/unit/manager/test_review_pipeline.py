"""The manager's review of one step: filter, vote, rank, allocate."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from fixtures.factories import MIN, PERP, ScriptedStrategy
from tradebot.model.data import Bar
from tradebot.model.enums import OrderSide
from tradebot.model.identifiers import StrategyId
from tradebot.model.regime import Regime
from tradebot.model.signals import Signal
from tradebot.strategies.manager import ManagerConfig, StrategyManager


@dataclass
class FakeAccount:
    """Budget 10,000; an equity-fraction signal asks size × budget."""

    equity: float = 10_000.0
    exposures: dict[str, float] = field(default_factory=dict)

    def budget(self) -> float:
        return self.equity

    def order_value(self, signal: Signal) -> float | None:
        return signal.size * self.equity

    def strategy_exposure(self, strategy_id: StrategyId) -> float:
        return self.exposures.get(str(strategy_id), 0.0)

    def total_exposure(self) -> float:
        return sum(self.exposures.values())


class TrendOnly(ScriptedStrategy):
    regimes = frozenset({Regime.TRENDING})


class RangeOnly(ScriptedStrategy):
    regimes = frozenset({Regime.RANGING})


def sig(sid: str, side: OrderSide = OrderSide.BUY, size: float = 1.0, conf: float = 1.0) -> Signal:
    return Signal(
        instrument_id=PERP.id,
        side=side,
        size=size,
        confidence=conf,
        strategy_id=StrategyId(sid),
    )


def manager(*ids: str, **config: object) -> StrategyManager:
    members = [ScriptedStrategy({}, strategy_id=i) for i in ids]
    return StrategyManager(ManagerConfig(**config), members)  # type: ignore[arg-type]


def codes(review: object) -> dict[str, str]:
    return {str(s.strategy_id): d.code for s, d in review.denied}  # type: ignore[attr-defined]


def test_low_confidence_and_zero_weight_are_dropped_with_reasons() -> None:
    m = manager("a", "b", "c", min_confidence=0.5, weights={"c": 0.0})

    review = m.review([sig("a", conf=0.4), sig("b", conf=0.6), sig("c")], FakeAccount())

    assert codes(review) == {"a": "LOW_CONFIDENCE", "c": "STRATEGY_OFF"}
    assert [str(s.strategy_id) for s in review.approved] == ["b"]
    assert "0.40" in review.denied[0][1].reason


def test_opposing_signals_are_settled_by_a_weighted_vote() -> None:
    m = manager("a", "b", weights={"a": 2.0, "b": 1.0})

    review = m.review([sig("a", OrderSide.SELL, conf=0.5), sig("b", conf=0.9)], FakeAccount())

    # a: 2/3 × 0.5 = 0.333 for selling; b: 1/3 × 0.9 = 0.3 for buying → sell wins.
    assert codes(review) == {"b": "OUTVOTED"}
    assert [s.side for s in review.approved] == [OrderSide.SELL]


def test_a_tied_vote_drops_both_sides() -> None:
    m = manager("a", "b")

    review = m.review([sig("a", OrderSide.SELL), sig("b")], FakeAccount())

    assert codes(review) == {"a": "OUTVOTED", "b": "OUTVOTED"}
    assert review.approved == []


def test_ranker_keeps_the_best_signals_first() -> None:
    m = manager("a", "b", "c", max_signals_per_step=2)

    review = m.review([sig("a", conf=0.2), sig("b", conf=0.9), sig("c", conf=0.5)], FakeAccount())

    assert [str(s.strategy_id) for s in review.approved] == ["b", "c"]
    assert codes(review) == {"a": "RANKED_OUT"}


def test_sizes_are_scaled_to_each_strategys_share() -> None:
    m = manager("a", "b", weights={"a": 3.0, "b": 1.0})

    review = m.review([sig("a", size=0.4), sig("b", size=0.4)], FakeAccount())

    by_id = {str(s.strategy_id): s.size for s in review.approved}
    assert by_id["a"] == pytest.approx(0.4 * 0.75)
    assert by_id["b"] == pytest.approx(0.4 * 0.25)


def test_a_strategy_at_its_share_cannot_add_and_partial_room_is_resized() -> None:
    # a's share is half of 10,000; it already holds 5,000; b holds 4,000 of its 5,000.
    account = FakeAccount(exposures={"a": 5_000.0, "b": 4_000.0})
    m = manager("a", "b")

    review = m.review([sig("a", size=1.0), sig("b", size=1.0)], account)

    assert codes(review) == {"a": "ALLOCATION_FULL"}
    (b,) = review.approved
    assert b.size * account.equity == pytest.approx(1_000.0)


def test_combined_exposure_limit_caps_the_sum_of_strategies() -> None:
    # Combined limit 0.5 × 10,000 = 5,000; 4,500 is already used by c.
    account = FakeAccount(exposures={"c": 4_500.0})
    m = manager("a", "b", "c", max_combined_exposure=0.5)

    review = m.review([sig("a", size=1.0), sig("b", size=1.0)], account)

    approved = {str(s.strategy_id): s.size * account.equity for s in review.approved}
    assert approved == {"a": pytest.approx(500.0)}
    assert codes(review) == {"b": "EXPOSURE_LIMIT"}


def _trend_bars(n: int) -> list[Bar]:
    bars = []
    price = 100.0
    for i in range(n):
        o, price = price, price * 1.01
        bars.append(
            Bar(PERP.id, "1m", i * MIN, (i + 1) * MIN, o, price * 1.001, o * 0.999, price, 1)
        )
    return bars


def test_regime_switching_keeps_strategies_to_their_regime() -> None:
    members = [TrendOnly({}, strategy_id="t"), RangeOnly({}, strategy_id="r")]
    m = StrategyManager(ManagerConfig(combine=False), members)
    for bar in _trend_bars(400):
        m.on_bar(bar)
    assert m.regime(PERP.id) is Regime.TRENDING

    review = m.review([sig("t"), sig("r")], FakeAccount())

    assert [str(s.strategy_id) for s in review.approved] == ["t"]
    assert codes(review) == {"r": "REGIME_OFF"}
    assert "trending" in review.denied[0][1].reason


def test_without_regime_switching_every_strategy_may_open() -> None:
    members = [TrendOnly({}, strategy_id="t"), RangeOnly({}, strategy_id="r")]
    m = StrategyManager(ManagerConfig(combine=False, regime_switching=False), members)
    for bar in _trend_bars(400):
        m.on_bar(bar)

    review = m.review([sig("t"), sig("r")], FakeAccount())

    assert len(review.approved) == 2


def test_auto_switch_down_weights_a_losing_strategy() -> None:
    m = manager("a", "b", auto_switch=True, min_trades=3, min_performance_factor=0.2)
    for pnl in (-10.0, -10.0, 5.0):
        m.performance.record(StrategyId("a"), pnl)
    for pnl in (10.0, 10.0, -5.0):
        m.performance.record(StrategyId("b"), pnl)

    review = m.review([sig("a", size=1.0), sig("b", size=1.0)], FakeAccount())

    by_id = {str(s.strategy_id): s.size for s in review.approved}
    assert by_id["a"] == pytest.approx(0.5 * 5.0 / 20.0)  # profit factor 0.25
    assert by_id["b"] == pytest.approx(0.5)


def test_weights_for_unknown_strategies_are_refused() -> None:
    with pytest.raises(ValueError, match="zzz"):
        manager("a", weights={"zzz": 1.0})


@pytest.mark.parametrize(
    ("setting", "value", "word"),
    [
        ("min_confidence", 1.5, "min_confidence"),
        ("max_combined_exposure", 0.0, "max_combined_exposure"),
        ("min_performance_factor", 0.0, "min_performance_factor"),
        ("max_signals_per_step", -1, "max_signals_per_step"),
    ],
)
def test_bad_settings_name_the_setting(setting: str, value: float, word: str) -> None:
    with pytest.raises(ValueError, match=word):
        manager("a", **{setting: value})
