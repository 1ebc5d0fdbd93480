"""Volume one bar at a time: on-balance volume and a session VWAP."""

from __future__ import annotations

from tradebot.indicators.streaming._checks import NAN, not_finite


class OBV:
    """On-balance volume (TA-Lib ``OBV``): starts at the first bar's volume, then adds the
    volume of each bar that closes up and subtracts that of each bar that closes down."""

    __slots__ = ("_prev", "value")

    def __init__(self) -> None:
        self._prev = NAN
        self.value = NAN

    def update(self, close: float, volume: float) -> float:
        """Add a bar; return the OBV."""
        if (close - close) + (volume - volume) != 0.0:
            raise not_finite("OBV", close=close, volume=volume)
        prev = self._prev
        self._prev = close
        if prev != prev:
            self.value = volume
        elif close > prev:
            self.value += volume
        elif close < prev:
            self.value -= volume
        return self.value

    @property
    def ready(self) -> bool:
        """True after the first bar."""
        return self.value == self.value


class VWAP:
    """Volume-weighted typical price, Σ((h + l + c)/3 · v) / Σv, since the start or the last
    :meth:`reset` (call it before the first bar of a new session); NaN while the session has
    traded nothing."""

    __slots__ = ("_traded", "_value", "value")

    def __init__(self) -> None:
        self._value = 0.0
        self._traded = 0.0
        self.value = NAN

    def reset(self) -> None:
        """Start a new session with the next bar."""
        self._value = 0.0
        self._traded = 0.0
        self.value = NAN

    def update(self, high: float, low: float, close: float, volume: float) -> float:
        """Add a bar; return the VWAP (NaN while no volume has traded)."""
        weighted = (high + low + close) / 3.0 * volume
        if weighted - weighted != 0.0:
            raise not_finite("VWAP", high=high, low=low, close=close, volume=volume)
        self._value += weighted
        self._traded += volume
        if self._traded > 0.0:
            self.value = self._value / self._traded
        return self.value

    @property
    def ready(self) -> bool:
        """True once volume has traded in the session."""
        return self._traded > 0.0


__all__ = ["OBV", "VWAP"]
