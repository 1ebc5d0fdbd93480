"""Reconciliation: the venue is the truth; the engine's orders, positions and balances follow.

One pass (at start and every ``reconcile_every_s`` of the engine clock):

1. open orders the engine holds for this venue but the client has not seen (rebuilt from
   storage after a restart) are tracked;
2. every open venue order is matched by client order id: one the engine never sent is
   canceled, adopted as a manual order, or ignored (``unknown_orders``); one of ours whose
   acceptance was never confirmed is reported accepted;
3. executions since the last one seen are fetched and the new ones booked (by trade id);
4. each order the engine thinks open but the venue does not list is looked up with
   ``fetch_order``: filled (its fills booked), canceled, or unknown (rejected/canceled);
5. derivative positions that differ from the venue's are moved to it with a booked
   ``reconcile`` fill at the venue's mark (or entry) price, then every balance that differs is
   set to the venue's total.

Each difference is logged and published as a :class:`ReconcileDifference`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from tradebot.execution import live_fills
from tradebot.execution.errors import AuthenticationError, VenueCallError
from tradebot.execution.gateway import VenueBalance, VenueOrder, VenuePosition
from tradebot.execution.live_client import LiveExecutionClient, Tracked
from tradebot.execution.live_events import ReconcileDifference, ReconcileReport
from tradebot.model.enums import OrderSide, OrderStatus, OrderType
from tradebot.model.identifiers import ClientOrderId
from tradebot.model.orders import MANUAL, Order

log = logging.getLogger("tradebot.reconcile")

_Note = Callable[[str, str, "float | str", "float | str", str], None]


def _tolerance(value: float) -> float:
    return 1e-8 * max(1.0, abs(value))


async def reconcile(client: LiveExecutionClient) -> ReconcileReport:
    """Run one reconciliation pass for ``client``'s venue."""
    diffs: list[ReconcileDifference] = []
    now = client.clock.now_ns()
    venue = client.venue

    def note(kind: str, subject: str, local: float | str, theirs: float | str, action: str) -> None:
        diff = ReconcileDifference(venue, kind, subject, local, theirs, action, now)
        diffs.append(diff)
        log.warning(
            "reconcile_difference: %s %s %s local=%s venue=%s -> %s",
            venue,
            kind,
            subject,
            local,
            theirs,
            action,
        )
        client._publish_msg(diff)

    try:
        await _orders_pass(client, note)
        await _account_pass(client, note)
    except VenueCallError as exc:
        if isinstance(exc, AuthenticationError):
            client._halt(exc)
        client._venue_error(exc, "reconcile")
        log.error("reconcile_failed: %s: %s", venue, exc)
        return ReconcileReport(venue, now, tuple(diffs), ok=False, error=exc.message)
    return ReconcileReport(venue, now, tuple(diffs))


async def _orders_pass(client: LiveExecutionClient, note: _Note) -> None:
    """Steps 1-4: orders and fills."""
    engine_open = getattr(client.events, "open_orders", None)
    if callable(engine_open):
        client.track_engine_orders(engine_open())
    listed = await client._call(
        "fetch_open_orders_all", lambda: client.gateway.fetch_open_orders(None)
    )
    listed_ids = {o.client_order_id for o in listed}
    for snapshot in listed:
        if snapshot.client_order_id in client.combos:
            continue  # a structure's combo order: its legs are polled with it
        t = client.orders.get(ClientOrderId(snapshot.client_order_id))
        if t is None:
            await _unknown_order(client, snapshot, note)
        elif t.closed:
            # We reported it finished; the venue still works it: take it off the book.
            action = await _cancel_at_venue(client, snapshot)
            note("unknown_venue_order", snapshot.client_order_id, "closed", "open", action)
        elif not t.accepted or t.uncertain:
            await client._apply(t, snapshot)
    since = client._fills_since_ns - round(client.config.fill_lookback_s * 1e9)
    booked = 0
    for symbol in _fill_symbols(client):
        booked += await client.sync_fills(symbol, since)
    if booked:
        note("missed_fill", "fills", 0.0, float(booked), "booked")
    for t in list(client.orders.values()):
        if t.closed or not (t.sent or t.uncertain) or t.order.client_order_id in listed_ids:
            continue
        if t.combo is not None:
            continue  # polled through its combo order
        if t.terminal is not None:
            t.grace = client.config.terminal_grace_polls  # the venue has spoken: settle now
            live_fills.settle(client, t)
            continue
        action = await client.resolve(t, final=True)
        if action != "open":
            note("missing_local_order", t.order.client_order_id, "open", action, action)


def _fill_symbols(client: LiveExecutionClient) -> list[str | None]:
    """Symbols to ask for executions: the portfolio's instruments of this venue and the
    symbols of tracked orders, one by one (Binance and MEXC refuse a fills query without a
    symbol); every symbol at once (None) when the client has no portfolio."""
    pf = client.portfolio
    if pf is None:
        return [None]
    symbols = {client._symbol_of(iid) for iid in pf.instruments if iid.venue == client.venue}
    symbols.update(t.symbol for t in client.orders.values() if not t.closed)
    found: list[str | None] = [*sorted(symbols)]
    return found or [None]


