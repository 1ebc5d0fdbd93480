"""Columnar market data: NumPy arrays per field, turned into events only when replayed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tradebot.model.data import Bar, FundingRate, QuoteTick, TradeTick
from tradebot.model.identifiers import InstrumentId
from tradebot.model.timeframes import timeframe_ns

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class BarFrame:
    """OHLCV bars of one instrument; ``ts_open`` is each bar's start (UTC ns)."""

    instrument_id: InstrumentId
    timeframe: str
    ts_open: IntArray
    open: FloatArray
    high: FloatArray
    low: FloatArray
    close: FloatArray
    volume: FloatArray
    source: str = ""

    def __len__(self) -> int:
        return len(self.ts_open)

    @property
    def ts_event(self) -> IntArray:
        """Bar close times: when the engine delivers each bar."""
        return self.ts_open + timeframe_ns(self.timeframe)

    def iter_events(self) -> Iterator[Bar]:
        """Bars in time order."""
        iid, tf = self.instrument_id, self.timeframe
        step = timeframe_ns(tf)
        for t, o, h, lo, c, v in zip(
            self.ts_open.tolist(),
            self.open.tolist(),
            self.high.tolist(),
            self.low.tolist(),
            self.close.tolist(),
            self.volume.tolist(),
            strict=True,
        ):
            yield Bar(iid, tf, t, t + step, o, h, lo, c, v)

    def resample(self, timeframe: str) -> BarFrame:
        """Bars of a longer timeframe (see ``tradebot.venues.files.resample``)."""
        from tradebot.venues.files.resample import resample_bars

        return resample_bars(self, timeframe)

    def slice(self, start_ns: int, end_ns: int) -> BarFrame:
        """Bars whose open time is in [start_ns, end_ns)."""
        mask = (self.ts_open >= start_ns) & (self.ts_open < end_ns)
        return BarFrame(
            self.instrument_id,
            self.timeframe,
            self.ts_open[mask],
            self.open[mask],
            self.high[mask],
            self.low[mask],
            self.close[mask],
            self.volume[mask],
            self.source,
        )


@dataclass(frozen=True, slots=True)
class QuoteFrame:
    """Top-of-book quotes of one instrument."""

    instrument_id: InstrumentId
    ts: IntArray
    bid: FloatArray
    ask: FloatArray
    bid_size: FloatArray
    ask_size: FloatArray
    source: str = ""

    def __len__(self) -> int:
        return len(self.ts)

    @property
    def ts_event(self) -> IntArray:
        """Quote times."""
        return self.ts

    def iter_events(self) -> Iterator[QuoteTick]:
        """Quotes in time order."""
        iid = self.instrument_id
        for t, b, a, bs, az in zip(
            self.ts.tolist(),
            self.bid.tolist(),
            self.ask.tolist(),
            self.bid_size.tolist(),
            self.ask_size.tolist(),
            strict=True,
        ):
            yield QuoteTick(iid, t, b, a, bs, az)


@dataclass(frozen=True, slots=True)
class TradeFrame:
    """Public trades of one instrument."""

    instrument_id: InstrumentId
    ts: IntArray
    price: FloatArray
    size: FloatArray
    source: str = ""

    def __len__(self) -> int:
        return len(self.ts)

    @property
    def ts_event(self) -> IntArray:
        """Trade times."""
        return self.ts

    def iter_events(self) -> Iterator[TradeTick]:
        """Trades in time order."""
        iid = self.instrument_id
        for t, p, s in zip(self.ts.tolist(), self.price.tolist(), self.size.tolist(), strict=True):
            yield TradeTick(iid, t, p, s)


@dataclass(frozen=True, slots=True)
class FundingFrame:
    """Funding rates of one perpetual, each paid at its timestamp."""

    instrument_id: InstrumentId
    ts: IntArray
    rate: FloatArray
    source: str = ""

    def __len__(self) -> int:
        return len(self.ts)

    @property
    def ts_event(self) -> IntArray:
        """Funding times."""
        return self.ts

    def iter_events(self) -> Iterator[FundingRate]:
        """Funding rates in time order."""
        iid = self.instrument_id
        for t, r in zip(self.ts.tolist(), self.rate.tolist(), strict=True):
            yield FundingRate(iid, t, r)


Frame = BarFrame | QuoteFrame | TradeFrame | FundingFrame

__all__ = [
    "BarFrame",
    "FloatArray",
    "Frame",
    "FundingFrame",
    "IntArray",
    "QuoteFrame",
    "TradeFrame",
]
