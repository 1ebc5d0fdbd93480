"""What can go wrong at a venue, classified by what the order path must do about it.

Gateways translate their exchange's errors into these classes (for CCXT: its exception
hierarchy and the exchange's own codes); the live execution client decides by class alone::

    VenueCallError
    ├── RetryableError              retry with exponential back-off and jitter, 3 tries
    │   ├── VenueNetworkError       connection refused, reset, DNS
    │   ├── VenueTimeoutError       no answer in time: the order may have arrived
    │   ├── VenueUnavailableError   5xx, maintenance
    │   └── RateLimitedError        back off (``retry_after_s`` when the venue says)
    ├── OrderRefusedError           no retry: reject with the venue's message
    │   ├── InsufficientFundsError
    │   ├── InvalidOrderError       size/price filters, post-only would cross, reduce-only
    │   └── UnknownSymbolError
    ├── OrderNotFoundError          cancel/fetch of an order the venue does not know
    └── AuthenticationError         halt trading and alert a person

Messages carry the venue's text, never a key or a signature.
"""

from __future__ import annotations


class VenueCallError(Exception):
    """A call to a venue failed."""

    kind = "other"

    def __init__(self, venue: str, message: str) -> None:
        super().__init__(f"{venue}: {message}")
        self.venue = venue
        self.message = message


class RetryableError(VenueCallError):
    """Worth trying again after a pause."""

    kind = "retryable"


class VenueNetworkError(RetryableError):
    """The request did not reach the venue, or its answer did not reach us."""

    kind = "network"


class VenueTimeoutError(RetryableError):
    """No answer in time; a create may still have been accepted."""

    kind = "timeout"


class VenueUnavailableError(RetryableError):
    """The venue is down or in maintenance (HTTP 5xx)."""

    kind = "exchange"


class RateLimitedError(RetryableError):
    """Too many requests; wait ``retry_after_s`` (or back off) before the next."""

    kind = "rate_limit"

    def __init__(self, venue: str, message: str, retry_after_s: float | None = None) -> None:
        super().__init__(venue, message)
        self.retry_after_s = retry_after_s


class OrderRefusedError(VenueCallError):
    """The venue refused the order for good."""

    kind = "rejected"


class InsufficientFundsError(OrderRefusedError):
    """Not enough balance or margin."""

    kind = "insufficient_funds"


class InvalidOrderError(OrderRefusedError):
    """The order breaks a rule of the market (size, price, post-only, reduce-only)."""

    kind = "invalid_order"


class UnknownSymbolError(OrderRefusedError):
    """The venue lists no such market."""

    kind = "unknown_symbol"


class OrderNotFoundError(VenueCallError):
    """The venue does not know the order."""

    kind = "order_not_found"


class AuthenticationError(VenueCallError):
    """Keys are wrong, expired or lack permission: stop trading and tell a person."""

    kind = "auth"


__all__ = [
    "AuthenticationError",
    "InsufficientFundsError",
    "InvalidOrderError",
    "OrderNotFoundError",
    "OrderRefusedError",
    "RateLimitedError",
    "RetryableError",
    "UnknownSymbolError",
    "VenueCallError",
    "VenueNetworkError",
    "VenueTimeoutError",
    "VenueUnavailableError",
]
