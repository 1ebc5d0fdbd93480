"""A replayable data source: several frames merged into one deterministic event stream."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from tradebot.model.data import MarketEvent
from tradebot.model.identifiers import InstrumentId
from tradebot.model.instruments import Instrument
from tradebot.venues.files.frames import Frame


def merge_events(frames: Sequence[Frame]) -> Iterator[MarketEvent]:
    """Every event of every frame in time order of ``ts_event``.

    Ties keep the order in which the frames were passed (a stable sort), so a replay is the
    same every time.
    """
    if len(frames) == 1:
        yield from frames[0].iter_events()
        return
    ts = np.concatenate([f.ts_event for f in frames])
    which = np.concatenate([np.full(len(f), i, dtype=np.int32) for i, f in enumerate(frames)])
    order = np.argsort(ts, kind="stable")
    iterators = [f.iter_events() for f in frames]
    nexts = [it.__next__ for it in iterators]
    for i in which[order].tolist():
        yield nexts[i]()


class FileDataSource:
    """Recorded market data for a session.

    Parameters
    ----------
    frames : list[Frame]
        Bars, quotes, trades and funding of one or more instruments.
    instruments : list[Instrument] | None
        Definitions of the instruments in the frames, when known.
    """

    def __init__(self, frames: list[Frame], instruments: list[Instrument] | None = None) -> None:
        if not frames:
            raise ValueError("a data source needs at least one frame")
        self.frames = frames
        self.instruments = instruments or []

    def __iter__(self) -> Iterator[MarketEvent]:
        return merge_events(self.frames)

    def __len__(self) -> int:
        return sum(len(f) for f in self.frames)

    @property
    def instrument_ids(self) -> list[InstrumentId]:
        """Ids of every instrument with data, in first-seen order."""
        return list(dict.fromkeys(f.instrument_id for f in self.frames))

    @property
    def start_ns(self) -> int:
        """First event time."""
        return min(int(f.ts_event[0]) for f in self.frames if len(f))

    @property
    def end_ns(self) -> int:
        """Last event time."""
        return max(int(f.ts_event[-1]) for f in self.frames if len(f))


__all__ = ["FileDataSource", "merge_events"]
