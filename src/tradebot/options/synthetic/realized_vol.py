"""Realised volatility of an underlying from its bars, streaming and O(1) per bar.

The synthetic option market needs a volatility at every bar of a backtest that may run over
tens of thousands of bars, so the estimate is kept as running sums over a fixed window of log
returns instead of being recomputed from the history each time.
"""

from __future__ import annotations

import math
from collections import deque

from tradebot.options.pricing.time import NS_PER_YEAR

_TIMEFRAME_UNITS_NS = {
    "s": 1_000_000_000,
    "m": 60 * 1_000_000_000,
    "h": 3_600 * 1_000_000_000,
    "d": 86_400 * 1_000_000_000,
    "w": 7 * 86_400 * 1_000_000_000,
}


def timeframe_ns(timeframe: str) -> int | None:
    """Nanoseconds in a bar timeframe like ``"4h"``, ``"1m"``, ``"1d"`` (None if unknown).

    Annualising needs the bar length; the bar's own timeframe tells it without guessing it
    from timestamps (which a gap in the data would fool).
    """
    text = timeframe.strip()
    if len(text) < 2 or text[-1] not in _TIMEFRAME_UNITS_NS or not text[:-1].isdigit():
        return None
    count = int(text[:-1])
    return count * _TIMEFRAME_UNITS_NS[text[-1]] if count > 0 else None


class RealizedVol:
    """Annualised standard deviation of close-to-close log returns over a rolling window.

    The sample standard deviation (``ddof=1``) of the last ``window`` log returns, scaled by
    ``sqrt(bars per ACT/365 year)``. Crypto trades every hour of the year, so the bar count
    per year is ``365 days / bar length`` with no trading-day calendar.

    Parameters
    ----------
    window : int
        Number of log returns in the estimate (default 180: 30 days of 4h bars).
    min_returns : int
        Returns needed before :attr:`value` is finite (default 20); earlier estimates are
        too noisy to price options with.
    bar_ns : int | None
        Bar length in nanoseconds; None takes it from the first bar's ``ts_event - ts_open``
        or, failing that, its timeframe string.
    """

    __slots__ = ("_bar_ns", "_last", "_min", "_returns", "_sum", "_sum_sq", "_window")

    def __init__(self, window: int = 180, min_returns: int = 20, bar_ns: int | None = None):
        if window < 2:
            raise ValueError(f"window must be at least 2 returns, got {window}")
        if not 2 <= min_returns <= window:
            raise ValueError(f"min_returns must be in [2, window={window}], got {min_returns}")
        if bar_ns is not None and bar_ns <= 0:
            raise ValueError(f"bar_ns must be positive, got {bar_ns}")
        self._window = window
        self._min = min_returns
        self._bar_ns = bar_ns
        self._returns: deque[float] = deque()
        self._sum = 0.0
        self._sum_sq = 0.0
        self._last = math.nan

    @property
    def bar_ns(self) -> int | None:
        """Bar length used to annualise (None until known)."""
        return self._bar_ns

    @property
    def count(self) -> int:
        """Log returns currently in the window."""
        return len(self._returns)

    def update_bar(self, close: float, ts_open: int, ts_event: int, timeframe: str) -> float:
        """Add one bar's close; learn the bar length from the first bar when not given."""
        if self._bar_ns is None:
            span = ts_event - ts_open
            self._bar_ns = span if span > 0 else timeframe_ns(timeframe)
        return self.update(close)

    def update(self, close: float) -> float:
        """Add one close and return the current annualised estimate (NaN while warming up).

        Non-positive or non-finite closes are ignored: a log return cannot be taken from them.
        """
        if not (close > 0 and math.isfinite(close)):
            return self.value
        last = self._last
        self._last = close
        if last == last:  # not NaN
            r = math.log(close / last)
            returns = self._returns
            returns.append(r)
            self._sum += r
            self._sum_sq += r * r
            if len(returns) > self._window:
                old = returns.popleft()
                self._sum -= old
                self._sum_sq -= old * old
        return self.value

    @property
    def value(self) -> float:
        """Annualised realised volatility, or NaN before ``min_returns`` returns or bar length."""
        n = len(self._returns)
        if n < self._min or self._bar_ns is None:
            return math.nan
        mean = self._sum / n
        var = max((self._sum_sq - n * mean * mean) / (n - 1), 0.0)
        return math.sqrt(var * (NS_PER_YEAR / self._bar_ns))


__all__ = ["RealizedVol", "timeframe_ns"]
