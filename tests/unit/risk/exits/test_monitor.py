"""The exit monitor on crafted bar paths: stop, target, time limit, invalidation, bookkeeping."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradebot.model.data import Bar, QuoteTick, TradeTick
from tradebot.model.identifiers import InstrumentId, StrategyId
from tradebot.risk.exits import (
    ConditionError,
    ExitDecision,
    ExitMonitor,
    ExitReason,
    ExitSettings,
)

IID = InstrumentId("BTC/USDT:USDT", "T")
SID = StrategyId("s1")
H = 3_600 * 10**9
LONG, SHORT = 1, -1
NO_TRAILING = ExitSettings(trailing=False, ttl_hours=None)


def bar(i: int, o: float, h: float, low: float, c: float, tf: str = "1h") -> Bar:
    """The ``i``-th hourly bar after an entry at time 0: it closes at ``(i + 1)`` hours."""
    return Bar(IID, tf, i * H, (i + 1) * H, o, h, low, c, 1.0)


def flat(i: int, price: float = 100.0) -> Bar:
    return bar(i, price, price, price, price)


def opened(side: int = LONG, exits: ExitSettings | None = None, **plan: Any) -> ExitMonitor:
    """A monitor watching one position of ``SID`` entered at 100, time 0, leverage 1."""
    monitor = ExitMonitor(exits or ExitSettings())
    monitor.open(SID, IID, side, 100.0, 0, 1.0, **plan)
    return monitor


def run(monitor: ExitMonitor, bars: list[Bar]) -> list[tuple[int, ExitDecision]]:
    """(bar index, decision) of every decision along ``bars``."""
    return [(i, d) for i, b in enumerate(bars) for d in monitor.on_bar(b)]


# --- stop and take profit ---------------------------------------------------------------------


def test_long_stop_touched_intrabar_by_the_low() -> None:
    monitor = opened(stop_loss=95.0, take_profit=110.0)
    bars = [bar(0, 100, 101, 96, 100), bar(1, 100, 100.5, 94.2, 99), bar(2, 99, 99, 90, 90)]
    [(i, decision)] = run(monitor, bars)
    assert i == 1
    assert decision == ExitDecision(
        strategy_id=SID,
        instrument_id=IID,
        reason=ExitReason.STOP,
        price_hint=95.0,
        detail="stop 95.0 touched by low 94.2",
        ts_event=2 * H,
    )


def test_short_stop_touched_intrabar_by_the_high() -> None:
    monitor = opened(SHORT, stop_loss=105.0, take_profit=90.0)
    [(i, decision)] = run(monitor, [bar(0, 100, 104, 99, 100), bar(1, 100, 105.8, 99, 104)])
    assert (i, decision.reason, decision.price_hint) == (1, ExitReason.STOP, 105.0)
    assert decision.detail == "stop 105.0 touched by high 105.8"


def test_a_bar_that_opens_beyond_the_stop_is_hinted_at_its_open() -> None:
    monitor = opened(stop_loss=95.0)
    [(_, decision)] = run(monitor, [bar(0, 100, 100, 99, 99), bar(1, 93, 94, 92, 93.5)])
    assert (decision.price_hint, decision.detail) == (93.0, "stop 95.0 gapped through: open 93.0")


def test_long_take_profit_touched_by_the_high() -> None:
    monitor = opened(stop_loss=95.0, take_profit=110.0)
    [(i, decision)] = run(monitor, [bar(0, 100, 105, 99, 104), bar(1, 104, 110.5, 103, 106)])
    assert (i, decision.reason, decision.price_hint) == (1, ExitReason.TAKE_PROFIT, 110.0)
    assert decision.detail == "take profit 110.0 touched by high 110.5"


def test_short_take_profit_touched_by_the_low() -> None:
    monitor = opened(SHORT, stop_loss=105.0, take_profit=90.0)
    [(i, decision)] = run(monitor, [bar(0, 100, 101, 95, 96), bar(1, 96, 97, 89.0, 91)])
    assert (i, decision.reason, decision.price_hint) == (1, ExitReason.TAKE_PROFIT, 90.0)
    assert decision.detail == "take profit 90.0 touched by low 89.0"


@pytest.mark.parametrize(
    ("side", "stop", "target", "wide_bar"),
    [
        (LONG, 95.0, 110.0, (100, 111, 94, 100)),
        (SHORT, 105.0, 90.0, (100, 106, 89, 100)),
    ],
)
def test_stop_wins_when_one_bar_touches_stop_and_target(
    side: int, stop: float, target: float, wide_bar: tuple[float, float, float, float]
) -> None:
    """Which came first inside the bar is unknown: assume the worse (conservative)."""
    monitor = opened(side, stop_loss=stop, take_profit=target)
    [(_, decision)] = run(monitor, [bar(0, *wide_bar)])
    assert (decision.reason, decision.price_hint) == (ExitReason.STOP, stop)


def test_without_levels_or_rules_nothing_happens() -> None:
    monitor = opened(exits=NO_TRAILING)
    assert run(monitor, [bar(i, 100, 150, 50, 100) for i in range(100)]) == []


# --- bars around the entry --------------------------------------------------------------------


def test_a_bar_that_closed_at_the_entry_is_not_checked() -> None:
    """The signal bar itself: its low came before the position existed."""
    monitor = ExitMonitor(NO_TRAILING)
    monitor.open(SID, IID, LONG, 100.0, H, 1.0, stop_loss=95.0)
    assert monitor.on_bar(bar(0, 100, 100, 90, 100)) == []
    assert monitor.on_bar(bar(1, 100, 100, 96, 97)) == []
    [decision] = monitor.on_bar(bar(2, 97, 97, 94, 95))
    assert decision.reason is ExitReason.STOP


def test_a_bar_that_began_before_the_entry_only_counts_its_close() -> None:
    """The entry came inside the bar: its low of 90 may predate the position."""
    spans_the_entry = bar(0, 100, 100, 90, 97)
    monitor = ExitMonitor(NO_TRAILING)
    monitor.open(SID, IID, LONG, 100.0, H // 2, 1.0, stop_loss=95.0)
    assert monitor.on_bar(spans_the_entry) == []
    monitor = ExitMonitor(NO_TRAILING)
    monitor.open(SID, IID, LONG, 100.0, H // 2, 1.0, stop_loss=98.0)
    [decision] = monitor.on_bar(spans_the_entry)
    assert (decision.price_hint, decision.detail) == (97.0, "stop 98.0 passed by close 97.0")


# --- time limit -------------------------------------------------------------------------------


def test_ttl_fires_exactly_at_36_hours_and_not_one_bar_before() -> None:
    monitor = opened()
    bars = [flat(i) for i in range(40)]  # bar i closes at (i + 1) h
    [(i, decision)] = run(monitor, bars)
    assert i == 35
    assert decision.ts_event == 36 * H
    assert (decision.reason, decision.price_hint, decision.detail) == (
        ExitReason.TTL,
        100.0,
        "held 36.0 h",
    )


def test_ttl_none_holds_forever_and_a_custom_ttl_counts_from_the_first_entry() -> None:
    assert run(opened(exits=ExitSettings(ttl_hours=None)), [flat(i) for i in range(500)]) == []
    monitor = opened(exits=ExitSettings(ttl_hours=1.5))
    monitor.open(SID, IID, LONG, 100.0, H, 1.0)  # pyramiding does not restart the clock
    assert [i for i, _ in run(monitor, [flat(i) for i in range(4)])] == [1]  # closes at 2 h


# --- invalidation -----------------------------------------------------------------------------


def test_invalidation_fires_on_the_bar_computed_by_hand() -> None:
    # close:  100  101  102  103  101.5
    # sma_3:  nan  nan  101  102  (102 + 103 + 101.5) / 3 = 102.17  -> close < sma_3 at bar 4
    monitor = opened(invalidation=("close < sma_3",))
    closes = [100.0, 101.0, 102.0, 103.0, 101.5, 100.0]
    bars = [bar(i, c, c + 0.5, c - 0.5, c) for i, c in enumerate(closes)]
    [(i, decision)] = run(monitor, bars)
    assert i == 4
    assert (decision.reason, decision.price_hint) == (ExitReason.INVALIDATED, 101.5)
    assert decision.detail == "condition 'close < sma_3' held"


@pytest.mark.parametrize("text", ["close < sma_3", "not (close >= sma_3)", "sma_3 != sma_3"])
def test_a_warming_up_indicator_never_invalidates(text: str) -> None:
    # close 100, 90: sma_3 is NaN, so every condition on it is unknown, which does not hold;
    # close 80 at bar 2: sma_3 = 90 and 80 < 90 (the third one never holds).
    monitor = opened(invalidation=(text,))
    bars = [bar(i, c, c, c, c) for i, c in enumerate([100.0, 90.0, 80.0])]
    fired = [i for i, _ in run(monitor, bars)]
    assert fired == ([] if text.startswith("sma_3 !=") else [2])


def test_indicators_warm_up_from_the_open_and_stay_warm_for_the_next_trade() -> None:
    monitor = ExitMonitor(ExitSettings(ttl_hours=None))
    for i in range(3):  # no plan reads sma_3 yet: nothing is computed
        monitor.on_bar(flat(i, 200.0))
    monitor.open(SID, IID, LONG, 100.0, 3 * H, 1.0, invalidation=("close < sma_3",))
    assert monitor.on_bar(flat(3)) == []  # sma_3 NaN: its first bar is this one
    assert monitor.on_bar(flat(4)) == []
    monitor.close(SID, IID)
    for i in range(5, 8):
        monitor.on_bar(flat(i, 100.0 + i))  # still updated: closes 105, 106, 107
    monitor.open(SID, IID, LONG, 107.0, 8 * H, 1.0, invalidation=("close < sma_3",))
    [decision] = monitor.on_bar(flat(8, 105.0))  # sma_3 = (106 + 107 + 105) / 3 = 106
    assert decision.reason is ExitReason.INVALIDATED


def test_a_name_added_later_warms_up_without_resetting_the_others() -> None:
    monitor = ExitMonitor(ExitSettings(ttl_hours=None))
    a, b = StrategyId("a"), StrategyId("b")
    monitor.open(a, IID, LONG, 100.0, 0, 1.0, invalidation=("close < sma_2",))
    monitor.on_bar(flat(0, 100.0))
    monitor.on_bar(flat(1, 102.0))  # sma_2 = 101, warm
    monitor.open(b, IID, LONG, 100.0, 2 * H, 1.0, invalidation=("close < sma_3",))
    # sma_2 = (102 + 101) / 2 = 101.5 > 101 fires a; sma_3 starts here and is NaN for b
    assert [(d.strategy_id, d.reason) for d in monitor.on_bar(flat(2, 101.0))] == [
        (a, ExitReason.INVALIDATED)
    ]


def test_conditions_read_only_the_bars_of_their_timeframe() -> None:
    monitor = ExitMonitor(ExitSettings(ttl_hours=None))
    monitor.open(SID, IID, LONG, 100.0, 0, 1.0, invalidation=("close < 99",), timeframe="1h")
    assert monitor.on_bar(Bar(IID, "1m", 0, H // 60, 100, 100, 98, 98.5, 1.0)) == []
    [decision] = monitor.on_bar(bar(0, 100, 100, 98, 98.5))
    assert decision.reason is ExitReason.INVALIDATED


def test_without_a_timeframe_conditions_bind_to_the_first_one_seen() -> None:
    monitor = ExitMonitor(ExitSettings(ttl_hours=None))
    monitor.open(SID, IID, LONG, 100.0, 0, 1.0, invalidation=("close < 99",))
    assert monitor.on_bar(Bar(IID, "1m", 0, H // 60, 100, 100, 99, 99.5, 1.0)) == []
    assert monitor.on_bar(bar(0, 100, 100, 98, 98.5)) == []  # a 1h bar: not read
    assert len(monitor.on_bar(Bar(IID, "1m", H, H + H // 60, 98, 98, 98, 98, 1.0))) == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("adx <<", "does not parse"),
        ("foo < 1", "unknown indicator 'foo'"),
        ("ema_0 > 1", "unknown indicator 'ema_0'"),
    ],
)
def test_bad_conditions_fail_at_open_and_change_nothing(text: str, message: str) -> None:
    monitor = ExitMonitor(ExitSettings())
    with pytest.raises(ConditionError, match=message):
        monitor.open(SID, IID, LONG, 100.0, 0, 1.0, invalidation=("close < sma_3", text))
    assert monitor.plans() == ()
    monitor.open(SID, IID, LONG, 100.0, 0, 1.0, stop_loss=95.0)
    with pytest.raises(ConditionError):
        monitor.open(SID, IID, LONG, 90.0, 0, 1.0, stop_loss=80.0, invalidation=(text,))
    [plan] = monitor.plans()
    assert (plan.entry_price, plan.stop_loss, plan.conditions) == (100.0, 95.0, ())


def test_one_text_instead_of_a_collection_is_refused() -> None:
    with pytest.raises(ConditionError, match="collection"):
        ExitMonitor().open(SID, IID, LONG, 100.0, 0, 1.0, invalidation="close < 1")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"side": 0}, "side"),
        ({"entry_price": 0.0}, "entry price"),
        ({"entry_price": float("nan")}, "entry price"),
        ({"leverage": -2.0}, "leverage"),
        ({"stop_loss": float("inf")}, "stop loss"),
        ({"take_profit": -1.0}, "take profit"),
    ],
)
def test_impossible_numbers_are_refused_at_open(change: dict[str, Any], message: str) -> None:
    args: dict[str, Any] = {"side": LONG, "entry_price": 100.0, "leverage": 1.0} | change
    with pytest.raises(ValueError, match=message):
        ExitMonitor().open(SID, IID, ts_ns=0, **args)


# --- one decision per plan, close and open again ----------------------------------------------


def test_no_decision_twice_until_closed_or_opened_again() -> None:
    monitor = opened(stop_loss=95.0)
    assert len(monitor.on_bar(bar(0, 100, 100, 94, 94))) == 1
    assert monitor.on_bar(bar(1, 94, 94, 90, 90)) == []  # engine still closing: stay quiet
    assert monitor.on_price(IID, 89.0, 2 * H) == []
    assert monitor.exits == {"stop": 1}
    [plan] = monitor.plans()
    assert plan.exiting
    closed = monitor.close(SID, IID)
    assert closed is not None
    assert monitor.plans() == ()
    assert monitor.close(SID, IID) is None
    assert monitor.on_bar(bar(2, 90, 90, 80, 80)) == []  # no plan, nothing to say
    monitor.open(SID, IID, LONG, 80.0, 3 * H, 1.0, stop_loss=75.0)
    assert [d.reason for d in monitor.on_bar(bar(3, 80, 80, 74, 76))] == [ExitReason.STOP]


def test_pyramiding_updates_entry_levels_and_conditions() -> None:
    monitor = opened(stop_loss=95.0, take_profit=120.0, invalidation=("close < 50",))
    plan = monitor.open(
        SID, IID, LONG, 102.0, 5 * H, 2.0, stop_loss=98.0, invalidation=("close < 50", "rsi < 5")
    )
    assert (plan.entry_price, plan.leverage, plan.stop_loss, plan.take_profit) == (
        102.0,
        2.0,
        98.0,
        120.0,
    )
    assert [c.text for c in plan.conditions] == ["close < 50", "rsi < 5"]
    assert plan.opened_ns == 0
    assert len(monitor.plans()) == 1
    [decision] = monitor.on_bar(bar(5, 102, 102, 97.5, 99))
    assert (decision.reason, decision.price_hint) == (ExitReason.STOP, 98.0)
    with pytest.raises(ValueError, match="timeframe"):
        monitor.open(SID, IID, LONG, 102.0, 6 * H, 2.0, timeframe="4h")


def test_pyramiding_re_arms_and_reversing_replaces_the_plan() -> None:
    monitor = opened(stop_loss=95.0)
    assert len(monitor.on_bar(bar(0, 100, 100, 94, 96))) == 1
    monitor.open(SID, IID, LONG, 98.0, H, 1.0)  # added instead of closed: watched again
    assert [d.reason for d in monitor.on_bar(bar(1, 96, 96, 94, 95))] == [ExitReason.STOP]
    plan = monitor.open(SID, IID, SHORT, 95.0, 2 * H, 1.0, stop_loss=99.0)
    assert (plan.side, plan.opened_ns, plan.exiting) == (SHORT, 2 * H, False)
    assert [d.reason for d in monitor.on_bar(bar(2, 95, 99.5, 95, 96))] == [ExitReason.STOP]


# --- single prices ----------------------------------------------------------------------------


def test_on_price_checks_quotes_and_trades() -> None:
    monitor = ExitMonitor(NO_TRAILING)
    long_, short = StrategyId("long"), StrategyId("short")
    monitor.open(long_, IID, LONG, 100.0, 0, 1.0, stop_loss=95.0, invalidation=("close < 1000",))
    monitor.open(short, IID, SHORT, 100.0, 0, 1.0, stop_loss=105.0, take_profit=96.0)
    quotes = [
        QuoteTick(IID, t, mid - 0.1, mid + 0.1, 1.0, 1.0) for t, mid in [(1, 98.0), (2, 96.1)]
    ]
    assert [monitor.on_price(IID, q.mid, q.ts_event) for q in quotes] == [[], []]
    [decision] = monitor.on_price(IID, 96.0, 3)  # exactly the short's target
    assert (decision.strategy_id, decision.price_hint, decision.detail) == (
        short,
        96.0,
        "take profit 96.0 touched by price 96.0",
    )
    trade = TradeTick(IID, 4, 94.9, 1.0)
    [decision] = monitor.on_price(IID, trade.price, trade.ts_event)
    assert (decision.strategy_id, decision.reason, decision.price_hint) == (
        long_,
        ExitReason.STOP,
        94.9,
    )
    assert decision.detail == "stop 95.0 passed by price 94.9"
    assert monitor.on_price(InstrumentId("ETH/USDT:USDT", "T"), 1.0, 5) == []


def test_on_price_ignores_prices_before_the_entry_and_counts_the_time_limit() -> None:
    monitor = ExitMonitor(ExitSettings(ttl_hours=2.0))
    monitor.open(SID, IID, LONG, 100.0, H, 1.0, stop_loss=95.0)
    assert monitor.on_price(IID, 90.0, H - 1) == []
    assert monitor.on_price(IID, 100.0, 3 * H - 1) == []
    [decision] = monitor.on_price(IID, 101.0, 3 * H)
    assert (decision.reason, decision.price_hint, decision.detail) == (
        ExitReason.TTL,
        101.0,
        "held 2.0 h",
    )


# --- reporting --------------------------------------------------------------------------------


def test_exits_count_decisions_by_reason() -> None:
    monitor = ExitMonitor(ExitSettings(ttl_hours=2.0))
    for name, plan in {
        "stopped": {"stop_loss": 95.0},
        "target": {"take_profit": 101.0},
        "timed": {},
        "stopped too": {"stop_loss": 99.0},
    }.items():
        monitor.open(StrategyId(name), IID, LONG, 100.0, 0, 1.0, **plan)
    assert len(monitor.on_bar(bar(0, 100, 100.5, 98, 99))) == 1
    assert len(monitor.on_bar(bar(1, 99, 102, 94, 99))) == 3
    assert monitor.exits == {"stop": 2, "take_profit": 1, "ttl": 1}


def test_plans_are_copies() -> None:
    monitor = opened(stop_loss=95.0)
    [copy] = monitor.plans()
    copy.stop_loss = 10.0
    assert monitor.plans()[0].stop_loss == 95.0


# --- settings ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"ttl_hours": 0.0}, "'ttl_hours'"),
        ({"ttl_hours": float("inf")}, "'ttl_hours'"),
        ({"pullback": 0.0}, "'pullback'"),
        ({"pullback": 1.5}, "'pullback'"),
        ({"pullback": float("nan")}, "'pullback'"),
        ({"trailing_tiers": ((0.0, 0.0),)}, "trigger 0.0 must be positive"),
        ({"trailing_tiers": ((0.1, 0.1),)}, r"lock 0.1 of trigger 0.1 must be in \[0, trigger\)"),
        ({"trailing_tiers": ((0.1, -0.01),)}, "lock -0.01"),
        ({"trailing_tiers": ((0.2, 0.1), (0.1, 0.05))}, r"must rise: \(0.1, 0.05\) follows"),
        ({"trailing_tiers": ((0.1, 0.05), (0.2, 0.05))}, "must rise"),
        ({"trailing_tiers": ((0.1,),)}, r"is not \(trigger, lock\)"),
    ],
)
def test_settings_validation_names_the_bad_setting(change: dict[str, Any], message: str) -> None:
    bad = ExitSettings(**change)
    with pytest.raises(ValueError, match=message):
        bad.validate()
    with pytest.raises(ValueError, match=message):
        ExitMonitor(bad)


def test_default_settings_are_valid() -> None:
    ExitSettings().validate()
    ExitSettings(ttl_hours=None, trailing_tiers=()).validate()
    assert ExitSettings().ttl_ns == 36 * H


# --- properties -------------------------------------------------------------------------------


@st.composite
def paths(draw: st.DrawFn) -> list[Bar]:
    """Random bars around 100: each opens anywhere near the last close, gaps included."""
    bars = []
    close = 100.0
    for i in range(draw(st.integers(1, 60))):
        o = close * draw(st.floats(0.9, 1.1))
        close = o * draw(st.floats(0.85, 1.15))
        high = max(o, close) * draw(st.floats(1.0, 1.1))
        low = min(o, close) * draw(st.floats(0.9, 1.0))
        bars.append(bar(i, o, high, low, close))
    return bars


@settings(max_examples=300, deadline=None)
@given(
    path=paths(),
    stop=st.floats(50.0, 99.99),
    target=st.floats(100.01, 200.0),
    leverage=st.sampled_from([1.0, 3.0]),
)
def test_a_long_stop_below_entry_never_exits_above_it_and_decides_once(
    path: list[Bar], stop: float, target: float, leverage: float
) -> None:
    monitor = ExitMonitor(ExitSettings(ttl_hours=20.0))
    monitor.open(SID, IID, LONG, 100.0, 0, leverage, stop_loss=stop, take_profit=target)
    decisions = [d for b in path for d in monitor.on_bar(b)]
    assert len(decisions) <= 1
    for decision in decisions:
        if decision.reason is ExitReason.STOP:
            assert decision.price_hint <= stop < 100.0
        if decision.reason is ExitReason.TAKE_PROFIT:
            assert decision.price_hint == target
    assert sum(monitor.exits.values()) == len(decisions)
