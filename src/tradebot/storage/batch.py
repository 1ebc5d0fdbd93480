"""Turn a batch of recorded messages into rows, written in one transaction.

Which message goes where:

* ``OrderSnapshot`` (from an ``Order``): ``orders``, inserted or merged; ``order_events`` when
  its status moved.
* ``OrderUpdated``: ``order_events``; ``orders.status`` moves forward.
* ``OrderFilled``: ``fills``; the order's filled quantity, average price and status.
* ``FundingPaid``: ``funding_payments``.
* ``SignalRecord``: ``signals``, with the risk verdict.
* ``PositionSnapshot``: ``positions``, upserted (the last one in a batch wins).
* ``AccountSnapshot``: ``account_snapshots`` and ``account_balances``.
* ``ExitPlanState`` (or an ``ExitPlan``): ``exit_plans``, upserted by strategy, instrument
  and opening time.
* ``MetricsSnapshot``: ``metrics_snapshots``.
* ``RiskStateChanged``, ``StrategyFailed``, ``PositionLiquidated``, ``SystemEvent``:
  ``system_events``.
* ``Checkpoint``: ``checkpoints``, replaced (the last one in a batch wins).
* ``VenueState``: ``venue_states``, replaced; its new client order ids go to ``venue_orders``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import msgspec
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from tradebot.engine.trading_engine import SignalRecord, StrategyFailed
from tradebot.model.events import FundingPaid, OrderFilled, OrderUpdated, PositionLiquidated
from tradebot.risk.state import RiskStateChanged
from tradebot.risk.verdict import Denied
from tradebot.storage import orders
from tradebot.storage.records import (
    AccountSnapshot,
    Checkpoint,
    ExitPlanState,
    MetricsSnapshot,
    OrderSnapshot,
    PositionSnapshot,
    SystemEvent,
    VenueState,
)
from tradebot.storage.tables import (
    AccountBalanceRow,
    AccountSnapshotRow,
    Base,
    CheckpointRow,
    ExitPlanRow,
    FillRow,
    FundingPaymentRow,
    MetricsSnapshotRow,
    OrderEventRow,
    PositionRow,
    SignalRow,
    SystemEventRow,
    VenueOrderRow,
    VenueStateRow,
)
from tradebot.storage.types import to_decimal

_OrderMessage = OrderSnapshot | OrderUpdated | OrderFilled


def _amount(value: float | None) -> Decimal | None:
    return None if value is None else to_decimal(value)


class Batch:
    """Rows collected from messages, in arrival order, until :meth:`write` commits them."""

    def __init__(self) -> None:
        self._orders: list[_OrderMessage] = []
        self._inserts: dict[type[Base], list[dict[str, Any]]] = {}
        self._positions: dict[tuple[str, str, str], PositionSnapshot] = {}
        self._plans: dict[tuple[str, str, str, int], ExitPlanState] = {}
        self._accounts: list[AccountSnapshot] = []
        self._checkpoints: dict[str, Checkpoint] = {}
        self._venues: dict[str, VenueState] = {}
        self._venue_ids: dict[str, dict[str, int]] = {}

    def add(self, message: object) -> None:
        """Collect ``message``; raise KeyError for a type storage does not know."""
        _ROUTES[type(message)](self, message)

    def write(self, session: Session) -> None:
        """Write everything collected into ``session``'s transaction (the caller commits)."""
        self._write_orders(session)
        for table, rows in self._inserts.items():
            session.execute(insert(table), rows)
        for snapshot in self._positions.values():
            session.merge(_position_row(snapshot))
        for state in self._plans.values():
            _upsert_plan(session, state)
        for account in self._accounts:
            session.add(_account_row(account))
        for books in self._venues.values():
            session.merge(
                VenueStateRow(venue=books.venue, ts_event=books.ts_event, state=books.state)
            )
        for venue, ids in self._venue_ids.items():
            _insert_venue_ids(session, venue, ids)
        for checkpoint in self._checkpoints.values():
            session.merge(_checkpoint_row(checkpoint))

    # -- collecting ------------------------------------------------------------------------------
    def _insert(self, table: type[Base], row: dict[str, Any]) -> None:
        self._inserts.setdefault(table, []).append(row)

    def _order(self, message: _OrderMessage) -> None:
        self._orders.append(message)

    def _account(self, snapshot: AccountSnapshot) -> None:
        self._accounts.append(snapshot)

    def _checkpoint(self, checkpoint: Checkpoint) -> None:
        self._checkpoints[checkpoint.name] = checkpoint

    def _venue_state(self, state: VenueState) -> None:
        self._venues[state.venue] = state
        ids = self._venue_ids.setdefault(state.venue, {})
        for cid in state.new_order_ids:
            ids.setdefault(cid, state.ts_event)

    def _funding(self, event: FundingPaid) -> None:
        self._insert(
            FundingPaymentRow,
            {
                "symbol": event.instrument_id.symbol,
                "venue": event.instrument_id.venue,
                "rate": event.rate,
                "amount": event.amount,
                "currency": event.currency,
                "ts_event": event.ts_event,
            },
        )

    def _signal(self, record: SignalRecord) -> None:
        signal, verdict = record.signal, record.verdict
        row: dict[str, Any] = {
            "ts_event": signal.ts_event,
            "strategy_id": signal.strategy_id,
            "symbol": signal.instrument_id.symbol,
            "venue": signal.instrument_id.venue,
            "side": signal.side.value,
            "intent": signal.intent.value,
            "size": signal.size,
            "size_mode": signal.size_mode.value,
            "order_type": signal.order_type.value,
            "price": signal.price,
            "trigger_price": signal.trigger_price,
            "confidence": signal.confidence,
            "stop_loss": signal.stop_loss,
            "take_profit": signal.take_profit,
            "invalidation": list(signal.invalidation),
            "tag": signal.tag,
            "client_order_id": record.client_order_id,
        }
        if isinstance(verdict, Denied):
            row.update(verdict="denied", code=verdict.code, reason=verdict.reason)
            row.update(quantity=None, quote_quantity=None, reduce_only=None)
        else:
            row.update(verdict="resized" if verdict.note else "accepted", code=None)
            row.update(reason=verdict.note, quantity=verdict.quantity)
            row.update(quote_quantity=verdict.quote_quantity, reduce_only=verdict.reduce_only)
        self._insert(SignalRow, row)

    def _position(self, snapshot: PositionSnapshot) -> None:
        key = (snapshot.strategy_id, snapshot.instrument_id.symbol, snapshot.instrument_id.venue)
        self._positions[key] = snapshot

    def _plan(self, state: ExitPlanState) -> None:
        instrument = state.instrument_id
        key = (state.strategy_id, instrument.symbol, instrument.venue, state.opened_ns)
        self._plans.pop(key, None)  # re-insert: the newest state of each plan, in arrival order
        self._plans[key] = state

    def _metrics(self, snapshot: MetricsSnapshot) -> None:
        self._insert(
            MetricsSnapshotRow,
            {"ts_event": snapshot.ts_event, "scope": snapshot.scope, "values": snapshot.values},
        )

    def _system(self, ts: int, kind: str, level: str, message: str, **details: Any) -> None:
        self._insert(
            SystemEventRow,
            {"ts_event": ts, "kind": kind, "level": level, "message": message, "details": details},
        )

    def _system_event(self, event: SystemEvent) -> None:
        self._system(event.ts_event, event.kind, event.level, event.message, **event.details)

    def _risk_state(self, event: RiskStateChanged) -> None:
        level = "warning" if event.active else "info"
        self._system(
            event.ts_event,
            "risk_state",
            level,
            event.reason,
            block=event.block,
            active=event.active,
            symbol=event.symbol,
        )

    def _strategy_failed(self, event: StrategyFailed) -> None:
        self._system(
            event.ts_event, "strategy_failed", "error", event.error, strategy_id=event.strategy_id
        )

    def _liquidation(self, event: PositionLiquidated) -> None:
        self._system(
            event.ts_event,
            "liquidation",
            "error",
            f"{event.instrument_id} liquidated: {event.quantity:g} at {event.price:g}",
            symbol=event.instrument_id.symbol,
            venue=event.instrument_id.venue,
            quantity=event.quantity,
            price=event.price,
        )

    # -- writing ---------------------------------------------------------------------------------
    def _write_orders(self, session: Session) -> None:
        if not self._orders:
            return
        rows = orders.lock_orders(session, (m.client_order_id for m in self._orders))
        for message in self._orders:
            if isinstance(message, OrderSnapshot):
                event = orders.upsert_snapshot(session, rows, message)
                if event is not None:
                    self._insert(OrderEventRow, event)
                continue
            row = rows.get(message.client_order_id)
            if isinstance(message, OrderFilled):
                self._insert(FillRow, _fill_row(message))
                if row is not None and orders.apply_fill(row, message):
                    self._insert(OrderEventRow, orders.event_row(row, message.ts_event, ""))
            elif row is None:
                self._insert(OrderEventRow, orders.unknown_order_event(message))
            elif orders.apply_update(row, message):
                self._insert(OrderEventRow, orders.event_row(row, message.ts_event, message.reason))


