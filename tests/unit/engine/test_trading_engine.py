"""The trading engine: event order, strategy isolation, determinism and shutdown."""

from __future__ import annotations

import logging
import math
from statistics import fmean

import msgspec
import pytest

from fixtures.factories import (
    SLIP,
    SPOT,
    TAKER,
    ScriptedStrategy,
    bar,
    flat_bar,
    paper_engine,
    qty_signal,
)
from tradebot.engine.runners import run_events
from tradebot.engine.trading_engine import TradingEngine
from tradebot.model.data import Bar
from tradebot.model.enums import OrderSide, OrderStatus, OrderType
from tradebot.model.signals import Signal
from tradebot.strategies.base import Strategy
from tradebot.strategies.technical.sma_cross import SmaCross, SmaCrossParams

LIMIT, STOP = OrderType.LIMIT, OrderType.STOP_MARKET


@pytest.fixture(autouse=True)
def _quiet_engine_log(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.CRITICAL, logger="tradebot.engine")


class Failing(ScriptedStrategy):
    """Follows its plan, then raises on bar ``fail_on``."""

    def __init__(self, plan: dict[int, list[Signal]], fail_on: int, strategy_id: str) -> None:
        super().__init__(plan, strategy_id=strategy_id)
        self.fail_on = fail_on
        self.bars: list[Bar] = []

    def on_bar(self, bar: Bar) -> None:
        self.bars.append(bar)
        super().on_bar(bar)
        if self.seen == self.fail_on:
            raise RuntimeError("indicator blew up")


class Watcher(Strategy):  # type: ignore[type-arg]
    """Records the bars it sees and the engine time at which it sees them."""

    name = "watcher"

    def on_start(self) -> None:
        self.seen: list[tuple[int, Bar]] = []

    def on_bar(self, bar: Bar) -> None:
        self.seen.append((self.now_ns(), bar))


def test_a_strategy_that_raises_is_stopped_and_the_others_keep_trading() -> None:
    events = [flat_bar(SPOT, i, 100.0 + i) for i in range(6)]
    resting = qty_signal(SPOT, 1.0, order_type=LIMIT, price=50.0)
    bad = Failing({1: [resting]}, fail_on=2, strategy_id="bad")
    good = ScriptedStrategy({n: [qty_signal(SPOT, 0.1)] for n in range(1, 6)}, strategy_id="good")
    engine = paper_engine([SPOT], [bad, good])

    run_events(engine, events)

    (failure,) = engine.failures
    assert (failure.strategy_id, failure.error) == ("bad", "RuntimeError: indicator blew up")
    assert failure.ts_event == events[1].ts_event
    assert len(bad.bars) == 2
    (bad_order,) = [o for o in engine.orders.orders.values() if o.strategy_id == "bad"]
    assert bad_order.status is OrderStatus.CANCELED
    good_fills = [f for f in engine.orders.fills if f.strategy_id == "good"]
    assert [f.ts_event for f in good_fills] == [e.ts_open for e in events[1:6]]


@pytest.mark.parametrize("fail_on", [2, 5], ids=["mid-bucket", "bucket-end"])
def test_a_failure_does_not_disturb_the_longer_bars_of_the_survivors(fail_on: int) -> None:
    class Wants5m(Watcher):
        default_timeframes = ("5m",)

    class Fails5m(Failing):
        default_timeframes = ("5m",)

    events = [bar(SPOT, i, 100.0 + i, 100.5 + i, 99.5 + i, 100.2 + i) for i in range(10)]
    survivor, failing = Wants5m(), Fails5m({}, fail_on=fail_on, strategy_id="bad")
    engine = paper_engine([SPOT], [failing, survivor])

    run_events(engine, events)

    got = [b for _, b in survivor.seen if b.timeframe == "5m"]
    assert [(b.open, b.high, b.low, b.close) for b in got] == [
        (part[0].open, max(b.high for b in part), min(b.low for b in part), part[-1].close)
        for part in (events[:5], events[5:])
    ]
    assert [b.timeframe for b in failing.bars] == ["1m"] * fail_on  # nothing after failing


def test_a_strategy_sees_each_bar_at_its_close_and_its_orders_fill_on_the_next_bar() -> None:
    events = [bar(SPOT, i, 100.0 + i, 101.0 + i, 99.0 + i, 100.5 + i) for i in range(3)]
    watcher = Watcher()
    trader = ScriptedStrategy({1: [qty_signal(SPOT, 1.0)]})
    engine = paper_engine([SPOT], [watcher, trader])

    run_events(engine, events)

    assert [now for now, _ in watcher.seen] == [e.ts_event for e in events]
    (fill,) = engine.orders.fills
    assert fill.ts_event == events[1].ts_open == events[0].ts_event
    assert fill.price == pytest.approx(events[1].open * (1 + SLIP))


