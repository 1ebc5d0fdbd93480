"""A trading session kept in storage as it runs, and brought back after a crash.

Wiring (what ``tradebot run --db URL`` does)::

    store = SessionStore(db, engine, name="paper", fingerprint={...})
    events = store.resume(iter(source))   # starts the engine; after a crash: warm-up, restore
    for event in events:
        engine.on_event(event)
        store.checkpoint()                # after every market event
    engine.stop()                         # cancels working orders (recorded)
    store.close(completed=True)

**What is written.** Every order is written ahead, synchronously, before it is sent (the order
manager's ``pre_send``; if the write fails the order is denied and never sent). Everything
else goes through one :class:`~tradebot.storage.writer.StorageWriter` in checkpoint mode: bus
events (fills, order updates, funding, risk, failures), order snapshots, signals, and at each
checkpoint what changed since the last one: positions per strategy, an account snapshot, exit
plans (closed ones marked closed), the paper venue's own books (resting orders, balances,
positions, counters, see :mod:`tradebot.venues.paper.state`) with the client order ids it was
sent, and the :class:`~tradebot.storage.records.Checkpoint` (events processed, last event
time, client order id counters). A checkpoint commits in one transaction with everything
recorded before it, so after a crash the database holds the state after a whole number of
market events, never half of one.

**Restart** with the same database and session (:meth:`SessionStore.resume`):

1. the engine is started and *warmed up* on the events the checkpoint counts: the data up to
   there is replayed through it with storage detached, so strategies, indicators, the risk
   manager's volatility and breaker baselines are as they were (paper replay; a live restart
   would warm up on history the same way);
2. the bot's trading state is then rebuilt from its tables, replacing what the warm-up made:
   client order id counters, orders, fills, signals, positions per strategy, balances, exit
   plans;
3. it is reconciled with the venue's stored books (:mod:`tradebot.storage.reconcile`): the
   venue is the truth. Its balances, positions and working orders are taken; an order open in
   storage that the venue never had is re-sent with the same client order id if it was only
   written ahead, and marked canceled otherwise; every difference becomes a ``system_events``
   row (kind ``reconcile``) and a log line;
4. the replay carries on from the next event after the checkpoint. Orders written ahead
   after the checkpoint are decided again by the replay with the same client order ids (the
   counters come from the checkpoint), and the venue ignores an id it already has, so no order
   is sent twice and none is lost.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import msgspec

from tradebot.engine.trading_engine import TradingEngine
from tradebot.model.data import MarketEvent
from tradebot.model.enums import OrderStatus, OrderType
from tradebot.model.events import OrderUpdated
from tradebot.model.identifiers import InstrumentId, StrategyId
from tradebot.model.instruments import Option
from tradebot.model.orders import Order
from tradebot.model.signals import SignalIntent
from tradebot.risk.exits.exit_plan import ExitPlan
from tradebot.storage.database import Database
from tradebot.storage.errors import SessionMismatchError
from tradebot.storage.history import fills, signals
from tradebot.storage.reconcile import Difference, reconcile
from tradebot.storage.records import (
    AccountSnapshot,
    Checkpoint,
    ExitPlanState,
    PositionSnapshot,
    SystemEvent,
    VenueState,
)
from tradebot.storage.recovery import (
    active_exit_plans,
    all_orders,
    latest_account_snapshot,
    latest_checkpoint,
    positions,
    venue_order_ids,
    venue_state,
)
from tradebot.storage.writer import StorageWriter, WriterHealth
from tradebot.venues.paper.state import (
    PaperVenueState,
    PositionState,
    capture_venue,
    decode_state,
    encode_state,
    restore_venue,
)
from tradebot.venues.paper.venue import PaperVenue

log = logging.getLogger("tradebot.storage.session")

_EPS = 1e-12
_Key = tuple[StrategyId, InstrumentId]


def issued_before(order: Order, counters: dict[StrategyId, int]) -> bool:
    """True when ``order``'s id was issued before the checkpoint whose counters these are.

    Ids the order manager issues read ``<strategy id>-<n>``; any other id (a venue's
    liquidation) counts as issued.
    """
    prefix, _, number = order.client_order_id.rpartition("-")
    if prefix != order.strategy_id or not number.isdigit():
        return True
    return int(number) <= counters.get(order.strategy_id, 0)


class SessionStore:
    """Keeps one session in storage as it runs; brings it back after a crash.

    Parameters
    ----------
    db : Database
        Where the session lives.
    engine : TradingEngine
        The session's engine (not started yet).
    name : str
        The session's name in ``checkpoints`` (one database may hold several sessions'
        history, but only one paper venue per venue name).
    fingerprint : dict
        What the session runs (data, strategies, parameters); a restart must give the same.
    """

    def __init__(
        self,
        db: Database,
        engine: TradingEngine,
        *,
        name: str = "paper",
        fingerprint: dict[str, Any] | None = None,
        on_error: Any = None,
    ) -> None:
        self.db = db
        self.engine = engine
        self.name = name
        self.fingerprint = dict(fingerprint or {})
        self.writer = StorageWriter(db, checkpoints=True, on_error=on_error)
        self.venue: PaperVenue | None = next(
            (c for c in engine.orders.clients if isinstance(c, PaperVenue)), None
        )
        self.differences: list[Difference] = []
        self.resumed_from: Checkpoint | None = None
        self._attached = False
        self._closed = False
        self._account_version = -1
        self._positions: dict[_Key, tuple[float, ...]] = {}
        self._plans: dict[_Key, ExitPlanState] = {}
        self._plan_keys: dict[_Key, tuple[Any, ...]] = {}
        self._venue_text = ""
        self._venue_ids: set[str] = set()
        self._venue_id_count = -1
        self._signals = 0
        self._last: Checkpoint | None = None
        self._resend: list[Order] = []
        self._healed: list[Order] = []

    # -- start and restart -------------------------------------------------------------------
    def resume(self, events: Iterator[MarketEvent]) -> Iterator[MarketEvent]:
        """Start the engine; after a crash warm it up, restore and reconcile; attach storage.

        Returns ``events`` advanced past the events the checkpoint counts.

        Raises
        ------
        SessionMismatchError
            If the database holds a session with another fingerprint.
        """
        checkpoint = latest_checkpoint(self.db, self.name)
        if checkpoint is not None and checkpoint.fingerprint != self.fingerprint:
            stored, given = checkpoint.fingerprint, self.fingerprint
            keys = sorted(k for k in stored.keys() | given.keys() if stored.get(k) != given.get(k))
            changed = "; ".join(f"{k}: {stored.get(k)!r} there, {given.get(k)!r} now" for k in keys)
            raise SessionMismatchError(
                f"the database holds another session {self.name!r} ({changed}); give another "
                "--db to start a new session"
            )
        engine = self.engine
        engine.start()
        if checkpoint is not None:
            for _ in range(checkpoint.events):
                event = next(events, None)
                if event is None:
                    break
                engine.on_event(event)
            self._restore(checkpoint)
            self.resumed_from = checkpoint
        resend = self._resend
        self._resend = []
        healed = self._healed
        self._healed = []
        self.attach()
        ts = engine.clock.now_ns()
        for difference in self.differences:
            log.warning("reconcile_%s: %s", difference.kind, difference.message)
            self.writer.record(
                SystemEvent(
                    ts_event=ts,
                    kind="reconcile",
                    level="warning",
                    message=difference.message,
                    details={"difference": difference.kind, **difference.details},
                )
            )
        for order in healed:
            self.writer.record(order)
        for order in resend:
            engine.orders.submit(order)
        if checkpoint is None:
            self.writer.record(
                SystemEvent(ts_event=ts, kind="session_started", message=f"{self.name} started")
            )
        else:
            message = (
                f"{self.name} resumed after {checkpoint.events} events "
                f"({len(self.differences)} difference(s) with the venue healed)"
            )
            log.info("session_resumed: %s", message)
            self.writer.record(
                SystemEvent(
                    ts_event=ts,
                    kind="session_resumed",
                    message=message,
                    details={"events": checkpoint.events, "differences": len(self.differences)},
                )
            )
        self.checkpoint()
        return events

    def attach(self) -> None:
        """Record the engine's bus, write each order ahead of sending it, snapshot orders."""
        if self._attached:
            return
        self._attached = True
        engine = self.engine
        writer = self.writer
        writer.attach(engine.bus)
        engine.orders.pre_send = writer.write_order_now
        engine.orders.on_update(self._order_changed)

    def _order_changed(self, order: Order, update: OrderUpdated) -> None:
        self.writer.record(order)

    # -- checkpoints -------------------------------------------------------------------------
    def checkpoint(self, *, completed: bool = False) -> None:
        """Record what changed since the last checkpoint, then the checkpoint itself."""
        engine = self.engine
        record = self.writer.record
        ts = engine.clock.now_ns()
        account = engine.portfolio.account
        balances_moved = account.version != self._account_version
        if balances_moved:
            self._account_version = account.version
            self._record_positions(ts)
            equity, exposure = engine.portfolio.valuation()
            record(AccountSnapshot.of(account, equity=equity, ts_event=ts, exposure=exposure))
        monitor = engine.risk.exits
        if monitor is not None and (self._plan_keys or monitor.plans()):
            self._record_plans(ts)
        venue = self.venue
        if venue is not None and (
            balances_moved or venue._working or len(venue.known_ids) != self._venue_id_count
        ):
            self._record_venue(venue, ts)
        records = engine.signals
        while self._signals < len(records):
            record(records[self._signals])
            self._signals += 1
        checkpoint = Checkpoint(
            name=self.name,
            events=engine.events_processed,
            ts_event=ts,
            counters={str(k): v for k, v in engine.orders.counters.items()},
            fingerprint=self.fingerprint,
            completed=completed,
        )
        self._last = checkpoint
        record(checkpoint)

    def _record_positions(self, ts: int) -> None:
        for sid, position in self.engine.book.held():
            key = (sid, position.instrument_id)
            figures = (
                position.quantity,
                position.avg_entry_price,
                position.realized_pnl,
                position.fees,
                position.funding,
            )
            if self._positions.get(key) != figures:
                self._positions[key] = figures
                self.writer.record(PositionSnapshot.of(position, sid, ts))

    def _record_plans(self, ts: int) -> None:
        monitor = self.engine.risk.exits
        assert monitor is not None
        current: dict[_Key, ExitPlan] = {plan.key: plan for plan in monitor.plans()}
        for key, plan in current.items():
            figures = (
                plan.opened_ns,
                plan.entry_price,
                plan.leverage,
                plan.stop_loss,
                plan.take_profit,
                plan.peak_profit,
                plan.locked_profit,
                plan.best_price,
                plan.seen_ns,
                len(plan.conditions),
            )
            if self._plan_keys.get(key) != figures:
                old = self._plans.get(key)
                if old is not None and old.opened_ns != plan.opened_ns:
                    self.writer.record(
                        msgspec.structs.replace(
                            old, status="closed", exit_reason="replaced", ts_event=ts
                        )
                    )
                self._plan_keys[key] = figures
                state = ExitPlanState.of(plan, ts)
                self._plans[key] = state
                self.writer.record(state)
        for key in [k for k in self._plans if k not in current]:
            old = self._plans.pop(key)
            self._plan_keys.pop(key, None)
            self.writer.record(
                msgspec.structs.replace(old, status="closed", exit_reason="flat", ts_event=ts)
            )

    def _record_venue(self, venue: PaperVenue, ts: int) -> None:
        new_ids: tuple[str, ...] = ()
        if len(venue.known_ids) != self._venue_id_count:
            fresh = venue.known_ids - self._venue_ids
            self._venue_ids |= fresh
            self._venue_id_count = len(venue.known_ids)
            new_ids = tuple(sorted(fresh))
        text = encode_state(capture_venue(venue, ts))
        if text != self._venue_text or new_ids:
            self._venue_text = text
            self.writer.record(
                VenueState(venue=venue.venue, ts_event=ts, state=text, new_order_ids=new_ids)
            )

    # -- stop --------------------------------------------------------------------------------
    def close(self, *, completed: bool) -> WriterHealth:
        """Write the final state (after ``engine.stop()``), a stop event, and drain the writer."""
        if self._closed:
            return self.writer.health()
        self._closed = True
        ts = self.engine.clock.now_ns()
        kind = "session_completed" if completed else "session_stopped"
        self.writer.record(
            SystemEvent(
                ts_event=ts,
                kind=kind,
                message=f"{self.name} {'completed' if completed else 'stopped'} after "
                f"{self.engine.events_processed} events",
            )
        )
        self.checkpoint(completed=completed)
        return self.writer.close()

    # -- restore -----------------------------------------------------------------------------
    def _restore(self, checkpoint: Checkpoint) -> None:
        """Replace the warmed-up engine's trading state by storage's, reconciled with the venue."""
        engine, db = self.engine, self.db
        counters = {StrategyId(k): v for k, v in checkpoint.counters.items()}
        stored = [o for o in all_orders(db) if issued_before(o, counters)]
        om = engine.orders
        om.reset()
        om.counters = counters
        om.fills.extend(fills(db))
        engine.signals[:] = signals(db)
        self._signals = len(engine.signals)
        balances, net = self._restore_books()
        self._resend = []
        self._healed = []
        venue = self.venue
        stored_state = venue_state(db, venue.venue) if venue is not None else None
        if venue is None or stored_state is None:
            for order in stored:
                om.adopt(order)
            self._restore_exits(checkpoint.ts_event)
            return
        state = decode_state(stored_state.state)
        known = venue_order_ids(db, venue.venue)
        open_in_storage = [o for o in stored if o.is_open or o.status is OrderStatus.INITIALIZED]
        result = reconcile(
            balances=balances,
            positions=net,
            open_orders=open_in_storage,
            venue=state,
            venue_ids=known,
        )
        self.differences.extend(result.differences)
        by_id: dict[str, Order] = {o.client_order_id: o for o in stored}
        working = restore_venue(venue, state, known, by_id)
        self._venue_ids = set(known)
        self._venue_id_count = -1
        resend = {o.client_order_id for o in result.resend}
        for order in stored:
            if order.client_order_id not in resend:
                om.adopt(order)
        for order in working:
            if order.client_order_id not in by_id:
                om.adopt(order)
        now = engine.clock.now_ns()
        for order, reason in result.cancel:
            order.status = OrderStatus.CANCELED
            order.reason = reason
            order.ts_last = max(order.ts_last, now)
            om.adopt(order)
            self._healed.append(order)
        self._resend = list(result.resend)
        self._heal_book(state)
        self._restore_exits(checkpoint.ts_event)

    def _restore_books(self) -> tuple[dict[str, float], dict[InstrumentId, tuple[float, float]]]:
        """Positions per strategy and balances from the tables, into the book and portfolio."""
        engine, db = self.engine, self.db
        portfolio, book = engine.portfolio, engine.book
        book.reset()
        totals: dict[StrategyId, list[float]] = {}
        net: dict[InstrumentId, list[float]] = {}
        for snap in positions(db, include_flat=True):
            if snap.instrument_id not in portfolio.instruments:
                log.warning("restore: %s is not traded in this session", snap.instrument_id)
                continue
            PositionState(
                instrument_id=snap.instrument_id,
                quantity=snap.quantity,
                avg_entry_price=snap.avg_entry_price,
                realized_pnl=snap.realized_pnl,
                fees=snap.fees,
                funding=snap.funding,
                opened_ns=snap.ts_event,
                trade_strategy_id=snap.strategy_id,
            ).apply_to(book.position(snap.strategy_id, snap.instrument_id))
            rate = portfolio.rate(snap.currency)
            rate = rate if rate == rate else 1.0
            total = totals.setdefault(snap.strategy_id, [0.0, 0.0, 0.0])
            total[0] += snap.realized_pnl * rate
            total[1] += snap.fees * rate
            total[2] += snap.funding * rate
            qty_cost = net.setdefault(snap.instrument_id, [0.0, 0.0])
            qty_cost[0] += snap.quantity
            qty_cost[1] += snap.quantity * snap.avg_entry_price
        for sid, (realized, fees, funding) in totals.items():
            book.set_totals(sid, realized=realized, fees=fees, funding=funding)
        account = latest_account_snapshot(db)
        balances = dict(account.balances) if account is not None else {}
        if account is not None:
            portfolio.account.balances.clear()
            portfolio.account.balances.update(balances)
            portfolio.account.version += 1
        positions_net: dict[InstrumentId, tuple[float, float]] = {}
        for iid, position in portfolio.positions.items():
            qty, cost = net.get(iid, (0.0, 0.0))
            avg = cost / qty if abs(qty) > _EPS else 0.0
            PositionState(instrument_id=iid, quantity=qty, avg_entry_price=avg).apply_to(position)
            if abs(qty) > _EPS:
                positions_net[iid] = (qty, avg)
        return balances, positions_net

    def _heal_book(self, state: PaperVenueState) -> None:
        """Make each instrument's per-strategy positions add up to the venue's net position."""
        engine = self.engine
        book, portfolio = engine.book, engine.portfolio
        holders: dict[InstrumentId, list[StrategyId]] = {}
        for sid, position in book.held():
            if not position.is_flat:
                holders.setdefault(position.instrument_id, []).append(sid)
        last_trader = {fill.instrument_id: fill.strategy_id for fill in engine.orders.fills}
        for iid, position in portfolio.positions.items():
            booked = sum(book.quantity(sid, iid) for sid in holders.get(iid, []))
            if abs(booked - position.quantity) <= 1e-9 * max(1.0, abs(position.quantity)):
                owners = holders.get(iid, [])
                if len(owners) == 1:  # take the venue's exact figures
                    PositionState.of(position).apply_to(book.position(owners[0], iid))
                continue
            owners = holders.get(iid, [])
            if len(owners) <= 1:
                owner = (
                    owners[0]
                    if owners
                    else last_trader.get(iid, engine.strategies[0].id if engine.strategies else "")
                )
                PositionState.of(position).apply_to(book.position(StrategyId(owner), iid))
            else:
                log.error(
                    "restore: %s is held by %s; the venue's %g cannot be split between them",
                    iid,
                    owners,
                    position.quantity,
                )

    def _restore_exits(self, ts: int) -> None:
        """Exit plans from storage; a plan for a flat position is dropped, a position without
        one gets one (so the time limit and trailing still guard it)."""
        engine = self.engine
        engine._entries.clear()
        engine._closing.clear()
        om = engine.orders
        opening = {
            r.client_order_id: r.signal
            for r in engine.signals
            if r.client_order_id is not None and r.signal.intent is SignalIntent.OPEN
        }
        for order in [*om.open_orders(), *self._resend]:
            signal = opening.get(order.client_order_id)
            if signal is not None:  # its fills open the exit plan with the signal's levels
                engine._entries[order.client_order_id] = signal
        monitor = engine.risk.exits
        if monitor is None:
            return
        for plan in monitor.plans():
            monitor.close(plan.strategy_id, plan.instrument_id)
        restored: dict[_Key, ExitPlan] = {}
        for state in active_exit_plans(self.db):
            held = engine.book.quantity(state.strategy_id, state.instrument_id)
            if abs(held) <= _EPS or (held > 0) != (state.side > 0):
                self.differences.append(
                    Difference(
                        kind="exit_plan_dropped",
                        message=f"exit plan of {state.strategy_id} on {state.instrument_id} "
                        f"watched a position the venue does not have ({held:g}); dropped",
                        details={
                            "strategy_id": state.strategy_id,
                            "symbol": state.instrument_id.symbol,
                        },
                    )
                )
                continue
            plan = state.to_exit_plan()
            monitor.restore(plan)
            restored[plan.key] = plan
        for sid, position in engine.book.held():
            key = (sid, position.instrument_id)
            if position.is_flat or key in restored:
                continue
            inst = position.instrument
            if isinstance(inst, Option):
                continue
            plan = monitor.open(
                sid,
                position.instrument_id,
                1 if position.quantity > 0 else -1,
                position.avg_entry_price,
                ts,
                engine.portfolio.account.leverage if inst.is_derivative else 1.0,
            )
            restored[key] = plan
            self.differences.append(
                Difference(
                    kind="exit_plan_added",
                    message=f"{sid} held {position.quantity:g} {position.instrument_id} without "
                    "a stored exit plan; a plan (time limit, trailing) now watches it",
                    details={"strategy_id": sid, "symbol": position.instrument_id.symbol},
                )
            )
        for order in om.open_orders():
            if order.reduce_only and order.order_type is OrderType.MARKET:
                key = (order.strategy_id, order.instrument_id)
                engine._closing[key] = order
                closing = restored.get(key)
                if closing is not None:
                    closing.exiting = True  # its exit is on the way: no second decision


__all__ = ["SessionStore", "issued_before"]
