"""Crash recovery: a real paper session killed with SIGKILL mid-trading, restarted on the same
database, ends with the same ledger as a session that was never interrupted.

The session is ``tradebot run`` as a subprocess (sma_cross 3/9, long and short, leverage 3, on
the bundled Bybit BTC/USDT perpetual 1m data). The reference is the same command run through
without a crash on its own database; also without ``--db`` at all, to show storing changes no
trade. Then unit tests of the rebuild and of reconciliation differences.
"""

from __future__ import annotations

import json
import math
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select, text

from tradebot.engine.config import SessionConfig
from tradebot.engine.runners import build_paper_engine
from tradebot.engine.trading_engine import TradingEngine
from tradebot.model.enums import OrderSide, OrderStatus, OrderType
from tradebot.model.identifiers import ClientOrderId, InstrumentId, StrategyId
from tradebot.model.orders import Order
from tradebot.storage import Database, fills, open_database, system_events
from tradebot.storage.reconcile import reconcile
from tradebot.storage.session_store import SessionStore
from tradebot.storage.tables import (
    CheckpointRow,
    FillRow,
    OrderEventRow,
    OrderRow,
    PositionRow,
    VenueOrderRow,
    VenueStateRow,
)
from tradebot.strategies.technical.sma_cross import SmaCross, SmaCrossParams
from tradebot.venues.files.catalog import open_dataset
from tradebot.venues.paper.state import (
    OrderState,
    PaperVenueState,
    PositionState,
    WorkingOrderState,
    decode_state,
)

TRADEBOT = str(Path(sys.executable).parent / "tradebot")
SESSION = ["--param", "fast=3", "--param", "slow=9", "--param", "long_only=false"]
SESSION += ["--leverage", "3"]
PERP = InstrumentId("BTC/USDT:USDT", "BYBIT")
SMA = StrategyId("sma_cross")


def _run_args(out: Path, db_url: str | None, speed: str) -> list[str]:
    args = [TRADEBOT, "run", "--speed", speed, *SESSION]
    args += ["--json", str(out.with_suffix(".json")), "--report", str(out.with_suffix(".html"))]
    return args + (["--db", db_url] if db_url is not None else [])


def _count(db_url: str, sql: str) -> int:
    with open_database(db_url, migrate=False) as db, db.reading() as session:
        return int(session.execute(text(sql)).scalar_one())


def _crash_when(db_url: str, args: list[str], orders: int) -> int:
    """Start the session, SIGKILL it once the database holds ``orders`` orders; return the
    events its last checkpoint counts."""
    log = Path(args[args.index("--json") + 1]).with_suffix(".log")
    with log.open("ab") as stderr:
        process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=stderr)
    db: Database | None = None
    deadline = time.monotonic() + 120
    try:
        while process.poll() is None and time.monotonic() < deadline:
            try:
                db = db or open_database(db_url, migrate=False)
                with db.reading() as session:
                    count = session.execute(text("SELECT count(*) FROM orders")).scalar_one()
            except Exception:  # the schema is not there yet
                count = 0
            if count >= orders:
                process.send_signal(signal.SIGKILL)
                break
            time.sleep(0.01)
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
        if db is not None:
            db.close()
    assert process.returncode == -signal.SIGKILL, log.read_text()[-3000:]
    return _count(db_url, "SELECT events FROM checkpoints")


def _finish(args: list[str]) -> None:
    done = subprocess.run(args, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]


