"""Finding out what became of the orders the client sent, when no stream tells it.

Polling fetches new fills and the open orders of every symbol with working orders; an order
the venue no longer lists open is looked up on its own and its final state reported.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from tradebot.execution import live_fills
from tradebot.execution.live_state import Tracked, seconds_ns
from tradebot.execution.live_structures import poll_combo
from tradebot.model.identifiers import ClientOrderId

if TYPE_CHECKING:
    from tradebot.execution.live_client import LiveExecutionClient


async def poll(client: LiveExecutionClient) -> None:
    """Fetch new fills and resolve working orders the venue no longer lists open."""
    for combo in [c for c in client.combos.values() if any(not t.closed for t in c.legs)]:
        await poll_combo(client, combo)
    working = [
        t
        for t in client.orders.values()
        if not t.closed and (t.sent or t.uncertain) and t.combo is None
    ]
    if not working:
        return
    since = client._fills_since_ns - seconds_ns(client.config.fill_lookback_s)
    symbols = sorted({t.symbol for t in working})
    for symbol in symbols:
        await client.sync_fills(symbol, since)
    open_ids: set[str] = set()
    for symbol in symbols:
        listed = await client._call(
            "fetch_open_orders", functools.partial(client.gateway.fetch_open_orders, symbol)
        )
        open_ids.update(o.client_order_id for o in listed)
        for snapshot in listed:
            t = client.orders.get(ClientOrderId(snapshot.client_order_id))
            if t is not None and not t.closed and (not t.accepted or t.uncertain):
                await client._apply(t, snapshot)
    for t in working:
        if t.closed:
            continue
        if t.terminal is not None:
            live_fills.settle(client, t)
        elif t.order.client_order_id not in open_ids and not t.lock.locked():
            await resolve(client, t)


async def resolve(client: LiveExecutionClient, t: Tracked, *, final: bool = False) -> str:
    """Ask the venue about an order it does not list open; report what it says. Returns
    the action taken (``filled``, ``canceled``, ``rejected``, ``open``). With ``final``
    (reconciliation) a final status is reported now, its unseen fills booked from the
    order's figures, instead of waiting for them."""
    snapshot = await client._fetch(t)
    if snapshot is None:
        if t.accepted or t.filled:
            client._canceled(t, "the venue no longer has the order")
            return "canceled"
        client._reject(t, "the venue does not know the order")
        return "rejected"
    if final:
        t.grace = client.config.terminal_grace_polls
    await client._apply(t, snapshot)
    if snapshot.status == "closed":
        return "filled"
    if snapshot.status == "rejected":
        return "rejected"
    return "open" if snapshot.status == "open" else "canceled"


__all__ = ["poll", "resolve"]
