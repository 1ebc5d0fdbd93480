"""The paper venue's own state, captured and restored, so a crashed paper session can go on.

A live venue keeps its books on the exchange: after a crash the bot asks it what is working
and what it holds, and trusts the answer. The paper venue lives in the bot's process, so it
keeps the same books in storage instead: its resting orders (with their fill progress, trigger
and arrival flags), the client order ids it was ever sent (so a re-sent id is not doubled),
its counters, and the account as it sees it (wallet balances and positions).

In paper mode the venue and the engine share one ledger (``Portfolio``); :func:`restore_venue`
therefore rebuilds both, and the bot's own rebuilt view is reconciled against this one.
Floats are kept as they are (msgspec JSON round-trips a double exactly).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping

import msgspec

from tradebot.model.enums import OrderSide, OrderStatus, OrderType, TimeInForce
from tradebot.model.identifiers import ClientOrderId, InstrumentId, StrategyId, VenueOrderId
from tradebot.model.orders import Order
from tradebot.model.positions import Position
from tradebot.venues.paper.venue import PaperVenue
from tradebot.venues.paper.working_order import WorkingOrder


class OrderState(msgspec.Struct, frozen=True, kw_only=True):
    """An order's definition and progress, as the venue holds it."""

    client_order_id: str
    instrument_id: InstrumentId
    side: OrderSide
    order_type: OrderType
    quantity: float
    quote_quantity: float = 0.0
    price: float | None = None
    trigger_price: float | None = None
    time_in_force: TimeInForce = TimeInForce.GTC
    post_only: bool = False
    reduce_only: bool = False
    strategy_id: str = ""
    tag: str = ""
    ts_init: int = 0
    ts_last: int = 0
    status: OrderStatus = OrderStatus.ACCEPTED
    filled_quantity: float = 0.0
    avg_price: float = 0.0
    reason: str = ""
    venue_order_id: str | None = None

    @classmethod
    def of(cls, order: Order) -> OrderState:
        """Copy ``order`` as it is now."""
        return cls(
            client_order_id=order.client_order_id,
            instrument_id=order.instrument_id,
            side=order.side,
            order_type=order.order_type,
            quantity=order.quantity,
            quote_quantity=order.quote_quantity,
            price=order.price,
            trigger_price=order.trigger_price,
            time_in_force=order.time_in_force,
            post_only=order.post_only,
            reduce_only=order.reduce_only,
            strategy_id=order.strategy_id,
            tag=order.tag,
            ts_init=order.ts_init,
            ts_last=order.ts_last,
            status=order.status,
            filled_quantity=order.filled_quantity,
            avg_price=order.avg_price,
            reason=order.reason,
            venue_order_id=order.venue_order_id,
        )

    def to_order(self) -> Order:
        """A domain order in this state."""
        order = Order(
            ClientOrderId(self.client_order_id),
            self.instrument_id,
            self.side,
            self.order_type,
            self.quantity,
            quote_quantity=self.quote_quantity,
            price=self.price,
            trigger_price=self.trigger_price,
            time_in_force=self.time_in_force,
            post_only=self.post_only,
            reduce_only=self.reduce_only,
            strategy_id=StrategyId(self.strategy_id),
            tag=self.tag,
            ts_init=self.ts_init,
        )
        order.status = self.status
        order.filled_quantity = self.filled_quantity
        order.avg_price = self.avg_price
        order.reason = self.reason
        order.ts_last = self.ts_last
        order.venue_order_id = (
            None if self.venue_order_id is None else VenueOrderId(self.venue_order_id)
        )
        return order


class WorkingOrderState(msgspec.Struct, frozen=True, kw_only=True):
    """A resting order and the venue's matching state for it."""

    order: OrderState
    seq: int
    ts_active: int
    quantity: float
    filled: float = 0.0
    triggered: bool = False
    arrived: bool = False
    resting_option: bool = False


