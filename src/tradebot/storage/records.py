"""Immutable snapshots handed to storage, for state the bus does not publish as events.

The engine publishes what happened (fills, order updates, funding, risk blocks). What things
*are* at a moment (an order, a position, the account, an exit plan, the metrics) lives in
mutable objects. The writer works on another thread, so it must never read those objects
later: each snapshot copies the fields when it is made, on the caller's thread.
"""

from __future__ import annotations

from typing import Any

import msgspec

from tradebot.model.account import Account
from tradebot.model.enums import OrderSide, OrderStatus, OrderType, TimeInForce
from tradebot.model.identifiers import ClientOrderId, InstrumentId, StrategyId, VenueOrderId
from tradebot.model.orders import Order
from tradebot.model.positions import Position
from tradebot.risk.exits.conditions import compile_condition
from tradebot.risk.exits.exit_plan import ExitPlan
from tradebot.risk.exits.names import is_known_name


class OrderSnapshot(msgspec.Struct, frozen=True, kw_only=True):
    """An order's definition and state at one moment (its fills are stored separately)."""

    client_order_id: ClientOrderId
    venue_order_id: VenueOrderId | None
    strategy_id: StrategyId
    instrument_id: InstrumentId
    side: OrderSide
    order_type: OrderType
    time_in_force: TimeInForce
    quantity: float
    quote_quantity: float
    price: float | None
    trigger_price: float | None
    post_only: bool
    reduce_only: bool
    tag: str
    status: OrderStatus
    reason: str
    ts_init: int
    ts_last: int

    @classmethod
    def of(cls, order: Order) -> OrderSnapshot:
        """Copy ``order`` as it is now."""
        return cls(
            client_order_id=order.client_order_id,
            venue_order_id=order.venue_order_id,
            strategy_id=order.strategy_id,
            instrument_id=order.instrument_id,
            side=order.side,
            order_type=order.order_type,
            time_in_force=order.time_in_force,
            quantity=order.quantity,
            quote_quantity=order.quote_quantity,
            price=order.price,
            trigger_price=order.trigger_price,
            post_only=order.post_only,
            reduce_only=order.reduce_only,
            tag=order.tag,
            status=order.status,
            reason=order.reason,
            ts_init=order.ts_init,
            ts_last=order.ts_last,
        )


class PositionSnapshot(msgspec.Struct, frozen=True, kw_only=True):
    """One strategy's position in one instrument; ``quantity`` is signed (negative short)."""

    strategy_id: StrategyId
    instrument_id: InstrumentId
    quantity: float
    avg_entry_price: float
    currency: str
    ts_event: int
    realized_pnl: float = 0.0
    unrealized_pnl: float | None = None
    fees: float = 0.0
    funding: float = 0.0

    @classmethod
    def of(
        cls,
        position: Position,
        strategy_id: StrategyId,
        ts_event: int,
        unrealized_pnl: float | None = None,
    ) -> PositionSnapshot:
        """Copy ``position`` (P&L in its settlement currency) as held by ``strategy_id``."""
        return cls(
            strategy_id=strategy_id,
            instrument_id=position.instrument_id,
            quantity=position.quantity,
            avg_entry_price=position.avg_entry_price,
            currency=position.instrument.settlement_currency,
            ts_event=ts_event,
            realized_pnl=position.realized_pnl,
            unrealized_pnl=unrealized_pnl,
            fees=position.fees,
            funding=position.funding,
        )


class AccountSnapshot(msgspec.Struct, frozen=True, kw_only=True):
    """Net liquidation value and wallet balances at ``ts_event``."""

    ts_event: int
    base_currency: str
    equity: float
    balances: dict[str, float]
    exposure: float = 0.0
    margin_used: float | None = None
    unrealized_pnl: float | None = None

    @classmethod
    def of(
        cls,
        account: Account,
        *,
        equity: float,
        ts_event: int,
        exposure: float = 0.0,
        margin_used: float | None = None,
        unrealized_pnl: float | None = None,
    ) -> AccountSnapshot:
        """Copy ``account``'s balances, with the equity and exposure the portfolio computed."""
        return cls(
            ts_event=ts_event,
            base_currency=account.base_currency,
            equity=equity,
            balances=dict(account.balances),
            exposure=exposure,
            margin_used=margin_used,
            unrealized_pnl=unrealized_pnl,
        )


