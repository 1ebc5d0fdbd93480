"""Paper replay: the same engine paced by the wall clock, stoppable at any moment."""

from __future__ import annotations

import asyncio
import time

from tradebot.engine.config import SessionConfig
from tradebot.engine.runners import build_paper_engine, run_events, run_replay
from tradebot.model.data import Bar
from tradebot.model.enums import OrderType
from tradebot.strategies.base import Strategy
from tradebot.strategies.technical.sma_cross import SmaCross
from tradebot.venues.files.catalog import open_dataset


class _RestingBid(Strategy):  # type: ignore[type-arg]
    """Places one limit buy far below the market, which never fills."""

    name = "resting_bid"

    def on_bar(self, bar: Bar) -> None:
        if not self.ctx.open_orders(self.id, None):
            self.buy(bar.instrument_id, 0.1, order_type=OrderType.LIMIT, price=bar.close * 0.5)


def test_stop_request_ends_replay_and_cancels_open_orders() -> None:
    source = open_dataset("bybit_btc_usdt_1m")
    engine = build_paper_engine(source.instruments, [_RestingBid()], SessionConfig())
    stop = asyncio.Event()
    seen = []

    def on_event(event: object) -> None:
        seen.append(event)
        if len(seen) == 50:
            stop.set()

    completed = asyncio.run(run_replay(engine, iter(source), speed=0, stop=stop, on_event=on_event))

    assert completed is False
    assert len(seen) == 50
    assert engine.orders.open_orders() == []
    statuses = {o.status.value for o in engine.orders.orders.values()}
    assert statuses == {"canceled"}


def test_replay_is_paced_by_speed() -> None:
    source = open_dataset("binance_btc_eth_1m")
    events = list(source)[:40]  # 20 minutes of data per symbol
    span_s = (events[-1].ts_event - events[0].ts_event) / 1e9
    engine = build_paper_engine(source.instruments, [SmaCross()], SessionConfig())
    speed = span_s / 0.5  # the whole span should take about half a second

    start = time.monotonic()
    completed = asyncio.run(run_replay(engine, iter(events), speed=speed, stop=asyncio.Event()))
    elapsed = time.monotonic() - start

    assert completed is True
    assert 0.45 <= elapsed < 2.0


def test_replay_and_backtest_give_the_same_fills() -> None:
    source = open_dataset("bybit_btc_usdt_perp_1m")
    backtest = build_paper_engine(source.instruments, [SmaCross()], SessionConfig())
    paper = build_paper_engine(source.instruments, [SmaCross()], SessionConfig())

    run_events(backtest, iter(source))
    asyncio.run(run_replay(paper, iter(source), speed=0, stop=asyncio.Event()))

    assert len(backtest.orders.fills) > 0
    assert backtest.orders.fills == paper.orders.fills
