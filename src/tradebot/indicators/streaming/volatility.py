"""Volatility one bar at a time: ATR (Wilder), Bollinger bands and the Keltner channel."""

from __future__ import annotations

import math

from tradebot.indicators.streaming._checks import NAN as _NAN
from tradebot.indicators.streaming._checks import period, positive
from tradebot.indicators.streaming.moving import EMA


class ATR:
    """Average true range, Wilder-smoothed (TA-Lib ``ATR``): first value after ``n + 1`` bars."""

    __slots__ = ("_count", "_prev_close", "_sum", "period", "value")

    def __init__(self, period_: int = 14) -> None:
        self.period = period("ATR period", period_)
        self._prev_close = _NAN
        self._count = 0
        self._sum = 0.0
        self.value = _NAN

    def update(self, high: float, low: float, close: float) -> float:
        """Add a bar; return the ATR (NaN during warm-up)."""
        prev = self._prev_close
        self._prev_close = close
        if prev != prev:
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
    """Bollinger bands: SMA ± ``k`` population standard deviations (TA-Lib ``BBANDS``).

    The window's mean and sum of squared deviations are updated together (a sliding Welford
    update), which avoids the cancellation of E[x²] − E[x]² at high price levels.
    """

    __slots__ = ("_buf", "_count", "_i", "_m2", "_mean", "k", "lower", "middle", "period", "upper")

    def __init__(self, period: int = 20, k: float = 2.0) -> None:
        if period < 1:
            raise ValueError(f"Bollinger period was {period}; it must be at least 1")
        self.period = period
        self.k = k
        self._buf = [0.0] * period
        self._i = 0
        self._count = 0
        self._mean = 0.0
        self._m2 = 0.0
        self.upper = self.middle = self.lower = _NAN

    def update(self, x: float) -> tuple[float, float, float]:
        """Add a close; return (upper, middle, lower), NaN during warm-up."""
        n = self.period
        i = self._i
        buf = self._buf
        count = self._count + 1
        self._count = count
        mean = self._mean
        if count <= n:
            delta = x - mean
            mean += delta / count
            self._m2 += delta * (x - mean)
        else:
            old = buf[i]
            new_mean = mean + (x - old) / n
            self._m2 += (x - old) * (x - new_mean + old - mean)
            mean = new_mean
        self._mean = mean
        buf[i] = x
        self._i = i + 1 if i + 1 < n else 0
        if count >= n:
            if count & 1023 == 0:  # re-anchor against accumulated rounding
                mean = self._mean = math.fsum(buf) / n
                self._m2 = math.fsum((v - mean) ** 2 for v in buf)
            var = self._m2 / n
            sd = math.sqrt(var) if var > 0 else 0.0
            self.middle = mean
            self.upper = mean + self.k * sd
            self.lower = mean - self.k * sd
        return self.upper, self.middle, self.lower

    @property
    def ready(self) -> bool:
        """True once ``period`` closes have been seen."""
        return self._count >= self.period


class Keltner:
    """Keltner channel: EMA(close, n) ± ``mult`` × ATR(n); NaN until both have values."""

    __slots__ = ("_atr", "_ema", "lower", "middle", "mult", "period", "upper")

    def __init__(self, period_: int = 20, mult: float = 2.0) -> None:
        self.period = period("Keltner period", period_)
        self.mult = positive("Keltner mult", mult)
        self._ema = EMA(self.period)
        self._atr = ATR(self.period)
        self.upper = self.middle = self.lower = _NAN

    def update(self, high: float, low: float, close: float) -> tuple[float, float, float]:
        """Add a bar; return (upper, middle, lower)."""
        mid = self._ema.update(close)
        width = self._atr.update(high, low, close)
        if width == width:
            self.middle = mid
            self.upper = mid + self.mult * width
            self.lower = mid - self.mult * width
        return self.upper, self.middle, self.lower

    @property
    def ready(self) -> bool:
        """True once the channel has values."""
        return self.middle == self.middle


__all__ = ["ATR", "BollingerBands", "Keltner"]