class PositionState(msgspec.Struct, frozen=True, kw_only=True):
    """A net position with everything needed to carry on booking it exactly."""

    instrument_id: InstrumentId
    quantity: float
    avg_entry_price: float
    realized_pnl: float = 0.0
    fees: float = 0.0
    funding: float = 0.0
    internals: tuple[float, ...] = ()
    """The open round trip: cost, entry qty/cost, exit qty/cost, gross, fees, funding."""
    opened_ns: int = 0
    trade_strategy_id: str = ""

    @classmethod
    def of(cls, position: Position) -> PositionState:
        """Copy ``position``."""
        return cls(
            instrument_id=position.instrument_id,
            quantity=position.quantity,
            avg_entry_price=position.avg_entry_price,
            realized_pnl=position.realized_pnl,
            fees=position.fees,
            funding=position.funding,
            internals=tuple(getattr(position, name) for name in _INTERNALS),
            opened_ns=position._opened_ns,
            trade_strategy_id=position._strategy_id,
        )

    def apply_to(self, position: Position) -> None:
        """Make ``position`` equal to this state."""
        position.quantity = self.quantity
        position.avg_entry_price = self.avg_entry_price
        position.realized_pnl = self.realized_pnl
        position.fees = self.fees
        position.funding = self.funding
        if len(self.internals) == len(_INTERNALS):
            for name, value in zip(_INTERNALS, self.internals, strict=True):
                setattr(position, name, value)
        else:  # only the headline figures are known (a venue's report): rebuild the cost
            inverse = position.instrument.is_inverse
            qty = abs(self.quantity)
            price = self.avg_entry_price
            cost = (qty / price if inverse else qty * price) if price > 0 else 0.0
            for name in _INTERNALS:
                setattr(position, name, 0.0)
            position._cost = position._entry_cost = cost
            position._entry_qty = qty
        position._opened_ns = self.opened_ns
        position._strategy_id = StrategyId(self.trade_strategy_id)


_INTERNALS = (
    "_cost",
    "_entry_qty",
    "_entry_cost",
    "_exit_qty",
    "_exit_cost",
    "_trade_gross",
    "_trade_fees",
    "_trade_funding",
)


class PaperVenueState(msgspec.Struct, frozen=True, kw_only=True):
    """Everything the paper venue needs to be rebuilt as it was at ``ts_event``."""

    venue: str
    ts_event: int
    balances: dict[str, float]
    positions: list[PositionState]
    working: list[WorkingOrderState]
    next_seq: int
    next_trade_id: int
    last_quote_ts: list[tuple[InstrumentId, int]] = []
    total_fees: dict[str, float] = {}
    total_funding: dict[str, float] = {}

    def position(self, instrument_id: InstrumentId) -> PositionState | None:
        """The venue's position in ``instrument_id`` (None when flat or unknown)."""
        for held in self.positions:
            if held.instrument_id == instrument_id:
                return held
        return None

    def working_ids(self) -> set[str]:
        """Client order ids of the orders resting at the venue."""
        return {w.order.client_order_id for w in self.working}


def _next(counter: itertools.count[int]) -> int:
    """The value ``counter`` yields next, without taking it."""
    return int(counter.__reduce__()[1][0])


def capture_venue(venue: PaperVenue, ts_event: int) -> PaperVenueState:
    """The paper venue's books now (non-flat positions only)."""
    portfolio = venue._portfolio
    resting = {id(w) for w in venue._resting_options}
    working = [
        WorkingOrderState(
            order=OrderState.of(w.order),
            seq=w.seq,
            ts_active=w.ts_active,
            quantity=w.quantity,
            filled=w.filled,
            triggered=w.triggered,
            arrived=w.arrived,
            resting_option=id(w) in resting,
        )
        for book in venue._working.values()
        for w in book
    ]
    working.sort(key=lambda w: w.seq)
    return PaperVenueState(
        venue=venue.venue,
        ts_event=ts_event,
        balances=dict(portfolio.account.balances),
        positions=[
            PositionState.of(p)
            for p in portfolio.positions.values()
            if p.quantity or p.realized_pnl or p.fees or p.funding
        ],
        working=working,
        next_seq=_next(venue._seq),
        next_trade_id=_next(venue._trade_ids),
        last_quote_ts=sorted(venue._last_quote_ts.items()),
        total_fees=dict(portfolio.total_fees),
        total_funding=dict(portfolio.total_funding),
    )


