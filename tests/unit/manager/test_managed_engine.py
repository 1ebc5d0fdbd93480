"""Several strategies in one engine: own positions, own P&L, votes recorded with the signals."""

from __future__ import annotations

import math

import pytest

from fixtures.factories import PERP, TAKER, ScriptedStrategy, bar, paper_engine, qty_signal
from tradebot.engine.runners import run_events
from tradebot.model.enums import OrderSide
from tradebot.model.signals import Signal, SignalIntent
from tradebot.risk.verdict import Denied

PATH = [100, 101, 103, 104, 106, 108, 107, 105, 104, 102, 101, 103, 104, 106, 105, 104]


def close_signal(side: OrderSide) -> Signal:
    return Signal(instrument_id=PERP.id, side=side, intent=SignalIntent.CLOSE)


def bars() -> list:
    return [bar(PERP, i, p, p + 0.5, p - 0.5, p) for i, p in enumerate(PATH)]


def test_each_strategy_holds_and_closes_only_its_own_position() -> None:
    a = ScriptedStrategy(
        {3: [qty_signal(PERP, 1.0)], 10: [close_signal(OrderSide.SELL)]}, strategy_id="a"
    )
    b = ScriptedStrategy(
        {5: [qty_signal(PERP, 0.5, OrderSide.SELL)], 14: [close_signal(OrderSide.BUY)]},
        strategy_id="b",
    )
    engine = paper_engine([PERP], [a, b], leverage=5.0)
    seen: dict[int, tuple[float, float, float]] = {}
    original = b.on_bar

    def spy(event):  # type: ignore[no-untyped-def]
        original(event)
        seen[b.seen] = (a.holding(PERP.id), b.holding(PERP.id), engine.holding(PERP.id))

    b.on_bar = spy  # type: ignore[method-assign]
    run_events(engine, bars())

    # Quantities are scaled to each strategy's half share of the account.
    assert seen[7] == (pytest.approx(0.5), pytest.approx(-0.25), pytest.approx(0.25))
    # a's exit sells its 0.5 although the net position is only 0.25 long.
    assert seen[12] == (0.0, pytest.approx(-0.25), pytest.approx(-0.25))
    assert seen[16] == (0.0, 0.0, 0.0)
    by_strategy = {f.strategy_id: [] for f in engine.orders.fills}
    for f in engine.orders.fills:
        by_strategy[f.strategy_id].append(f)
    assert [f.quantity for f in by_strategy["a"]] == [pytest.approx(0.5)] * 2
    assert [f.quantity for f in by_strategy["b"]] == [pytest.approx(0.25)] * 2


def test_strategy_pnl_adds_up_to_the_account_pnl() -> None:
    a = ScriptedStrategy(
        {3: [qty_signal(PERP, 1.0)], 10: [close_signal(OrderSide.SELL)]}, strategy_id="a"
    )
    b = ScriptedStrategy({5: [qty_signal(PERP, 0.5, OrderSide.SELL)]}, strategy_id="b")
    engine = paper_engine([PERP], [a, b], leverage=5.0)
    run_events(engine, bars())

    rows = {
        r.strategy_id: r for r in engine.book.summary(engine.portfolio.last_price, [a.id, b.id])
    }
    fills = {sid: [f for f in engine.orders.fills if f.strategy_id == sid] for sid in ("a", "b")}
    entry_a, exit_a = fills["a"]
    gross_a = (exit_a.price - entry_a.price) * entry_a.quantity
    assert rows["a"].realized_pnl == pytest.approx(gross_a)
    assert rows["a"].fees == pytest.approx(TAKER * (entry_a.price + exit_a.price) * 0.5)
    (entry_b,) = fills["b"]
    assert rows["b"].unrealized_pnl == pytest.approx((entry_b.price - PATH[-1]) * 0.25)
    total = sum(r.net_pnl for r in rows.values())
    assert total == pytest.approx(engine.equity() - 10_000.0, abs=1e-9)


def test_a_vote_lost_in_the_engine_is_recorded_with_the_signal() -> None:
    a = ScriptedStrategy({4: [qty_signal(PERP, 1.0, confidence=0.9)]}, strategy_id="a")
    b = ScriptedStrategy(
        {4: [qty_signal(PERP, 1.0, OrderSide.SELL, confidence=0.3)]}, strategy_id="b"
    )
    engine = paper_engine([PERP], [a, b], leverage=2.0)
    run_events(engine, bars())

    denied = [r for r in engine.signals if isinstance(r.verdict, Denied)]
    assert [(str(r.signal.strategy_id), r.verdict.code) for r in denied] == [("b", "OUTVOTED")]
    assert engine.book.quantity(a.id, PERP.id) == pytest.approx(0.5)
    assert engine.book.quantity(b.id, PERP.id) == 0.0
    assert engine.manager is not None
    assert engine.manager.dropped == {"OUTVOTED": 1}


def test_funding_is_split_by_each_strategys_share_of_the_net_position() -> None:
    from tradebot.model.events import FundingPaid

    a = ScriptedStrategy({2: [qty_signal(PERP, 4.0)]}, strategy_id="a")
    b = ScriptedStrategy({3: [qty_signal(PERP, 2.0, OrderSide.SELL)]}, strategy_id="b")
    engine = paper_engine([PERP], [a, b], leverage=5.0)
    run_events(engine, bars()[:5])
    # a holds +2, b holds -1, net +1: a payment of -3 on the net position.
    engine.book.on_funding(FundingPaid(PERP.id, 0.001, -3.0, "USDT", 0))

    rows = {r.strategy_id: r for r in engine.book.summary({}, [a.id, b.id])}
    assert rows["a"].funding == pytest.approx(-6.0)
    assert rows["b"].funding == pytest.approx(3.0)
    assert math.isclose(rows["a"].funding + rows["b"].funding, -3.0)
