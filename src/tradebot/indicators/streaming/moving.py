"""Moving averages one value at a time: simple, exponential and linearly weighted."""

from __future__ import annotations

import math

from tradebot.indicators.streaming._checks import NAN as _NAN
from tradebot.indicators.streaming._checks import period


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


class EMA:
    """Exponential moving average, α = 2/(n+1), seeded with the SMA of the first ``n`` values."""

    __slots__ = ("_count", "_k", "_seed", "period", "value")

    def __init__(self, period_: int) -> None:
        self.period = period("EMA period", period_)
        self._k = 2.0 / (self.period + 1)
        self._count = 0
        self._seed = 0.0
        self.value = _NAN

    def update(self, x: float) -> float:
        """Add a value; return the average (NaN during warm-up)."""
        count = self._count + 1
        self._count = count
        if count > self.period:
            prev = self.value
            self.value = (x - prev) * self._k + prev
        elif count == self.period:
            self.value = (self._seed + x) / count
        else:
            self._seed += x
        return self.value

    @property
    def ready(self) -> bool:
        """True once ``period`` values have been seen."""
        return self._count >= self.period


class WMA:
    """Linearly weighted moving average (the newest value weighs ``n``, the oldest 1).

    The plain and weighted window sums move in O(1) and are rebuilt every 1,024 updates.
    """

    __slots__ = ("_buf", "_count", "_divider", "_i", "_plain", "_weighted", "period", "value")

    def __init__(self, period_: int) -> None:
        self.period = period("WMA period", period_)
        self._buf = [0.0] * self.period
        self._i = 0
        self._count = 0
        self._plain = 0.0
        self._weighted = 0.0
        self._divider = self.period * (self.period + 1) / 2.0
        self.value = _NAN

    def update(self, x: float) -> float:
        """Add a value; return the average (NaN during warm-up)."""
        n = self.period
        count = self._count + 1
        self._count = count
        buf = self._buf
        i = self._i
        if count <= n:
            self._plain += x
            self._weighted += x * count
        else:
            self._weighted += n * x - self._plain
            self._plain += x - buf[i]
        buf[i] = x
        i += 1
        self._i = 0 if i == n else i
        if count >= n:
            if count & 1023 == 0:
                start = self._i  # the oldest value
                ordered = buf[start:] + buf[:start]
                self._plain = math.fsum(ordered)
                self._weighted = math.fsum(v * (j + 1) for j, v in enumerate(ordered))
            self.value = self._weighted / self._divider
        return self.value

    @property
    def ready(self) -> bool:
        """True once ``period`` values have been seen."""
        return self._count >= self.period


__all__ = ["EMA", "SMA", "WMA"]
