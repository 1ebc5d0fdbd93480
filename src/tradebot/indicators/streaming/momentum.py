"""Oscillators one bar at a time: RSI, IMI, MACD, fast stochastic, CCI, Williams %R, MFI.

Definitions, seeding and warm-ups are TA-Lib's; the tests compare every output with TA-Lib.
"""

from __future__ import annotations

import math

from tradebot.indicators.streaming._checks import NAN, RESUM_MASK, check_period, not_finite
from tradebot.indicators.streaming.moving import EMA, SMA
from tradebot.indicators.streaming.rolling import RollingMax, RollingMin

FLAT = 1e-14
"""A difference of prices within this fraction of their size is rounding, not a move (as in
the TA-Lib the tests compare with, 0.8): relative, so that instruments quoted far below 1
still move."""


class RSI:
    """Wilder's relative strength index (TA-Lib ``RSI``), in [0, 100]; first value at the
    ``period + 1``-th close.

    Seeded with the plain mean gain and loss of the first ``period`` changes, then smoothed as
    TA-Lib does, ``(avg·(n − 1) + change) / n``; 0 while nothing has moved.
    """

    __slots__ = ("_avg_gain", "_avg_loss", "_count", "_prev", "period", "value")

    def __init__(self, period: int = 14) -> None:
        self.period = check_period("RSI period", period)
        self._prev = NAN
        self._avg_gain = 0.0
        self._avg_loss = 0.0
        self._count = 0
        self.value = NAN

    def update(self, x: float) -> float:
        """Add a close; return the RSI (NaN during warm-up)."""
        if x - x != 0.0:
            raise not_finite("RSI", x=x)
        prev = self._prev
        self._prev = x
        if prev != prev:  # the first close: no change yet
            return self.value
        change = x - prev
        n = self.period
        count = self._count + 1
        self._count = count
        gain = self._avg_gain
        loss = self._avg_loss
        if count > n:
            gain *= n - 1
            loss *= n - 1
            if change < 0:
                loss -= change
            else:
                gain += change
            gain /= n
            loss /= n
        else:  # warm-up: plain sums, divided once the n-th change is in
            if change < 0:
                loss -= change
            else:
                gain += change
            if count < n:
                self._avg_gain, self._avg_loss = gain, loss
                return self.value
            gain /= n
            loss /= n
        self._avg_gain, self._avg_loss = gain, loss
        total = gain + loss
        self.value = 100.0 * (gain / total) if total != 0.0 else 0.0
        return self.value

    @property
    def ready(self) -> bool:
        """True once ``period`` changes have been seen."""
        return self._count >= self.period


class IMI:
    """Intraday momentum index (TA-Lib ``IMI``): the up-closing share of the last ``period``
    candle bodies, in [0, 100]; 50 for a window of doji. First value at the ``period``-th bar.

    The up and down body sums slide in O(1); counting the bodies on each side makes a side
    with none exactly 0, and both sums are rebuilt exactly every 1,024 bars.
    """

    __slots__ = ("_bodies", "_count", "_down", "_downs", "_i", "_up", "_ups", "period", "value")

    def __init__(self, period: int = 14) -> None:
        self.period = check_period("IMI period", period)
        self._bodies = [0.0] * self.period
        self._i = 0
        self._up = 0.0
        self._down = 0.0
        self._ups = 0
        self._downs = 0
        self._count = 0
        self.value = NAN

    def update(self, open_: float, close: float) -> float:
        """Add a candle; return the IMI (NaN during warm-up)."""
        body = close - open_
        if body - body != 0.0:
            raise not_finite("IMI", open=open_, close=close)
        bodies = self._bodies
        i = self._i
        old = bodies[i]
        bodies[i] = body
        i += 1
        self._i = 0 if i == self.period else i
        if old > 0.0:
            self._up -= old
            self._ups -= 1
        elif old < 0.0:
            self._down += old
            self._downs -= 1
        if body > 0.0:
            self._up += body
            self._ups += 1
        elif body < 0.0:
            self._down -= body
            self._downs += 1
        if not self._ups:
            self._up = 0.0
        if not self._downs:
            self._down = 0.0
        count = self._count + 1
        self._count = count
        if count >= self.period:
            if count & RESUM_MASK == 0:
                self._up = math.fsum(b for b in bodies if b > 0.0)
                self._down = -math.fsum(b for b in bodies if b < 0.0)
            total = self._up + self._down
            self.value = 100.0 * (self._up / total) if total != 0.0 else 50.0
        return self.value

    @property
    def ready(self) -> bool:
        """True once ``period`` candles have been seen."""
        return self._count >= self.period