class ExitPlanState(msgspec.Struct, frozen=True, kw_only=True):
    """An exit plan as the monitor holds it, with its status (``active`` or ``closed``)."""

    strategy_id: StrategyId
    instrument_id: InstrumentId
    side: int
    """+1 long, -1 short."""
    entry_price: float
    leverage: float
    opened_ns: int
    stop_loss: float | None = None
    take_profit: float | None = None
    invalidation: tuple[str, ...] = ()
    """The invalidation conditions as written; :meth:`to_exit_plan` compiles them again."""
    timeframe: str | None = None
    peak_profit: float = 0.0
    locked_profit: float | None = None
    best_price: float
    seen_ns: int
    status: str = "active"
    exit_reason: str = ""
    ts_event: int

    @classmethod
    def of(cls, plan: ExitPlan, ts_event: int, *, exit_reason: str | None = None) -> ExitPlanState:
        """Copy ``plan``; give ``exit_reason`` when the position was closed."""
        return cls(
            strategy_id=plan.strategy_id,
            instrument_id=plan.instrument_id,
            side=plan.side,
            entry_price=plan.entry_price,
            leverage=plan.leverage,
            opened_ns=plan.opened_ns,
            stop_loss=plan.stop_loss,
            take_profit=plan.take_profit,
            invalidation=tuple(condition.text for condition in plan.conditions),
            timeframe=plan.timeframe,
            peak_profit=plan.peak_profit,
            locked_profit=plan.locked_profit,
            best_price=plan.best_price,
            seen_ns=plan.seen_ns,
            status="active" if exit_reason is None else "closed",
            exit_reason=exit_reason or "",
            ts_event=ts_event,
        )

    def to_exit_plan(self) -> ExitPlan:
        """Rebuild the monitor's plan (conditions compiled again) after a restart.

        Raises
        ------
        ConditionError
            If a stored condition names an indicator this version no longer knows.
        """
        return ExitPlan(
            strategy_id=self.strategy_id,
            instrument_id=self.instrument_id,
            side=self.side,
            entry_price=self.entry_price,
            opened_ns=self.opened_ns,
            leverage=self.leverage,
            stop_loss=self.stop_loss,
            take_profit=self.take_profit,
            conditions=tuple(compile_condition(text, is_known_name) for text in self.invalidation),
            timeframe=self.timeframe,
            peak_profit=self.peak_profit,
            locked_profit=self.locked_profit,
            best_price=self.best_price,
            seen_ns=self.seen_ns,
        )


class MetricsSnapshot(msgspec.Struct, frozen=True, kw_only=True):
    """Performance figures at ``ts_event`` for ``scope`` (``portfolio`` or a strategy id)."""

    ts_event: int
    values: dict[str, float | None]
    scope: str = "portfolio"


class SystemEvent(msgspec.Struct, frozen=True, kw_only=True):
    """Something the operator should find later: a start, a stop, a reconnect, an alert."""

    ts_event: int
    kind: str
    message: str
    level: str = "info"
    details: dict[str, Any] = msgspec.field(default_factory=dict)


class Checkpoint(msgspec.Struct, frozen=True, kw_only=True):
    """Where session ``name`` stands after ``events`` market events (the last at ``ts_event``).

    Recorded after the messages of those events; a writer made with ``checkpoints=True``
    commits each checkpoint in one transaction with everything recorded before it, so the
    database always holds the state of a whole number of events.
    """

    name: str
    events: int
    ts_event: int
    counters: dict[str, int] = msgspec.field(default_factory=dict)
    """Client order ids issued per strategy, so a restart issues the same next ids."""
    fingerprint: dict[str, Any] = msgspec.field(default_factory=dict)
    """What the session runs (data, strategies, parameters): a restart must match it."""
    completed: bool = False


class VenueState(msgspec.Struct, frozen=True, kw_only=True):
    """A venue's own books as JSON text (the paper venue's: see
    :mod:`tradebot.venues.paper.state`), and the client order ids it was sent since the
    previous state."""

    venue: str
    ts_event: int
    state: str
    new_order_ids: tuple[str, ...] = ()


__all__ = [
    "AccountSnapshot",
    "Checkpoint",
    "ExitPlanState",
    "MetricsSnapshot",
    "OrderSnapshot",
    "PositionSnapshot",
    "SystemEvent",
    "VenueState",
]
