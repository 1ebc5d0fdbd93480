"""The asynchronous edge to a real venue: what a live adapter (CCXT, IBKR) must offer.

The engine's :class:`~tradebot.execution.interfaces.ExecutionClient` is synchronous and event
driven (the paper venue answers at once). A real exchange answers over the network, late,
sometimes twice, sometimes not at all. So live trading has two layers:

* a :class:`VenueGateway` per exchange (``venues/ccxt``, ``venues/ibkr``): plain async calls that
  translate our requests to the exchange and its answers back to the records below, and raise
  one of the :mod:`tradebot.execution.errors` classes on failure — nothing more;
* the hardened live execution client in ``execution/`` that turns the engine's orders into
  gateway calls with idempotent client order ids, retries, rate limits, smart-limit orders and
  reconciliation, and reports back through ``ExecutionEvents``.

Amounts are in the venue's units (contracts or coins, as the market's ``contract_size`` says),
prices in the quote currency, times in UTC epoch nanoseconds.
"""

from __future__ import annotations

from typing import Literal, Protocol

import msgspec

OrderSideText = Literal["buy", "sell"]
OrderTypeText = Literal["market", "limit", "stop_market", "stop_limit"]
TimeInForceText = Literal["GTC", "IOC", "FOK"]
VenueOrderStatus = Literal["open", "closed", "canceled", "rejected", "expired"]


class OrderRequest(msgspec.Struct, frozen=True, kw_only=True):
    """A new order as the gateway sends it; ``client_order_id`` makes a retry idempotent."""

    client_order_id: str
    symbol: str
    side: OrderSideText
    type: OrderTypeText
    amount: float
    price: float | None = None
    trigger_price: float | None = None
    time_in_force: TimeInForceText = "GTC"
    post_only: bool = False
    reduce_only: bool = False


class VenueOrder(msgspec.Struct, frozen=True, kw_only=True):
    """An order as the venue reports it."""

    client_order_id: str
    venue_order_id: str
    symbol: str
    side: OrderSideText
    type: str
    status: VenueOrderStatus
    amount: float
    filled: float
    price: float | None = None
    average: float | None = None
    ts_event: int = 0
    reason: str = ""


class VenueFill(msgspec.Struct, frozen=True, kw_only=True):
    """One execution of an order."""

    trade_id: str
    client_order_id: str
    venue_order_id: str
    symbol: str
    side: OrderSideText
    amount: float
    price: float
    fee: float
    fee_currency: str
    maker: bool
    ts_event: int


class VenueBalance(msgspec.Struct, frozen=True, kw_only=True):
    """Wallet balance of one currency."""

    currency: str
    total: float
    free: float
    used: float


class VenuePosition(msgspec.Struct, frozen=True, kw_only=True):
    """A derivative position; ``amount`` is signed (negative = short) in contracts."""

    symbol: str
    amount: float
    entry_price: float
    mark_price: float | None = None
    unrealized_pnl: float | None = None
    liquidation_price: float | None = None
    leverage: float | None = None


class ComboLegRequest(msgspec.Struct, frozen=True, kw_only=True):
    """One leg of a combo order: ``ratio`` contracts of ``symbol`` per combo unit."""

    symbol: str
    side: OrderSideText
    ratio: float = 1.0


class VenueGateway(Protocol):
    """Async calls to one exchange account. Failures raise :mod:`tradebot.execution.errors`."""

    venue: str

    async def create_order(self, request: OrderRequest) -> VenueOrder:
        """Send a new order; the answer is the venue's view of it."""
        ...

    async def cancel_order(self, client_order_id: str, symbol: str) -> VenueOrder:
        """Cancel an open order by our id."""
        ...

    async def amend_order(
        self, client_order_id: str, symbol: str, *, price: float | None, amount: float | None
    ) -> VenueOrder:
        """Change the price or amount of an open order (cancel-replace where unsupported)."""
        ...

    async def fetch_order(self, client_order_id: str, symbol: str) -> VenueOrder | None:
        """The order with our id, or None when the venue does not know it."""
        ...

    async def fetch_open_orders(self, symbol: str | None = None) -> list[VenueOrder]:
        """Every open order (of ``symbol``, or all)."""
        ...

    async def fetch_fills(self, symbol: str | None, since_ns: int) -> list[VenueFill]:
        """Executions since ``since_ns``."""
        ...

    async def fetch_balances(self) -> list[VenueBalance]:
        """Wallet balances with a non-zero total."""
        ...

    async def fetch_positions(self) -> list[VenuePosition]:
        """Open derivative positions."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...


__all__ = [
    "ComboLegRequest",
    "OrderRequest",
    "VenueBalance",
    "VenueFill",
    "VenueGateway",
    "VenueOrder",
    "VenuePosition",
]
