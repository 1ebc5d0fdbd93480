"""Circuit breakers driven inside a backtest by crafted price paths: daily loss, drawdown
steps, stale data, losing positions, and the kill switch."""

from __future__ import annotations

from typing import Any

import pytest

from fixtures.factories import PERP, SPOT, ScriptedStrategy, paper_engine, qty_signal
from tradebot.engine.runners import run_events
from tradebot.engine.trading_engine import TradingEngine
from tradebot.model.data import Bar
from tradebot.model.enums import OrderSide
from tradebot.model.signals import Signal, SignalIntent
from tradebot.risk.config import RiskConfig
from tradebot.risk.limits import RiskLimits
from tradebot.risk.verdict import Approved, Denied

HOUR = 3_600 * 10**9
DAY = 24 * HOUR


def limits(**given: Any) -> RiskConfig:
    """Every limit off except those given."""
    off = RiskLimits.off()
    values = {f: getattr(off, f) for f in RiskLimits.__struct_fields__}
    values.update(given)
    return RiskConfig(limits=RiskLimits(**values))


def hourly(prices: list[float], start: int = 0, inst: Any = PERP) -> list[Bar]:
    """One hourly bar per price, closing at ``start + (i + 1) h``; opens at the last close."""
    bars = []
    prev = prices[0]
    for i, p in enumerate(prices):
        ts = start + (i + 1) * HOUR
        bars.append(Bar(inst.id, "1h", ts - HOUR, ts, prev, max(prev, p), min(prev, p), p, 1.0))
        prev = p
    return bars


def feed(engine: TradingEngine, events: list[Bar]) -> None:
    """Feed events to a started engine (a run in several parts, with actions in between)."""
    for event in events:
        engine.on_event(event)


