"""Multi-leg structures on a live venue: one combo order, or legs with a rollback.

The engine hands a structure's legs to :meth:`LiveExecutionClient.submit_structure` together
(its risk check passed them as one unit). Two ways to the venue:

* **combo**: when the gateway offers ``create_combo_order`` (Deribit) and every leg is an
  option of this venue, the legs go out as one combo order (the venue fills all or none). The
  combo's label is the first leg's client order id plus ``-combo``; the venue's executions of
  it carry that label and are booked to the leg of their symbol. Until the combo's final state
  is known, the legs are polled as one: a combo the venue knows no more is left to its fills
  (a venue may not let us look a combo up by label), never reported canceled while it may work.
* **legged**: otherwise every leg is created at once. If any leg is refused for good (or was
  not sent after its retries), the others are canceled, what filled is closed with
  reduce-only market orders, and a :class:`StructureRejected` is published: the structure
  did not happen, even though some of its legs traded for a moment.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from tradebot.execution import live_fills
from tradebot.execution.errors import (
    AuthenticationError,
    OrderNotFoundError,
    RateLimitedError,
    RetryableError,
    VenueCallError,
)
from tradebot.execution.gateway import ComboLegRequest, VenueOrder
from tradebot.execution.live_events import StructureRejected
from tradebot.model.enums import OrderSide, OrderStatus, OrderType
from tradebot.model.identifiers import ClientOrderId
from tradebot.model.instruments import Option
from tradebot.model.orders import Order

if TYPE_CHECKING:
    from tradebot.execution.live_client import LiveExecutionClient, Tracked

log = logging.getLogger("tradebot.live")

_EPS = 1e-9


class Combo:
    """One combo order at the venue and the legs it stands for."""

    __slots__ = ("accepted", "amount", "cancel_requested", "closed", "label", "legs", "symbol")

    def __init__(self, label: str, legs: list[Tracked], amount: float) -> None:
        self.label = label
        self.legs = legs
        self.amount = amount
        self.symbol = legs[0].symbol
        """The combo's own symbol once the venue named it (a leg's until then)."""
        self.accepted = False
        self.cancel_requested = False
        self.closed = False

    def leg(self, symbol: str) -> Tracked | None:
        """The leg trading ``symbol``."""
        for t in self.legs:
            if t.symbol == symbol:
                return t
        return None

    def ratio(self, t: Tracked) -> float:
        """Contracts of leg ``t`` per combo unit."""
        return t.order.quantity / self.amount


def wants_combo(client: LiveExecutionClient, legs: list[Tracked]) -> bool:
    """Whether ``legs`` go out as one combo order."""
    if len(legs) < 2 or not callable(getattr(client.gateway, "create_combo_order", None)):
        return False
    pf = client.portfolio
    if pf is None:
        return False
    symbols = {t.symbol for t in legs}
    if len(symbols) != len(legs):
        return False  # one leg per instrument on a combo
    return all(
        isinstance(pf.instruments.get(t.order.instrument_id), Option)
        and t.order.instrument_id.venue == client.venue
        and t.order.order_type is OrderType.MARKET
        for t in legs
    )


# -- combo -------------------------------------------------------------------------------------
async def create_combo(client: LiveExecutionClient, combo: Combo) -> None:
    """Send the combo order once; a rate limit waits and tries again (nothing was sent)."""
    legs = [
        ComboLegRequest(
            symbol=t.symbol,
            side=t.order.side.value,
            ratio=combo.ratio(t),
        )
        for t in combo.legs
    ]
    create = getattr(client.gateway, "create_combo_order")  # noqa: B009 - optional method

    async def attempt() -> VenueOrder:
        if client.limiter is not None:
            await client.limiter.acquire("create_order")
        snapshot: VenueOrder = await create(
            legs, side="buy", amount=combo.amount, price=None, client_order_id=combo.label
        )
        return snapshot

    snapshot: VenueOrder | None = None
    for _ in range(client.config.retry.rate_limit_attempts):
        try:
            snapshot = await attempt()
            break
        except RateLimitedError as exc:
            client._venue_error(exc, f"create combo {combo.label} (retrying)")
            await client._sleep(exc.retry_after_s or client.config.retry.rate_limit_delay_s)
        except RetryableError as exc:
            # Its fate is unknown: never sent again (it could double), never reported
            # rejected while it might work; the poll looks for it.
            client._venue_error(exc, f"create combo {combo.label}")
            log.error("live_create_unknown: %s combo %s: %s", client.venue, combo.label, exc)
            for t in combo.legs:
                t.uncertain = True
            return
        except VenueCallError as exc:
            client._venue_error(exc, f"create combo {combo.label}")
            if isinstance(exc, AuthenticationError):
                client._halt(exc)
            reject_combo(client, combo, f"structure: {exc.message}")
            return
    if snapshot is None:
        reject_combo(client, combo, "structure: not sent: rate limited")
        return
    for t in combo.legs:
        t.sent = True
    await apply_combo(client, combo, snapshot)


def reject_combo(client: LiveExecutionClient, combo: Combo, reason: str) -> None:
    combo.closed = True
    for t in combo.legs:
        client._reject(t, reason)


async def apply_combo(
    client: LiveExecutionClient, combo: Combo, snapshot: VenueOrder, *, reason: str = ""
) -> None:
    """Report what the combo order's ``snapshot`` says, leg by leg."""
    if combo.closed:
        return
    if snapshot.symbol and snapshot.symbol not in {t.symbol for t in combo.legs}:
        combo.symbol = snapshot.symbol
    if snapshot.status == "rejected":
        reject_combo(client, combo, f"structure: {snapshot.reason or 'rejected by the venue'}")
        return
    ts = snapshot.ts_event or client.clock.now_ns()
    combo.accepted = True
    for t in combo.legs:
        if snapshot.venue_order_id:
            t.order.venue_order_id = snapshot.venue_order_id  # type: ignore[assignment]
        t.sent = True
        t.uncertain = False
        client._accept(t, ts)
    if snapshot.filled > _EPS:
        await sync_combo_fills(client, combo)
    if snapshot.status == "open":
        return
    combo.closed = True
    pf = client.portfolio
    for t in combo.legs:
        t.terminal = snapshot.status
        t.terminal_reason = reason or snapshot.reason or snapshot.status
        t.venue_filled = combo.ratio(t) * snapshot.filled
        # A combo's price is net of its legs: the leg's own price is only in its fills; the
        # last mark stands in when a fill stays unseen past the grace polls.
        t.venue_avg = pf.last_price.get(t.order.instrument_id) if pf is not None else None
        live_fills.settle(client, t)


