"""Trend one bar at a time: ADX with +DI/−DI, SuperTrend and Ichimoku."""

from __future__ import annotations

from collections import deque

from tradebot.indicators.streaming._checks import (
    NAN,
    check_multiplier,
    check_period,
    not_finite,
)
from tradebot.indicators.streaming.rolling import RollingMax, RollingMin
from tradebot.indicators.streaming.volatility import ATR


class ADX:
    """Average directional index with +DI and −DI (TA-Lib ``ADX``, ``PLUS_DI``, ``MINUS_DI``).

    +DI/−DI have values from the ``period + 1``-th bar, the ADX from the ``2·period``-th. The
    directional movements and true ranges are Wilder sums as TA-Lib keeps them
    (``s − s/n + new``), seeded with the plain sums of the first ``period − 1``; the ADX is the
    mean of the first ``period`` DX values, then Wilder-smoothed. The zero tests are exact, as
    in the TA-Lib the tests compare with (0.8): a fixed band would call every bar of an
    instrument quoted far below 1 directionless. A bar whose DX is undefined (no directional
    movement in the sums) leaves the ADX where it was. With period 1 the DIs stay on the 0–100
    scale; TA-Lib's ``PLUS_DI``/``MINUS_DI`` give the bare 0–1 ratio for that period alone.
    """

    __slots__ = (
        "_count",
        "_prev_close",
        "_prev_high",
        "_prev_low",
        "_s_minus",
        "_s_plus",
        "_s_tr",
        "_sum_dx",
        "minus_di",
        "period",
        "plus_di",
        "value",
    )

    def __init__(self, period: int = 14) -> None:
        self.period = check_period("ADX period", period)
        self._prev_high = self._prev_low = self._prev_close = NAN
        self._count = 0
        self._s_plus = self._s_minus = self._s_tr = 0.0
        self._sum_dx = 0.0
        self.plus_di = self.minus_di = self.value = NAN

    def update(self, high: float, low: float, close: float) -> float:
        """Add a bar; return the ADX (NaN during warm-up); +DI/−DI are left as attributes."""
        if (high - high) + (low - low) + (close - close) != 0.0:
            raise not_finite("ADX", high=high, low=low, close=close)
        prev_high, prev_low, prev_close = self._prev_high, self._prev_low, self._prev_close
        self._prev_high, self._prev_low, self._prev_close = high, low, close
        if prev_close != prev_close:  # the first bar: no movement yet
            return self.value
        up = high - prev_high
        down = prev_low - low
        plus = up if up > 0.0 and up > down else 0.0
        minus = down if down > 0.0 and down > up else 0.0
        tr = high - low
        a = high - prev_close if high > prev_close else prev_close - high
        b = low - prev_close if low > prev_close else prev_close - low
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
        dx = NAN
        if s_tr != 0.0:
            plus_di = self.plus_di = 100.0 * (s_plus / s_tr)
            minus_di = self.minus_di = 100.0 * (s_minus / s_tr)
            total = plus_di + minus_di
            if total != 0.0:
                dx = 100.0 * (abs(minus_di - plus_di) / total)
        else:
            self.plus_di = self.minus_di = 0.0
        last = 2 * n - 1
        if count < last:
            if dx == dx:
                self._sum_dx += dx
        elif count == last:
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
    """SuperTrend: trailing bands hl2 ± ``mult`` × ATR(n) that flip with the close; ``line`` and
    ``direction`` have values from the ``n + 1``-th bar.

    ``direction`` is +1.0 in an up trend (the line is the lower band, a support) and −1.0 in a
    down trend (the upper band, a resistance). A band only tightens until the previous close
    crosses it; the trend flips when the close crosses the band it rides on, and on that bar
    the line jumps to the other band, which need not be on the close's proper side yet.
    """

    __slots__ = ("_atr", "_lower", "_prev_close", "_upper", "direction", "line", "mult", "period")

    def __init__(self, period: int = 10, mult: float = 3.0) -> None:
        self.period = check_period("SuperTrend period", period)
        self.mult = check_multiplier("SuperTrend mult", mult, zero_ok=False)
        self._atr = ATR(self.period)
        self._upper = self._lower = 0.0
        self._prev_close = NAN
        self.line = self.direction = NAN

    def update(self, high: float, low: float, close: float) -> tuple[float, float]:
        """Add a bar; return (line, direction)."""
        if (high - high) + (low - low) + (close - close) != 0.0:
            raise not_finite("SuperTrend", high=high, low=low, close=close)
        atr = self._atr.update(high, low, close)
        prev_close = self._prev_close
        self._prev_close = close
        if atr != atr:
            return self.line, self.direction
        mid = (high + low) / 2.0
        width = self.mult * atr
        basic_upper = mid + width
        basic_lower = mid - width
        trend = self.direction
        if trend != trend:  # the first bar with an ATR
            upper, lower = basic_upper, basic_lower
            trend = 1.0 if close >= mid else -1.0
        else:
            upper, lower = self._upper, self._lower
            if basic_upper < upper or prev_close > upper:
                upper = basic_upper
            if basic_lower > lower or prev_close < lower:
                lower = basic_lower
            if trend > 0.0:
                trend = -1.0 if close < lower else 1.0
            else:
                trend = 1.0 if close > upper else -1.0
        self._upper, self._lower = upper, lower
        self.direction = trend
        self.line = lower if trend > 0.0 else upper
        return self.line, self.direction

    @property
    def ready(self) -> bool:
        """True once the line has a value."""
        return self.line == self.line


