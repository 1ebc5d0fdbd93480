"""Working a market order as a smart-limit order: start at the mid, step toward the touch
every ``step_ns`` of engine time, never past the slippage cap from the arrival mid, then
cancel or cross at the end (prices from :mod:`tradebot.execution.smart_limit`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tradebot.execution.live_state import Tracked, _Smart
from tradebot.execution.smart_limit import SmartLimitParams, cross_price, step_price

if TYPE_CHECKING:
    from tradebot.execution.live_client import LiveExecutionClient


def start(
    client: LiveExecutionClient, t: Tracked, params: SmartLimitParams, bid: float, ask: float
) -> None:
    """Place the order at the mid now and step it toward the touch on the engine clock."""
    mid = (bid + ask) / 2
    price = step_price(t.order.side, 0, bid, ask, mid, params)
    t.smart = _Smart(params, mid, price)
    due = client.clock.now_ns() + params.step_ns
    client.clock.set_alert(due, lambda ts: _step(client, t, ts))


def _step(client: LiveExecutionClient, t: Tracked, ts: int) -> None:
    smart = t.smart
    if smart is None or t.closed or t.cancel_requested:
        return
    params = smart.params
    smart.step += 1
    book = client._quotes(t.order.instrument_id) if client._quotes is not None else None
    if smart.step >= params.steps:
        if params.at_end == "cancel" or book is None:
            t.cancel_requested = True
            client._spawn(client._cancel(t, "smart-limit order ended unfilled"))
        else:
            price = cross_price(t.order.side, book[0], book[1], smart.arrival_mid, params)
            client._spawn(client._amend(t, price))
        return
    if book is not None:
        price = step_price(t.order.side, smart.step, book[0], book[1], smart.arrival_mid, params)
        if price != smart.price:
            client._spawn(client._amend(t, price))
    client.clock.set_alert(ts + params.step_ns, lambda at: _step(client, t, at))


__all__ = ["start"]
