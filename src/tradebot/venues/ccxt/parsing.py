"""ccxt unified dicts → our market data and venue records.

Every function takes what ccxt returns (its unified structures, with the raw payload under
``info``) and gives one of our immutable messages. Times become UTC epoch nanoseconds.
Missing numbers become 0.0 for sizes and NaN for greeks, never a guess.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from tradebot.execution.gateway import (
    OrderSideText,
    VenueBalance,
    VenueFill,
    VenueOrder,
    VenueOrderStatus,
    VenuePosition,
)
from tradebot.model.data import Bar, FundingRate, QuoteTick, TradeTick
from tradebot.model.enums import AggressorSide
from tradebot.model.identifiers import InstrumentId
from tradebot.model.instruments import Option
from tradebot.model.timeframes import timeframe_ns
from tradebot.options.chain import OptionQuote

_NS_PER_MS = 1_000_000
_STATUS: dict[str, VenueOrderStatus] = {
    "open": "open",
    "closed": "closed",
    "canceled": "canceled",
    "cancelled": "canceled",
    "rejected": "rejected",
    "expired": "expired",
}
_NAN = float("nan")


def _float(value: Any, default: float = 0.0) -> float:
    if value is None or isinstance(value, bool):
        return default
    try:
        number = float(value)
    except (TypeError, ValueError):
        return default
    return number if math.isfinite(number) else default


def _optional(value: Any) -> float | None:
    number = _float(value, _NAN)
    return None if math.isnan(number) else number


def _ns(ms: Any) -> int:
    return int(_float(ms)) * _NS_PER_MS


def _side(value: Any) -> OrderSideText:
    return "sell" if str(value).lower() == "sell" else "buy"


def bar_from_ohlcv(row: Sequence[Any], instrument_id: InstrumentId, timeframe: str) -> Bar:
    """A candle ``[ms, open, high, low, close, volume]``; ``ts_event`` is its close."""
    ts_open = _ns(row[0])
    return Bar(
        instrument_id,
        timeframe,
        ts_open,
        ts_open + timeframe_ns(timeframe),
        _float(row[1]),
        _float(row[2]),
        _float(row[3]),
        _float(row[4]),
        _float(row[5]) if len(row) > 5 else 0.0,
    )


def quote_from_ticker(ticker: dict[str, Any], instrument_id: InstrumentId) -> QuoteTick:
    """Best bid/ask of a unified ticker (sizes 0 when the venue sends none)."""
    return QuoteTick(
        instrument_id,
        _ns(ticker.get("timestamp")),
        _float(ticker.get("bid")),
        _float(ticker.get("ask")),
        _float(ticker.get("bidVolume")),
        _float(ticker.get("askVolume")),
    )


def quote_from_order_book(book: dict[str, Any], instrument_id: InstrumentId) -> QuoteTick | None:
    """Top of a unified order book, or None while one side is empty."""
    bids = book.get("bids") or []
    asks = book.get("asks") or []
    if not bids or not asks:
        return None
    return QuoteTick(
        instrument_id,
        _ns(book.get("timestamp")),
        _float(bids[0][0]),
        _float(asks[0][0]),
        _float(bids[0][1]),
        _float(asks[0][1]),
    )


def trade_from_ccxt(trade: dict[str, Any], instrument_id: InstrumentId) -> TradeTick:
    """A public trade; the aggressor is the taker's side when ccxt knows it."""
    side = trade.get("side")
    aggressor = (
        AggressorSide.BUYER
        if side == "buy"
        else AggressorSide.SELLER
        if side == "sell"
        else AggressorSide.UNKNOWN
    )
    return TradeTick(
        instrument_id,
        _ns(trade.get("timestamp")),
        _float(trade.get("price")),
        _float(trade.get("amount")),
        aggressor,
        str(trade.get("id") or ""),
    )


def funding_from_ccxt(funding: dict[str, Any], instrument_id: InstrumentId) -> FundingRate:
    """The current funding rate, stamped with the time it is paid (``fundingTimestamp``)."""
    paid_at = funding.get("fundingTimestamp") or funding.get("timestamp")
    return FundingRate(instrument_id, _ns(paid_at), _float(funding.get("fundingRate")))


def funding_history_from_ccxt(
    rows: Iterable[dict[str, Any]], instrument_id: InstrumentId
) -> list[FundingRate]:
    """Paid funding rates (ccxt ``fetch_funding_rate_history``), oldest first."""
    out = [
        FundingRate(instrument_id, _ns(r.get("timestamp")), _float(r.get("fundingRate")))
        for r in rows
    ]
    return sorted(out, key=lambda f: f.ts_event)


def mark_price_from_ccxt(data: dict[str, Any]) -> float | None:
    """Mark price from a ticker or funding-rate structure (``markPrice`` or the raw field)."""
    value = _optional(data.get("markPrice"))
    if value is None:
        info = data.get("info") or {}
        value = _optional(info.get("markPrice") or info.get("mark_price"))
    return value


