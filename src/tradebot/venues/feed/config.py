"""Settings of the feed supervisor: backoff, circuit breaker, stall and lag limits."""

from __future__ import annotations

import msgspec


class FeedConfig(msgspec.Struct, frozen=True, kw_only=True):
    """All times in seconds.

    Reconnects wait ``backoff_initial_s`` × 2ⁿ (capped at ``backoff_max_s``) plus a random
    jitter of up to ``backoff_jitter_s``. After ``max_failures`` failed attempts in a row the
    circuit opens (venue down, safe mode) and one half-open probe runs every
    ``probe_interval_s`` until a connection delivers a message again.
    """

    max_failures: int = 5
    backoff_initial_s: float = 0.5
    backoff_max_s: float = 30.0
    backoff_jitter_s: float = 0.5
    probe_interval_s: float = 30.0
    stall_timeout_s: float = 10.0
    """No message for this long counts as a failure and forces a reconnect."""
    max_lag_s: float | None = 5.0
    """Safe mode while some symbol's latest event arrived later than this; None: never."""
    lag_publish_interval_s: float = 1.0
    """At most one :class:`MarketDataLag` per symbol per interval; 0 publishes every event."""
    backfill_timeout_s: float = 10.0

    def validate(self) -> None:
        """Raise ``ValueError`` naming the first setting out of range."""
        if self.max_failures < 1:
            raise ValueError(f"max_failures was {self.max_failures}; it must be at least 1")
        for name in (
            "backoff_initial_s",
            "backoff_max_s",
            "backoff_jitter_s",
            "probe_interval_s",
            "lag_publish_interval_s",
        ):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} was {getattr(self, name)}; it must not be negative")
        for name in ("stall_timeout_s", "backfill_timeout_s"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} was {getattr(self, name)}; it must be positive")
        if self.max_lag_s is not None and self.max_lag_s <= 0:
            raise ValueError(f"max_lag_s was {self.max_lag_s}; it must be positive or None")


__all__ = ["FeedConfig"]
