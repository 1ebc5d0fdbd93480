"""Bid and ask around a synthetic mark, on the venue's tick.

A backtest that fills at the mark overstates every option strategy: on Deribit a round trip
costs the spread, which is a few ticks on cheap wings and a few per cent of the premium on
dear contracts. Quotes are therefore set ``max(min_ticks·tick, relative·mark)`` either side
of the mark and rounded outwards to the tick (bid down, ask up), so the spread never shrinks
below what the venue could show.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tradebot.options.chain import FloatArray


@dataclass(frozen=True, slots=True)
class SpreadModel:
    """Half-spread ``max(min_ticks × tick, relative × mark)``, rounded outwards to the tick.

    Parameters
    ----------
    relative : float
        Half-spread as a fraction of the mark (default 2.5 %).
    min_ticks : float
        Smallest half-spread in ticks (default 1).
    coarse_tick, coarse_above : float | None, float
        Deribit's coarser tick above a price: BTC options tick 0.0001 below 0.005 BTC and
        0.0005 above. None keeps the series' one tick everywhere.
    """

    relative: float = 0.025
    min_ticks: float = 1.0
    coarse_tick: float | None = None
    coarse_above: float = 0.005

    def __post_init__(self) -> None:
        if not (0 <= self.relative < 1 and math.isfinite(self.relative)):
            raise ValueError(f"spread 'relative' must be in [0, 1), got {self.relative}")
        if not (self.min_ticks >= 0 and math.isfinite(self.min_ticks)):
            raise ValueError(f"spread 'min_ticks' must be zero or more, got {self.min_ticks}")
        if self.coarse_tick is not None and not self.coarse_tick > 0:
            raise ValueError(f"spread 'coarse_tick' must be positive, got {self.coarse_tick}")

    def ticks(self, price: FloatArray, tick: float) -> FloatArray:
        """The tick that applies at each price."""
        if self.coarse_tick is None:
            return np.full(price.shape, tick)
        return np.where(price > self.coarse_above, self.coarse_tick, tick)

    def quotes(self, mark: FloatArray, tick: float) -> tuple[FloatArray, FloatArray]:
        """Bid and ask for each mark (premium currency). No bid (NaN) when it would be <= 0.

        The ask is at least one tick: even a worthless wing is never offered for nothing.
        """
        base = np.full(mark.shape, tick)
        half = np.maximum(self.min_ticks * base, self.relative * mark)
        raw_bid = mark - half
        raw_ask = mark + half
        bid_tick = self.ticks(raw_bid, tick)
        ask_tick = self.ticks(raw_ask, tick)
        # A small epsilon keeps marks already on the tick from moving one tick out.
        bid = np.floor(raw_bid / bid_tick + 1e-9) * bid_tick
        ask = np.maximum(np.ceil(raw_ask / ask_tick - 1e-9) * ask_tick, tick)
        bid = np.where(bid > 0, np.round(bid, 12), np.nan)
        ask = np.round(ask, 12)
        return np.asarray(bid, dtype=np.float64), np.asarray(ask, dtype=np.float64)


__all__ = ["SpreadModel"]
