"""Crafted markets for the strategy tests: bars from a close path, quotes from a script."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from fixtures.factories import MIN, PERP, paper_engine
from tradebot.engine.runners import run_events
from tradebot.engine.trading_engine import SignalRecord, TradingEngine
from tradebot.model.data import Bar, QuoteTick
from tradebot.model.enums import OrderSide
from tradebot.model.signals import SignalIntent
from tradebot.risk.verdict import Approved


def bars_from_closes(closes: list[float] | np.ndarray, wick: float = 0.002) -> list[Bar]:
    """One 1-minute bar per close: opens at the previous close, wicks ``wick`` beyond the body."""
    out = []
    prev = float(closes[0])
    for i, close in enumerate(map(float, closes)):
        o = prev
        high = max(o, close) * (1 + wick)
        low = min(o, close) * (1 - wick)
        out.append(Bar(PERP.id, "1m", i * MIN, (i + 1) * MIN, o, high, low, close, 10.0))
        prev = close
    return out


def calm(
    n: int, level: float = 100.0, amplitude: float = 0.002, period: float = 7.0
) -> list[float]:
    """A quiet market: a small regular wiggle around ``level``."""
    return [level * (1 + amplitude * math.sin(i * 2 * math.pi / period)) for i in range(n)]


def trend(start: float, n: int, step: float) -> list[float]:
    """``n`` closes moving by the fraction ``step`` per bar, with a little wiggle."""
    return [start * (1 + step) ** (i + 1) * (1 + 0.0005 * math.sin(i)) for i in range(n)]


def run(strategy: Any, events: list[Any], **kwargs: Any) -> TradingEngine:
    """Run one strategy on the perpetual (shorts allowed) at leverage 2."""
    engine = paper_engine([PERP], [strategy], leverage=2.0, **kwargs)
    return run_events(engine, events)


def entries(engine: TradingEngine) -> list[SignalRecord]:
    """Opening signals the risk engine approved, in order."""
    return [
        r
        for r in engine.signals
        if r.signal.intent is SignalIntent.OPEN and isinstance(r.verdict, Approved)
    ]


def exits(engine: TradingEngine) -> list[SignalRecord]:
    """Closing signals, in order."""
    return [r for r in engine.signals if r.signal.intent is SignalIntent.CLOSE]


def assert_well_formed(record: SignalRecord, entry_price: float) -> None:
    """Confidence in [0, 1], stop and target on the right sides, invalidation given."""
    s = record.signal
    assert 0.0 <= s.confidence <= 1.0
    assert s.invalidation
    assert s.stop_loss is not None
    assert s.take_profit is not None
    if s.side is OrderSide.BUY:
        assert s.stop_loss < entry_price < s.take_profit
    else:
        assert s.take_profit < entry_price < s.stop_loss


def close_at(engine: TradingEngine, record: SignalRecord) -> float:
    """The close of the bar at which ``record`` was sent."""
    return next(
        price
        for ts, price in zip(*engine.recorder.marks[PERP.id], strict=True)
        if ts == record.signal.ts_event
    )


def quotes(
    mids: list[float], bid_sizes: list[float], ask_sizes: list[float], spread: float = 0.01
) -> list[QuoteTick]:
    """One quote per second."""
    return [
        QuoteTick(PERP.id, (i + 1) * 10**9, m - spread / 2, m + spread / 2, b, a)
        for i, (m, b, a) in enumerate(zip(mids, bid_sizes, ask_sizes, strict=True))
    ]


def sharp_drop(n_calm: int = 80, drop: float = 0.04, bars: int = 3) -> list[float]:
    """A quiet range, then a fall of ``drop`` over ``bars`` bars, then a pause."""
    head = calm(n_calm, amplitude=0.003, period=9)
    last = head[-1]
    fall = [last * (1 - drop * (i + 1) / bars) for i in range(bars)]
    return head + fall + [fall[-1]] * 5


def sharp_rise(n_calm: int = 80, rise: float = 0.04, bars: int = 3) -> list[float]:
    """A quiet range, then a rise of ``rise`` over ``bars`` bars, then a pause."""
    head = calm(n_calm, amplitude=0.003, period=9)
    last = head[-1]
    up = [last * (1 + rise * (i + 1) / bars) for i in range(bars)]
    return head + up + [up[-1]] * 5


def dip() -> list[float]:
    """A range, a 40-bar fall, then a 60-bar recovery."""
    return calm(60) + trend(100.0, 40, -0.005) + trend(100 * 0.995**40, 60, 0.006)


def rally() -> list[float]:
    """A range, a 40-bar rise, then a 60-bar fall."""
    return calm(60) + trend(100.0, 40, 0.005) + trend(100 * 1.005**40, 60, -0.006)


def fall_then_rise() -> list[float]:
    """A long decline that turns into a long advance."""
    return trend(100.0, 100, -0.004) + trend(100 * 0.996**100, 100, 0.006)
