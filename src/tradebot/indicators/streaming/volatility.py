"""Volatility one bar at a time: ATR (Wilder), Bollinger bands and the Keltner channel."""

from __future__ import annotations

import math

from tradebot.indicators.streaming._checks import (
    NAN,
    RESUM_MASK,
    check_multiplier,
    check_period,
    not_finite,
)
from tradebot.indicators.streaming.moving import EMA

REANCHOR_DROP = 1e-4
"""Bollinger's sum of squared deviations is rebuilt when it falls below this fraction of its
peak since the last rebuild: the rounding of a sliding update scales with the sums it slid
through, so after a loud stretch a quiet window would otherwise carry its residue."""


class ATR:
    """Average true range, Wilder-smoothed (TA-Lib ``ATR``); first value at the
    ``period + 1``-th bar.

    Seeded with the mean true range of bars 2 … n + 1 (the first bar has no previous close),
    then ``(atr·(n − 1) + tr) / n`` as TA-Lib computes it.
    """

    __slots__ = ("_count", "_prev_close", "_sum", "period", "value")

    def __init__(self, period: int = 14) -> None:
        self.period = check_period("ATR period", period)
        self._prev_close = NAN
        self._count = 0
        self._sum = 0.0
        self.value = NAN

    def update(self, high: float, low: float, close: float) -> float:
        """Add a bar; return the ATR (NaN during warm-up)."""
        if (high - high) + (low - low) + (close - close) != 0.0:
            raise not_finite("ATR", high=high, low=low, close=close)
        prev = self._prev_close
        self._prev_close = close
        if prev != prev:  # the first bar: no true range yet
            return self.value
        tr = high - low
        up = high - prev if high > prev else prev - high
        down = low - prev if low > prev else prev - low
        if up > tr:
            tr = up
        if down > tr:
            tr = down
        n = self.period
        count = self._count + 1
        self._count = count
        if count > n:
            self.value = (self.value * (n - 1) + tr) / n
        elif count == n:
            self.value = (self._sum + tr) / n
        else:
            self._sum += tr
        return self.value

    @property
    def ready(self) -> bool:
        """True once ``period`` true ranges have been seen."""
        return self._count >= self.period


class BollingerBands:
    """Bollinger bands (TA-Lib ``BBANDS``, SMA middle): SMA ± ``k`` population standard
    deviations; first values at the ``period``-th close.

    The window's mean and sum of squared deviations are updated together (a sliding Welford
    update), which avoids the cancellation of E[x²] − E[x]² at high price levels; both are
    rebuilt exactly every 1,024 closes and whenever the squared deviations drop far below
    their recent peak, so a window that has gone flat has a deviation of exactly 0, as in
    TA-Lib, not the residue of the moves that left it.
    """

    __slots__ = (
        "_buf",
        "_count",
        "_i",
        "_m2",
        "_mean",
        "_peak",
        "k",
        "lower",
        "middle",
        "period",
        "upper",
    )

    def __init__(self, period: int = 20, k: float = 2.0) -> None:
        self.period = check_period("BollingerBands period", period)
        self.k = check_multiplier("BollingerBands k", k, zero_ok=True)
        self._buf = [0.0] * self.period
        self._i = 0
        self._count = 0
        self._mean = 0.0
        self._m2 = 0.0
        self._peak = 0.0
        self.upper = self.middle = self.lower = NAN

    def update(self, x: float) -> tuple[float, float, float]:
        """Add a close; return (upper, middle, lower), NaN during warm-up."""
        if x - x != 0.0:
            raise not_finite("BollingerBands", x=x)
        n = self.period
        i = self._i
        buf = self._buf
        count = self._count + 1
        self._count = count
        mean = self._mean
        if count <= n:
            delta = x - mean
            mean += delta / count
            m2 = self._m2 + delta * (x - mean)
        else:
            old = buf[i]
            new_mean = mean + (x - old) / n
            m2 = self._m2 + (x - old) * (x - new_mean + old - mean)
            mean = new_mean
        buf[i] = x
        self._i = i + 1 if i + 1 < n else 0
        if m2 > self._peak:
            self._peak = m2
        if count >= n:
            if m2 < REANCHOR_DROP * self._peak or count & RESUM_MASK == 0:
                mean = math.fsum(buf) / n
                m2 = math.fsum((v - mean) ** 2 for v in buf)
                self._peak = m2
            var = m2 / n
            width = self.k * math.sqrt(var) if var > 0.0 else 0.0
            self.middle = mean
            self.upper = mean + width
            self.lower = mean - width
        self._mean = mean
        self._m2 = m2
        return self.upper, self.middle, self.lower

    @property
    def ready(self) -> bool:
        """True once ``period`` closes have been seen."""
        return self._count >= self.period


class Keltner:
    """Keltner channel: EMA(close, n) ± ``mult`` × ATR(n); NaN until both have values (the
    ``n + 1``-th bar)."""

    __slots__ = ("_atr", "_ema", "lower", "middle", "mult", "period", "upper")

    def __init__(self, period: int = 20, mult: float = 2.0) -> None:
        self.period = check_period("Keltner period", period)
        self.mult = check_multiplier("Keltner mult", mult, zero_ok=False)
        self._ema = EMA(self.period)
        self._atr = ATR(self.period)
        self.upper = self.middle = self.lower = NAN

    def update(self, high: float, low: float, close: float) -> tuple[float, float, float]:
        """Add a bar; return (upper, middle, lower)."""
        if (high - high) + (low - low) + (close - close) != 0.0:
            raise not_finite("Keltner", high=high, low=low, close=close)
        middle = self._ema.update(close)
        width = self._atr.update(high, low, close)
        if width == width:
            width *= self.mult
            self.middle = middle
            self.upper = middle + width
            self.lower = middle - width
        return self.upper, self.middle, self.lower

    @property
    def ready(self) -> bool:
        """True once the channel has values."""
        return self.middle == self.middle


__all__ = ["ATR", "BollingerBands", "Keltner"]
