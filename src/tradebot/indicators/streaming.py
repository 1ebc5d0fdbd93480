"""Streaming indicators: O(1) per update, for strategies that see one bar at a time.

Values match TA-Lib's definitions (checked in the tests): the value is NaN until the warm-up
is complete.
"""

from __future__ import annotations

import math

_NAN = float("nan")


class SMA:
    """Simple moving average over ``period`` values.

    A ring buffer and a running sum keep each update O(1); the sum is rebuilt exactly with
    ``math.fsum`` every 1,024 updates so that a million updates do not drift from a fresh sum.
    """

    __slots__ = ("_buf", "_count", "_i", "_sum", "period", "value")

    def __init__(self, period: int) -> None:
        if period < 1:
            raise ValueError(f"SMA period was {period}; it must be at least 1")
        self.period = period
        self._buf = [0.0] * period
        self._i = 0
        self._count = 0
        self._sum = 0.0
        self.value = _NAN

    def update(self, x: float) -> float:
        """Add a value; return the average (NaN during warm-up)."""
        i = self._i
        buf = self._buf
        self._sum += x - buf[i]
        buf[i] = x
        i += 1
        if i == self.period:
            i = 0
        self._i = i
        count = self._count + 1
        self._count = count
        if count >= self.period:
            if count & 1023 == 0:
                self._sum = math.fsum(buf)
            self.value = self._sum / self.period
        return self.value

    @property
    def ready(self) -> bool:
        """True once ``period`` values have been seen."""
        return self._count >= self.period


class RSI:
    """Wilder's relative strength index (TA-Lib ``RSI``), NaN for the first ``period`` values."""

    __slots__ = ("_avg_gain", "_avg_loss", "_count", "_prev", "period", "value")

    def __init__(self, period: int = 14) -> None:
        if period < 1:
            raise ValueError(f"RSI period was {period}; it must be at least 1")
        self.period = period
        self._prev = _NAN
        self._avg_gain = 0.0
        self._avg_loss = 0.0
        self._count = 0
        self.value = _NAN

    def update(self, x: float) -> float:
        """Add a close; return the RSI (NaN during warm-up)."""
        prev = self._prev
        self._prev = x
        if prev != prev:  # first value
            return self.value
        change = x - prev
        gain = change if change > 0 else 0.0
        loss = -change if change < 0 else 0.0
        n = self.period
        self._count += 1
        if self._count <= n:
            self._avg_gain += gain / n
            self._avg_loss += loss / n
            if self._count < n:
                return self.value
        else:
            self._avg_gain = (self._avg_gain * (n - 1) + gain) / n
            self._avg_loss = (self._avg_loss * (n - 1) + loss) / n
        total = self._avg_gain + self._avg_loss
        self.value = 100.0 * self._avg_gain / total if total > 0 else 0.0
        return self.value


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


__all__ = ["RSI", "SMA", "BollingerBands"]