async def sync_combo_fills(client: LiveExecutionClient, combo: Combo) -> None:
    since = min(t.since_ns for t in combo.legs) - round(client.config.fill_lookback_s * 1e9)
    for symbol in sorted({t.symbol for t in combo.legs}):
        await client.sync_fills(symbol, since)


async def poll_combo(client: LiveExecutionClient, combo: Combo) -> None:
    """One poll of a working combo: its legs' fills, then its state."""
    if combo.closed:
        for t in combo.legs:
            if not t.closed:
                live_fills.settle(client, t)
        return
    await sync_combo_fills(client, combo)
    if all(t.closed for t in combo.legs):
        combo.closed = True
        return
    snapshot = await client._call(
        "fetch_order", lambda: client.gateway.fetch_order(combo.label, combo.symbol)
    )
    if snapshot is not None:
        await apply_combo(client, combo, snapshot)
    elif not combo.accepted and not any(t.uncertain for t in combo.legs):
        reject_combo(client, combo, "structure: the venue does not know the combo")


async def cancel_combo(client: LiveExecutionClient, combo: Combo, reason: str) -> None:
    """Cancel the combo order (every leg with it)."""
    if combo.closed or combo.cancel_requested:
        return
    combo.cancel_requested = True
    if not any(t.sent or t.uncertain for t in combo.legs):
        combo.closed = True
        for t in combo.legs:
            client._canceled(t, f"{reason} before it reached the venue")
        return
    try:
        snapshot: VenueOrder | None = await client._call(
            "cancel_order", lambda: client.gateway.cancel_order(combo.label, combo.symbol)
        )
    except OrderNotFoundError:
        snapshot = None
    except VenueCallError as exc:
        combo.cancel_requested = False
        client._venue_error(exc, f"cancel combo {combo.label}")
        if isinstance(exc, AuthenticationError):
            client._halt(exc)
        return
    if snapshot is None:
        await sync_combo_fills(client, combo)
        combo.closed = True
        for t in combo.legs:
            if not t.closed:
                client._canceled(t, f"{reason}: the venue has no open combo {combo.label}")
        return
    await apply_combo(client, combo, snapshot, reason=reason)