def option_quote_from_ticker(ticker: dict[str, Any], instrument: Option) -> OptionQuote:
    """A Deribit option ticker as a chain row: prices in the coin, IV as a fraction.

    Deribit sends ``mark_iv`` in percent and greeks per contract (``delta``, ``gamma``,
    ``vega``, ``theta``); they are taken as sent, IV divided by 100. A missing greek is NaN.
    """
    info = ticker.get("info") or {}
    greeks = info.get("greeks") or {}
    mark_iv = _optional(info.get("mark_iv"))
    if mark_iv is None:
        mark_iv = _optional(ticker.get("markImpliedVolatility"))
    stats_oi = info.get("open_interest")
    return OptionQuote(
        instrument=instrument,
        bid=_float(ticker.get("bid", info.get("best_bid_price"))),
        ask=_float(ticker.get("ask", info.get("best_ask_price"))),
        mark=_float(info.get("mark_price"), _float(ticker.get("markPrice"), _NAN)),
        iv=_NAN if mark_iv is None else mark_iv / 100.0,
        delta=_float(greeks.get("delta"), _NAN),
        gamma=_float(greeks.get("gamma"), _NAN),
        vega=_float(greeks.get("vega"), _NAN),
        theta=_float(greeks.get("theta"), _NAN),
        open_interest=_float(stats_oi, _NAN),
    )


def client_order_id_of(order: dict[str, Any], raw_param: str = "") -> str:
    """Our id on an order: ccxt's ``clientOrderId``, else the raw field (Deribit ``label``)."""
    cid = order.get("clientOrderId")
    if cid:
        return str(cid)
    info = order.get("info") or {}
    for key in (raw_param, "label", "orderLinkId", "clientOrderId", "newClientOrderId"):
        if key and info.get(key):
            return str(info[key])
    return ""


def order_from_ccxt(order: dict[str, Any], raw_param: str = "") -> VenueOrder:
    """A unified order as :class:`VenueOrder` (status ``open`` while ccxt does not know it)."""
    status = _STATUS.get(str(order.get("status") or "open").lower(), "open")
    amount = _float(order.get("amount"))
    filled = _float(order.get("filled"))
    info = order.get("info") or {}
    reason = str(info.get("rejectReason") or info.get("reject_reason") or "")
    if reason in ("EC_NoError", "0"):
        reason = ""
    return VenueOrder(
        client_order_id=client_order_id_of(order, raw_param),
        venue_order_id=str(order.get("id") or ""),
        symbol=str(order.get("symbol") or ""),
        side=_side(order.get("side")),
        type=str(order.get("type") or ""),
        status=status,
        amount=amount,
        filled=filled,
        price=_optional(order.get("price")),
        average=_optional(order.get("average")),
        ts_event=_ns(order.get("lastUpdateTimestamp") or order.get("timestamp")),
        reason=reason,
    )


def fill_from_ccxt(trade: dict[str, Any], raw_param: str = "") -> VenueFill:
    """One of our executions (ccxt ``fetch_my_trades``)."""
    fee = trade.get("fee") or {}
    info = trade.get("info") or {}
    cid = str(trade.get("clientOrderId") or "")
    if not cid:
        for key in (raw_param, "label", "orderLinkId", "clientOrderId"):
            if key and info.get(key):
                cid = str(info[key])
                break
    return VenueFill(
        trade_id=str(trade.get("id") or ""),
        client_order_id=cid,
        venue_order_id=str(trade.get("order") or ""),
        symbol=str(trade.get("symbol") or ""),
        side=_side(trade.get("side")),
        amount=_float(trade.get("amount")),
        price=_float(trade.get("price")),
        fee=_float(fee.get("cost")),
        fee_currency=str(fee.get("currency") or ""),
        maker=trade.get("takerOrMaker") == "maker",
        ts_event=_ns(trade.get("timestamp")),
    )


def balances_from_ccxt(balance: dict[str, Any]) -> list[VenueBalance]:
    """Currencies with a non-zero total from a unified balance, sorted by currency."""
    totals = balance.get("total") or {}
    free = balance.get("free") or {}
    used = balance.get("used") or {}
    out = []
    for currency in sorted(totals):
        total = _float(totals.get(currency))
        if total == 0.0:
            continue
        out.append(
            VenueBalance(
                currency=str(currency),
                total=total,
                free=_float(free.get(currency)),
                used=_float(used.get(currency)),
            )
        )
    return out


def position_from_ccxt(position: dict[str, Any]) -> VenuePosition | None:
    """A unified position with a signed size in contracts, or None when flat."""
    contracts = _float(position.get("contracts"))
    if contracts == 0.0:
        return None
    side = str(position.get("side") or "").lower()
    signed = -abs(contracts) if side == "short" else abs(contracts)
    return VenuePosition(
        symbol=str(position.get("symbol") or ""),
        amount=signed,
        entry_price=_float(position.get("entryPrice")),
        mark_price=_optional(position.get("markPrice")),
        unrealized_pnl=_optional(position.get("unrealizedPnl")),
        liquidation_price=_optional(position.get("liquidationPrice")),
        leverage=_optional(position.get("leverage")),
    )


__all__ = [
    "balances_from_ccxt",
    "bar_from_ohlcv",
    "client_order_id_of",
    "fill_from_ccxt",
    "funding_from_ccxt",
    "funding_history_from_ccxt",
    "mark_price_from_ccxt",
    "option_quote_from_ticker",
    "order_from_ccxt",
    "position_from_ccxt",
    "quote_from_order_book",
    "quote_from_ticker",
    "trade_from_ccxt",
]
