"""Every table: what goes in through the writer or a repository function comes back equal."""

from __future__ import annotations

import math
from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy import select

from fixtures.factories import MIN, linear_perp, spot
from tradebot.engine.trading_engine import SignalRecord, StrategyFailed
from tradebot.model.account import Account
from tradebot.model.enums import OrderSide, OrderType
from tradebot.model.events import FundingPaid, PositionLiquidated
from tradebot.model.identifiers import StrategyId
from tradebot.model.positions import Position
from tradebot.model.signals import Signal, SignalIntent, SizeMode
from tradebot.risk.exits.conditions import compile_condition
from tradebot.risk.exits.exit_plan import ExitPlan
from tradebot.risk.exits.names import is_known_name
from tradebot.risk.state import RiskStateChanged
from tradebot.risk.verdict import Approved, Denied
from tradebot.storage import (
    AccountSnapshot,
    Database,
    ExitPlanState,
    MetricsSnapshot,
    PositionSnapshot,
    StorageWriter,
    SuggestionStateError,
    SystemEvent,
    active_exit_plans,
    audit_log,
    funding_payments,
    latest_account_snapshot,
    metrics_snapshots,
    positions,
    record_command,
    save_strategy_config,
    signals,
    strategy_config_history,
    strategy_configs,
    system_events,
)
from tradebot.storage import suggestions as suggestion_store
from tradebot.storage.tables import PositionRow, SignalRow

PERP = linear_perp()
SPOT = spot()
SMA = StrategyId("sma_cross-1")


@pytest.fixture
def writer(db: Database) -> Iterator[StorageWriter]:
    with StorageWriter(db) as w:
        yield w


def test_positions_are_upserted_per_strategy_and_instrument(
    db: Database, writer: StorageWriter
) -> None:
    held = Position(PERP, quantity=-0.25, avg_entry_price=16_850.5, realized_pnl=12.5, fees=0.8)
    flat = Position(SPOT, quantity=0.0, avg_entry_price=0.0, realized_pnl=-3.25, funding=0.0)

    writer.record(PositionSnapshot.of(Position(PERP, 0.1, 16_000.0), SMA, MIN))
    writer.record(PositionSnapshot.of(held, SMA, 2 * MIN, unrealized_pnl=-1.75))
    writer.record(PositionSnapshot.of(flat, SMA, 2 * MIN))
    writer.flush()

    assert positions(db) == [PositionSnapshot.of(held, SMA, 2 * MIN, unrealized_pnl=-1.75)]
    assert len(positions(db, include_flat=True)) == 2
    with db.reading() as session:
        assert len(session.scalars(select(PositionRow)).all()) == 2
        row = session.get(PositionRow, (SMA, PERP.id.symbol, PERP.id.venue))
        assert row is not None
        assert row.quantity == Decimal("-0.25")
        assert row.currency == "USDT"


def test_the_latest_account_snapshot_comes_back_with_its_balances(
    db: Database, writer: StorageWriter
) -> None:
    assert latest_account_snapshot(db) is None
    account = Account("USDT", {"USDT": 10_000.0, "BTC": 0.125}, leverage=3.0)
    older = AccountSnapshot.of(account, equity=12_100.0, ts_event=MIN)
    account.adjust("USDT", -250.37)
    newer = AccountSnapshot.of(
        account, equity=11_843.21, ts_event=2 * MIN, exposure=5_000.0, margin_used=1_666.67
    )
    account.adjust("USDT", -1_000.0)  # after the snapshot: must not leak into it

    writer.record(newer)
    writer.record(older)  # written later, but older: "latest" is by time
    writer.flush()

    assert latest_account_snapshot(db) == newer
    assert newer.balances == {"USDT": 9_749.63, "BTC": 0.125}


