"""Settings of a synthetic option market, in one immutable object."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from tradebot.options.synthetic.calendar import ExpiryCalendar
from tradebot.options.synthetic.iv_model import IVModel
from tradebot.options.synthetic.spread import SpreadModel
from tradebot.options.synthetic.strikes import StrikeGrid


@dataclass(frozen=True, slots=True)
class SyntheticMarketConfig:
    """How the synthetic market lists and prices contracts.

    Parameters
    ----------
    rate : float
        Continuously compounded rate: forward ``F = S·e^(rT)`` and Black-76 discounting
        (default 0, as Deribit prices its options).
    iv : IVModel
        Realised-to-implied multiplier, bounds and smile.
    calendar : ExpiryCalendar
        Listed expiries.
    strikes : StrikeGrid
        Listed strikes per expiry.
    spread : SpreadModel | None
        Bid/ask around the mark; None uses Deribit's tick rule for coin-premium series
        (the tick × 5 above 0.005) and one tick otherwise.
    vol_days : float
        Length of the realised-volatility window in days (converted to bars of the data).
    vol_min_returns : int
        Bars needed before the market quotes anything.
    bar_ns : int | None
        Bar length used to annualise; None reads it from the bars.
    """

    rate: float = 0.0
    iv: IVModel = field(default_factory=IVModel)
    calendar: ExpiryCalendar = field(default_factory=ExpiryCalendar)
    strikes: StrikeGrid = field(default_factory=StrikeGrid)
    spread: SpreadModel | None = None
    vol_days: float = 30.0
    vol_min_returns: int = 20
    bar_ns: int | None = None

    def __post_init__(self) -> None:
        if not math.isfinite(self.rate):
            raise ValueError(f"rate must be finite, got {self.rate}")
        if not (self.vol_days > 0 and math.isfinite(self.vol_days)):
            raise ValueError(f"vol_days must be positive, got {self.vol_days}")
        if self.vol_min_returns < 2:
            raise ValueError(f"vol_min_returns must be at least 2, got {self.vol_min_returns}")


__all__ = ["SyntheticMarketConfig"]
