"""Speed of every batch indicator against TA-Lib, and of every streaming update.

Run: ``.venv/bin/python benchmarks/indicators.py [--bars 1000000]``. Bars are a seeded random
walk with valid OHLCV. Each batch indicator and its TA-Lib counterpart run over the same
arrays (best of 5 after a warm-up call, so Numba's compile time is excluded and printed
apart); the goal is at most 1.5x TA-Lib's time. Streaming classes are timed per update over
200,000 bars; the goal is at most 2 us for the simple ones.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import talib
from rich.console import Console
from rich.table import Table

from tradebot import indicators as ind

console = Console()


def make_bars(n: int, seed: int = 7) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    close = 20_000 * np.exp(np.cumsum(rng.normal(0, 0.002, n)))
    open_ = np.r_[close[0], close[:-1]]
    spread = np.abs(rng.normal(0, 0.0015, n)) * close
    high = np.maximum(open_, close) + spread
    low = np.minimum(open_, close) - spread
    volume = rng.lognormal(3, 1, n)
    return {"o": open_, "h": high, "l": low, "c": close, "v": volume}


def best_of(fn: Callable[[], Any], runs: int = 5) -> float:
    fn()
    best = float("inf")
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def batch_pairs(b: dict[str, np.ndarray]) -> list[tuple[str, Callable[[], Any], Callable[[], Any]]]:
    o, h, lo, c, v = b["o"], b["h"], b["l"], b["c"], b["v"]
    return [
        ("sma(20)", lambda: ind.sma(c, 20), lambda: talib.SMA(c, 20)),
        ("ema(20)", lambda: ind.ema(c, 20), lambda: talib.EMA(c, 20)),
        ("wma(20)", lambda: ind.wma(c, 20), lambda: talib.WMA(c, 20)),
        ("rsi(14)", lambda: ind.rsi(c), lambda: talib.RSI(c)),
        ("imi(14)", lambda: ind.imi(o, c), lambda: talib.IMI(o, c)),
        ("bbands(20,2)", lambda: ind.bbands(c), lambda: talib.BBANDS(c, 20, 2, 2, 0)),
        ("atr(14)", lambda: ind.atr(h, lo, c), lambda: talib.ATR(h, lo, c)),
        ("macd(12,26,9)", lambda: ind.macd(c), lambda: talib.MACD(c)),
        ("adx(14)", lambda: ind.adx(h, lo, c), lambda: talib.ADX(h, lo, c)),
        ("stoch(14,3)", lambda: ind.stoch(h, lo, c), lambda: talib.STOCHF(h, lo, c, 14, 3, 0)),
        ("cci(14)", lambda: ind.cci(h, lo, c), lambda: talib.CCI(h, lo, c)),
        ("willr(14)", lambda: ind.willr(h, lo, c), lambda: talib.WILLR(h, lo, c)),
        ("mfi(14)", lambda: ind.mfi(h, lo, c, v), lambda: talib.MFI(h, lo, c, v)),
        ("obv", lambda: ind.obv(c, v), lambda: talib.OBV(c, v)),
        (
            "keltner(20,2)",
            lambda: ind.keltner(h, lo, c),
            lambda: (talib.EMA(c, 20), talib.ATR(h, lo, c, 20)),
        ),
        ("supertrend(10,3)", lambda: ind.supertrend(h, lo, c), lambda: talib.ATR(h, lo, c, 10)),
        (
            "ichimoku",
            lambda: ind.ichimoku(h, lo, c),
            lambda: [talib.MIDPRICE(h, lo, p) for p in (9, 26, 52)],
        ),
        ("vwap", lambda: ind.vwap(h, lo, c, v), None),
    ]


STREAMING: list[tuple[str, Callable[[], Any], str]] = [
    ("SMA(20)", lambda: ind.SMA(20), "c"),
    ("EMA(20)", lambda: ind.EMA(20), "c"),
    ("WMA(20)", lambda: ind.WMA(20), "c"),
    ("RSI(14)", lambda: ind.RSI(14), "c"),
    ("IMI(14)", lambda: ind.IMI(14), "oc"),
    ("BollingerBands(20,2)", lambda: ind.BollingerBands(20, 2.0), "c"),
    ("ATR(14)", lambda: ind.ATR(14), "hlc"),
    ("MACD(12,26,9)", lambda: ind.MACD(), "c"),
    ("ADX(14)", lambda: ind.ADX(14), "hlc"),
    ("Stochastic(14,3)", lambda: ind.Stochastic(), "hlc"),
    ("CCI(14)", lambda: ind.CCI(14), "hlc"),
    ("WilliamsR(14)", lambda: ind.WilliamsR(14), "hlc"),
    ("MFI(14)", lambda: ind.MFI(14), "hlcv"),
    ("OBV", lambda: ind.OBV(), "cv"),
    ("VWAP", lambda: ind.VWAP(), "hlcv"),
    ("Keltner(20,2)", lambda: ind.Keltner(), "hlc"),
    ("SuperTrend(10,3)", lambda: ind.SuperTrend(), "hlc"),
    ("Ichimoku", lambda: ind.Ichimoku(), "hlc"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bars", type=int, default=1_000_000)
    parser.add_argument("--stream-bars", type=int, default=200_000)
    args = parser.parse_args()
    bars = make_bars(args.bars)

    t0 = time.perf_counter()
    small = make_bars(200)
    for _, ours, _ in batch_pairs(small):
        ours()
    console.print(f"first calls (Numba compile or cache load): {time.perf_counter() - t0:.2f} s")

    table = Table(title=f"batch indicators over {args.bars:,} bars (best of 5)")
    for col in ("indicator", "tradebot ms", "TA-Lib ms", "ratio", "goal ≤ 1.5x"):
        table.add_column(col, justify="right")
    for name, ours, theirs in batch_pairs(bars):
        mine = best_of(ours)
        if theirs is None:
            table.add_row(name, f"{mine * 1e3:.1f}", "n/a", "", "")
            continue
        ref = best_of(theirs)
        ratio = mine / ref
        table.add_row(
            name,
            f"{mine * 1e3:.1f}",
            f"{ref * 1e3:.1f}",
            f"{ratio:.2f}",
            "yes" if ratio <= 1.5 else "NO",
        )
    console.print(table)

    stream = make_bars(args.stream_bars)
    columns = {k: stream[k].tolist() for k in "ohlcv"}
    table = Table(title=f"streaming update, {args.stream_bars:,} bars")
    for col in ("indicator", "µs per update"):
        table.add_column(col, justify="right")
    for name, factory, fields in STREAMING:
        rows = list(zip(*(columns[f] for f in fields), strict=True))
        obj = factory()
        update = obj.update
        t0 = time.perf_counter()
        for row in rows:
            update(*row)
        elapsed = time.perf_counter() - t0
        table.add_row(name, f"{elapsed / len(rows) * 1e6:.2f}")
    console.print(table)


if __name__ == "__main__":
    main()