def test_signals_keep_their_verdicts(db: Database, writer: StorageWriter) -> None:
    base = Signal(
        instrument_id=PERP.id,
        side=OrderSide.BUY,
        intent=SignalIntent.OPEN,
        size=0.5,
        size_mode=SizeMode.EQUITY_FRACTION,
        order_type=OrderType.LIMIT,
        price=16_850.5,
        confidence=0.72,
        stop_loss=16_500.0,
        take_profit=17_400.0,
        invalidation=("adx_14 < 20", "close < ema_50"),
        tag="golden cross",
        strategy_id=SMA,
        ts_event=7 * MIN,
    )
    records = [
        SignalRecord(base, Approved(OrderSide.BUY, 0.29), "sma_cross-1-000007"),
        SignalRecord(
            base,
            Approved(OrderSide.BUY, 0.1, note="max_position: 0.29 > limit 0.1"),
            "sma_cross-1-000008",
        ),
        SignalRecord(base, Denied("MAX_DRAWDOWN", "drawdown 21.3% > 20%"), None),
        SignalRecord(
            Signal(instrument_id=SPOT.id, side=OrderSide.SELL, intent=SignalIntent.CLOSE),
            Approved(OrderSide.SELL, 0.0, quote_quantity=250.0, reduce_only=True),
            "x-1",
        ),
    ]

    for record in records:
        writer.record(record)
    writer.flush()

    assert signals(db) == records
    assert signals(db, strategy_id=SMA) == records[:3]
    with db.reading() as session:
        verdicts = [(r.verdict, r.code) for r in session.scalars(select(SignalRow))]
    assert verdicts == [
        ("accepted", None),
        ("resized", None),
        ("denied", "MAX_DRAWDOWN"),
        ("accepted", None),
    ]


def test_funding_payments_round_trip(db: Database, writer: StorageWriter) -> None:
    payments = [
        FundingPaid(PERP.id, 0.0001, -1.68505, "USDT", 8 * 60 * MIN),
        FundingPaid(PERP.id, -0.000075, 1.26378, "USDT", 16 * 60 * MIN),
    ]

    for payment in payments:
        writer.record(payment)
    writer.flush()

    assert funding_payments(db) == payments


def test_exit_plans_follow_a_position_from_open_to_close_and_reopen(
    db: Database, writer: StorageWriter
) -> None:
    conditions = tuple(compile_condition(t, is_known_name) for t in ("adx_14 < 20", "rsi_14 > 75"))
    plan = ExitPlan(
        strategy_id=SMA,
        instrument_id=PERP.id,
        side=1,
        entry_price=16_850.5,
        opened_ns=10 * MIN,
        leverage=3.0,
        stop_loss=16_500.0,
        take_profit=17_400.0,
        conditions=conditions,
        timeframe="1h",
    )
    writer.record(plan)
    plan.peak_profit, plan.locked_profit, plan.best_price, plan.seen_ns = (
        0.09,
        0.03,
        17_150.0,
        40 * MIN,
    )
    writer.record(plan)  # trailing state moved: same plan, updated
    writer.flush()

    [active] = active_exit_plans(db)
    assert active == ExitPlanState.of(plan, plan.seen_ns)
    rebuilt = active.to_exit_plan()
    assert [c.text for c in rebuilt.conditions] == ["adx_14 < 20", "rsi_14 > 75"]
    assert (rebuilt.best_price, rebuilt.locked_profit, rebuilt.seen_ns) == (
        17_150.0,
        0.03,
        40 * MIN,
    )

    writer.record(ExitPlanState.of(plan, 41 * MIN, exit_reason="trailing"))
    reopened = ExitPlan(
        strategy_id=SMA, instrument_id=PERP.id, side=-1, entry_price=17_100.0,
        opened_ns=50 * MIN, leverage=3.0,
    )  # fmt: skip
    writer.record(reopened)
    writer.flush()

    [again] = active_exit_plans(db)
    assert (again.side, again.opened_ns, again.stop_loss, again.invalidation) == (
        -1,
        50 * MIN,
        None,
        (),
    )


def test_metrics_snapshots_keep_numbers_and_turn_nan_into_null(
    db: Database, writer: StorageWriter
) -> None:
    writer.record(MetricsSnapshot(ts_event=5 * MIN, values={"sharpe": 1.42, "sortino": math.nan}))
    writer.record(MetricsSnapshot(ts_event=5 * MIN, scope="sma_cross-1", values={"trades": 12}))
    writer.flush()

    assert metrics_snapshots(db) == [
        MetricsSnapshot(ts_event=5 * MIN, values={"sharpe": 1.42, "sortino": None})
    ]
    assert metrics_snapshots(db, scope="sma_cross-1")[0].values == {"trades": 12}


def test_risk_blocks_failures_and_liquidations_become_system_events(
    db: Database, writer: StorageWriter
) -> None:
    writer.record(RiskStateChanged(MIN, "daily_loss", True, "daily loss 4.2% > 4%"))
    writer.record(StrategyFailed("rsi_bb-1", "ZeroDivisionError: float division by zero", 2 * MIN))
    writer.record(PositionLiquidated(PERP.id, 0.4, 15_000.0, 3 * MIN))
    writer.record(
        SystemEvent(ts_event=4 * MIN, kind="startup", message="paper mode", details={"pid": 7})
    )
    writer.flush()

    events = system_events(db)
    assert [(e.kind, e.level) for e in events] == [
        ("risk_state", "warning"),
        ("strategy_failed", "error"),
        ("liquidation", "error"),
        ("startup", "info"),
    ]
    assert events[0].details == {"block": "daily_loss", "active": True, "symbol": ""}
    assert events[1].message == "ZeroDivisionError: float division by zero"
    assert events[2].details["price"] == 15_000.0
    assert system_events(db, kind="startup")[0].details == {"pid": 7}


