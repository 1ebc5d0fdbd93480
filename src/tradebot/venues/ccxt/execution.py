"""``CcxtGateway``: the async :class:`~tradebot.execution.gateway.VenueGateway` over ccxt.

It sends our client order id with every new order, in the parameter each exchange expects
(:data:`tradebot.venues.ccxt.config.VENUE_QUIRKS`), and addresses orders by it afterwards:

* Binance USD-M ``newClientOrderId`` / ``origClientOrderId``; MEXC ``clientOrderId`` (ccxt
  renames it); Bybit ``orderLinkId`` (looked up on ``/v5/order/realtime``, then
  ``/v5/order/history``);
* Deribit ``label``, with its ``cancel_by_label``, ``edit_by_label`` and
  ``get_order_state_by_label`` endpoints.

Every ccxt exception is translated once, here, by :func:`tradebot.venues.ccxt.errors.translate`;
nothing from ccxt crosses into the core. No retries happen here: the live execution client in
``tradebot.execution`` decides by error class.

Multi-leg: :meth:`CcxtGateway.create_combo_order` creates a Deribit combo
(``private/create_combo``) and sends one order on it; other exchanges refuse it with
``InvalidOrderError``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import msgspec

from tradebot.execution import errors as ours
from tradebot.execution.gateway import (
    OrderRequest,
    OrderSideText,
    VenueBalance,
    VenueFill,
    VenueOrder,
    VenuePosition,
)

if TYPE_CHECKING:
    from tradebot.execution.gateway import VenueGateway
from tradebot.venues.ccxt.config import CcxtVenueConfig
from tradebot.venues.ccxt.errors import is_ccxt_error, translate, translated
from tradebot.venues.ccxt.parsing import (
    balances_from_ccxt,
    fill_from_ccxt,
    order_from_ccxt,
    position_from_ccxt,
)

T = TypeVar("T")

_CCXT_TYPE = {"market": "market", "limit": "limit", "stop_market": "market", "stop_limit": "limit"}
_BYBIT_CATEGORY = {"spot": "spot", "linear": "linear", "inverse": "inverse", "option": "option"}


class ComboLeg(msgspec.Struct, frozen=True, kw_only=True):
    """One leg of a combo: ``ratio`` contracts of ``symbol`` per combo unit, bought or sold."""

    symbol: str
    side: OrderSideText
    ratio: float = 1.0


class CcxtGateway:
    """One exchange account through a ccxt ``async_support`` instance.

    Parameters
    ----------
    exchange : Any
        The ccxt exchange (keys set, sandbox mode set) — see
        :func:`tradebot.venues.ccxt.factories.build_exchange`.
    config : CcxtVenueConfig
        Which exchange and its quirks.
    """

    def __init__(self, exchange: Any, config: CcxtVenueConfig) -> None:
        self.venue = config.venue
        self.exchange = exchange
        self._config = config
        self._quirks = config.quirks

    # -- plumbing ----------------------------------------------------------------------------
    async def _call(self, context: str, call: Callable[[], Awaitable[T]]) -> T:
        async def run() -> T:
            if not self.exchange.markets:
                await self.exchange.load_markets()
            return await call()

        return await translated(self.venue, self.exchange, context, run)

    def _market(self, symbol: str) -> dict[str, Any]:
        markets = self.exchange.markets or {}
        if symbol not in markets:
            raise ours.UnknownSymbolError(self.venue, f"no market {symbol}")
        market: dict[str, Any] = markets[symbol]
        return market

    def _order(self, raw: dict[str, Any], fallback: VenueOrder | None = None) -> VenueOrder:
        order = order_from_ccxt(raw, self._quirks.client_id_param)
        if fallback is None:
            return order
        # Create/cancel answers are often terse (Bybit: only the two ids): fill from the request.
        return msgspec.structs.replace(
            order,
            client_order_id=order.client_order_id or fallback.client_order_id,
            symbol=order.symbol or fallback.symbol,
            side=order.side if raw.get("side") else fallback.side,
            type=order.type or fallback.type,
            status=order.status if raw.get("status") else fallback.status,
            amount=order.amount or fallback.amount,
            price=order.price if order.price is not None else fallback.price,
        )

    def _deribit_currency(self, symbol: str) -> str:
        market = self._market(symbol)
        info = market.get("info") or {}
        return str(
            info.get("settlement_currency") or market.get("settle") or market.get("base") or ""
        )

    # -- orders ------------------------------------------------------------------------------
    def order_params(self, request: OrderRequest) -> dict[str, Any]:
        """The ccxt ``params`` of a new order: client id, time in force, flags, trigger."""
        params: dict[str, Any] = {self._quirks.client_id_param: request.client_order_id}
        if request.type != "market":
            params["timeInForce"] = request.time_in_force
        if request.post_only:
            params["postOnly"] = True
        if request.reduce_only:
            params["reduceOnly"] = True
        if request.trigger_price is not None:
            params["triggerPrice"] = request.trigger_price
        return params

    async def create_order(self, request: OrderRequest) -> VenueOrder:
        """Send a new order carrying ``request.client_order_id``.

        Raises
        ------
        tradebot.execution.errors.VenueCallError
            A subclass by cause: refused (funds, filters, symbol), retryable, or auth.
        """
        context = (
            f"create_order {request.symbol} {request.side} {request.type} "
            f"amount={request.amount:g} price={request.price} cid={request.client_order_id}"
        )
        if request.type in ("limit", "stop_limit") and request.price is None:
            raise ours.InvalidOrderError(self.venue, f"{context}: a limit order needs a price")
        params = self.order_params(request)
        raw = await self._call(
            context,
            lambda: self.exchange.create_order(
                request.symbol,
                _CCXT_TYPE[request.type],
                request.side,
                request.amount,
                request.price,
                params,
            ),
        )
        sent = VenueOrder(
            client_order_id=request.client_order_id,
            venue_order_id="",
            symbol=request.symbol,
            side=request.side,
            type=request.type,
            status="open",
            amount=request.amount,
            filled=0.0,
            price=request.price,
        )
        return self._order(raw, sent)

    async def _find_raw(self, client_order_id: str, symbol: str) -> dict[str, Any] | None:
        ex = self.exchange
        market = self._market(symbol)
        if self._quirks.by_label:
            response = await ex.private_get_get_order_state_by_label(
                {"currency": self._deribit_currency(symbol), "label": client_order_id}
            )
            rows = [
                r for r in response.get("result") or [] if r.get("instrument_name") == market["id"]
            ]
            if not rows:
                return None
            latest = max(rows, key=lambda r: int(r.get("last_update_timestamp") or 0))
            parsed: dict[str, Any] = ex.parse_order(latest, market)
            return parsed
        if self._quirks.realtime_lookup:
            category = _BYBIT_CATEGORY.get(
                "spot"
                if market.get("spot")
                else "option"
                if market.get("option")
                else "inverse"
                if market.get("inverse")
                else "linear",
                "linear",
            )
            request = {"category": category, "symbol": market["id"], "orderLinkId": client_order_id}
            for endpoint in (ex.privateGetV5OrderRealtime, ex.privateGetV5OrderHistory):
                response = await endpoint(request)
                rows = (response.get("result") or {}).get("list") or []
                if rows:
                    found: dict[str, Any] = ex.parse_order(rows[0], market)
                    return found
            return None
        try:
            raw: dict[str, Any] = await ex.fetch_order(
                None, symbol, {self._quirks.lookup_param: client_order_id}
            )
        except Exception as exc:
            if is_ccxt_error(exc) and isinstance(
                translate(self.venue, exc), ours.OrderNotFoundError
            ):
                return None
            raise
        return raw

    async def fetch_order(self, client_order_id: str, symbol: str) -> VenueOrder | None:
        """The order with our id, or None when the venue does not know it."""
        raw = await self._call(
            f"fetch_order {symbol} cid={client_order_id}",
            lambda: self._find_raw(client_order_id, symbol),
        )
        if raw is None:
            return None
        order = self._order(raw)
        return (
            order
            if order.client_order_id
            else msgspec.structs.replace(order, client_order_id=client_order_id)
        )

    async def cancel_order(self, client_order_id: str, symbol: str) -> VenueOrder:
        """Cancel an open order by our id.

        Raises
        ------
        tradebot.execution.errors.OrderNotFoundError
            When the venue knows no open order with that id.
        """
        context = f"cancel_order {symbol} cid={client_order_id}"

        async def cancel() -> VenueOrder:
            if self._quirks.by_label:
                response = await self.exchange.private_get_cancel_by_label(
                    {"label": client_order_id, "currency": self._deribit_currency(symbol)}
                )
                raw = await self._find_raw(client_order_id, symbol)
                if raw is None or (
                    int(response.get("result") or 0) == 0 and raw.get("status") != "canceled"
                ):
                    raise ours.OrderNotFoundError(self.venue, f"{context}: no open order")
                return self._order(raw)
            raw = await self.exchange.cancel_order(
                None, symbol, {self._quirks.lookup_param: client_order_id}
            )
            placeholder = VenueOrder(
                client_order_id=client_order_id,
                venue_order_id="",
                symbol=symbol,
                side="buy",
                type="",
                status="canceled",
                amount=0.0,
                filled=0.0,
            )
            return self._order(raw, placeholder)

        return await self._call(context, cancel)

    async def amend_order(
        self, client_order_id: str, symbol: str, *, price: float | None, amount: float | None
    ) -> VenueOrder:
        """Change price or amount; cancel-replace (same client id) where ccxt has no edit."""
        context = f"amend_order {symbol} cid={client_order_id} price={price} amount={amount}"

        async def amend() -> VenueOrder:
            current_raw = await self._find_raw(client_order_id, symbol)
            if current_raw is None:
                raise ours.OrderNotFoundError(self.venue, f"{context}: unknown order")
            current = self._order(current_raw)
            if not current.client_order_id:
                current = msgspec.structs.replace(current, client_order_id=client_order_id)
            new_amount = amount if amount is not None else current.amount
            new_price = price if price is not None else current.price
            if self._quirks.by_label:
                response = await self.exchange.private_get_edit_by_label(
                    {
                        "label": client_order_id,
                        "instrument_name": self._market(symbol)["id"],
                        "amount": self.exchange.amount_to_precision(symbol, new_amount),
                        "price": self.exchange.price_to_precision(symbol, new_price),
                    }
                )
                order_raw = (response.get("result") or {}).get("order") or {}
                return self._order(self.exchange.parse_order(order_raw, self._market(symbol)))
            if self.exchange.has.get("editOrder"):
                raw = await self.exchange.edit_order(
                    current.venue_order_id,
                    symbol,
                    current.type or "limit",
                    current.side,
                    new_amount,
                    new_price,
                )
                return self._order(
                    raw, msgspec.structs.replace(current, amount=new_amount, price=new_price)
                )
            await self.exchange.cancel_order(current.venue_order_id, symbol)
            replacement = OrderRequest(
                client_order_id=client_order_id,
                symbol=symbol,
                side=current.side,
                type="limit",
                amount=new_amount,
                price=new_price,
            )
            raw = await self.exchange.create_order(
                symbol,
                "limit",
                current.side,
                new_amount,
                new_price,
                self.order_params(replacement),
            )
            return self._order(
                raw,
                msgspec.structs.replace(current, amount=new_amount, price=new_price, status="open"),
            )

        return await self._call(context, amend)

    async def fetch_open_orders(self, symbol: str | None = None) -> list[VenueOrder]:
        """Every open order (of ``symbol``, or all)."""
        rows = await self._call(
            f"fetch_open_orders {symbol or 'all'}",
            lambda: self.exchange.fetch_open_orders(symbol),
        )
        return [self._order(r) for r in rows]

    async def fetch_fills(self, symbol: str | None, since_ns: int) -> list[VenueFill]:
        """Our executions since ``since_ns`` (ccxt ``fetch_my_trades``)."""
        since_ms = since_ns // 1_000_000 if since_ns > 0 else None
        rows = await self._call(
            f"fetch_fills {symbol or 'all'}",
            lambda: self.exchange.fetch_my_trades(symbol, since_ms),
        )
        fills = [fill_from_ccxt(r, self._quirks.client_id_param) for r in rows]
        return [f for f in fills if f.ts_event >= since_ns]

    async def fetch_balances(self) -> list[VenueBalance]:
        """Wallet balances with a non-zero total."""
        raw = await self._call("fetch_balance", lambda: self.exchange.fetch_balance())
        return balances_from_ccxt(raw)

    async def fetch_positions(self) -> list[VenuePosition]:
        """Open derivative positions (flat ones left out)."""
        rows = await self._call("fetch_positions", lambda: self.exchange.fetch_positions())
        positions = (position_from_ccxt(r) for r in rows)
        return [p for p in positions if p is not None]

    # -- multi-leg -----------------------------------------------------------------------------
    async def create_combo_order(
        self,
        legs: Sequence[ComboLeg],
        *,
        side: OrderSideText,
        amount: float,
        price: float | None,
        client_order_id: str,
    ) -> VenueOrder:
        """Deribit: create (or reuse) the combo of ``legs`` and send one order on it.

        Raises
        ------
        tradebot.execution.errors.InvalidOrderError
            On exchanges without combo orders, or with fewer than two legs.
        """
        context = f"create_combo_order {len(legs)} legs {side} amount={amount:g} price={price}"
        if not self._quirks.by_label:
            raise ours.InvalidOrderError(self.venue, f"{context}: combo orders are Deribit only")
        if len(legs) < 2:
            raise ours.InvalidOrderError(self.venue, f"{context}: a combo needs two legs or more")

        async def send() -> VenueOrder:
            trades = [
                {
                    "instrument_name": self._market(leg.symbol)["id"],
                    "direction": leg.side,
                    "amount": self.exchange.number_to_string(leg.ratio * amount),
                }
                for leg in legs
            ]
            combo = await self.exchange.request(
                "create_combo", ["private"], "GET", {"trades": self.exchange.json(trades)}
            )
            combo_id = str((combo.get("result") or {}).get("id") or "")
            if not combo_id:
                raise ours.InvalidOrderError(self.venue, f"{context}: Deribit returned no combo")
            request: dict[str, Any] = {
                "instrument_name": combo_id,
                "amount": self.exchange.number_to_string(amount),
                "type": "market" if price is None else "limit",
                "label": client_order_id,
            }
            if price is not None:
                request["price"] = self.exchange.number_to_string(price)
            endpoint = (
                self.exchange.private_get_buy if side == "buy" else self.exchange.private_get_sell
            )
            response = await endpoint(request)
            order_raw = (response.get("result") or {}).get("order") or {}
            parsed = self.exchange.parse_order(order_raw)
            sent = VenueOrder(
                client_order_id=client_order_id,
                venue_order_id="",
                symbol=combo_id,
                side=side,
                type=str(request["type"]),
                status="open",
                amount=amount,
                filled=0.0,
                price=price,
            )
            return self._order(parsed, sent)

        return await self._call(context, send)

    async def close(self) -> None:
        """Release the HTTP session (and WebSocket connections of a ccxt.pro instance)."""
        try:
            await self.exchange.close()
        except Exception as exc:
            if is_ccxt_error(exc):
                raise translate(self.venue, exc, "close") from exc
            raise


if TYPE_CHECKING:
    _implements_protocol: type[VenueGateway] = CcxtGateway

__all__ = ["CcxtGateway", "ComboLeg"]