def restore_venue(
    venue: PaperVenue,
    state: PaperVenueState,
    known_ids: set[str],
    orders: Mapping[str, Order] | None = None,
) -> list[Order]:
    """Rebuild ``venue`` (and the ledger it shares with the engine) from ``state``.

    ``known_ids`` are the client order ids the venue was ever sent. A working order whose id is
    in ``orders`` keeps that ``Order`` object (so the venue and the order manager share it,
    as before the crash), brought to the venue's state; the others are rebuilt. Returns the
    working orders, oldest first.
    """
    orders = orders or {}
    portfolio = venue._portfolio
    account = portfolio.account
    account.balances.clear()
    account.balances.update(state.balances)
    account.version += 1
    for position in portfolio.positions.values():
        _reset(position)
    for held in state.positions:
        target = portfolio.positions.get(held.instrument_id)
        if target is not None:
            held.apply_to(target)
    portfolio.total_fees.clear()
    portfolio.total_fees.update(state.total_fees)
    portfolio.total_funding.clear()
    portfolio.total_funding.update(state.total_funding)
    venue._working.clear()
    venue._resting_options.clear()
    rebuilt: list[Order] = []
    for item in state.working:
        order = orders.get(item.order.client_order_id)
        if order is None:
            order = item.order.to_order()
        else:
            _bring_to(order, item.order)
        working = WorkingOrder(
            order,
            item.seq,
            item.ts_active,
            item.quantity,
            filled=item.filled,
            triggered=item.triggered,
            arrived=item.arrived,
        )
        venue._working.setdefault(order.instrument_id, []).append(working)
        if item.resting_option:
            venue._resting_options.append(working)
        rebuilt.append(order)
    venue._seq = itertools.count(state.next_seq)
    venue._trade_ids = itertools.count(state.next_trade_id)
    venue._last_quote_ts = dict(state.last_quote_ts)
    venue.known_ids = {ClientOrderId(cid) for cid in known_ids} | {
        ClientOrderId(w.order.client_order_id) for w in state.working
    }
    return rebuilt


def _reset(position: Position) -> None:
    position.quantity = position.avg_entry_price = 0.0
    position.realized_pnl = position.fees = position.funding = 0.0
    for name in _INTERNALS:
        setattr(position, name, 0.0)
    position._opened_ns = 0
    position._strategy_id = StrategyId("")


def _bring_to(order: Order, state: OrderState) -> None:
    """The venue is the truth: its status, fills and ids win."""
    order.status = state.status
    order.filled_quantity = state.filled_quantity
    order.avg_price = state.avg_price
    order.quantity = state.quantity
    order.ts_last = max(order.ts_last, state.ts_last)
    if state.reason:
        order.reason = state.reason
    if state.venue_order_id is not None:
        order.venue_order_id = VenueOrderId(state.venue_order_id)


def encode_state(state: PaperVenueState) -> str:
    """``state`` as JSON text (doubles exact)."""
    return msgspec.json.encode(state).decode()


def decode_state(text: str) -> PaperVenueState:
    """The state :func:`encode_state` wrote."""
    return msgspec.json.decode(text, type=PaperVenueState)


__all__ = [
    "OrderState",
    "PaperVenueState",
    "PositionState",
    "WorkingOrderState",
    "capture_venue",
    "decode_state",
    "encode_state",
    "restore_venue",
]
