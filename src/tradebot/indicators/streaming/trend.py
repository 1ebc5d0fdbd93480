"""Trend one bar at a time: ADX with +DI/−DI, SuperTrend and Ichimoku."""

from __future__ import annotations

from collections import deque

from tradebot.indicators.streaming._checks import NAN as _NAN
from tradebot.indicators.streaming._checks import period, positive
from tradebot.indicators.streaming.rolling import RollingMax, RollingMin
from tradebot.indicators.streaming.volatility import ATR

_ZERO = 1e-8
"""TA-Lib treats |v| < 1e-8 as zero in the directional-movement ratios."""


class ADX:
    """Average directional index with +DI and −DI (TA-Lib ``ADX``, ``PLUS_DI``, ``MINUS_DI``).

    +DI/−DI have values after ``n + 1`` bars, ADX after ``2n`` bars.
    """

    __slots__ = (
        "_count",
        "_prev",
        "_s_minus",
        "_s_plus",
        "_s_tr",
        "_sum_dx",
        "minus_di",
        "period",
        "plus_di",
        "value",
    )

    def __init__(self, period_: int = 14) -> None:
        self.period = period("ADX period", period_)
        self._prev: tuple[float, float, float] | None = None
        self._count = 0
        self._s_plus = self._s_minus = self._s_tr = 0.0
        self._sum_dx = 0.0
        self.plus_di = self.minus_di = self.value = _NAN

    def update(self, high: float, low: float, close: float) -> float:
        """Add a bar; return the ADX (NaN during warm-up)."""
        prev = self._prev
        self._prev = (high, low, close)
        if prev is None:
            return self.value
        prev_high, prev_low, prev_close = prev
        up = high - prev_high
        down = prev_low - low
        plus = minus = 0.0
        if down > 0 and up < down:
            minus = down
        elif up > 0 and up > down:
            plus = up
        tr = high - low
        a = abs(high - prev_close)
        b = abs(low - prev_close)
        if a > tr:
            tr = a
        if b > tr:
            tr = b
        n = self.period
        count = self._count + 1
        self._count = count
        if count < n:
            self._s_plus += plus
            self._s_minus += minus
            self._s_tr += tr
            return self.value
        s_plus = self._s_plus = self._s_plus - self._s_plus / n + plus
        s_minus = self._s_minus = self._s_minus - self._s_minus / n + minus
        s_tr = self._s_tr = self._s_tr - self._s_tr / n + tr
        dx = _NAN
        if -_ZERO < s_tr < _ZERO:
            self.plus_di = self.minus_di = 0.0
        else:
            pdi = self.plus_di = 100.0 * (s_plus / s_tr)
            mdi = self.minus_di = 100.0 * (s_minus / s_tr)
            total = pdi + mdi
            if not -_ZERO < total < _ZERO:
                dx = 100.0 * (abs(mdi - pdi) / total)
        if count < 2 * n - 1:
            if dx == dx:
                self._sum_dx += dx
        elif count == 2 * n - 1:
            if dx == dx:
                self._sum_dx += dx
            self.value = self._sum_dx / n
        elif dx == dx:
            self.value = (self.value * (n - 1) + dx) / n
        return self.value

    @property
    def ready(self) -> bool:
        """True once the ADX has a value."""
        return self.value == self.value


class SuperTrend:
    """SuperTrend: a trailing band (hl2 ∓ ``mult`` × ATR) that flips with the close.

    ``direction`` is +1 while the close holds above the lower band (the line is support) and
    −1 while it stays below the upper band (the line is resistance).
    """

    __slots__ = ("_atr", "_lower", "_prev_close", "_upper", "direction", "line", "mult", "period")

    def __init__(self, period_: int = 10, mult: float = 3.0) -> None:
        self.period = period("SuperTrend period", period_)
        self.mult = positive("SuperTrend mult", mult)
        self._atr = ATR(self.period)
        self._upper = self._lower = 0.0
        self._prev_close = _NAN
        self.line = self.direction = _NAN

    def update(self, high: float, low: float, close: float) -> tuple[float, float]:
        """Add a bar; return (line, direction)."""
        width = self._atr.update(high, low, close)
        prev_close = self._prev_close
        self._prev_close = close
        if width != width:
            return self.line, self.direction
        mid = (high + low) / 2.0
        basic_upper = mid + self.mult * width
        basic_lower = mid - self.mult * width
        trend = self.direction
        if trend != trend:  # first bar with an ATR
            upper, lower = basic_upper, basic_lower
            trend = 1.0 if close >= mid else -1.0
        else:
            upper, lower = self._upper, self._lower
            if basic_upper < upper or prev_close > upper:
                upper = basic_upper
            if basic_lower > lower or prev_close < lower:
                lower = basic_lower
            if trend > 0:
                trend = -1.0 if close < lower else 1.0
            else:
                trend = 1.0 if close > upper else -1.0
        self._upper, self._lower = upper, lower
        self.direction = trend
        self.line = lower if trend > 0 else upper
        return self.line, self.direction

    @property
    def ready(self) -> bool:
        """True once the line has a value."""
        return self.line == self.line


class Ichimoku:
    """Ichimoku lines, each known at its bar (no look-ahead).

    ``span_a``/``span_b`` are the cloud drawn at this bar, computed ``kijun`` bars ago;
    ``chikou`` is the close ``kijun`` bars ago, the price the lagging line is compared with
    (bullish when close > chikou). Drawing today's close ``kijun`` bars back, as charts do,
    would need future closes and is not offered.
    """

    __slots__ = (
        "_delay",
        "_k_high",
        "_k_low",
        "_s_high",
        "_s_low",
        "_t_high",
        "_t_low",
        "chikou",
        "kijun",
        "kijun_period",
        "senkou_period",
        "span_a",
        "span_b",
        "tenkan",
        "tenkan_period",
    )

    def __init__(self, tenkan: int = 9, kijun: int = 26, senkou: int = 52) -> None:
        self.tenkan_period = period("Ichimoku tenkan", tenkan)
        self.kijun_period = period("Ichimoku kijun", kijun)
        self.senkou_period = period("Ichimoku senkou", senkou)
        self._t_high, self._t_low = RollingMax(tenkan), RollingMin(tenkan)
        self._k_high, self._k_low = RollingMax(kijun), RollingMin(kijun)
        self._s_high, self._s_low = RollingMax(senkou), RollingMin(senkou)
        self._delay: deque[tuple[float, float, float]] = deque(maxlen=kijun + 1)
        self.tenkan = self.kijun = self.span_a = self.span_b = self.chikou = _NAN

    def update(
        self, high: float, low: float, close: float
    ) -> tuple[float, float, float, float, float]:
        """Add a bar; return (tenkan, kijun, span_a, span_b, chikou)."""
        tenkan = (self._t_high.update(high) + self._t_low.update(low)) / 2.0
        kijun = (self._k_high.update(high) + self._k_low.update(low)) / 2.0
        span_b_now = (self._s_high.update(high) + self._s_low.update(low)) / 2.0
        self.tenkan, self.kijun = tenkan, kijun
        delay = self._delay
        delay.append(((tenkan + kijun) / 2.0, span_b_now, close))
        if len(delay) > self.kijun_period:
            self.span_a, self.span_b, self.chikou = delay[0]
        return self.tenkan, self.kijun, self.span_a, self.span_b, self.chikou

    @property
    def ready(self) -> bool:
        """True once every line has a value."""
        return self.span_b == self.span_b and self.span_a == self.span_a


__all__ = ["ADX", "Ichimoku", "SuperTrend"]
