"""Compare what the bot rebuilt from its own tables with what the venue says; the venue wins.

:func:`reconcile` is pure: it lists every difference and what to do about each order, and
changes nothing. :class:`~tradebot.storage.session_store.SessionStore` then heals (takes the
venue's balances, positions and working orders, cancels or re-sends orders) and records each
difference as a ``system_events`` row of kind ``reconcile``.

Differences smaller than the storage rounding (``NUMERIC(38, 18)``, relative 1e-9) are not
differences: the venue's exact figures are taken silently.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import msgspec

from tradebot.model.enums import OrderStatus
from tradebot.model.identifiers import InstrumentId
from tradebot.model.orders import Order
from tradebot.venues.paper.state import PaperVenueState

REL_TOL = 1e-9
ABS_TOL = 1e-9


class Difference(msgspec.Struct, frozen=True, kw_only=True):
    """One way the bot's view differed from the venue's, and how it was healed."""

    kind: str
    """``balance``, ``position``, ``order_unknown_to_venue``, ``order_closed_at_venue``,
    ``order_unknown_to_bot``, ``order_state``, ``order_resent``, ``exit_plan_dropped`` or
    ``exit_plan_added``."""
    message: str
    details: dict[str, Any] = msgspec.field(default_factory=dict)


class Reconciliation(msgspec.Struct, kw_only=True):
    """The differences, and the orders sorted by what happens to them."""

    differences: list[Difference] = msgspec.field(default_factory=list)
    resend: list[Order] = msgspec.field(default_factory=list)
    """Written ahead, never reached the venue: sent again (the same client order id)."""
    cancel: list[tuple[Order, str]] = msgspec.field(default_factory=list)
    """Open in the bot but not at the venue: marked canceled with the reason."""


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=ABS_TOL)


def reconcile(
    *,
    balances: Mapping[str, float],
    positions: Mapping[InstrumentId, tuple[float, float]],
    open_orders: Iterable[Order],
    venue: PaperVenueState,
    venue_ids: set[str],
) -> Reconciliation:
    """Compare the bot's ``balances``, net ``positions`` (quantity, average entry) and
    ``open_orders`` (orders it believes open, written-ahead ones included) with ``venue``.

    ``venue_ids`` are every client order id the venue was ever sent.
    """
    result = Reconciliation()
    diff = result.differences
    for currency in sorted(set(balances) | set(venue.balances)):
        mine, theirs = balances.get(currency, 0.0), venue.balances.get(currency, 0.0)
        if not _same(mine, theirs):
            diff.append(
                Difference(
                    kind="balance",
                    message=f"{currency} balance was {mine:.10g} in storage, {theirs:.10g} at "
                    "the venue; took the venue's",
                    details={"currency": currency, "bot": mine, "venue": theirs},
                )
            )
    held = {p.instrument_id: (p.quantity, p.avg_entry_price) for p in venue.positions}
    for iid in sorted(set(positions) | set(held)):
        mine_q, mine_px = positions.get(iid, (0.0, 0.0))
        theirs_q, theirs_px = held.get(iid, (0.0, 0.0))
        if abs(mine_q) <= 1e-12 and abs(theirs_q) <= 1e-12:
            continue
        if _same(mine_q, theirs_q) and _same(mine_px, theirs_px):
            continue
        diff.append(
            Difference(
                kind="position",
                message=f"{iid} position was {mine_q:g} @ {mine_px:g} in storage, "
                f"{theirs_q:g} @ {theirs_px:g} at the venue; took the venue's",
                details={
                    "symbol": iid.symbol,
                    "venue": iid.venue,
                    "bot_quantity": mine_q,
                    "bot_avg_price": mine_px,
                    "venue_quantity": theirs_q,
                    "venue_avg_price": theirs_px,
                },
            )
        )
    working = {w.order.client_order_id: w.order for w in venue.working}
    seen: set[str] = set()
    for order in open_orders:
        cid = order.client_order_id
        seen.add(cid)
        at_venue = working.get(cid)
        if at_venue is not None:
            if at_venue.status is not order.status or not _same(
                at_venue.filled_quantity, order.filled_quantity
            ):
                diff.append(
                    Difference(
                        kind="order_state",
                        message=f"order {cid} was {order.status.value} filled "
                        f"{order.filled_quantity:g} in storage, {at_venue.status.value} filled "
                        f"{at_venue.filled_quantity:g} at the venue; took the venue's",
                        details={"client_order_id": cid},
                    )
                )
            continue
        if cid in venue_ids:
            reason = "reconcile: no longer working at the venue"
            result.cancel.append((order, reason))
            diff.append(
                Difference(
                    kind="order_closed_at_venue",
                    message=f"order {cid} was {order.status.value} in storage but is no longer "
                    "working at the venue; marked canceled",
                    details={"client_order_id": cid, "bot_status": order.status.value},
                )
            )
        elif order.status is OrderStatus.INITIALIZED:
            result.resend.append(order)
            diff.append(
                Difference(
                    kind="order_resent",
                    message=f"order {cid} was written ahead but never reached the venue; "
                    "sent again with the same client order id",
                    details={"client_order_id": cid},
                )
            )
        else:
            reason = "reconcile: unknown to the venue"
            result.cancel.append((order, reason))
            diff.append(
                Difference(
                    kind="order_unknown_to_venue",
                    message=f"order {cid} was {order.status.value} in storage but the venue "
                    "does not know it; marked canceled",
                    details={"client_order_id": cid, "bot_status": order.status.value},
                )
            )
    for venue_cid, at_venue in working.items():
        if venue_cid not in seen:
            diff.append(
                Difference(
                    kind="order_unknown_to_bot",
                    message=f"order {venue_cid} is working at the venue but was not open in "
                    "storage; adopted",
                    details={"client_order_id": venue_cid, "venue_status": at_venue.status.value},
                )
            )
    return result


__all__ = ["ABS_TOL", "REL_TOL", "Difference", "Reconciliation", "reconcile"]