def _busy_plan() -> dict[int, list[Signal]]:
    plan: dict[int, list[Signal]] = {}
    for n in range(2, 60, 4):
        plan[n] = [
            qty_signal(SPOT, 0.5),
            qty_signal(SPOT, 0.2, order_type=LIMIT, price=100.0 + n % 5),
            qty_signal(SPOT, 0.3, OrderSide.SELL, order_type=STOP, trigger_price=99.0),
        ]
    return plan


def _run_busy() -> TradingEngine:
    events = [bar(SPOT, i, 100 + i % 7, 103 + i % 7, 98 + i % 5, 101 + i % 3) for i in range(64)]
    return run_events(paper_engine([SPOT], [ScriptedStrategy(_busy_plan())]), events)


def _snapshot(engine: TradingEngine) -> dict[str, object]:
    """Everything a run produces, every field included."""
    return {
        "fills": msgspec.to_builtins(engine.orders.fills),
        "trades": msgspec.to_builtins(engine.portfolio.trades),
        "signals": msgspec.to_builtins(engine.signals),
        "orders": [
            (o.client_order_id, o.status, o.filled_quantity, o.avg_price, o.reason, o.ts_last)
            for o in engine.orders.orders.values()
        ],
        "balances": engine.portfolio.account.balances,
        "curve": [a.tolist() for a in engine.recorder.curve()],
    }


def test_the_same_events_twice_give_identical_fills_orders_trades_and_equity() -> None:
    first, second = _run_busy(), _run_busy()

    assert len(first.orders.fills) > 10
    assert len({f.liquidity for f in first.orders.fills}) == 2  # makers and takers both
    assert _snapshot(first) == _snapshot(second)


def test_stop_cancels_every_open_order_once() -> None:
    events = [flat_bar(SPOT, i, 100.0) for i in range(3)]
    plan = {1: [qty_signal(SPOT, 1.0, order_type=LIMIT, price=90.0 + k) for k in range(3)]}
    engine = paper_engine([SPOT], [ScriptedStrategy(plan)])
    engine.start()
    for event in events:
        engine.on_event(event)
    assert len(engine.orders.open_orders()) == 3

    engine.stop()
    engine.stop()

    assert engine.orders.open_orders() == []
    statuses = {(o.status, o.reason) for o in engine.orders.orders.values()}
    assert statuses == {(OrderStatus.CANCELED, "canceled by request")}


def test_engine_refuses_duplicate_strategy_ids_and_a_second_start() -> None:
    with pytest.raises(ValueError, match="share an id"):
        paper_engine([SPOT], [ScriptedStrategy({}), ScriptedStrategy({})])

    engine = paper_engine([SPOT], [ScriptedStrategy({})])
    engine.start()
    with pytest.raises(RuntimeError, match="already started"):
        engine.start()


def test_sma_cross_enters_at_the_open_after_the_cross_with_all_the_cash() -> None:
    closes = [10.0, 10.0, 10.0, 9.0, 8.0, 9.0, 12.0, 13.0, 13.0, 13.0]
    events = [bar(SPOT, i, c, c + 0.5, c - 0.5, c) for i, c in enumerate(closes)]
    fast, slow = 2, 3
    sma = [
        (fmean(closes[i - fast + 1 : i + 1]), fmean(closes[i - slow + 1 : i + 1]))
        for i in range(slow - 1, len(closes))
    ]
    crosses = [
        k for k in range(1, len(sma)) if sma[k - 1][0] < sma[k - 1][1] and sma[k][0] > sma[k][1]
    ]
    cross_bar = crosses[0] + slow - 1
    strategy = SmaCross(SmaCrossParams(fast=fast, slow=slow))

    engine = run_events(paper_engine([SPOT], [strategy]), events)

    entry = engine.orders.fills[0]
    price = events[cross_bar + 1].open * (1 + SLIP)
    lot = float(SPOT.size_increment)
    assert entry.price == pytest.approx(price)
    assert entry.quantity == pytest.approx(math.floor(10_000 / (price * (1 + TAKER)) / lot) * lot)
    assert entry.ts_event == events[cross_bar].ts_event
