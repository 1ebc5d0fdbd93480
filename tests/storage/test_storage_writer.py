"""The background writer: never blocks the caller, batches under load, survives failures."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal

import psycopg
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from fixtures.factories import MIN, linear_perp
from tradebot.engine.bus import MessageBus
from tradebot.engine.trading_engine import SignalRecord, StrategyFailed
from tradebot.model.enums import LiquiditySide, OrderSide, OrderStatus, OrderType
from tradebot.model.events import FundingPaid, OrderFilled, OrderUpdated, PositionLiquidated
from tradebot.model.identifiers import ClientOrderId, StrategyId
from tradebot.model.orders import Order
from tradebot.model.signals import Signal
from tradebot.risk.state import RiskStateChanged
from tradebot.risk.verdict import Approved
from tradebot.storage import (
    BUS_MESSAGES,
    Database,
    StorageWriter,
    fills,
    funding_payments,
    open_database,
    system_events,
)
from tradebot.storage.tables import FillRow, OrderEventRow, OrderRow, SignalRow

PERP = linear_perp()
SMA = StrategyId("sma_cross-1")


class Lock:
    """Another connection holding a table (PostgreSQL) or the database (SQLite) locked."""

    def __init__(self, count: Callable[[str], int]) -> None:
        self.count = count


@contextmanager
def locked(url: str, table: str) -> Iterator[Lock]:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        sqlite = sqlite3.connect(str(parsed.database), isolation_level=None)
        sqlite.execute("BEGIN EXCLUSIVE")
        try:
            yield Lock(lambda t: sqlite.execute(f"SELECT count(*) FROM {t}").fetchone()[0])
        finally:
            sqlite.rollback()
            sqlite.close()
        return
    with psycopg.connect(
        host=parsed.host,
        port=parsed.port,
        user=parsed.username,
        password=parsed.password,
        dbname=parsed.database,
    ) as pg:
        pg.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")

        def count(t: str) -> int:
            row = pg.execute(f"SELECT count(*) FROM {t}").fetchone()
            assert row is not None
            return int(row[0])

        try:
            yield Lock(count)
        finally:
            pg.rollback()


def _impatient(url: str) -> str:
    """The same database, but giving up on a lock after 0.2 s instead of waiting."""
    if url.startswith("sqlite"):
        return url
    return f"{url}?options=-c%20lock_timeout%3D200"


def _fill(n: int, order: str | None = None) -> OrderFilled:
    return OrderFilled(
        client_order_id=ClientOrderId(order or f"sma_cross-1-{n:06d}"),
        instrument_id=PERP.id,
        strategy_id=SMA,
        side=OrderSide.BUY if n % 2 else OrderSide.SELL,
        quantity=0.001 * (1 + n % 7),
        price=16_800.0 + (n % 400) * 0.5,
        fee=0.0101 + n * 1e-6,
        fee_currency="USDT",
        liquidity=LiquiditySide.TAKER,
        ts_event=n * MIN,
        trade_id=f"t{n}",
    )


def _count(db: Database, table: type) -> int:
    with db.reading() as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def _wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def test_record_returns_at_once_while_the_database_is_locked(
    db: Database, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    touched: list[str] = []
    for name in ("reading", "writing"):
        real = getattr(db, name)

        def spy(real: Callable[[], object] = real) -> object:
            touched.append(threading.current_thread().name)
            return real()

        monkeypatch.setattr(db, name, spy)
    events = [_fill(n) for n in range(50_000)]
    writer = StorageWriter(db)

    with locked(db_url, "fills") as lock:
        start = time.perf_counter()
        for event in events:
            writer.record(event)
        elapsed = time.perf_counter() - start
        written_while_locked = lock.count("fills")
        pending = writer.health().pending

    assert elapsed < 5.0, f"50,000 record() calls took {elapsed:.2f} s"
    assert written_while_locked == 0
    assert pending > 0
    assert writer.flush(timeout=300)
    assert set(touched) == {"tradebot-storage"}  # the caller's thread never touched the database
    assert _count(db, FillRow) == 50_000
    assert writer.close().dropped == 0


def test_fifty_thousand_mixed_events_are_written_in_batches(db: Database) -> None:
    orders = [
        Order(ClientOrderId(f"o{n}"), PERP.id, OrderSide.BUY, OrderType.LIMIT, 10.0, price=17e3)
        for n in range(200)
    ]
    writer = StorageWriter(db, max_batch=2_000)
    for order in orders:
        writer.write_order_now(order)
    events: list[object] = []
    for n in range(50_000):
        order = orders[(n // 5) % 200]
        if n % 5 == 0:
            events.append(OrderUpdated(order.client_order_id, PERP.id, OrderStatus.ACCEPTED, n))
        elif n % 5 == 4:
            events.append(FundingPaid(PERP.id, 0.0001, -0.05, "USDT", n))
        else:
            events.append(_fill(n, order.client_order_id))

    start = time.perf_counter()
    for event in events:
        writer.record(event)
    queued = time.perf_counter() - start
    assert writer.flush(timeout=600)
    written = time.perf_counter() - start
    health = writer.close()

    print(f"\n{db.backend}: 50,000 events queued in {queued:.3f} s, written in {written:.2f} s")
    assert (health.written, health.dropped, health.pending) == (50_000, 0, 0)
    assert _count(db, FillRow) == 30_000
    with db.reading() as session:
        statuses = set(session.scalars(select(OrderRow.status)))
        filled = session.scalar(select(func.sum(FillRow.quantity)))
        booked = session.scalar(select(func.sum(OrderRow.filled_quantity)))
    assert statuses == {"partially_filled"}
    assert filled is not None
    assert booked is not None
    assert abs(filled - booked) < Decimal("1e-9")  # the orders' books equal their fills
    assert _count(db, OrderEventRow) == 200 * 3  # initialized, accepted, partially filled


def test_a_failing_database_is_retried_reported_and_recovered(
    db: Database, db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="tradebot.storage")
    alerts: list[str] = []
    impatient = open_database(_impatient(db_url), busy_timeout=0.2)
    writer = StorageWriter(impatient, max_backoff=0.2, on_error=alerts.append)
    payment = FundingPaid(PERP.id, 0.0001, -1.68505, "USDT", 8 * 60 * MIN)

    with locked(db_url, "funding_payments"):
        writer.record(payment)
        assert _wait_for(lambda: writer.health().retries >= 2)
        during = writer.health()

    assert writer.flush(timeout=60)
    after = writer.close()
    impatient.close()

    assert during.failing
    assert during.last_error
    assert (after.failing, after.dropped, after.written) == (False, 0, 1)
    assert funding_payments(db) == [payment]
    assert len(alerts) == 1
    assert alerts[0].startswith("storage writes failing on ")
    assert "storage_write_failed" in caplog.text
    assert "storage_write_recovered" in caplog.text
    password = make_url(db_url).password
    if password:
        assert password not in caplog.text
        assert password not in alerts[0]


def test_a_message_the_database_refuses_is_dropped_alone(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    good = [_fill(n) for n in range(100)]
    poison = OrderFilled(
        client_order_id=ClientOrderId("bad-1"),
        instrument_id=PERP.id,
        strategy_id=SMA,
        side=OrderSide.BUY,
        quantity=1.0,
        price=float("nan"),
        fee=0.0,
        fee_currency="USDT",
        liquidity=LiquiditySide.TAKER,
        ts_event=0,
    )
    alerts: list[str] = []
    writer = StorageWriter(db, on_error=alerts.append)

    for event in [*good[:50], poison, *good[50:]]:
        writer.record(event)
    health = writer.close()

    assert (health.written, health.dropped) == (100, 1)
    assert fills(db) == good
    assert "storage_messages_dropped: 1 (OrderFilled)" in caplog.text
    assert "bad-1" in caplog.text
    assert alerts == [f"storage dropped 1 message(s) (OrderFilled): {health.last_error}"]


def test_closing_while_the_database_is_down_gives_up_and_counts_the_loss(
    db: Database, db_url: str
) -> None:
    impatient = open_database(_impatient(db_url), busy_timeout=0.2)
    writer = StorageWriter(impatient, max_backoff=0.2)

    with locked(db_url, "funding_payments"):
        writer.record(FundingPaid(PERP.id, 0.0001, -1.0, "USDT", 1))
        health = writer.close(timeout=0.5)
    impatient.close()

    assert (health.written, health.dropped, health.pending) == (0, 1, 0)


def test_attach_records_everything_the_engine_publishes(db: Database) -> None:
    bus = MessageBus()
    writer = StorageWriter(db)
    writer.attach(bus)
    signal = Signal(instrument_id=PERP.id, side=OrderSide.BUY, strategy_id=SMA, ts_event=MIN)
    published: list[object] = [
        OrderUpdated(ClientOrderId("sma_cross-1-000001"), PERP.id, OrderStatus.ACCEPTED, MIN),
        _fill(1, "sma_cross-1-000001"),
        FundingPaid(PERP.id, 0.0001, -1.0, "USDT", 2 * MIN),
        PositionLiquidated(PERP.id, 0.4, 15_000.0, 3 * MIN),
        RiskStateChanged(4 * MIN, "safe_mode:BTC/USDT:USDT", True, "stale feed", "BTC/USDT:USDT"),
        StrategyFailed("rsi_bb-1", "KeyError: 'close'", 5 * MIN),
        SignalRecord(signal, Approved(OrderSide.BUY, 0.2), "sma_cross-1-000001"),
    ]
    assert {type(m) for m in published} == set(BUS_MESSAGES)

    for message in published:
        bus.publish(message)
    writer.close()

    assert _count(db, OrderEventRow) == 1
    assert _count(db, FillRow) == 1
    assert _count(db, SignalRow) == 1
    assert len(funding_payments(db)) == 1
    kinds = [e.kind for e in system_events(db)]
    assert kinds == ["liquidation", "risk_state", "strategy_failed"]


def test_misuse_is_refused_in_plain_words(db: Database) -> None:
    writer = StorageWriter(db)

    with pytest.raises(TypeError, match="storage cannot record a dict"):
        writer.record({"price": 1.0})
    with pytest.raises(ValueError, match="max_batch was 0"):
        StorageWriter(db, max_batch=0)
    writer.close()
    writer.record(_fill(1))  # after close: counted, not raised into the trading path

    assert writer.health().dropped == 1
    assert writer.flush(timeout=1)
    assert writer.close().dropped == 1


def test_close_writes_what_is_still_queued(db: Database) -> None:
    writer = StorageWriter(db, max_batch=7)
    for n in range(1_000):
        writer.record(_fill(n))

    health = writer.close()

    assert (health.written, health.pending) == (1_000, 0)
    assert _count(db, FillRow) == 1_000
