"""Latency of the hot path: market event → strategy → risk → order handed to the venue.

Run: ``.venv/bin/python benchmarks/hot_path.py [--events 200000]``. A strategy sends a market
order on every 10th bar; the time from ``TradingEngine.on_event`` being called to the paper
venue's ``submit_order`` being entered is measured with ``perf_counter_ns``. Also prints how
many events per second the engine takes with a strategy that does nothing.
"""

from __future__ import annotations

import argparse
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bars import real_minute_bars

from tradebot.engine.config import SessionConfig
from tradebot.engine.runners import build_paper_engine, run_events
from tradebot.model.data import Bar
from tradebot.model.instruments import Spot
from tradebot.strategies.base import Strategy


class EveryTenth(Strategy):  # type: ignore[type-arg]
    name = "every_tenth"

    def on_start(self) -> None:
        self.n = 0

    def on_bar(self, bar: Bar) -> None:
        self.n += 1
        if self.n % 10 == 0:
            if self.is_flat(bar.instrument_id):
                self.buy(bar.instrument_id, 0.5)
            else:
                self.close(bar.instrument_id)


class Idle(Strategy):  # type: ignore[type-arg]
    name = "idle"

    def on_bar(self, bar: Bar) -> None:
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=200_000)
    args = parser.parse_args()
    frame = real_minute_bars(args.events)
    inst = Spot(
        id=frame.instrument_id, base="BTC", quote="USDT", size_increment=Decimal("0.00000001")
    )
    console = Console()

    engine = build_paper_engine([inst], [EveryTenth()], SessionConfig())
    venue: Any = engine.orders._default  # the paper venue
    latencies: list[int] = []
    started = [0]
    original_submit = venue.submit_order
    original_on_event = engine.on_event

    def timed_on_event(event: Any) -> None:
        started[0] = time.perf_counter_ns()
        original_on_event(event)

    def timed_submit(order: Any) -> None:
        latencies.append(time.perf_counter_ns() - started[0])
        original_submit(order)

    venue.submit_order = timed_submit
    engine.on_event = timed_on_event  # type: ignore[method-assign]
    run_events(engine, frame.iter_events())
    lat = np.asarray(latencies) / 1000.0
    p50, p99 = np.percentile(lat, 50), np.percentile(lat, 99)
    console.print(
        f"event → order at the venue over {len(lat):,} orders: p50 {p50:.1f} µs, "
        f"p99 {p99:.1f} µs, max {lat.max():.1f} µs"
    )

    idle = build_paper_engine([inst], [Idle()], SessionConfig())
    events = list(frame.iter_events())
    t0 = time.perf_counter()
    run_events(idle, events)
    rate = len(events) / (time.perf_counter() - t0)
    console.print(f"engine throughput with an idle strategy: {rate:,.0f} events/s")


if __name__ == "__main__":
    main()
