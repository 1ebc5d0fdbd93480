"""Oscillators one bar at a time: RSI, IMI, MACD, fast stochastic, CCI, Williams %R, MFI.

Definitions and warm-ups are TA-Lib's; the tests compare every output with TA-Lib.
"""

from __future__ import annotations

import math
from collections import deque

from tradebot.indicators.streaming._checks import NAN as _NAN
from tradebot.indicators.streaming._checks import period
from tradebot.indicators.streaming.moving import EMA, SMA
from tradebot.indicators.streaming.rolling import RollingMax, RollingMin


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

    @property
    def ready(self) -> bool:
        """True once ``period`` changes have been seen."""
        return self._count >= self.period


class IMI:
    """Intraday momentum index: up-body share of the last ``n`` candle bodies, in [0, 100]."""

    __slots__ = ("_count", "_down", "_downs", "_up", "_ups", "period", "value")

    def __init__(self, period_: int = 14) -> None:
        self.period = period("IMI period", period_)
        self._ups: deque[float] = deque()
        self._downs: deque[float] = deque()
        self._up = 0.0
        self._down = 0.0
        self._count = 0
        self.value = _NAN

    def update(self, open_: float, close: float) -> float:
        """Add a candle; return the IMI (NaN during warm-up)."""
        body = close - open_
        up = body if body > 0 else 0.0
        down = -body if body < 0 else 0.0
        ups, downs = self._ups, self._downs
        ups.append(up)
        downs.append(down)
        self._up += up
        self._down += down
        if len(ups) > self.period:
            self._up -= ups.popleft()
            self._down -= downs.popleft()
        self._count += 1
        if self._count >= self.period:
            if self._count & 1023 == 0:
                self._up = math.fsum(ups)
                self._down = math.fsum(downs)
            total = self._up + self._down
            self.value = 100.0 * (self._up / total) if total != 0.0 else 0.0
        return self.value

    @property
    def ready(self) -> bool:
        """True once ``period`` candles have been seen."""
        return self._count >= self.period