class MACD:
    """MACD line, signal and histogram (TA-Lib ``MACD``); all NaN until ``slow + signal − 1``
    closes have been seen.

    As in TA-Lib, the fast EMA starts ``slow − fast`` closes late, so that both averages are
    seeded over windows ending at the same close, and the signal EMA is seeded with the mean of
    the first ``signal`` MACD values. Periods as TA-Lib takes them: the EMAs need at least 2,
    and a ``fast`` longer than ``slow`` is swapped.
    """

    __slots__ = (
        "_count",
        "_fast",
        "_signal",
        "_slow",
        "fast_period",
        "hist",
        "macd",
        "signal",
        "signal_period",
        "slow_period",
    )

    def __init__(self, fast: int = 12, slow: int = 26, signal: int = 9) -> None:
        fast = check_period("MACD fast", fast, 2)
        slow = check_period("MACD slow", slow, 2)
        if fast > slow:
            fast, slow = slow, fast
        self.fast_period, self.slow_period = fast, slow
        self.signal_period = check_period("MACD signal", signal)
        self._fast = EMA(fast)
        self._slow = EMA(slow)
        self._signal = EMA(self.signal_period)
        self._count = 0
        self.macd = self.signal = self.hist = NAN

    def update(self, close: float) -> tuple[float, float, float]:
        """Add a close; return (macd, signal, histogram)."""
        if close - close != 0.0:
            raise not_finite("MACD", close=close)
        count = self._count
        self._count = count + 1
        slow = self._slow.update(close)
        if count >= self.slow_period - self.fast_period:
            fast = self._fast.update(close)
            if slow == slow:
                line = fast - slow
                signal = self._signal.update(line)
                if signal == signal:
                    self.macd = line
                    self.signal = signal
                    self.hist = line - signal
        return self.macd, self.signal, self.hist

    @property
    def ready(self) -> bool:
        """True once the signal line has a value."""
        return self.signal == self.signal


class Stochastic:
    """Fast stochastic (TA-Lib ``STOCHF``, SMA %D): %K = where the close sits in the range of
    the last ``k`` bars, 0–100 (0 for a flat range), and %D its SMA over ``d``.

    Both are NaN until ``k + d − 1`` bars have been seen, where the first %D exists (TA-Lib
    does not show the earlier %K values either).
    """

    __slots__ = ("_count", "_high", "_low", "_sma", "d", "d_period", "k", "k_period")

    def __init__(self, k: int = 14, d: int = 3) -> None:
        self.k_period = check_period("Stochastic k", k)
        self.d_period = check_period("Stochastic d", d)
        self._high = RollingMax(self.k_period)
        self._low = RollingMin(self.k_period)
        self._sma = SMA(self.d_period)
        self._count = 0
        self.k = self.d = NAN

    def update(self, high: float, low: float, close: float) -> tuple[float, float]:
        """Add a bar; return (%K, %D)."""
        if (high - high) + (low - low) + (close - close) != 0.0:
            raise not_finite("Stochastic", high=high, low=low, close=close)
        highest = self._high.update(high)
        lowest = self._low.update(low)
        self._count += 1
        if self._count >= self.k_period:
            span = highest - lowest
            flat = abs(span) <= FLAT * (abs(highest) + abs(lowest))
            raw = 0.0 if flat else ((close - lowest) / span) * 100.0
            d = self._sma.update(raw)
            if d == d:
                self.k = raw
                self.d = d
        return self.k, self.d

    @property
    def ready(self) -> bool:
        """True once %D has a value."""
        return self.d == self.d


class CCI:
    """Commodity channel index of the typical price (TA-Lib ``CCI``); first value at the
    ``period``-th bar.

    The mean absolute deviation needs the whole window, so an update costs O(n) by the
    indicator's definition. Bar b sits in ring slot b mod n and the mean is summed in slot
    order, as TA-Lib does: near tp = mean the numerator is a difference of nearly equal
    numbers, and only the same rounding of the mean gives TA-Lib's value (being recomputed
    every bar, it cannot drift). A numerator or deviation within rounding of the mean's size
    means a flat window, and gives 0.
    """

    __slots__ = ("_count", "_i", "_ring", "period", "value")

    def __init__(self, period: int = 14) -> None:
        self.period = check_period("CCI period", period)
        self._ring = [0.0] * self.period
        self._i = 0
        self._count = 0
        self.value = NAN

    def update(self, high: float, low: float, close: float) -> float:
        """Add a bar; return the CCI (NaN during warm-up)."""
        tp = (high + low + close) / 3.0
        if tp - tp != 0.0:
            raise not_finite("CCI", high=high, low=low, close=close)
        n = self.period
        ring = self._ring
        i = self._i
        ring[i] = tp
        self._i = 0 if i + 1 == n else i + 1
        self._count += 1
        if self._count >= n:
            total = 0.0
            for v in ring:
                total += v
            mean = total / n
            deviation = 0.0
            for v in ring:
                deviation += abs(v - mean)
            deviation /= n
            diff = tp - mean
            scale = FLAT * abs(mean)
            flat = abs(diff) <= scale or deviation <= scale
            self.value = 0.0 if flat else diff / (0.015 * deviation)
        return self.value

    @property
    def ready(self) -> bool:
        """True once ``period`` bars have been seen."""
        return self._count >= self.period


