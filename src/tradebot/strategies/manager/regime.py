"""Market-regime detection from ADX, ATR percentile and Bollinger width, one bar at a time."""

from __future__ import annotations

import bisect
from collections import deque

from tradebot.indicators.streaming import ADX, ATR, BollingerBands
from tradebot.model.regime import Regime
from tradebot.strategies.manager.config import RegimeConfig

_TRENDING = Regime.TRENDING
_RANGING = Regime.RANGING
_HIGH_VOL = Regime.HIGH_VOLATILITY


class RollingRank:
    """Percentile rank of the newest value among the last ``n`` (a sorted window, O(log n) search).

    The rank is the fraction of the window at or below the value, so the largest value of the
    window ranks 1.0.
    """

    __slots__ = ("_sorted", "_window", "n")

    def __init__(self, n: int) -> None:
        if n < 1:
            raise ValueError(f"rank window was {n}; it must be at least 1")
        self.n = n
        self._window: deque[float] = deque()
        self._sorted: list[float] = []

    def update(self, x: float) -> float:
        """Add ``x``; return its rank in [0, 1], NaN until the window is full."""
        window = self._window
        ordered = self._sorted
        if len(window) == self.n:
            old = window.popleft()
            del ordered[bisect.bisect_left(ordered, old)]
        window.append(x)
        bisect.insort(ordered, x)
        if len(window) < self.n:
            return float("nan")
        return bisect.bisect_right(ordered, x) / self.n


class RegimeDetector:
    """Classifies one market from its bars.

    * high volatility: ATR / close ranks at or above ``high_vol_percentile`` of the look-back;
    * trending: otherwise, ADX at or above ``trend_adx``;
    * ranging: ADX at or below ``range_adx`` with a Bollinger width at or below
      ``range_width_percentile`` of the look-back;
    * anything in between keeps the previous regime, so the regime does not flicker at a
      threshold. ``regime`` is None until the indicators and the look-back have warmed up.
    """

    __slots__ = ("_adx", "_atr", "_atr_rank", "_bb", "_width_rank", "adx", "config", "regime")

    def __init__(self, config: RegimeConfig) -> None:
        self.config = config
        self._adx = ADX(config.adx_period)
        self._atr = ATR(config.atr_period)
        self._bb = BollingerBands(config.bb_period, 2.0)
        self._atr_rank = RollingRank(config.lookback)
        self._width_rank = RollingRank(config.lookback)
        self.regime: Regime | None = None
        self.adx = float("nan")

    def update(self, high: float, low: float, close: float) -> Regime | None:
        """Add a closed bar; return the regime after it."""
        cfg = self.config
        adx = self._adx.update(high, low, close)
        atr = self._atr.update(high, low, close)
        upper, middle, lower = self._bb.update(close)
        self.adx = adx
        if atr != atr or middle != middle or close <= 0 or middle <= 0:
            return self.regime
        atr_rank = self._atr_rank.update(atr / close)
        width_rank = self._width_rank.update((upper - lower) / middle)
        if adx != adx or atr_rank != atr_rank:
            return self.regime
        if atr_rank >= cfg.high_vol_percentile:
            self.regime = _HIGH_VOL
        elif adx >= cfg.trend_adx:
            self.regime = _TRENDING
        elif adx <= cfg.range_adx and width_rank <= cfg.range_width_percentile:
            self.regime = _RANGING
        elif self.regime is None or self.regime is _HIGH_VOL:
            # Leaving high volatility without a clear trend: call it a range until shown else.
            self.regime = _RANGING if adx < cfg.trend_adx else _TRENDING
        return self.regime


__all__ = ["RegimeDetector", "RollingRank"]
