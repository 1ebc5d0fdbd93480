"""Which strikes a Deribit-like venue lists around the spot for one expiry.

Deribit spaces strikes in round steps that widen with the price level and with time to expiry
(a daily BTC series at 9,000 USD steps by 250, a quarterly by 1,000). A synthetic grid with the
same character makes strike selection (by delta, by % out of the money) behave as it would on
the venue, while staying a handful of rows per expiry so a whole chain prices in microseconds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tradebot.options.chain import FloatArray

_NICE = (1.0, 2.0, 2.5, 5.0, 10.0)
_WEEK_YEARS = 7.0 / 365.0


def nice_step(raw: float) -> float:
    """The smallest round step (1, 2, 2.5 or 5 × a power of ten) at or above ``raw``."""
    if not (raw > 0 and math.isfinite(raw)):
        raise ValueError(f"a strike step must be a positive number, got {raw}")
    power = 10.0 ** math.floor(math.log10(raw))
    for m in _NICE:
        if m * power >= raw * (1 - 1e-12):
            return m * power
    return 10.0 * power  # pragma: no cover - the loop always returns


@dataclass(frozen=True, slots=True)
class StrikeGrid:
    """``count`` strikes on each side of the spot in round steps.

    Parameters
    ----------
    step_fraction : float
        Step as a fraction of the spot for expiries up to a week, before rounding to a round
        number (default 2.5 %: 250 USD at a 10,000 USD spot).
    count : int
        Strikes listed below and above the at-the-money strike.
    widen : bool
        Grow the step with ``√(T / 1 week)`` for later expiries, as Deribit does.
    step : float | None
        A fixed step instead (``count`` still applies).
    """

    step_fraction: float = 0.025
    count: int = 10
    widen: bool = True
    step: float | None = None

    def __post_init__(self) -> None:
        if not (self.step_fraction > 0 and math.isfinite(self.step_fraction)):
            raise ValueError(f"strike 'step_fraction' must be positive, got {self.step_fraction}")
        if self.count < 1:
            raise ValueError(f"strike 'count' must be at least 1, got {self.count}")
        if self.step is not None and not (self.step > 0 and math.isfinite(self.step)):
            raise ValueError(f"strike 'step' must be positive, got {self.step}")

    def step_for(self, spot: float, years: float) -> float:
        """The strike step for an expiry ``years`` away at ``spot``."""
        if self.step is not None:
            return self.step
        raw = spot * self.step_fraction
        if self.widen and years > _WEEK_YEARS:
            raw *= math.sqrt(years / _WEEK_YEARS)
        return nice_step(raw)

    def strikes(self, spot: float, years: float) -> FloatArray:
        """Positive strikes, ascending, centred on the step multiple nearest ``spot``."""
        step = self.step_for(spot, years)
        centre = round(spot / step)
        ks = (np.arange(centre - self.count, centre + self.count + 1, dtype=np.float64)) * step
        return ks[ks > 0]


__all__ = ["StrikeGrid", "nice_step"]