# -- legged with rollback ----------------------------------------------------------------------
def _refused(t: Tracked) -> bool:
    """The venue refused the leg (or it was not sent): closed without being accepted."""
    return t.closed and not t.accepted and t.filled <= _EPS


async def create_legged(client: LiveExecutionClient, legs: list[Tracked]) -> None:
    """Create every leg; if one is refused for good, undo the others."""
    await asyncio.gather(*(client._create(t) for t in legs))
    refused = [t for t in legs if _refused(t)]
    if not refused:
        return
    reason = (
        f"structure rolled back: leg {refused[0].order.client_order_id} "
        f"({refused[0].symbol}) was refused"
    )
    log.error("live_structure_rollback: %s: %s", client.venue, reason)
    others = [t for t in legs if t not in refused]
    for t in others:
        if not t.closed:
            t.cancel_requested = True
            await client._cancel(t, reason)
    for t in others:
        if t.sent and (not t.closed or t.filled > _EPS):
            try:  # the venue's last word on what filled, fills booked now
                if not t.closed:
                    await client.resolve(t, final=True)
            except VenueCallError as exc:
                client._venue_error(exc, f"rollback lookup {t.order.client_order_id}")
    closing: list[str] = []
    for t in others:
        if t.filled > _EPS:
            closing.append(await _close_leg(client, t, reason))
    client._publish_msg(
        StructureRejected(
            client.venue,
            tuple(str(t.order.client_order_id) for t in legs),
            reason,
            tuple(closing),
            client.clock.now_ns(),
        )
    )


async def _close_leg(client: LiveExecutionClient, t: Tracked, reason: str) -> str:
    """A reduce-only market order closing what leg ``t`` filled; returns its id."""
    from tradebot.execution.live_client import Tracked as _Tracked

    leg = t.order
    now = client.clock.now_ns()
    order = Order(
        ClientOrderId(f"{leg.client_order_id}-rb"),
        leg.instrument_id,
        OrderSide.SELL if leg.side is OrderSide.BUY else OrderSide.BUY,
        OrderType.MARKET,
        t.filled,
        reduce_only=True,
        strategy_id=leg.strategy_id,
        tag="rollback",
        ts_init=now,
    )
    closing = _Tracked(order, t.symbol, now)
    client.orders[order.client_order_id] = closing
    client._emit(_register, client, order, now)
    log.warning(
        "live_structure_close: %s %s %s %g (%s)",
        client.venue,
        order.client_order_id,
        order.side.value,
        order.quantity,
        reason,
    )
    await client._create(closing)
    return str(order.client_order_id)


def _register(client: LiveExecutionClient, order: Order, ts: int) -> None:
    """On the engine's thread: the order manager tracks the closing order as sent."""
    order.transition(OrderStatus.SUBMITTED, ts)
    adopt = getattr(client.events, "adopt", None)
    if callable(adopt):
        adopt(order)


__all__ = [
    "Combo",
    "apply_combo",
    "cancel_combo",
    "create_combo",
    "create_legged",
    "poll_combo",
    "wants_combo",
]