def _fill_row(fill: OrderFilled) -> dict[str, Any]:
    return {
        "client_order_id": fill.client_order_id,
        "trade_id": fill.trade_id,
        "strategy_id": fill.strategy_id,
        "symbol": fill.instrument_id.symbol,
        "venue": fill.instrument_id.venue,
        "side": fill.side.value,
        "quantity": fill.quantity,
        "price": fill.price,
        "fee": fill.fee,
        "fee_currency": fill.fee_currency,
        "liquidity": fill.liquidity.value,
        "tag": fill.tag,
        "ts_event": fill.ts_event,
    }


def _position_row(snapshot: PositionSnapshot) -> PositionRow:
    return PositionRow(
        strategy_id=snapshot.strategy_id,
        symbol=snapshot.instrument_id.symbol,
        venue=snapshot.instrument_id.venue,
        quantity=to_decimal(snapshot.quantity),
        avg_entry_price=to_decimal(snapshot.avg_entry_price),
        realized_pnl=to_decimal(snapshot.realized_pnl),
        unrealized_pnl=_amount(snapshot.unrealized_pnl),
        fees=to_decimal(snapshot.fees),
        funding=to_decimal(snapshot.funding),
        currency=snapshot.currency,
        ts_event=snapshot.ts_event,
    )