class Ichimoku:
    """Ichimoku lines, each as known at its own bar (no look-ahead).

    ``tenkan``/``kijun`` are midprices, (highest high + lowest low)/2, over their periods.
    ``span_a``/``span_b`` are the cloud drawn at this bar, computed ``kijun`` bars ago (the
    mean of tenkan and kijun then, and the midprice over ``senkou`` bars ending then).
    ``chikou`` is the close ``kijun`` bars ago: the price the lagging line is compared with
    (bullish when close > chikou). The chart habit of plotting today's close ``kijun`` bars
    back, ``chikou[i] = close[i + kijun]``, needs future closes and is deliberately not offered.
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
        self.tenkan_period = check_period("Ichimoku tenkan", tenkan)
        self.kijun_period = check_period("Ichimoku kijun", kijun)
        self.senkou_period = check_period("Ichimoku senkou", senkou)
        self._t_high, self._t_low = RollingMax(self.tenkan_period), RollingMin(self.tenkan_period)
        self._k_high, self._k_low = RollingMax(self.kijun_period), RollingMin(self.kijun_period)
        self._s_high, self._s_low = RollingMax(self.senkou_period), RollingMin(self.senkou_period)
        # (span_a, span_b, close) of the last kijun + 1 bars: the oldest is this bar's cloud.
        self._delay: deque[tuple[float, float, float]] = deque(maxlen=self.kijun_period + 1)
        self.tenkan = self.kijun = self.span_a = self.span_b = self.chikou = NAN

    def update(
        self, high: float, low: float, close: float
    ) -> tuple[float, float, float, float, float]:
        """Add a bar; return (tenkan, kijun, span_a, span_b, chikou)."""
        if (high - high) + (low - low) + (close - close) != 0.0:
            raise not_finite("Ichimoku", high=high, low=low, close=close)
        tenkan = (self._t_high.update(high) + self._t_low.update(low)) / 2.0
        kijun = (self._k_high.update(high) + self._k_low.update(low)) / 2.0
        senkou = (self._s_high.update(high) + self._s_low.update(low)) / 2.0
        self.tenkan, self.kijun = tenkan, kijun
        delay = self._delay
        delay.append(((tenkan + kijun) / 2.0, senkou, close))
        if len(delay) > self.kijun_period:
            self.span_a, self.span_b, self.chikou = delay[0]
        return self.tenkan, self.kijun, self.span_a, self.span_b, self.chikou

    @property
    def ready(self) -> bool:
        """True once every line has a value."""
        return self.span_a == self.span_a and self.span_b == self.span_b


__all__ = ["ADX", "Ichimoku", "SuperTrend"]