class WilliamsR:
    """Williams %R over ``period`` bars (TA-Lib ``WILLR``), in [−100, 0]; 0 for a flat range.
    First value at the ``period``-th bar."""

    __slots__ = ("_high", "_low", "period", "value")

    def __init__(self, period: int = 14) -> None:
        self.period = check_period("WilliamsR period", period)
        self._high = RollingMax(self.period)
        self._low = RollingMin(self.period)
        self.value = NAN

    def update(self, high: float, low: float, close: float) -> float:
        """Add a bar; return %R (NaN during warm-up)."""
        if (high - high) + (low - low) + (close - close) != 0.0:
            raise not_finite("WilliamsR", high=high, low=low, close=close)
        highest = self._high.update(high)
        lowest = self._low.update(low)
        if highest == highest:
            span = highest - lowest
            flat = abs(span) <= FLAT * (abs(highest) + abs(lowest))
            self.value = 0.0 if flat else ((highest - close) / span) * -100.0
        return self.value

    @property
    def ready(self) -> bool:
        """True once ``period`` bars have been seen."""
        return self._high.ready


class MFI:
    """Money flow index over ``period`` typical-price changes (TA-Lib ``MFI``), in [0, 100];
    first value at the ``period + 1``-th bar.

    A change within rounding of the two prices is no move and carries no flow (as TA-Lib). The
    inflow and outflow sums slide in O(1); counting the flows on each side makes a side with
    none exactly 0 (TA-Lib's sliding sums leave ~1e-14 there), both sums are rebuilt exactly
    every 1,024 bars, and a window without any flow reads 0.
    """

    __slots__ = (
        "_count",
        "_i",
        "_neg",
        "_neg_count",
        "_neg_sum",
        "_pos",
        "_pos_count",
        "_pos_sum",
        "_prev_tp",
        "period",
        "value",
    )

    def __init__(self, period: int = 14) -> None:
        self.period = check_period("MFI period", period)
        self._pos = [0.0] * self.period
        self._neg = [0.0] * self.period
        self._i = 0
        self._pos_sum = 0.0
        self._neg_sum = 0.0
        self._pos_count = 0
        self._neg_count = 0
        self._prev_tp = NAN
        self._count = 0
        self.value = NAN

    def update(self, high: float, low: float, close: float, volume: float) -> float:
        """Add a bar; return the MFI (NaN during warm-up)."""
        tp = (high + low + close) / 3.0
        flow = tp * volume
        if flow - flow != 0.0:
            raise not_finite("MFI", high=high, low=low, close=close, volume=volume)
        prev = self._prev_tp
        self._prev_tp = tp
        if prev != prev:  # the first bar: no change yet
            return self.value
        change = tp - prev
        if abs(change) <= FLAT * (abs(tp) + abs(prev)):
            flow = 0.0
        pos = 0.0 if change < 0.0 else flow
        neg = flow if change < 0.0 else 0.0
        i = self._i
        old_pos = self._pos[i]
        old_neg = self._neg[i]
        self._pos[i] = pos
        self._neg[i] = neg
        self._i = 0 if i + 1 == self.period else i + 1
        self._pos_sum = self._pos_sum - old_pos + pos
        self._neg_sum = self._neg_sum - old_neg + neg
        self._pos_count += (pos != 0.0) - (old_pos != 0.0)
        self._neg_count += (neg != 0.0) - (old_neg != 0.0)
        if not self._pos_count:
            self._pos_sum = 0.0
        if not self._neg_count:
            self._neg_sum = 0.0
        count = self._count + 1
        self._count = count
        if count >= self.period:
            if count & RESUM_MASK == 0:
                self._pos_sum = math.fsum(self._pos)
                self._neg_sum = math.fsum(self._neg)
            inflow = self._pos_sum
            total = inflow + self._neg_sum
            if total > 0.0:
                inflow = min(max(inflow, 0.0), total)
                self.value = 100.0 * (inflow / total)
            else:
                self.value = 0.0
        return self.value

    @property
    def ready(self) -> bool:
        """True once ``period`` money flows have been seen."""
        return self._count >= self.period


__all__ = ["CCI", "IMI", "MACD", "MFI", "RSI", "Stochastic", "WilliamsR"]
