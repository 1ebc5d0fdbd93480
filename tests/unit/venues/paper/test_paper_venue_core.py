"""The paper venue through the whole engine: what fills, at what price, for which fee."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tradebot.engine.config import SessionConfig
from tradebot.engine.runners import build_paper_engine, run_events
from tradebot.engine.trading_engine import TradingEngine
from tradebot.model.data import Bar, FundingRate, QuoteTick
from tradebot.model.enums import LiquiditySide, OrderSide, OrderType, TimeInForce
from tradebot.model.identifiers import InstrumentId
from tradebot.model.instruments import Perpetual, Spot
from tradebot.model.signals import Signal, SignalIntent, SizeMode
from tradebot.risk.config import RiskConfig
from tradebot.strategies.base import Strategy
from tradebot.venues.paper.config import PaperVenueConfig

MIN = 60 * 10**9
SPOT = Spot(
    id=InstrumentId("BTC/USDT", "T"), base="BTC", quote="USDT", size_increment=Decimal("0.0001")
)
PERP = Perpetual(
    id=InstrumentId("BTC/USDT:USDT", "T"),
    base="BTC",
    quote="USDT",
    price_increment=Decimal("0.5"),
    size_increment=Decimal("0.001"),
    maintenance_margin=0.005,
)


def bar(i: int, o: float, h: float, lo: float, c: float, inst: Any = SPOT) -> Bar:
    return Bar(inst.id, "1m", i * MIN, (i + 1) * MIN, o, h, lo, c, 1.0)


class Script(Strategy):  # type: ignore[type-arg]
    """Sends the given signals on the given bar numbers (1-based, counted per bar seen)."""

    name = "script"

    def __init__(self, plan: dict[int, list[Signal]]) -> None:
        super().__init__()
        self.plan = plan
        self.seen = 0

    def on_bar(self, bar: Bar) -> None:
        self.seen += 1
        for signal in self.plan.get(self.seen, []):
            self.signal(signal)


def run(
    events: list[Any], plan: dict[int, list[Signal]], *, inst: Any = SPOT, **venue: Any
) -> TradingEngine:
    leverage = venue.pop("leverage", 1.0)
    engine = build_paper_engine(
        [inst],
        [Script(plan)],
        SessionConfig(
            cash=10_000,
            leverage=leverage,
            venue=PaperVenueConfig(**venue),
            risk=RiskConfig.unlimited(),
        ),
    )
    return run_events(engine, events)


def qty(size: float, side: OrderSide = OrderSide.BUY, inst: Any = SPOT, **kw: Any) -> Signal:
    return Signal(instrument_id=inst.id, side=side, size=size, size_mode=SizeMode.QUANTITY, **kw)


def test_market_buy_fills_at_next_open_with_slippage_and_taker_fee() -> None:
    events = [bar(0, 100, 101, 99, 100), bar(1, 102, 103, 101, 102)]

    engine = run(events, {1: [qty(1.0)]})

    (fill,) = engine.orders.fills
    assert fill.price == pytest.approx(102 * 1.0005)
    assert fill.fee == pytest.approx(102 * 1.0005 * 0.0006)
    assert fill.liquidity is LiquiditySide.TAKER
    assert fill.ts_event == events[1].ts_open
    assert engine.portfolio.account.balance("USDT") == pytest.approx(10_000 - fill.price - fill.fee)
    assert engine.portfolio.account.balance("BTC") == pytest.approx(1.0)


def test_resting_limit_fills_at_its_price_as_maker_only_when_touched() -> None:
    events = [bar(0, 100, 100, 100, 100), bar(1, 100, 101, 99.5, 100), bar(2, 100, 100.5, 98, 99)]
    signal = qty(1.0, order_type=OrderType.LIMIT, price=99.0)

    engine = run(events, {1: [signal]})

    (fill,) = engine.orders.fills
    assert fill.price == 99.0
    assert fill.liquidity is LiquiditySide.MAKER
    assert fill.fee == pytest.approx(99.0 * 0.0002)
    assert events[2].ts_open < fill.ts_event < events[2].ts_event


def test_limit_marketable_on_arrival_fills_at_open_as_taker() -> None:
    events = [bar(0, 100, 100, 100, 100), bar(1, 98, 99, 97, 98)]

    engine = run(events, {1: [qty(1.0, order_type=OrderType.LIMIT, price=99.0)]}, slippage=0)

    (fill,) = engine.orders.fills
    assert fill.price == 98.0
    assert fill.liquidity is LiquiditySide.TAKER


@pytest.mark.parametrize(
    ("o", "h", "lo", "first"),
    [(100, 101, 95, "take_profit"), (100, 105, 96, "stop_loss")],
    ids=["open-near-high", "open-near-low"],
)
def test_stop_and_target_in_one_bar_fill_in_path_order(
    o: float, h: float, lo: float, first: str
) -> None:
    events = [bar(0, 100, 100, 100, 100), bar(1, 100, 100, 100, 100), bar(2, o, h, lo, 100)]
    sell = OrderSide.SELL
    stop = Signal(
        instrument_id=SPOT.id,
        side=sell,
        intent=SignalIntent.OPEN,
        size=1.0,
        size_mode=SizeMode.QUANTITY,
        order_type=OrderType.STOP_MARKET,
        trigger_price=97.0,
        tag="stop_loss",
    )
    target = qty(1.0, sell, order_type=OrderType.LIMIT, price=100.5, tag="take_profit")

    engine = run(events, {1: [qty(1.0)], 2: [stop, target]}, slippage=0)

    tags = [f.tag for f in engine.orders.fills]
    assert tags[0] == ""  # the entry
    assert tags[1] == first
    assert len(tags) == 2  # the other exit found no coins left to sell


def test_stop_market_gapping_through_trigger_fills_at_open() -> None:
    events = [bar(0, 100, 100, 100, 100), bar(1, 110, 111, 109, 110)]
    stop = qty(1.0, order_type=OrderType.STOP_MARKET, trigger_price=105.0)

    engine = run(events, {1: [stop]}, slippage=0.001)

    assert engine.orders.fills[0].price == pytest.approx(110 * 1.001)


def test_insufficient_funds_is_rejected_with_the_numbers() -> None:
    events = [bar(0, 100, 100, 100, 100), bar(1, 100, 100, 100, 100)]

    engine = run(events, {1: [qty(200.0)]})

    (order,) = engine.orders.orders.values()
    assert order.status.value == "rejected"
    assert "insufficient USDT" in order.reason
    assert "available 10000" in order.reason


def test_quotes_fill_at_the_touch_in_parts_up_to_the_quoted_size() -> None:
    iid = SPOT.id
    events = [
        bar(0, 100, 100, 100, 100),
        QuoteTick(iid, 1 * MIN + 1, 100.0, 100.5, 1.0, 0.4),
        QuoteTick(iid, 1 * MIN + 2, 100.0, 100.6, 1.0, 0.4),
        QuoteTick(iid, 1 * MIN + 3, 100.0, 100.7, 1.0, 5.0),
    ]

    engine = run(events, {1: [qty(1.0)]})

    fills = engine.orders.fills
    assert [f.quantity for f in fills] == pytest.approx([0.4, 0.4, 0.2])
    assert [f.price for f in fills] == [100.5, 100.6, 100.7]
    (order,) = engine.orders.orders.values()
    assert order.status.value == "filled"
    assert order.avg_price == pytest.approx((0.4 * 100.5 + 0.4 * 100.6 + 0.2 * 100.7) / 1.0)


def test_ioc_against_thin_quote_cancels_the_rest_and_fok_fills_nothing() -> None:
    iid = SPOT.id
    events = [bar(0, 100, 100, 100, 100), QuoteTick(iid, MIN + 1, 100.0, 100.5, 1.0, 0.3)]
    ioc = qty(1.0, time_in_force=TimeInForce.IOC)
    fok = qty(1.0, time_in_force=TimeInForce.FOK)

    engine = run(events, {1: [ioc, fok]})

    assert [f.quantity for f in engine.orders.fills] == pytest.approx([0.3])
    statuses = sorted(o.status.value for o in engine.orders.orders.values())
    assert statuses == ["canceled", "canceled"]


def test_post_only_that_would_cross_is_canceled() -> None:
    events = [bar(0, 100, 100, 100, 100), bar(1, 100, 101, 99, 100)]
    signal = qty(1.0, order_type=OrderType.LIMIT, price=101.0, post_only=True)

    engine = run(events, {1: [signal]})

    (order,) = engine.orders.orders.values()
    assert order.status.value == "canceled"
    assert "post-only" in order.reason
    assert engine.orders.fills == []


def test_funding_is_paid_by_longs_when_the_rate_is_positive() -> None:
    events = [
        bar(0, 20_000, 20_000, 20_000, 20_000, PERP),
        bar(1, 20_000, 20_000, 20_000, 20_000, PERP),
        FundingRate(PERP.id, 2 * MIN + 1, 0.0001),
    ]

    engine = run(events, {1: [qty(0.1, inst=PERP)]}, inst=PERP, slippage=0)

    paid = engine.portfolio.total_funding["USDT"]
    assert paid == pytest.approx(-0.1 * 20_000 * 0.0001)
    assert engine.portfolio.position(PERP.id).funding == pytest.approx(paid)


def test_leveraged_long_is_liquidated_at_the_maintenance_price() -> None:
    entry = 20_000.0
    events = [
        bar(0, entry, entry, entry, entry, PERP),
        bar(1, entry, entry, entry, entry, PERP),
        bar(2, entry, entry, 17_000, 17_500, PERP),
    ]
    size = 4.5  # 90,000 notional on 10,000 of equity at 10x
    engine = run(events, {1: [qty(size, inst=PERP)]}, inst=PERP, slippage=0, leverage=10.0)

    liquidation = [f for f in engine.orders.fills if f.tag == "liquidation"]

    assert len(liquidation) == 1
    open_fee = size * entry * 0.0006
    balance = 10_000 - open_fee
    # balance + q (p - e) = q p m  →  p = (q e - balance) / (q (1 - m))
    expected = (size * entry - balance) / (size * (1 - 0.005))
    assert liquidation[0].price == pytest.approx(PERP.round_price(expected))
    assert engine.portfolio.position(PERP.id).is_flat


def test_reduce_only_close_is_capped_at_the_position() -> None:
    events = [bar(0, 20_000, 20_000, 20_000, 20_000, PERP)] + [
        bar(i, 20_000, 20_000, 20_000, 20_000, PERP) for i in range(1, 4)
    ]
    close = Signal(instrument_id=PERP.id, side=OrderSide.SELL, intent=SignalIntent.CLOSE)

    engine = run(events, {1: [qty(0.2, inst=PERP)], 2: [close], 3: [close]}, inst=PERP)

    sells = [f for f in engine.orders.fills if f.side is OrderSide.SELL]
    assert [f.quantity for f in sells] == pytest.approx([0.2])
    denied = [r for r in engine.signals if getattr(r.verdict, "code", "") == "NO_POSITION"]
    assert len(denied) == 1


def test_same_backtest_twice_gives_identical_fills() -> None:
    events = [bar(i, 100 + i % 7, 103 + i % 7, 98 + i % 5, 101 + i % 3) for i in range(200)]
    plan = {i: [qty(0.5, OrderSide.BUY if i % 2 else OrderSide.SELL)] for i in range(2, 190, 9)}

    first = run(events, plan).orders.fills
    second = run(events, plan).orders.fills

    assert len(first) > 5
    assert first == second
