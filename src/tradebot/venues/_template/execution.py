"""``<Name>Gateway``: implements ``tradebot.execution.gateway.VenueGateway``.

Required: every method of the protocol; our ``client_order_id`` sent on create and used to
cancel, amend and fetch; every library/venue error translated once, with ``raise … from``, into
``tradebot.execution.errors``; no retries (the live execution client retries by error class).
"""

from __future__ import annotations

from tradebot.execution.gateway import (
    OrderRequest,
    VenueBalance,
    VenueFill,
    VenueOrder,
    VenuePosition,
)


class TemplateGateway:
    """Required methods (see ``VenueGateway`` for their contracts)."""

    venue = "TEMPLATE"

    async def create_order(self, request: OrderRequest) -> VenueOrder:
        raise NotImplementedError

    async def cancel_order(self, client_order_id: str, symbol: str) -> VenueOrder:
        raise NotImplementedError

    async def amend_order(
        self, client_order_id: str, symbol: str, *, price: float | None, amount: float | None
    ) -> VenueOrder:
        raise NotImplementedError

    async def fetch_order(self, client_order_id: str, symbol: str) -> VenueOrder | None:
        raise NotImplementedError

    async def fetch_open_orders(self, symbol: str | None = None) -> list[VenueOrder]:
        raise NotImplementedError

    async def fetch_fills(self, symbol: str | None, since_ns: int) -> list[VenueFill]:
        raise NotImplementedError

    async def fetch_balances(self) -> list[VenueBalance]:
        raise NotImplementedError

    async def fetch_positions(self) -> list[VenuePosition]:
        raise NotImplementedError

    async def close(self) -> None:
        raise NotImplementedError


__all__ = ["TemplateGateway"]
