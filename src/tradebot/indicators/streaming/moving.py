"""Moving averages one value at a time: simple, exponential and linearly weighted."""

from __future__ import annotations

import math

from tradebot.indicators.streaming._checks import NAN, RESUM_MASK, check_period, not_finite


class SMA:
    """Simple moving average over ``period`` values (TA-Lib ``SMA``); first value at the
    ``period``-th update.

    A ring buffer and a running sum keep each update O(1). The sum is slid as TA-Lib slides it
    (add the newest, divide, drop the oldest), so a window of one value is that value exactly,
    and it is rebuilt exactly with ``math.fsum`` every 1,024 updates so that a million updates
    do not drift from a fresh sum.
    """

    __slots__ = ("_buf", "_count", "_i", "_sum", "period", "value")

    def __init__(self, period: int) -> None:
        self.period = check_period("SMA period", period)
        self._buf = [0.0] * self.period
        self._i = 0
        self._count = 0
        self._sum = 0.0  # of the window's newest period − 1 values
        self.value = NAN

    def update(self, x: float) -> float:
        """Add a value; return the average (NaN during warm-up)."""
        if x - x != 0.0:
            raise not_finite("SMA", x=x)
        buf = self._buf
        i = self._i
        buf[i] = x
        i += 1
        if i == self.period:
            i = 0
        self._i = i
        total = self._sum + x
        count = self._count + 1
        self._count = count
        if count >= self.period:
            if count & RESUM_MASK == 0:
                total = math.fsum(buf)
            self.value = total / self.period
        self._sum = total - buf[i]  # buf[i] is now the oldest value (0.0 in the warm-up)
        return self.value

    @property
    def ready(self) -> bool:
        """True once ``period`` values have been seen."""
        return self._count >= self.period


class EMA:
    """Exponential moving average, α = 2/(n+1), seeded with the SMA of the first ``n`` values
    (TA-Lib ``EMA``); first value at the ``n``-th update.

    The recursion has TA-Lib's form, ``(x − prev)·α + prev``: MACD subtracts two EMAs, where a
    different rounding would show first.
    """

    __slots__ = ("_count", "_k", "_seed", "period", "value")

    def __init__(self, period: int) -> None:
        self.period = check_period("EMA period", period)
        self._k = 2.0 / (self.period + 1)
        self._count = 0
        self._seed = 0.0
        self.value = NAN

    def update(self, x: float) -> float:
        """Add a value; return the average (NaN during warm-up)."""
        if x - x != 0.0:
            raise not_finite("EMA", x=x)
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
    """Linearly weighted moving average (TA-Lib ``WMA``): the newest value weighs ``n``, the
    oldest 1; first value at the ``n``-th update.

    The plain and weighted window sums move in O(1) and are rebuilt exactly every 1,024
    updates.
    """

    __slots__ = ("_buf", "_count", "_divider", "_i", "_plain", "_weighted", "period", "value")

    def __init__(self, period: int) -> None:
        self.period = check_period("WMA period", period)
        self._buf = [0.0] * self.period
        self._i = 0
        self._count = 0
        self._plain = 0.0
        self._weighted = 0.0
        self._divider = self.period * (self.period + 1) / 2.0
        self.value = NAN

    def update(self, x: float) -> float:
        """Add a value; return the average (NaN during warm-up)."""
        if x - x != 0.0:
            raise not_finite("WMA", x=x)
        n = self.period
        count = self._count + 1
        self._count = count
        buf = self._buf
        i = self._i
        if count <= n:
            self._plain += x
            self._weighted += x * count
        else:
            # Dropping the whole plain sum lowers every weight by one (the oldest value's to
            # 0); the newest value then enters at weight n.
            self._weighted += n * x - self._plain
            self._plain += x - buf[i]
        buf[i] = x
        i += 1
        self._i = 0 if i == n else i
        if count >= n:
            if count & RESUM_MASK == 0:
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