def verdicts(engine: TradingEngine) -> list[tuple[int, str, str]]:
    """(hour of the signal, intent, code or 'ok') of every signal."""
    out = []
    for r in engine.signals:
        code = r.verdict.code if isinstance(r.verdict, Denied) else "ok"
        out.append((r.signal.ts_event // HOUR, r.signal.intent.value, code))
    return out


def buy(q: float = 10.0) -> Signal:
    return qty_signal(PERP, q)


def close_long() -> Signal:
    return Signal(instrument_id=PERP.id, side=OrderSide.SELL, intent=SignalIntent.CLOSE)


def test_the_daily_loss_limit_stops_new_positions_until_the_next_utc_day() -> None:
    # 10,000 account; 50 units at 100 = 5,000 long. A fall to 91 loses 450 = 4.5 % of the day.
    prices = [100.0, 100.0, 95.0, 91.0, 91.0] + [91.0] * 20 + [91.0] * 5
    plan = {1: [buy(50.0)], 4: [close_long()], 5: [buy(1.0)], 26: [buy(1.0)]}
    engine = paper_engine([PERP], [ScriptedStrategy(plan)], risk=limits(daily_loss_limit=0.04))
    run_events(engine, hourly(prices))

    seen = verdicts(engine)
    assert seen[0] == (1, "open", "ok")
    assert seen[1] == (4, "close", "ok")  # exits always go through
    assert seen[2] == (5, "open", "TRADING_STATE")
    assert "daily loss" in engine.signals[2].verdict.reason  # type: ignore[union-attr]
    assert seen[3] == (26, "open", "ok")  # the next UTC day began at hour 24
    raised = [e for e in engine.risk.state.events if e.block == "daily_loss"]
    assert [(e.active, e.ts_event // HOUR) for e in raised] == [(True, 4), (False, 24)]


def test_flatten_on_daily_loss_closes_the_position() -> None:
    prices = [100.0, 100.0, 95.0, 91.0, 91.0, 91.0]
    engine = paper_engine(
        [PERP],
        [ScriptedStrategy({1: [buy(50.0)]})],
        risk=limits(daily_loss_limit=0.04, flatten_on_daily_loss=True),
    )
    run_events(engine, hourly(prices))

    assert engine.holding(PERP.id) == 0
    assert [f.tag for f in engine.orders.fills][-1] == "risk"


def test_drawdown_steps_close_only_then_paused_until_resumed() -> None:
    # 100 units at 100 (leverage 2): equity falls with the price.
    prices = [100.0, 100.0, 90.0, 84.0, 84.0, 95.0, 95.0, 79.0, 79.0, 100.0, 100.0, 100.0]
    plan = {1: [buy(100.0)], 5: [buy(1.0)], 7: [buy(1.0)], 9: [buy(1.0)], 11: [buy(1.0)]}
    engine = paper_engine(
        [PERP],
        [ScriptedStrategy(plan)],
        leverage=2.0,
        risk=limits(drawdown_close_only=0.15, drawdown_pause=0.20),
    )
    events = hourly(prices)
    engine.start()
    feed(engine, events[:10])
    # Equity: 84 → 8,400 (16 % down: close-only); 95 → 9,500 (lifted); 79 → 7,900 (21 %: paused).
    seen = verdicts(engine)
    assert seen[1] == (5, "open", "TRADING_STATE")
    assert seen[2] == (7, "open", "ok")
    assert seen[3] == (9, "open", "TRADING_STATE")  # price back at 100 but still paused
    engine.resume()
    feed(engine, events[10:])
    engine.stop()
    assert verdicts(engine)[4] == (11, "open", "ok")
    blocks = [(e.block, e.active) for e in engine.risk.state.events]
    assert blocks[:4] == [
        ("close_only", True),
        ("close_only", False),
        ("paused", True),
        ("close_only", True),
    ]


def test_stale_data_on_a_held_symbol_allows_only_closing_orders() -> None:
    # The perpetual is held; its bars stop for two hours while the spot pair keeps printing.
    perp = hourly([100.0] * 3)
    spot = hourly([100.0] * 6, inst=SPOT)
    back = hourly([100.0] * 2, start=5 * HOUR)
    plan = {1: [buy(1.0)], 5: [buy(1.0)], 8: [buy(1.0)]}
    strategy = ScriptedStrategy(plan)
    strategy.instruments = [PERP.id]
    spot_buyer = ScriptedStrategy(
        {5: [Signal(instrument_id=SPOT.id, side=OrderSide.BUY, size=0.1)]}, strategy_id="spot"
    )
    spot_buyer.instruments = [SPOT.id]
    engine = paper_engine([PERP, SPOT], [strategy, spot_buyer], risk=limits(stale_after_seconds=5))
    events = sorted(perp + spot + back, key=lambda b: (b.ts_event, str(b.instrument_id)))
    run_events(engine, events)

    safe = [e for e in engine.risk.state.events if e.block.startswith("safe_mode")]
    assert [(e.active, e.ts_event // HOUR) for e in safe] == [(True, 5), (False, 6)]
    spot_verdict = next(r for r in engine.signals if r.signal.strategy_id == "spot")
    assert isinstance(spot_verdict.verdict, Denied)  # nothing new anywhere while unsafe
    assert "no market data" in spot_verdict.verdict.reason
    assert engine.risk.state.time_in["safe_mode"] == HOUR


def test_a_position_losing_over_its_limit_is_closed() -> None:
    prices = [100.0, 100.0, 98.0, 96.0, 96.0]
    engine = paper_engine(
        [PERP],
        [ScriptedStrategy({1: [buy(100.0)]})],
        leverage=2.0,
        risk=limits(position_loss_limit=0.03),
    )
    run_events(engine, hourly(prices))

    # At 96 the position has lost 400 = 4 % of 9,600: closed by the breaker.
    assert engine.holding(PERP.id) == 0
    closing = [r for r in engine.signals if r.signal.intent is SignalIntent.CLOSE]
    assert [r.signal.tag for r in closing] == ["risk"]


def test_the_kill_switch_pauses_resumes_and_closes_everything() -> None:
    engine = paper_engine([PERP], [ScriptedStrategy({1: [buy(5.0)], 3: [buy(1.0)]})], risk=limits())
    events = hourly([100.0] * 6)
    engine.start()
    feed(engine, events[:2])
    engine.pause("operator pause")
    feed(engine, events[2:4])
    assert isinstance(engine.signals[-1].verdict, Denied)
    assert "operator pause" in engine.signals[-1].verdict.reason
    engine.resume()
    engine.close_all()
    feed(engine, events[4:])
    engine.stop()

    assert engine.holding(PERP.id) == 0
    assert [f.tag for f in engine.orders.fills][-1] == "manual"
    kinds = [(e.block, e.active, e.reason) for e in engine.risk.state.events]
    assert kinds == [("paused", True, "operator pause"), ("paused", False, "resumed by hand")]


def test_a_symbol_that_lost_its_daily_budget_takes_no_new_positions() -> None:
    prices = [100.0, 100.0, 97.0, 97.0, 97.0]
    plan = {1: [buy(80.0)], 3: [close_long()], 4: [buy(1.0)]}
    engine = paper_engine(
        [PERP], [ScriptedStrategy(plan)], leverage=2.0, risk=limits(symbol_daily_loss=0.02)
    )
    run_events(engine, hourly(prices))

    last = engine.signals[-1]
    assert isinstance(last.verdict, Denied)
    assert "BTC is blocked for the day" in last.verdict.reason
    assert isinstance(engine.signals[1].verdict, Approved)  # the exit itself went through


@pytest.mark.parametrize("field", ["daily_loss_limit", "drawdown_pause", "max_leverage"])
def test_nonsense_limits_are_refused_by_name(field: str) -> None:
    with pytest.raises(ValueError, match=field):
        RiskLimits(**{field: 0.0}).validate()
