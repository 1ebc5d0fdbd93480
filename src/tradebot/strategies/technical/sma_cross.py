"""SMA crossover: long when the fast average crosses above the slow one."""

from __future__ import annotations

from tradebot.indicators.streaming import SMA
from tradebot.model.data import Bar
from tradebot.model.identifiers import InstrumentId
from tradebot.strategies.base import Strategy, StrategyParams
from tradebot.strategies.registry import register


class SmaCrossParams(StrategyParams, frozen=True, kw_only=True):
    """Parameters of ``sma_cross``.

    Parameters
    ----------
    fast : int
        Period of the fast simple moving average of closes (default 10).
    slow : int
        Period of the slow simple moving average (default 30); must exceed ``fast``.
    size : float
        Fraction of equity per entry (default 1.0 = all in).
    long_only : bool
        When False a cross down also opens a short (default True).
    """

    fast: int = 10
    slow: int = 30
    size: float = 1.0
    long_only: bool = True

    def validate(self) -> None:
        """Check the periods and the size."""
        if self.fast < 1:
            raise ValueError(f"parameter 'fast' was {self.fast}; it must be at least 1")
        if self.slow <= self.fast:
            raise ValueError(
                f"parameter 'slow' was {self.slow}; it must be greater than fast ({self.fast})"
            )
        if not 0 < self.size <= 1:
            raise ValueError(f"parameter 'size' was {self.size}; it must be in (0, 1]")


class _State:
    __slots__ = ("fast", "prev_fast", "prev_slow", "slow")

    def __init__(self, fast: int, slow: int) -> None:
        self.fast = SMA(fast)
        self.slow = SMA(slow)
        self.prev_fast = float("nan")
        self.prev_slow = float("nan")


@register
class SmaCross(Strategy[SmaCrossParams]):
    """Buy when SMA(fast) crosses above SMA(slow); exit (or reverse) when it crosses below.

    A cross is strict on both bars, as in backtesting.py's ``crossover``: the fast average was
    below the slow one on the previous bar and is above it now. Orders are market orders that
    fill at the next bar's open.
    """

    name = "sma_cross"
    params_type = SmaCrossParams

    def on_start(self) -> None:
        """Create one pair of averages per instrument on first sight."""
        self._state: dict[InstrumentId, _State] = {}

    def on_bar(self, bar: Bar) -> None:
        """Update the averages and act on a cross."""
        state = self._state.get(bar.instrument_id)
        if state is None:
            state = self._state[bar.instrument_id] = _State(self.params.fast, self.params.slow)
        fast = state.fast.update(bar.close)
        slow = state.slow.update(bar.close)
        prev_fast, prev_slow = state.prev_fast, state.prev_slow
        state.prev_fast, state.prev_slow = fast, slow
        if prev_fast < prev_slow and fast > slow:
            self._cross_up(bar.instrument_id)
        elif prev_fast > prev_slow and fast < slow:
            self._cross_down(bar.instrument_id)

    def _cross_up(self, instrument_id: InstrumentId) -> None:
        held = self.holding(instrument_id)
        if held < 0:
            self.close(instrument_id, tag="cross_up")
        if held <= 1e-12:
            self.buy(instrument_id, self.params.size, tag="cross_up")

    def _cross_down(self, instrument_id: InstrumentId) -> None:
        held = self.holding(instrument_id)
        if held > 0:
            self.close(instrument_id, tag="cross_down")
        if not self.params.long_only and held >= -1e-12:
            self.sell(instrument_id, self.params.size, tag="cross_down")


__all__ = ["SmaCross", "SmaCrossParams"]