def _ledger(db_url: str) -> dict[str, Any]:
    with open_database(db_url, migrate=False) as db, db.reading() as session:
        orders = [
            (r.client_order_id, r.side, r.status, float(r.quantity), float(r.filled_quantity),
             float(r.avg_price), r.ts_init)
            for r in session.scalars(select(OrderRow).order_by(OrderRow.client_order_id))
        ]  # fmt: skip
        events = [
            (r.client_order_id, r.status, r.ts_event)
            for r in session.scalars(
                select(OrderEventRow).order_by(OrderEventRow.client_order_id, OrderEventRow.id)
            )
        ]
        fill_rows = [
            (r.client_order_id, r.trade_id, r.side, float(r.quantity), float(r.price),
             float(r.fee), r.ts_event)
            for r in session.scalars(select(FillRow).order_by(FillRow.id))
        ]  # fmt: skip
        sent = sorted(session.scalars(select(VenueOrderRow.client_order_id)))
        venue = decode_state(session.scalars(select(VenueStateRow.state)).one())
        held = {
            (r.strategy_id, r.symbol): float(r.quantity)
            for r in session.scalars(select(PositionRow))
        }
        checkpoint = session.scalars(select(CheckpointRow)).one()
    return {
        "orders": orders,
        "events": events,
        "fills": fill_rows,
        "sent": sent,
        "venue": venue,
        "positions": held,
        "checkpoint": (checkpoint.events, checkpoint.completed),
    }


