"""Orders: written ahead, followed through their life, and read back for recovery."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from fixtures.factories import MIN, linear_perp, spot
from tradebot.model.enums import LiquiditySide, OrderSide, OrderStatus, OrderType, TimeInForce
from tradebot.model.events import OrderFilled, OrderUpdated
from tradebot.model.identifiers import ClientOrderId, StrategyId, VenueOrderId
from tradebot.model.orders import Order
from tradebot.storage import Database, StorageWriter, fills, open_orders, order_events
from tradebot.storage.tables import OrderRow

PERP = linear_perp()
S = OrderStatus


@pytest.fixture
def writer(db: Database) -> Iterator[StorageWriter]:
    with StorageWriter(db) as w:
        yield w


def _limit_order(cid: str, quantity: float = 0.5, price: float = 16_850.5) -> Order:
    return Order(
        ClientOrderId(cid),
        PERP.id,
        OrderSide.BUY,
        OrderType.LIMIT,
        quantity,
        price=price,
        time_in_force=TimeInForce.GTC,
        post_only=True,
        strategy_id=StrategyId("sma_cross-1"),
        tag="entry",
        ts_init=3 * MIN,
    )


def _fill(order: Order, quantity: float, price: float, ts: int, trade: str) -> OrderFilled:
    return OrderFilled(
        client_order_id=order.client_order_id,
        instrument_id=order.instrument_id,
        strategy_id=order.strategy_id,
        side=order.side,
        quantity=quantity,
        price=price,
        fee=round(quantity * price * 0.0002, 10),
        fee_currency="USDT",
        liquidity=LiquiditySide.MAKER,
        ts_event=ts,
        trade_id=trade,
        tag=order.tag,
    )


def _row(db: Database, cid: str) -> OrderRow:
    with db.reading() as session:
        return session.scalars(select(OrderRow).where(OrderRow.client_order_id == cid)).one()


def test_an_order_written_ahead_is_durable_and_reads_back_as_open(
    db: Database, writer: StorageWriter
) -> None:
    order = _limit_order("sma_cross-1-000001")

    writer.write_order_now(order)  # committed on return: no flush needed

    [back] = open_orders(db)
    assert repr(back) == repr(order)
    for field in Order.__slots__:
        assert getattr(back, field) == getattr(order, field), field
    assert [e.status for e in order_events(db, order.client_order_id)] == [S.INITIALIZED]


def test_an_orders_whole_life_lands_in_orders_order_events_and_fills(
    db: Database, writer: StorageWriter
) -> None:
    order = _limit_order("sma_cross-1-000002", quantity=0.5)
    writer.write_order_now(order)
    order.transition(S.SUBMITTED, 3 * MIN)
    first = _fill(order, 0.2, 16_850.5, 5 * MIN, "t-1")
    second = _fill(order, 0.3, 16_849.0, 6 * MIN, "t-2")

    writer.record(OrderUpdated(order.client_order_id, PERP.id, S.ACCEPTED, 4 * MIN))
    writer.record(first)
    writer.record(second)
    assert writer.flush(timeout=30)

    row = _row(db, order.client_order_id)
    assert row.status == "filled"
    assert float(row.filled_quantity) == 0.5
    assert float(row.avg_price) == pytest.approx((0.2 * 16_850.5 + 0.3 * 16_849.0) / 0.5, 1e-15)
    assert row.ts_last == 6 * MIN
    history = order_events(db, order.client_order_id)
    assert [(e.status, e.ts_event) for e in history] == [
        (S.INITIALIZED, 3 * MIN),
        (S.ACCEPTED, 4 * MIN),
        (S.PARTIALLY_FILLED, 5 * MIN),
        (S.FILLED, 6 * MIN),
    ]
    assert fills(db, client_order_id=order.client_order_id) == [first, second]
    assert open_orders(db) == []


def test_reasons_and_venue_ids_are_kept(db: Database, writer: StorageWriter) -> None:
    order = _limit_order("sma_cross-1-000003")
    writer.write_order_now(order)
    order.transition(S.SUBMITTED, 3 * MIN)
    order.transition(S.ACCEPTED, 3 * MIN)
    order.venue_order_id = VenueOrderId("bybit-8f2c")
    writer.write_order_now(order)
    cancel = OrderUpdated(order.client_order_id, PERP.id, S.CANCELED, 9 * MIN, "canceled by user")

    writer.record(cancel)
    writer.flush()

    row = _row(db, order.client_order_id)
    assert (row.status, row.reason, row.venue_order_id) == (
        "canceled",
        "canceled by user",
        "bybit-8f2c",
    )
    assert order_events(db, order.client_order_id)[-1] == cancel


def test_a_late_report_never_moves_an_order_backwards(db: Database, writer: StorageWriter) -> None:
    order = _limit_order("sma_cross-1-000004")
    order.transition(S.SUBMITTED, 3 * MIN)
    order.transition(S.ACCEPTED, 4 * MIN)
    order.transition(S.CANCELED, 5 * MIN, "expired at the venue")
    writer.write_order_now(order)  # the synchronous path is ahead of the queue

    writer.record(OrderUpdated(order.client_order_id, PERP.id, S.ACCEPTED, 4 * MIN))
    writer.flush()

    assert _row(db, order.client_order_id).status == "canceled"
    assert open_orders(db) == []


def test_reports_about_orders_never_written_are_kept(db: Database, writer: StorageWriter) -> None:
    denied = OrderUpdated(ClientOrderId("rsi_bb-1-000001"), PERP.id, S.DENIED, MIN, "MAX_LEVERAGE")
    liquidation = Order(ClientOrderId("liq-1"), PERP.id, OrderSide.SELL, OrderType.MARKET, 0.4)
    forced = _fill(liquidation, 0.4, 15_000.0, 2 * MIN, "liq-trade")

    writer.record(denied)
    writer.record(forced)
    writer.flush()

    assert order_events(db, "rsi_bb-1-000001") == [denied]
    assert fills(db) == [forced]
    with db.reading() as session:
        assert session.scalars(select(OrderRow)).all() == []


def test_open_orders_are_every_order_not_in_a_final_state(
    db: Database, writer: StorageWriter
) -> None:
    spot_pair = spot()
    orders = []
    for n, path in enumerate(
        [
            [],
            [S.SUBMITTED],
            [S.SUBMITTED, S.ACCEPTED],
            [S.SUBMITTED, S.ACCEPTED, S.TRIGGERED],
            [S.SUBMITTED, S.REJECTED],
            [S.DENIED],
            [S.SUBMITTED, S.ACCEPTED, S.EXPIRED],
        ]
    ):
        order = Order(
            ClientOrderId(f"o-{n}"),
            spot_pair.id,
            OrderSide.SELL,
            OrderType.STOP_MARKET,
            0.01,
            trigger_price=16_000.0,
            reduce_only=True,
            ts_init=n,
        )
        for status in path:
            order.transition(status, n)
        writer.write_order_now(order)
        orders.append(order)

    assert [o.client_order_id for o in open_orders(db)] == ["o-0", "o-1", "o-2", "o-3"]
    assert [o.status for o in open_orders(db)] == [
        S.INITIALIZED,
        S.SUBMITTED,
        S.ACCEPTED,
        S.TRIGGERED,
    ]


def test_a_quote_sized_market_buy_learns_its_quantity_from_its_fill(
    db: Database, writer: StorageWriter
) -> None:
    order = Order(
        ClientOrderId("dca-1"),
        spot().id,
        OrderSide.BUY,
        OrderType.MARKET,
        0.0,
        quote_quantity=100.0,
        ts_init=MIN,
    )
    writer.write_order_now(order)
    order.transition(S.SUBMITTED, MIN)

    writer.record(_fill(order, 0.005921, 16_887.0, MIN, "t-9"))
    writer.flush()

    row = _row(db, "dca-1")
    assert (row.status, float(row.quantity), float(row.quote_quantity)) == (
        "filled",
        0.005921,
        100.0,
    )
