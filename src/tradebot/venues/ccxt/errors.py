"""Translate ccxt exceptions into :mod:`tradebot.execution.errors`, once, at the edge.

ccxt already reads each exchange's own codes (Binance ``-2019`` → ``InsufficientFunds``,
``-1021`` → ``InvalidNonce``, HTTP 429 → ``RateLimitExceeded`` …); this module maps its classes
to ours, most specific first::

    ccxt class                                   ours
    InsufficientFunds                            InsufficientFundsError
    OrderNotFound                                OrderNotFoundError
    BadSymbol                                    UnknownSymbolError
    InvalidOrder, BadRequest, NotSupported       InvalidOrderError
    AuthenticationError, PermissionDenied,
    AccountSuspended, InvalidNonce (clock skew)  AuthenticationError
    DDoSProtection, RateLimitExceeded            RateLimitedError (Retry-After when sent)
    RequestTimeout                               VenueTimeoutError
    ExchangeNotAvailable, OnMaintenance          VenueUnavailableError
    NetworkError                                 VenueNetworkError
    anything else                                VenueCallError
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

import ccxt

from tradebot.execution import errors as ours

T = TypeVar("T")

_ORDER: tuple[tuple[type[BaseException], type[ours.VenueCallError]], ...] = (
    (ccxt.InsufficientFunds, ours.InsufficientFundsError),
    (ccxt.OrderNotFound, ours.OrderNotFoundError),
    (ccxt.BadSymbol, ours.UnknownSymbolError),
    (ccxt.InvalidNonce, ours.AuthenticationError),
    (ccxt.AuthenticationError, ours.AuthenticationError),
    (ccxt.PermissionDenied, ours.AuthenticationError),
    (ccxt.AccountSuspended, ours.AuthenticationError),
    (ccxt.InvalidOrder, ours.InvalidOrderError),
    (ccxt.RateLimitExceeded, ours.RateLimitedError),
    (ccxt.DDoSProtection, ours.RateLimitedError),
    (ccxt.RequestTimeout, ours.VenueTimeoutError),
    (ccxt.ExchangeNotAvailable, ours.VenueUnavailableError),
    (ccxt.NetworkError, ours.VenueNetworkError),
    (ccxt.BadRequest, ours.InvalidOrderError),
    (ccxt.NotSupported, ours.InvalidOrderError),
)


def _retry_after(headers: Mapping[str, Any] | None) -> float | None:
    if not headers:
        return None
    for name, value in headers.items():
        if str(name).lower() == "retry-after":
            try:
                return float(value)
            except (TypeError, ValueError):
                return None
    return None


def translate(
    venue: str,
    exc: BaseException,
    context: str = "",
    headers: Mapping[str, Any] | None = None,
) -> ours.VenueCallError:
    """Our error for a ccxt exception (raise it ``from exc``).

    Parameters
    ----------
    venue : str
        Venue name for the message.
    exc : BaseException
        What ccxt raised.
    context : str
        The operation with its symbol, side, amount and price, prefixed to the message.
    headers : Mapping[str, Any] | None
        Response headers of the failed call, for ``Retry-After``.
    """
    text = str(exc) or type(exc).__name__
    message = f"{context}: {text}" if context else text
    for ccxt_class, our_class in _ORDER:
        if isinstance(exc, ccxt_class):
            if our_class is ours.RateLimitedError:
                return ours.RateLimitedError(venue, message, _retry_after(headers))
            return our_class(venue, message)
    return ours.VenueCallError(venue, message)


def is_ccxt_error(exc: BaseException) -> bool:
    """True for exceptions that ccxt raises (its ``BaseError`` family)."""
    return isinstance(exc, ccxt.BaseError)


async def translated(
    venue: str, exchange: Any, context: str, call: Callable[[], Awaitable[T]]
) -> T:
    """Run one ccxt call; a ccxt failure comes out as one of ours (see :func:`translate`)."""
    try:
        return await call()
    except ours.VenueCallError:
        raise
    except Exception as exc:
        if is_ccxt_error(exc):
            headers = getattr(exchange, "last_response_headers", None)
            raise translate(venue, exc, context, headers) from exc
        raise


__all__ = ["is_ccxt_error", "translate", "translated"]