@pytest.fixture
def reference_url(db_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A second empty database on the same backend, for the uninterrupted run."""
    if db_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'reference.db'}"
    server = request.getfixturevalue("postgres_server")
    return str(server.new_database())


def test_a_session_killed_twice_mid_trading_ends_with_the_uninterrupted_ledger(
    db_url: str, reference_url: str, tmp_path: Path
) -> None:
    _finish(_run_args(tmp_path / "plain", None, "0"))
    _finish(_run_args(tmp_path / "reference", reference_url, "0"))
    reference = _ledger(reference_url)
    total_orders = len(reference["orders"])
    assert total_orders >= 12
    assert reference["checkpoint"] == (1184, True)

    args = _run_args(tmp_path / "crashed", db_url, "20000")
    first = _crash_when(db_url, args, orders=4)
    second = _crash_when(db_url, args, orders=total_orders // 2 + 2)  # after a restart
    assert 0 < first < second < 1184, (first, second)
    _finish(args)
    crashed = _ledger(db_url)

    # every order sent exactly once: the same ids, no duplicate, each with its life and fills
    ids = [o[0] for o in crashed["orders"]]
    assert len(ids) == len(set(ids)) == total_orders
    assert crashed["sent"] == ids == reference["sent"]
    assert crashed["orders"] == reference["orders"]
    assert crashed["events"] == reference["events"]
    assert crashed["fills"] == reference["fills"]
    assert len({f[1] for f in crashed["fills"]}) == len(crashed["fills"])  # no fill twice
    # positions and balances equal to the uninterrupted run, to the last bit
    assert crashed["venue"].balances == reference["venue"].balances
    assert crashed["venue"].positions == reference["venue"].positions
    assert crashed["positions"] == reference["positions"]
    assert crashed["checkpoint"] == (1184, True)
    # fills consistent with positions
    net = sum(q if side == "buy" else -q for _, _, side, q, _, _, _ in crashed["fills"])
    position = crashed["venue"].position(PERP)
    assert math.isclose(net, position.quantity if position else 0.0, abs_tol=1e-9)
    # the reports agree too (the one without storage included)
    results = [
        json.loads((tmp_path / f"{name}.json").read_text())
        for name in ("plain", "reference", "crashed")
    ]
    assert len({r["final_equity"] for r in results}) == 1
    assert len({json.dumps(r["open_positions"]) for r in results}) == 1
    with open_database(db_url, migrate=False) as db:
        kinds = [e.kind for e in system_events(db)]
    assert kinds.count("session_resumed") == 2
    assert "reconcile" not in kinds  # a checkpoint is whole: nothing to heal after a crash


# -- rebuild and reconciliation in process ----------------------------------------------------
def _engine() -> TradingEngine:
    source = open_dataset("bybit_btc_usdt_perp_1m")
    strategy = SmaCross(SmaCrossParams(fast=3, slow=9, long_only=False))
    return build_paper_engine(source.instruments, [strategy], SessionConfig(leverage=3.0))


def _events() -> Iterator[Any]:
    return iter(open_dataset("bybit_btc_usdt_perp_1m"))


def _run_until(db: Database, stop: Callable[[TradingEngine], bool]) -> tuple[SessionStore, int]:
    """Run a stored session until ``stop`` holds after an event, then 'crash' (the writer is
    flushed so the last checkpoint is durable, and the process state is dropped)."""
    engine = _engine()
    store = SessionStore(db, engine, fingerprint={"test": 1})
    events = store.resume(_events())
    for event in events:
        engine.on_event(event)
        store.checkpoint()
        if stop(engine):
            break
    store.writer.flush()
    store.writer.close()
    return store, engine.events_processed


def _holding(engine: TradingEngine) -> bool:
    return abs(engine.portfolio.holding(PERP)) > 1e-9 and engine.events_processed > 50


def test_restart_rebuilds_positions_balances_orders_and_exit_plans(db: Database) -> None:
    before, processed = _run_until(db, _holding)
    old = before.engine
    engine = _engine()
    store = SessionStore(db, engine, fingerprint={"test": 1})
    store.resume(_events())

    assert store.resumed_from is not None
    assert store.resumed_from.events == processed
    assert store.differences == []
    assert engine.events_processed == processed
    assert engine.portfolio.account.balances == old.portfolio.account.balances
    was, now = old.portfolio.position(PERP), engine.portfolio.position(PERP)
    assert (now.quantity, now.avg_entry_price, now.realized_pnl, now.fees) == (
        was.quantity, was.avg_entry_price, was.realized_pnl, was.fees,
    )  # fmt: skip
    assert engine.book.quantity(SMA, PERP) == pytest.approx(was.quantity)
    assert engine.orders.counters == old.orders.counters
    assert sorted(engine.orders.orders) == sorted(old.orders.orders)
    assert [f.trade_id for f in engine.orders.fills] == [f.trade_id for f in old.orders.fills]
    assert engine.risk.exits is not None
    assert old.risk.exits is not None
    [plan] = engine.risk.exits.plans()
    [old_plan] = old.risk.exits.plans()
    assert (plan.key, plan.side, plan.opened_ns, plan.best_price) == (
        old_plan.key, old_plan.side, old_plan.opened_ns, old_plan.best_price,
    )  # fmt: skip
    store.writer.close()


def test_a_position_the_bot_lost_and_an_order_the_venue_never_had_are_healed_and_logged(
    db: Database,
) -> None:
    before, _ = _run_until(db, _holding)
    held = before.engine.portfolio.position(PERP).quantity
    ghost = Order(
        ClientOrderId("sma_cross-000001x"),
        PERP,
        OrderSide.BUY,
        OrderType.LIMIT,
        0.5,
        price=1000.0,
        strategy_id=SMA,
        ts_init=1,
    )
    with db.writing() as session:  # the bot's tables lose the position, gain a stray order
        session.execute(delete(PositionRow))
        session.add(
            OrderRow(
                client_order_id=ghost.client_order_id, venue_order_id=None,
                strategy_id=ghost.strategy_id, symbol=PERP.symbol, venue=PERP.venue,
                side="buy", order_type="limit", time_in_force="gtc", quantity=0.5,
                quote_quantity=0, price=1000.0, trigger_price=None, post_only=False,
                reduce_only=False, tag="", status="accepted", filled_quantity=0, avg_price=0,
                reason="", ts_init=1, ts_last=1,
            )
        )  # fmt: skip

    engine = _engine()
    store = SessionStore(db, engine, fingerprint={"test": 1})
    store.resume(_events())
    store.writer.flush()

    kinds = sorted(d.kind for d in store.differences)
    assert kinds == ["order_unknown_to_venue", "position"]
    assert engine.portfolio.position(PERP).quantity == held  # the venue's
    assert engine.book.quantity(SMA, PERP) == held
    assert engine.orders.orders[ghost.client_order_id].status is OrderStatus.CANCELED
    logged = [e for e in system_events(db, kind="reconcile")]
    assert sorted(e.details["difference"] for e in logged) == kinds
    with db.reading() as session:
        row = session.get(OrderRow, ghost.client_order_id)
        assert row is not None
        assert row.status == "canceled"
    store.writer.close()


def test_a_session_with_other_data_or_strategies_is_refused(db: Database) -> None:
    _run_until(db, lambda e: e.events_processed >= 5)
    from tradebot.storage.errors import SessionMismatchError

    with pytest.raises(SessionMismatchError, match="another --db"):
        SessionStore(db, _engine(), fingerprint={"test": 2}).resume(_events())


def _venue_state(**changes: Any) -> PaperVenueState:
    base: dict[str, Any] = {
        "venue": "BYBIT",
        "ts_event": 10,
        "balances": {"USDT": 1000.0},
        "positions": [],
        "working": [],
        "next_seq": 1,
        "next_trade_id": 1,
    }
    base.update(changes)
    return PaperVenueState(**base)


def _order(cid: str, status: OrderStatus) -> Order:
    order = Order(ClientOrderId(cid), PERP, OrderSide.BUY, OrderType.MARKET, 0.1)
    order.status = status
    return order


def test_reconcile_lists_each_difference_and_what_to_do_with_each_order() -> None:
    working = _order("s-000003", OrderStatus.ACCEPTED)
    venue = _venue_state(
        balances={"USDT": 990.0},
        positions=[PositionState(instrument_id=PERP, quantity=0.2, avg_entry_price=100.0)],
        working=[
            WorkingOrderState(order=OrderState.of(working), seq=0, ts_active=0, quantity=0.1),
            WorkingOrderState(
                order=OrderState.of(_order("s-000009", OrderStatus.ACCEPTED)),
                seq=1,
                ts_active=0,
                quantity=0.1,
            ),
        ],
    )
    written_ahead = _order("s-000004", OrderStatus.INITIALIZED)
    lost = _order("s-000005", OrderStatus.ACCEPTED)
    done_at_venue = _order("s-000002", OrderStatus.ACCEPTED)

    result = reconcile(
        balances={"USDT": 1000.0},
        positions={},
        open_orders=[working, written_ahead, lost, done_at_venue],
        venue=venue,
        venue_ids={"s-000002", "s-000003", "s-000009"},
    )

    assert [d.kind for d in result.differences] == [
        "balance",
        "position",
        "order_resent",
        "order_unknown_to_venue",
        "order_closed_at_venue",
        "order_unknown_to_bot",
    ]
    assert result.resend == [written_ahead]
    assert [o for o, _ in result.cancel] == [lost, done_at_venue]


def test_reconcile_ignores_storage_rounding() -> None:
    venue = _venue_state(
        balances={"USDT": 1000.000000000000123},
        positions=[PositionState(instrument_id=PERP, quantity=0.2, avg_entry_price=100.1)],
    )
    result = reconcile(
        balances={"USDT": 1000.0},
        positions={PERP: (0.2, 100.10000000000001)},
        open_orders=[],
        venue=venue,
        venue_ids=set(),
    )
    assert result.differences == []


def test_fills_written_before_a_crash_are_kept_once(db: Database) -> None:
    _run_until(db, _holding)
    stored = [f.trade_id for f in fills(db)]
    engine = _engine()
    store = SessionStore(db, engine, fingerprint={"test": 1})
    for event in store.resume(_events()):
        engine.on_event(event)
        store.checkpoint()
    engine.stop()
    store.close(completed=True)
    again = [f.trade_id for f in fills(db)]
    assert again[: len(stored)] == stored
    assert len(again) == len(set(again))


def test_sigterm_stops_cleanly_persists_the_state_and_a_restart_finishes(
    db_url: str, tmp_path: Path
) -> None:
    args = _run_args(tmp_path / "stopped", db_url, "20000")
    log = tmp_path / "stopped.log"
    with log.open("ab") as stderr:
        process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        deadline = time.monotonic() + 120
        while process.poll() is None and time.monotonic() < deadline:
            try:
                if _count(db_url, "SELECT count(*) FROM orders") >= 5:
                    break
            except Exception:  # the schema is not there yet
                pass
            time.sleep(0.02)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0, log.read_text()[-3000:]
    finally:
        if process.poll() is None:
            process.kill()

    stopped = _ledger(db_url)
    events, completed = stopped["checkpoint"]
    assert 0 < events < 1184
    assert not completed
    assert stopped["venue"].working == []  # working orders were canceled
    assert all(status in ("filled", "canceled") for _, _, status, *_ in stopped["orders"])
    assert not json.loads((tmp_path / "stopped.json").read_text())["extra"]["completed"]
    with open_database(db_url, migrate=False) as db:
        assert [e.kind for e in system_events(db)][-1] == "session_stopped"

    _finish(args)
    assert _ledger(db_url)["checkpoint"] == (1184, True)


def test_an_order_only_written_ahead_is_sent_again_once_with_its_id(db: Database) -> None:
    before, _ = _run_until(db, _holding)
    last = max(before.engine.orders.orders)
    with db.writing() as session:  # as if the process died between writing and sending
        row = session.get(OrderRow, last)
        assert row is not None
        row.status, row.filled_quantity, row.avg_price = "initialized", 0, 0
        session.execute(delete(VenueOrderRow).where(VenueOrderRow.client_order_id == last))
        session.execute(delete(FillRow).where(FillRow.client_order_id == last))

    engine = _engine()
    store = SessionStore(db, engine, fingerprint={"test": 1})
    store.resume(_events())
    store.writer.close()

    assert [d.kind for d in store.differences if d.kind.startswith("order")] == ["order_resent"]
    resent = engine.orders.orders[ClientOrderId(last)]
    assert resent.status is OrderStatus.ACCEPTED
    venue = store.venue
    assert venue is not None
    assert last in venue.known_ids
    with db.reading() as session:
        assert session.get(OrderRow, last).status == "accepted"  # type: ignore[union-attr]
        sent = session.scalars(select(VenueOrderRow).where(VenueOrderRow.client_order_id == last))
        assert len(list(sent)) == 1

    again = _engine()  # a second restart: the venue has the id now, nothing is re-sent
    store = SessionStore(db, again, fingerprint={"test": 1})
    store.resume(_events())
    store.writer.close()
    assert [d.kind for d in store.differences] == []
    assert again.orders.orders[ClientOrderId(last)].status is OrderStatus.ACCEPTED


def test_a_checkpoint_writer_commits_whole_checkpoints_only(db: Database) -> None:
    from tradebot.storage import Checkpoint, StorageWriter, SystemEvent, latest_checkpoint

    writer = StorageWriter(db, checkpoints=True)
    writer.record(SystemEvent(ts_event=1, kind="before", message="event 1"))
    writer.record(Checkpoint(name="s", events=1, ts_event=1))
    writer.record(SystemEvent(ts_event=2, kind="after", message="event 2, half done"))
    deadline = time.monotonic() + 10
    while latest_checkpoint(db, "s") is None and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.1)

    assert [e.kind for e in system_events(db)] == ["before"]  # event 2 waits for its checkpoint
    assert writer.health().pending == 1
    writer.record(Checkpoint(name="s", events=2, ts_event=2))
    writer.close()
    assert [e.kind for e in system_events(db)] == ["before", "after"]
    checkpoint = latest_checkpoint(db, "s")
    assert checkpoint is not None
    assert checkpoint.events == 2