class MACD:
    """MACD line, signal and histogram; NaN until ``slow + signal − 1`` values have been seen.

    As in TA-Lib, the fast EMA starts ``slow − fast`` values late so that both averages are
    seeded over windows ending at the same bar.
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
        fast = period("MACD fast", fast, 2)
        slow = period("MACD slow", slow, 2)
        if fast > slow:
            fast, slow = slow, fast
        self.fast_period, self.slow_period = fast, slow
        self.signal_period = period("MACD signal", signal)
        self._fast = EMA(fast)
        self._slow = EMA(slow)
        self._signal = EMA(self.signal_period)
        self._count = 0
        self.macd = self.signal = self.hist = _NAN

    def update(self, close: float) -> tuple[float, float, float]:
        """Add a close; return (macd, signal, histogram)."""
        count = self._count
        self._count = count + 1
        slow = self._slow.update(close)
        if count >= self.slow_period - self.fast_period:
            fast = self._fast.update(close)
            if slow == slow:
                line = fast - slow
                sig = self._signal.update(line)
                if sig == sig:
                    self.macd = line
                    self.signal = sig
                    self.hist = line - sig
        return self.macd, self.signal, self.hist

    @property
    def ready(self) -> bool:
        """True once the signal line has a value."""
        return self.signal == self.signal


class Stochastic:
    """Fast stochastic (TA-Lib STOCHF): %K over ``k`` bars and %D, its SMA over ``d``.

    Both are NaN until ``k + d − 1`` bars have been seen, as in TA-Lib.
    """

    __slots__ = ("_count", "_high", "_low", "_sma", "d", "d_period", "k", "k_period")

    def __init__(self, k: int = 14, d: int = 3) -> None:
        self.k_period = period("Stochastic k", k)
        self.d_period = period("Stochastic d", d)
        self._high = RollingMax(self.k_period)
        self._low = RollingMin(self.k_period)
        self._sma = SMA(self.d_period)
        self._count = 0
        self.k = self.d = _NAN

    def update(self, high: float, low: float, close: float) -> tuple[float, float]:
        """Add a bar; return (%K, %D)."""
        hh = self._high.update(high)
        ll = self._low.update(low)
        self._count += 1
        if self._count >= self.k_period:
            diff = (hh - ll) / 100.0
            raw = (close - ll) / diff if diff != 0.0 else 0.0
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
    """Commodity channel index over the typical price.

    The mean absolute deviation needs the whole window, so an update costs O(n) — by the
    indicator's definition, not by choice.
    """

    __slots__ = ("_window", "period", "value")

    def __init__(self, period_: int = 14) -> None:
        self.period = period("CCI period", period_)
        self._window: deque[float] = deque(maxlen=self.period)
        self.value = _NAN

    def update(self, high: float, low: float, close: float) -> float:
        """Add a bar; return the CCI (NaN during warm-up)."""
        tp = (high + low + close) / 3.0
        window = self._window
        window.append(tp)
        n = self.period
        if len(window) == n:
            total = 0.0
            for v in window:
                total += v
            mean = total / n
            dev = 0.0
            for v in window:
                dev += abs(v - mean)
            dev /= n
            diff = tp - mean
            self.value = diff / (0.015 * dev) if diff != 0.0 and dev != 0.0 else 0.0
        return self.value

    @property
    def ready(self) -> bool:
        """True once ``period`` bars have been seen."""
        return len(self._window) == self.period


class WilliamsR:
    """Williams %R over ``n`` bars, in [−100, 0]."""

    __slots__ = ("_high", "_low", "period", "value")

    def __init__(self, period_: int = 14) -> None:
        self.period = period("WilliamsR period", period_)
        self._high = RollingMax(self.period)
        self._low = RollingMin(self.period)
        self.value = _NAN

    def update(self, high: float, low: float, close: float) -> float:
        """Add a bar; return %R (NaN during warm-up)."""
        hh = self._high.update(high)
        ll = self._low.update(low)
        if hh == hh:
            diff = (hh - ll) / -100.0
            self.value = (hh - close) / diff if diff != 0.0 else 0.0
        return self.value

    @property
    def ready(self) -> bool:
        """True once ``period`` bars have been seen."""
        return self._high.ready


class MFI:
    """Money flow index over ``n`` bars, in [0, 100] (0 while the window's flow is below 1, as
    TA-Lib)."""

    __slots__ = (
        "_count",
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

    def __init__(self, period_: int = 14) -> None:
        self.period = period("MFI period", period_)
        self._pos: deque[float] = deque()
        self._neg: deque[float] = deque()
        self._pos_sum = 0.0
        self._neg_sum = 0.0
        self._pos_count = 0
        self._neg_count = 0
        self._prev_tp = _NAN
        self._count = 0
        self.value = _NAN

    def update(self, high: float, low: float, close: float, volume: float) -> float:
        """Add a bar; return the MFI (NaN during warm-up)."""
        tp = (high + low + close) / 3.0
        prev = self._prev_tp
        self._prev_tp = tp
        if prev != prev:
            return self.value
        change = tp - prev
        pos = neg = 0.0
        # A change within rounding of the two prices is no change (TA-Lib's dead zone).
        if abs(change) > 1e-14 * (abs(tp) + abs(prev)):
            if change > 0:
                pos = tp * volume
            else:
                neg = tp * volume
        self._pos.append(pos)
        self._neg.append(neg)
        self._pos_count += pos != 0.0
        self._neg_count += neg != 0.0
        if len(self._pos) > self.period:
            old_pos = self._pos.popleft()
            old_neg = self._neg.popleft()
            self._pos_sum -= old_pos
            self._neg_sum -= old_neg
            self._pos_count -= old_pos != 0.0
            self._neg_count -= old_neg != 0.0
        self._pos_sum += pos
        self._neg_sum += neg
        # A window without inflow (or outflow) sums to exactly 0, not to sliding-sum rounding.
        if not self._pos_count:
            self._pos_sum = 0.0
        if not self._neg_count:
            self._neg_sum = 0.0
        self._count += 1
        if self._count >= self.period:
            total = self._pos_sum + self._neg_sum
            self.value = 100.0 * (self._pos_sum / total) if total >= 1.0 else 0.0
        return self.value

    @property
    def ready(self) -> bool:
        """True once ``period`` money flows have been seen."""
        return self._count >= self.period


__all__ = ["CCI", "IMI", "MACD", "MFI", "RSI", "Stochastic", "WilliamsR"]
