"""SMA(10/30) crossover on 1,000,000 one-minute bars: tradebot vs backtesting.py vs backtrader.

Run: ``.venv/bin/python benchmarks/backtest_engines.py [--bars 1000000] [--skip backtrader]``.
Long only, all in, zero fees and slippage, market orders filled at the next bar's open. Only
the backtest itself is timed (data building and imports are not). Every engine's round trips
are compared with an exact NumPy reference.
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import time
import warnings
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bars import real_minute_bars

from tradebot.engine.config import SessionConfig
from tradebot.engine.runners import build_paper_engine, run_events
from tradebot.model.instruments import Spot
from tradebot.risk.config import RiskConfig
from tradebot.strategies.technical.sma_cross import SmaCross
from tradebot.venues.files.frames import BarFrame
from tradebot.venues.paper.config import PaperVenueConfig

FAST, SLOW, CASH = 10, 30, 10_000.0


def reference_entries(frame: BarFrame) -> list[tuple[int, int]]:
    """(entry bar, exit bar) indices: strict crossovers, fills at the next bar's open."""
    close = pd.Series(frame.close)
    f = close.rolling(FAST).mean().to_numpy()
    s = close.rolling(SLOW).mean().to_numpy()
    up = np.flatnonzero((f[:-1] < s[:-1]) & (f[1:] > s[1:])) + 1
    down = np.flatnonzero((f[:-1] > s[:-1]) & (f[1:] < s[1:])) + 1
    events = sorted([(i, 1) for i in up] + [(i, -1) for i in down])
    trips, entry = [], None
    n = len(close)
    for i, kind in events:
        if i + 1 >= n:
            break
        if kind == 1 and entry is None:
            entry = i + 1
        elif kind == -1 and entry is not None:
            trips.append((entry, i + 1))
            entry = None
    return trips


def run_tradebot(frame: BarFrame) -> tuple[float, list[tuple[int, int]]]:
    inst = Spot(
        id=frame.instrument_id, base="BTC", quote="USDT", size_increment=Decimal("0.00000001")
    )
    engine = build_paper_engine(
        [inst],
        [SmaCross()],
        SessionConfig(
            cash=CASH,
            venue=PaperVenueConfig(maker_fee=0, taker_fee=0, slippage=0),
            risk=RiskConfig.unlimited(),  # the peer sizes all-in with no limits
        ),
    )
    t0 = time.perf_counter()
    run_events(engine, frame.iter_events())
    elapsed = time.perf_counter() - t0
    index = {int(t): i for i, t in enumerate(frame.ts_open.tolist())}
    trips = [(index[t.entry_time], index[t.exit_time]) for t in engine.portfolio.trades]
    return elapsed, trips


def run_backtesting_py(frame: BarFrame) -> tuple[float, list[tuple[int, int]]]:
    from backtesting import Strategy
    from backtesting.lib import FractionalBacktest, crossover

    class Peer(Strategy):  # type: ignore[misc]
        def init(self) -> None:
            c = pd.Series(self.data.Close)
            self.f = self.I(lambda: c.rolling(FAST).mean().to_numpy())
            self.s = self.I(lambda: c.rolling(SLOW).mean().to_numpy())

        def next(self) -> None:
            if crossover(self.f, self.s):
                if not self.position:
                    self.buy()
            elif crossover(self.s, self.f):
                self.position.close()

    index = pd.to_datetime(frame.ts_open)
    df = pd.DataFrame(
        {
            "Open": frame.open,
            "High": frame.high,
            "Low": frame.low,
            "Close": frame.close,
            "Volume": frame.volume,
        },
        index=index,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bt = FractionalBacktest(df, Peer, cash=CASH, commission=0, fractional_unit=1e-8)
        t0 = time.perf_counter()
        stats = bt.run()
        elapsed = time.perf_counter() - t0
    tr = stats["_trades"]
    return elapsed, list(zip(tr["EntryBar"].tolist(), tr["ExitBar"].tolist(), strict=True))


def run_backtrader(frame: BarFrame) -> tuple[float, list[tuple[int, int]]]:
    import backtrader as bt

    trips: list[tuple[int, int]] = []

    class Peer(bt.Strategy):  # type: ignore[misc]
        def __init__(self) -> None:
            self.cross = bt.ind.CrossOver(bt.ind.SMA(period=FAST), bt.ind.SMA(period=SLOW))
            self.entry_bar = -1

        def next(self) -> None:
            if self.cross[0] > 0 and not self.position:
                self.buy(size=self.broker.getcash() / self.data.close[0] * 0.98)
            elif self.cross[0] < 0 and self.position:
                self.close()

        def notify_trade(self, trade: bt.Trade) -> None:
            if trade.isclosed:
                trips.append((trade.baropen - 1, trade.barclose - 1))

    df = pd.DataFrame(
        {
            "open": frame.open,
            "high": frame.high,
            "low": frame.low,
            "close": frame.close,
            "volume": frame.volume,
        },
        index=pd.to_datetime(frame.ts_open),
    )
    cerebro = bt.Cerebro(stdstats=False)
    cerebro.adddata(bt.feeds.PandasData(dataname=df))
    cerebro.addstrategy(Peer)
    cerebro.broker.setcash(CASH)
    t0 = time.perf_counter()
    cerebro.run()
    return time.perf_counter() - t0, trips


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bars", type=int, default=1_000_000)
    parser.add_argument(
        "--skip", action="append", default=[], choices=["backtesting.py", "backtrader"]
    )
    args = parser.parse_args()
    console = Console()
    frame = real_minute_bars(args.bars)
    reference = reference_entries(frame)
    console.print(f"{len(frame):,} bars, {len(reference):,} round trips in the NumPy reference")
    runs = {"tradebot": run_tradebot}
    if "backtesting.py" not in args.skip:
        runs["backtesting.py"] = run_backtesting_py
    if "backtrader" not in args.skip:
        runs["backtrader"] = run_backtrader
    results = {}
    for name, fn in runs.items():
        gc.collect()
        elapsed, trips = fn(frame)
        results[name] = (elapsed, trips)
        console.print(f"{name}: {elapsed:.2f} s")
    table = Table(
        "engine", "seconds", "bars/s", "round trips", "same as reference", "tradebot speed-up"
    )
    ours = results["tradebot"][0]
    for name, (elapsed, trips) in results.items():
        table.add_row(
            name,
            f"{elapsed:.2f}",
            f"{len(frame) / elapsed:,.0f}",
            f"{len(trips):,}",
            "yes" if trips == reference else f"no ({len(set(trips) ^ set(reference))} differ)",
            f"{elapsed / ours:.2f}x",
        )
    console.print(table)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    console.print(f"peak memory of the whole process: {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
