"""Messages the live execution client publishes on the bus (besides ``VenueError``)."""

from __future__ import annotations

import msgspec


class TradingHalted(msgspec.Struct, frozen=True):
    """The live client stopped sending new orders (the venue refused our keys): a person must
    look. Cancels are still attempted."""

    venue: str
    reason: str
    ts_event: int


class StructureRejected(msgspec.Struct, frozen=True):
    """A multi-leg structure did not go through as a whole: the legs that were not refused
    were canceled and whatever had filled was closed with reduce-only market orders."""

    venue: str
    legs: tuple[str, ...]
    """Client order ids of the legs."""
    reason: str
    rollback_orders: tuple[str, ...]
    """Client order ids of the closing orders sent."""
    ts_event: int


class ReconcileDifference(msgspec.Struct, frozen=True):
    """Reconciliation found the engine's view and the venue's apart, and what it did about it.

    ``kind``: ``unknown_venue_order``, ``missing_local_order``, ``missed_fill``, ``position``,
    ``balance``. ``action``: ``adopted``, ``canceled``, ``ignored``, ``filled``, ``rejected``,
    ``booked``, ``adjusted``, ``unresolved``.
    """

    venue: str
    kind: str
    subject: str
    local: float | str
    venue_value: float | str
    action: str
    ts_event: int


class ReconcileReport(msgspec.Struct, frozen=True):
    """One reconciliation pass."""

    venue: str
    ts_event: int
    differences: tuple[ReconcileDifference, ...]
    ok: bool = True
    """False when a venue call failed and the pass did not complete."""
    error: str = ""


class ShutdownReport(msgspec.Struct, frozen=True):
    """What a graceful shutdown left behind."""

    venue: str
    cancel_requested: int
    still_open: tuple[str, ...]
    timed_out: bool


__all__ = [
    "ReconcileDifference",
    "ReconcileReport",
    "ShutdownReport",
    "StructureRejected",
    "TradingHalted",
]