async def _account_pass(client: LiveExecutionClient, note: _Note) -> None:
    """Step 5: positions, then balances (applied on the engine's thread)."""
    config = client.config
    if client.portfolio is None or not (config.heal_positions or config.heal_balances):
        return
    positions = (
        await client._call("fetch_positions", client.gateway.fetch_positions)
        if config.heal_positions
        else []
    )
    balances = (
        await client._call("fetch_balances", client.gateway.fetch_balances)
        if config.heal_balances
        else []
    )
    client._emit(_heal_positions, client, positions, balances, note)


async def _cancel_at_venue(client: LiveExecutionClient, snapshot: VenueOrder) -> str:
    if not snapshot.client_order_id:
        return "unresolved"
    try:
        await client._call(
            "cancel_order",
            lambda: client.gateway.cancel_order(snapshot.client_order_id, snapshot.symbol),
        )
    except AuthenticationError:
        raise
    except VenueCallError as exc:
        log.error("reconcile_cancel_failed: %s %s: %s", client.venue, snapshot.client_order_id, exc)
        return "unresolved"
    return "canceled"


async def _unknown_order(client: LiveExecutionClient, snapshot: VenueOrder, note: _Note) -> None:
    mode = client.config.unknown_orders
    subject = snapshot.client_order_id or f"venue:{snapshot.venue_order_id}"
    described = f"{snapshot.side} {snapshot.amount:g} {snapshot.symbol}"
    if mode == "ignore":
        note("unknown_venue_order", subject, "", described, "ignored")
        return
    if mode == "cancel":
        note(
            "unknown_venue_order", subject, "", described, await _cancel_at_venue(client, snapshot)
        )
        return
    # adopt: track it as a manual order; its past executions are already in the venue's
    # position, so they are marked seen (the position check books any difference).
    cid = ClientOrderId(snapshot.client_order_id or f"venue-{snapshot.venue_order_id}")
    iid = client._instrument_of(snapshot.symbol)
    limit = snapshot.price is not None and snapshot.price > 0
    order = Order(
        cid,
        iid,
        OrderSide(snapshot.side),
        OrderType.LIMIT if limit else OrderType.MARKET,
        snapshot.amount,
        price=snapshot.price if limit else None,
        strategy_id=MANUAL,
        tag="adopted",
        ts_init=snapshot.ts_event,
    )
    t = Tracked(order, snapshot.symbol, snapshot.ts_event)
    t.sent = t.accepted = True
    t.filled = snapshot.filled
    client.orders[cid] = t
    if snapshot.filled > 0:
        past = await client._call(
            "fetch_fills",
            lambda: client.gateway.fetch_fills(snapshot.symbol, max(0, snapshot.ts_event - 1)),
        )
        client.seen_trades.update(f.trade_id for f in past if f.client_order_id == cid)
    client._emit(_adopt, client, order, snapshot)
    note("unknown_venue_order", subject, "", described, "adopted")


def _adopt(client: LiveExecutionClient, order: Order, snapshot: VenueOrder) -> None:
    """Engine thread: bring the adopted order to the venue's state and hand it over."""
    ts = snapshot.ts_event or client.clock.now_ns()
    order.transition(OrderStatus.SUBMITTED, ts)
    order.transition(OrderStatus.ACCEPTED, ts)
    if snapshot.filled > 0:
        order.apply_fill(snapshot.filled, snapshot.average or snapshot.price or 0.0, ts)
    adopt = getattr(client.events, "adopt", None)
    if callable(adopt):
        adopt(order)


def _heal_positions(
    client: LiveExecutionClient,
    positions: list[VenuePosition],
    balances: list[VenueBalance],
    note: _Note,
) -> None:
    """Engine thread: move derivative positions to the venue's, then (after those fills are
    booked) the balances."""
    pf = client.portfolio
    assert pf is not None
    if client.config.heal_positions:
        theirs = {p.symbol: p for p in positions}
        seen: set[str] = set()
        for iid, inst in pf.instruments.items():
            if iid.venue != client.venue or not inst.is_derivative:
                continue
            symbol = client._symbol_of(iid)
            seen.add(symbol)
            pos = theirs.get(symbol)
            target = pos.amount if pos is not None else 0.0
            local = pf.holding(iid)
            diff = target - local
            if abs(diff) <= _tolerance(target):
                continue
            price = None
            if pos is not None:
                price = pos.mark_price or pos.entry_price
            if price is None or not price > 0:
                mark = pf.positions[iid]
                price = mark.avg_entry_price if mark.avg_entry_price > 0 else None
            if price is None:
                note("position", str(iid), local, target, "unresolved")
                continue
            side = OrderSide.BUY if diff > 0 else OrderSide.SELL
            client.book_reconciling_fill(iid, side, abs(diff), price)
            note("position", str(iid), local, target, "booked")
        for symbol, pos in theirs.items():
            if symbol not in seen and abs(pos.amount) > 0:
                note("position", symbol, 0.0, pos.amount, "unresolved")
    if client.config.heal_balances:
        client._emit(_heal_balances, client, balances, note)


def _heal_balances(client: LiveExecutionClient, balances: list[VenueBalance], note: _Note) -> None:
    pf = client.portfolio
    assert pf is not None
    account = pf.account
    theirs = {b.currency: b.total for b in balances}
    for currency in sorted(set(theirs) | {c for c, v in account.balances.items() if v}):
        target = theirs.get(currency, 0.0)
        local = account.balance(currency)
        diff = target - local
        if abs(diff) <= _tolerance(target):
            continue
        account.adjust(currency, diff)
        note("balance", currency, local, target, "adjusted")


__all__ = ["reconcile"]
