"""Resample bars to a longer timeframe, vectorised.

Buckets are aligned to UTC epoch boundaries (a 1d bar starts at 00:00 UTC, a 4h bar at 00:00,
04:00 …). First open, highest high, lowest low, last close, summed volume. A trailing bucket
whose end lies beyond the last source bar's close is dropped: an incomplete bar is never shown
as complete. Buckets with missing source bars inside are kept (real gaps happen).
"""

from __future__ import annotations

import numpy as np

from tradebot.errors import ConfigError
from tradebot.model.timeframes import timeframe_ns
from tradebot.venues.files.frames import BarFrame


def resample_bars(frame: BarFrame, timeframe: str) -> BarFrame:
    """``frame`` on ``timeframe``, which must be a whole multiple of the frame's own.

    Raises
    ------
    ConfigError
        If the target is shorter than, or not a multiple of, the source timeframe.
    """
    src = timeframe_ns(frame.timeframe)
    dst = timeframe_ns(timeframe)
    if dst == src:
        return frame
    if dst < src or dst % src:
        raise ConfigError(
            f"cannot resample {frame.timeframe} bars to {timeframe}: the target must be a "
            f"whole multiple of {frame.timeframe}"
        )
    if len(frame) == 0:
        return BarFrame(
            frame.instrument_id,
            timeframe,
            frame.ts_open,
            frame.open,
            frame.high,
            frame.low,
            frame.close,
            frame.volume,
            frame.source,
        )
    bucket = frame.ts_open // dst
    starts = np.flatnonzero(np.r_[True, bucket[1:] != bucket[:-1]])
    ends = np.r_[starts[1:], len(bucket)] - 1
    ts_open = (bucket[starts] * dst).astype(np.int64)
    high = np.maximum.reduceat(frame.high, starts)
    low = np.minimum.reduceat(frame.low, starts)
    volume = np.add.reduceat(frame.volume, starts)
    keep = ts_open + dst <= frame.ts_open[-1] + src
    return BarFrame(
        frame.instrument_id,
        timeframe,
        ts_open[keep],
        frame.open[starts][keep],
        high[keep],
        low[keep],
        frame.close[ends][keep],
        volume[keep],
        frame.source,
    )


__all__ = ["resample_bars"]
