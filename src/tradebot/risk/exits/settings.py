"""Settings of the exit monitor: time limit, trailing profit locks, pullback from the peak."""

from __future__ import annotations

import math

import msgspec


class ExitSettings(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """How the exit monitor closes positions besides their own stop, target and conditions.

    Profits are fractions of the entry price, times the leverage when ``use_leverage`` is set:
    a 2x position reaches the +8 % tier on a +4 % move (seed 004 measures them that way).

    Parameters
    ----------
    ttl_hours : float | None
        Close a position held this long; None for no limit (default 36).
    trailing : bool
        Watch the tiers and the pullback (default True).
    trailing_tiers : tuple[tuple[float, float], ...]
        ``(trigger, lock)`` pairs: once the profit has reached ``trigger``, close when it falls
        back to ``lock``. Default +8 % locks +3 %, +15 % locks +8 %, +25 % locks +15 %.
    pullback : float
        Once a tier is reached, close when the profit at a bar's close has fallen by this
        fraction of its peak (default 0.30: a +10 % peak exits at +7 %).
    use_leverage : bool
        Measure the tiers and the pullback on the leveraged profit (default True).
    """

    ttl_hours: float | None = 36.0
    trailing: bool = True
    trailing_tiers: tuple[tuple[float, float], ...] = ((0.08, 0.03), (0.15, 0.08), (0.25, 0.15))
    pullback: float = 0.30
    use_leverage: bool = True

    def validate(self) -> None:
        """Raise ``ValueError`` naming the setting that does not fit."""
        if self.ttl_hours is not None and not 0 < self.ttl_hours < math.inf:
            raise ValueError("exit 'ttl_hours' must be a positive number of hours, or None")
        if not 0 < self.pullback <= 1:
            raise ValueError(f"exit 'pullback' must be in (0, 1], not {self.pullback}")
        previous = (0.0, -math.inf)
        for tier in self.trailing_tiers:
            if len(tier) != 2:
                raise ValueError(f"exit 'trailing_tiers' entry {tier} is not (trigger, lock)")
            trigger, lock = tier
            if not 0 < trigger < math.inf:
                raise ValueError(f"exit 'trailing_tiers' trigger {trigger} must be positive")
            if not 0 <= lock < trigger:
                raise ValueError(
                    f"exit 'trailing_tiers' lock {lock} of trigger {trigger} must be in "
                    "[0, trigger)"
                )
            if trigger <= previous[0] or lock <= previous[1]:
                raise ValueError(
                    f"exit 'trailing_tiers' must rise: ({trigger}, {lock}) follows {previous}"
                )
            previous = (trigger, lock)

    @property
    def ttl_ns(self) -> int | None:
        """``ttl_hours`` in nanoseconds."""
        return None if self.ttl_hours is None else round(self.ttl_hours * 3_600_000_000_000)


__all__ = ["ExitSettings"]