def test_strategy_configs_are_versioned(db: Database) -> None:
    save_strategy_config(db, "sma_cross", {"fast": 10, "slow": 30}, changed_by="alice", ts=1)
    save_strategy_config(db, "rsi_bb", {"period": 14, "bands": [2.0, 2.5]}, weight=0.4, ts=2)
    latest = save_strategy_config(
        db, "sma_cross", {"fast": 20, "slow": 50}, weight=0.6, enabled=False, changed_by="bob", ts=3
    )

    assert latest.version == 2
    assert [(c.name, c.version, c.params, c.weight, c.enabled) for c in strategy_configs(db)] == [
        ("rsi_bb", 1, {"period": 14, "bands": [2.0, 2.5]}, 0.4, True),
        ("sma_cross", 2, {"fast": 20, "slow": 50}, 0.6, False),
    ]
    assert [c.changed_by for c in strategy_config_history(db, "sma_cross")] == ["alice", "bob"]


def test_a_suggestion_is_decided_once(db: Database) -> None:
    signal = Signal(
        instrument_id=PERP.id,
        side=OrderSide.SELL,
        size=0.2,
        size_mode=SizeMode.QUANTITY,
        stop_loss=17_500.0,
        confidence=0.64,
        strategy_id=SMA,
        ts_event=MIN,
    )
    proposed = suggestion_store.propose(db, signal, rationale="bearish cross", expires=10 * MIN)
    assert suggestion_store.pending(db) == [proposed]
    assert proposed.signal == signal
    assert proposed.status == "pending"

    approved = suggestion_store.decide(
        db, proposed.id, approve=True, by="alice", channel="telegram", ts=2 * MIN
    )
    with pytest.raises(SuggestionStateError, match="already approved by alice \\(telegram\\)"):
        suggestion_store.decide(db, proposed.id, approve=False, by="bob", channel="api", ts=3 * MIN)
    with pytest.raises(SuggestionStateError, match="does not exist"):
        suggestion_store.decide(db, 999, approve=True, by="bob", channel="api")

    assert (approved.status, approved.decided_by, approved.ts_decided) == (
        "approved",
        "alice",
        2 * MIN,
    )
    assert suggestion_store.pending(db) == []


def test_suggestions_expire_at_their_deadline(db: Database) -> None:
    signal = Signal(instrument_id=SPOT.id, side=OrderSide.BUY, strategy_id=SMA, ts_event=MIN)
    late = suggestion_store.propose(db, signal, expires=5 * MIN)
    open_ended = suggestion_store.propose(db, signal)

    with pytest.raises(SuggestionStateError, match="expired"):
        suggestion_store.decide(db, late.id, approve=True, by="alice", channel="cli", ts=6 * MIN)
    assert suggestion_store.expire(db, now=6 * MIN) == 1

    assert [s.id for s in suggestion_store.pending(db)] == [open_ended.id]
    suggestion_store.set_order(db, open_ended.id, "sma_cross-1-000009")


def test_the_audit_log_records_and_filters_commands(db: Database) -> None:
    record_command(db, actor="alice", channel="telegram", command="pause", result="paused", ts=1)
    record_command(
        db,
        actor="bob",
        channel="api",
        command="close_position",
        arguments={"symbol": "BTC/USDT:USDT", "quantity": 0.25},
        result="insufficient position",
        ok=False,
        ts=2,
    )
    record_command(db, actor="alice", channel="cli", command="resume", ts=3)

    newest_first = audit_log(db)
    assert [e.command for e in newest_first] == ["resume", "close_position", "pause"]
    assert newest_first[1].arguments == {"symbol": "BTC/USDT:USDT", "quantity": 0.25}
    assert newest_first[1].ok is False
    assert [e.ts for e in audit_log(db, actor="alice")] == [3, 1]
    assert [e.command for e in audit_log(db, channel="api")] == ["close_position"]
    assert [e.ts for e in audit_log(db, since=2, until=3)] == [2]
    with pytest.raises(ValueError, match="audit channel"):
        record_command(db, actor="eve", channel="email", command="pause")  # type: ignore[arg-type]