def _account_row(snapshot: AccountSnapshot) -> AccountSnapshotRow:
    return AccountSnapshotRow(
        ts_event=snapshot.ts_event,
        base_currency=snapshot.base_currency,
        equity=to_decimal(snapshot.equity),
        exposure=to_decimal(snapshot.exposure),
        margin_used=_amount(snapshot.margin_used),
        unrealized_pnl=_amount(snapshot.unrealized_pnl),
        balances=[
            AccountBalanceRow(currency=currency, balance=to_decimal(balance))
            for currency, balance in sorted(snapshot.balances.items())
        ],
    )


def _checkpoint_row(checkpoint: Checkpoint) -> CheckpointRow:
    state = {"counters": checkpoint.counters, "fingerprint": checkpoint.fingerprint}
    return CheckpointRow(
        name=checkpoint.name,
        events=checkpoint.events,
        ts_event=checkpoint.ts_event,
        completed=checkpoint.completed,
        state=msgspec.json.encode(state).decode(),
    )


def _insert_venue_ids(session: Session, venue: str, ids: dict[str, int]) -> None:
    """Add the ids not stored yet (a restart may report an id again)."""
    wanted = list(ids)
    known: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        query = select(VenueOrderRow.client_order_id).where(
            VenueOrderRow.venue == venue, VenueOrderRow.client_order_id.in_(chunk)
        )
        known.update(session.scalars(query))
    rows = [
        {"venue": venue, "client_order_id": cid, "ts_event": ts}
        for cid, ts in ids.items()
        if cid not in known
    ]
    if rows:
        session.execute(insert(VenueOrderRow), rows)


def _upsert_plan(session: Session, state: ExitPlanState) -> None:
    instrument = state.instrument_id
    query = select(ExitPlanRow).where(
        ExitPlanRow.strategy_id == state.strategy_id,
        ExitPlanRow.symbol == instrument.symbol,
        ExitPlanRow.venue == instrument.venue,
        ExitPlanRow.opened_ns == state.opened_ns,
    )
    row = session.scalars(query.with_for_update()).one_or_none()
    if row is None:
        row = ExitPlanRow(
            strategy_id=state.strategy_id,
            symbol=instrument.symbol,
            venue=instrument.venue,
            opened_ns=state.opened_ns,
        )
        session.add(row)
    row.side = "long" if state.side > 0 else "short"
    row.entry_price = to_decimal(state.entry_price)
    row.leverage = to_decimal(state.leverage)
    row.stop_loss = _amount(state.stop_loss)
    row.take_profit = _amount(state.take_profit)
    row.invalidation = list(state.invalidation)
    row.timeframe = state.timeframe
    row.peak_profit = state.peak_profit
    row.locked_profit = state.locked_profit
    row.best_price = to_decimal(state.best_price)
    row.seen_ns = state.seen_ns
    row.status = state.status
    row.exit_reason = state.exit_reason
    row.ts_updated = state.ts_event
    session.flush()  # the next plan of this instrument may need this one closed first


_ROUTES: dict[type, Callable[[Batch, Any], None]] = {
    OrderSnapshot: Batch._order,
    OrderUpdated: Batch._order,
    OrderFilled: Batch._order,
    FundingPaid: Batch._funding,
    SignalRecord: Batch._signal,
    PositionSnapshot: Batch._position,
    AccountSnapshot: Batch._account,
    ExitPlanState: Batch._plan,
    MetricsSnapshot: Batch._metrics,
    SystemEvent: Batch._system_event,
    RiskStateChanged: Batch._risk_state,
    StrategyFailed: Batch._strategy_failed,
    PositionLiquidated: Batch._liquidation,
    Checkpoint: Batch._checkpoint,
    VenueState: Batch._venue_state,
}
HANDLED_TYPES = frozenset(_ROUTES)
"""Every message type a batch accepts."""


def write_batch(session: Session, messages: Sequence[object]) -> None:
    """Collect ``messages`` into one batch and write it into ``session``."""
    batch = Batch()
    for message in messages:
        batch.add(message)
    batch.write(session)


__all__ = ["HANDLED_TYPES", "Batch", "write_batch"]
