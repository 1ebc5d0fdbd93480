"""Longer-timeframe bars: built from the data, delivered only once they have closed."""

from __future__ import annotations

import numpy as np
import pytest

from tradebot.engine.bar_aggregator import BarAggregator
from tradebot.engine.config import SessionConfig
from tradebot.engine.runners import build_paper_engine, run_events
from tradebot.model.data import Bar
from tradebot.model.timeframes import timeframe_ns
from tradebot.strategies.base import Strategy
from tradebot.venues.files.catalog import open_dataset
from tradebot.venues.files.frames import BarFrame

TIMEFRAMES = ["3m", "5m", "15m", "30m", "1h", "4h"]


class Recorder(Strategy):  # type: ignore[type-arg]
    """Records every bar it sees with the engine time at which it saw it."""

    name = "recorder"
    default_timeframes = tuple(TIMEFRAMES)

    def on_start(self) -> None:
        self.seen: list[tuple[int, Bar]] = []

    def on_bar(self, bar: Bar) -> None:
        self.seen.append((self.now_ns(), bar))


def _run() -> tuple[Recorder, BarFrame]:
    source = open_dataset("bybit_btc_usdt_1m")
    strategy = Recorder()
    engine = build_paper_engine(source.instruments, [strategy], SessionConfig())
    run_events(engine, iter(source))
    frame = next(f for f in source.frames if isinstance(f, BarFrame))
    return strategy, frame


def test_no_bar_is_seen_before_it_closes() -> None:
    strategy, _ = _run()

    assert strategy.seen
    for now, bar in strategy.seen:
        assert now >= bar.ts_event
        assert bar.ts_event - bar.ts_open == timeframe_ns(bar.timeframe)


@pytest.mark.parametrize("timeframe", TIMEFRAMES)
def test_streamed_higher_bars_equal_the_file_resampler(timeframe: str) -> None:
    strategy, frame = _run()
    expected = frame.resample(timeframe)

    got = [bar for _, bar in strategy.seen if bar.timeframe == timeframe]

    assert len(got) == len(expected) > 0
    np.testing.assert_array_equal([b.ts_open for b in got], expected.ts_open)
    for field in ("open", "high", "low", "close"):
        np.testing.assert_array_equal([getattr(b, field) for b in got], getattr(expected, field))


def test_hourly_bar_arrives_right_after_the_minute_that_completes_it() -> None:
    strategy, _ = _run()
    order = [(bar.timeframe, bar.ts_event) for _, bar in strategy.seen]

    first_hour = next(i for i, (tf, _) in enumerate(order) if tf == "1h")

    assert order[first_hour - 1][0] in [*TIMEFRAMES, "1m"]
    minute_before = max(i for i in range(first_hour) if order[i][0] == "1m")
    assert order[minute_before][1] == order[first_hour][1]


def test_a_gap_releases_the_unfinished_bucket_when_later_data_arrives() -> None:
    agg = BarAggregator("5m")
    minute = 60 * 10**9
    iid = open_dataset("bybit_btc_usdt_1m").instruments[0].id
    bars = [
        Bar(iid, "1m", t * minute, (t + 1) * minute, 1.0, 2.0, 0.5, 1.5, 1.0) for t in (0, 1, 2, 7)
    ]

    released = [agg.update(b) for b in bars]

    assert released[:3] == [[], [], []]
    assert [b.ts_open for b in released[3]] == [0]
    assert released[3][0].volume == 3.0
