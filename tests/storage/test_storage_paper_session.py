"""A real paper session on bundled Bybit data, stored as it runs, reads back as it happened."""

from __future__ import annotations

import math

import msgspec
from sqlalchemy import select

from tradebot.engine.config import SessionConfig
from tradebot.engine.runners import build_paper_engine, run_events
from tradebot.model.events import FundingPaid
from tradebot.model.orders import Order
from tradebot.storage import (
    AccountSnapshot,
    Database,
    PositionSnapshot,
    StorageWriter,
    fills,
    funding_payments,
    latest_account_snapshot,
    open_orders,
    order_events,
    positions,
    signals,
)
from tradebot.storage.tables import OrderRow
from tradebot.strategies.technical.sma_cross import SmaCross, SmaCrossParams
from tradebot.venues.files.catalog import open_dataset


def _close(a: float, b: float) -> bool:
    """Equal to the 18 decimals storage keeps (and a double's precision)."""
    return math.isclose(a, b, rel_tol=1e-15, abs_tol=1e-18)


def _same(stored: object, original: object) -> None:
    if isinstance(original, msgspec.Struct):
        assert type(stored) is type(original)
        for field in original.__struct_fields__:
            _same(getattr(stored, field), getattr(original, field))
    elif isinstance(original, float) and not isinstance(original, bool):
        assert isinstance(stored, float)
        assert _close(stored, original), (stored, original)
    else:
        assert stored == original


def test_a_paper_session_on_real_data_is_stored_as_it_happened(db: Database) -> None:
    source = open_dataset("bybit_btc_usdt_perp_1m")
    strategy = SmaCross(SmaCrossParams(fast=3, slow=9, long_only=False, size=0.5))
    engine = build_paper_engine(source.instruments, [strategy], SessionConfig(leverage=3.0))
    writer = StorageWriter(db)
    writer.attach(engine.bus)
    published_funding: list[FundingPaid] = []
    engine.bus.subscribe(FundingPaid, published_funding.append)
    send = engine.orders.submit

    def write_ahead_then_send(order: Order) -> None:
        writer.write_order_now(order)
        send(order)

    engine.orders.submit = write_ahead_then_send  # type: ignore[method-assign]
    engine.orders.on_update(lambda order, _: writer.record(order))

    run_events(engine, iter(source))
    for record in engine.signals:
        writer.record(record)
    now = engine.clock.now_ns()
    for instrument_id in engine.portfolio.instruments:
        held = engine.portfolio.position(instrument_id)
        writer.record(PositionSnapshot.of(held, strategy.id, now))
    account = engine.portfolio.account
    writer.record(
        AccountSnapshot.of(account, equity=engine.portfolio.net_liquidation_value(), ts_event=now)
    )
    health = writer.close()

    assert health.dropped == 0
    assert len(engine.orders.fills) > 4
    for stored, original in zip(fills(db), engine.orders.fills, strict=True):
        _same(stored, original)
    for stored_payment, paid in zip(funding_payments(db), published_funding, strict=True):
        _same(stored_payment, paid)
    for stored_signal, signal in zip(signals(db), engine.signals, strict=True):
        _same(stored_signal, signal)
    with db.reading() as session:
        rows = {row.client_order_id: row for row in session.scalars(select(OrderRow))}
    assert rows.keys() == engine.orders.orders.keys()
    for cid, order in engine.orders.orders.items():
        row = rows[cid]
        assert row.status == order.status
        assert _close(float(row.filled_quantity), order.filled_quantity)
        assert _close(float(row.avg_price), order.avg_price)
        statuses = [e.status for e in order_events(db, cid)]
        assert statuses[0] == "initialized"
        assert statuses[-1] == order.status
    assert [o.client_order_id for o in open_orders(db)] == [
        o.client_order_id for o in engine.orders.open_orders()
    ]
    [held] = positions(db, include_flat=True)
    position = engine.portfolio.position(held.instrument_id)
    _same(held, PositionSnapshot.of(position, strategy.id, now))
    assert positions(db) == ([] if position.is_flat else [held])
    snapshot = latest_account_snapshot(db)
    assert snapshot is not None
    assert snapshot.balances.keys() == account.balances.keys()
    assert all(_close(snapshot.balances[c], v) for c, v in account.balances.items())
