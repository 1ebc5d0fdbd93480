"""Messages a venue adapter publishes about its own health (read by metrics and readiness)."""

from __future__ import annotations

import msgspec


class VenueError(msgspec.Struct, frozen=True):
    """A call to the exchange's API failed.

    ``kind`` is a short, bounded label: ``network``, ``timeout``, ``rate_limit``, ``auth``,
    ``rejected``, ``exchange`` (a 5xx) or ``other``. Never put a secret in ``detail``.
    """

    venue: str
    kind: str
    detail: str
    ts_event: int


class VenueStatus(msgspec.Struct, frozen=True):
    """The venue's connection went up or down."""

    venue: str
    up: bool
    reason: str
    ts_event: int


__all__ = ["VenueError", "VenueStatus"]
