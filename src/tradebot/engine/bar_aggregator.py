"""Streaming bars of a longer timeframe, built from the bars that arrive.

A higher-timeframe bar is released only once it is complete: when the base bar that closes at
its end arrives, or, if data has a gap, when the first base bar of a later bucket arrives. Its
``ts_event`` is its close time, so a strategy can never see an hourly bar before the hour ends.
Buckets are aligned to UTC epoch boundaries, as in the file resampler.
"""

from __future__ import annotations

from tradebot.model.data import Bar
from tradebot.model.timeframes import timeframe_ns


class BarAggregator:
    """Aggregates bars of one instrument into ``timeframe`` bars."""

    __slots__ = ("_bucket", "_close", "_high", "_low", "_open", "_step", "_volume", "timeframe")

    def __init__(self, timeframe: str) -> None:
        self.timeframe = timeframe
        self._step = timeframe_ns(timeframe)
        self._bucket = -1
        self._open = self._high = self._low = self._close = self._volume = 0.0

    def update(self, bar: Bar) -> list[Bar]:
        """Add a base bar; return the higher-timeframe bars it completes (usually none).

        A base bar that starts a new bucket after a gap first releases the previous bucket;
        the new bucket then starts with this bar.
        """
        step = self._step
        bucket = bar.ts_open // step
        done: list[Bar] = []
        if bucket != self._bucket:
            if self._bucket >= 0:
                done.append(self._emit(bar))
            self._bucket = bucket
            self._open, self._high, self._low = bar.open, bar.high, bar.low
            self._volume = 0.0
        else:
            if bar.high > self._high:
                self._high = bar.high
            if bar.low < self._low:
                self._low = bar.low
        self._close = bar.close
        self._volume += bar.volume
        if bar.ts_event >= (bucket + 1) * step:
            done.append(self._emit(bar))
            self._bucket = -1
        return done

    def _emit(self, bar: Bar) -> Bar:
        start = self._bucket * self._step
        return Bar(
            bar.instrument_id,
            self.timeframe,
            start,
            start + self._step,
            self._open,
            self._high,
            self._low,
            self._close,
            self._volume,
        )


__all__ = ["BarAggregator"]
