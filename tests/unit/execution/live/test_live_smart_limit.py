"""Smart-limit orders on the engine clock: mid → touch in steps, slippage cap, cancel or cross.

The expected prices are worked out here from the rule (start at the mid; step k of n sits
k/n of the way from the current mid to the current touch; never beyond the cap from the
arrival mid; buys rounded down to the tick), not with the module's own functions.
"""

from __future__ import annotations

import math

import pytest

from fixtures.live_harness import Live, run
from tradebot.execution.live_client import LiveClientConfig
from tradebot.execution.smart_limit import SmartLimitParams
from tradebot.model.enums import OrderSide, OrderStatus, OrderType
from tradebot.model.identifiers import InstrumentId

S = 1_000_000_000
TICK = 0.5


def _config(at_end: str) -> LiveClientConfig:
    params = SmartLimitParams(
        step_every_s=5.0, steps=4, max_slippage_bps=10.0, at_end=at_end, tick_size=TICK
    )
    return LiveClientConfig(poll_every_s=0, reconcile_every_s=0, smart_limit=params)


class Book:
    def __init__(self, bid: float, ask: float) -> None:
        self.bid, self.ask = bid, ask

    def __call__(self, instrument_id: InstrumentId) -> tuple[float, float]:
        return self.bid, self.ask


PATH = [  # (bid, ask) seen at steps 0, 1, 2, 3 and at the end
    (19_990.0, 20_010.0),
    (19_996.0, 20_012.0),
    (20_010.0, 20_030.0),  # the market ran away: the cap binds
    (19_990.2, 20_001.3),
    (19_995.0, 20_015.0),
]


def test_buy_path_steps_toward_the_ask_under_the_cap_then_cancels() -> None:
    async def body() -> None:
        book = Book(*PATH[0])
        live = Live(_config("cancel"), quotes=book)
        order = live.submit(live.order(order_type=OrderType.MARKET, quantity=1.0))
        await live.settle()
        sent = live.stub.calls[0][1]
        assert (sent.type, sent.price) == ("limit", 20_000.0)  # the arrival mid
        # step 1: mid 20004, a quarter of the way to 20012 → 20006
        # step 2: mid 20020, half way to 20030 → 20025, above the cap 20000 × 1.001 = 20020
        # step 3: mid 19995.75, three quarters of the way to 20001.3 → 19999.9125 → 19999.5
        for k, expected in ((1, 20_006.0), (2, 20_020.0), (3, 19_999.5)):
            book.bid, book.ask = PATH[k]
            live.clock.advance_to(k * 5 * S)
            await live.settle()
            assert live.stub.amends[-1] == (order.client_order_id, expected)
        assert len(live.stub.amends) == 3
        book.bid, book.ask = PATH[4]
        live.clock.advance_to(20 * S - 1)
        await live.settle()
        assert order.status is OrderStatus.ACCEPTED  # not yet at the end
        live.clock.advance_to(20 * S)
        await live.settle()
        assert order.status is OrderStatus.CANCELED
        assert order.reason == "smart-limit order ended unfilled"
        assert live.stub.orders[order.client_order_id].status == "canceled"

    run(body())


def _independent(side: OrderSide, k: int, n: int, bid: float, ask: float, m0: float) -> float:
    mid = (bid + ask) / 2
    if side is OrderSide.BUY:
        raw = min(mid + (ask - mid) * k / n, m0 * 1.001)
        return math.floor(raw / TICK + 1e-9) * TICK
    raw = max(mid - (mid - bid) * k / n, m0 * 0.999)
    return math.ceil(raw / TICK - 1e-9) * TICK


@pytest.mark.parametrize("side", [OrderSide.BUY, OrderSide.SELL])
def test_cross_at_the_end_moves_to_the_far_touch_within_the_cap(side: OrderSide) -> None:
    async def body() -> None:
        book = Book(*PATH[0])
        live = Live(_config("cross"), quotes=book)
        order = live.submit(live.order(side=side, order_type=OrderType.MARKET, quantity=1.0))
        await live.settle()
        m0 = sum(PATH[0]) / 2
        prices = [live.stub.calls[0][1].price]
        for k in (1, 2, 3, 4):
            book.bid, book.ask = PATH[k]
            live.clock.advance_to(k * 5 * S)
            await live.settle()
            if live.stub.amends and live.stub.amends[-1][1] != prices[-1]:
                prices.append(live.stub.amends[-1][1])
        expected = [_independent(side, k, 4, *PATH[k], m0) for k in range(5)]
        dedup = [p for i, p in enumerate(expected) if i == 0 or p != expected[i - 1]]
        assert prices == dedup
        if side is OrderSide.BUY:
            assert prices[-1] == 20_015.0  # the ask, inside the cap 20020
        else:
            assert prices[-1] == 19_995.0  # the bid, inside the cap 19980
        assert order.status is OrderStatus.ACCEPTED  # crossing leaves the order working
        live.stub.add_fill(order.client_order_id, 1.0, prices[-1], trade_id="x")
        await live.client.sync_fills(None, 0)
        assert order.status is OrderStatus.FILLED

    run(body())


def test_a_fill_stops_the_stepping() -> None:
    async def body() -> None:
        book = Book(*PATH[0])
        live = Live(_config("cancel"), quotes=book)
        order = live.submit(live.order(order_type=OrderType.MARKET, quantity=1.0))
        await live.settle()
        live.stub.add_fill(order.client_order_id, 1.0, 20_000.0, trade_id="f")
        await live.client.sync_fills(None, 0)
        for k in (1, 2, 3, 4):
            book.bid, book.ask = PATH[k]
            live.clock.advance_to(k * 5 * S)
            await live.settle()
        assert live.stub.amends == []
        assert live.stub.count("cancel_order") == 0
        assert order.status is OrderStatus.FILLED

    run(body())


def test_reduce_only_and_limit_orders_are_sent_as_they_are() -> None:
    async def body() -> None:
        live = Live(_config("cancel"), quotes=Book(*PATH[0]))
        live.submit(live.order(order_type=OrderType.MARKET, reduce_only=True))
        live.submit(live.order(price=19_000.0))
        await live.settle()
        assert [(c[1].type, c[1].price) for c in live.stub.calls] == [
            ("market", None),
            ("limit", 19_000.0),
        ]

    run(body())
