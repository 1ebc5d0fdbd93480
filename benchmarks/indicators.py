"""Speed of every batch indicator against TA-Lib, and of every streaming update.

Run: ``.venv/bin/python benchmarks/indicators.py [--bars 1000000] [--stream-bars 200000]``.
Bars are a seeded random walk with valid OHLCV. Every batch indicator is called once on a few
hundred bars first, so Numba's compile (or cache load) time is excluded from the timings and
shown in its own column; then each indicator and its TA-Lib counterpart run over the same
arrays, best of 5 (``time.perf_counter``). The goal is at most 1.5x TA-Lib's time. Where TA-Lib
has no single function, the counterpart is the TA-Lib + NumPy composition a caller would write
(Keltner, Ichimoku); SuperTrend has none and is shown against its ATR alone, without a goal.
Streaming classes are timed per update over their own bars; the goal there is at most 2 us for
the simple ones.
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

console = Console(width=110)

Bars = dict[str, np.ndarray]
Pair = tuple[str, Callable[[], Any], Callable[[], Any] | None, str]
"""name, ours, TA-Lib counterpart (None: no counterpart), what the counterpart is."""


def make_bars(n: int, seed: int = 7) -> Bars:
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


def _keltner_talib(b: Bars, n: int = 20, mult: float = 2.0) -> Any:
    middle = talib.EMA(b["c"], n)
    band = mult * talib.ATR(b["h"], b["l"], b["c"], n)
    return middle + band, middle, middle - band


def _shift(x: np.ndarray, by: int) -> np.ndarray:
    out = np.empty_like(x)
    out[:by] = np.nan
    out[by:] = x[:-by]
    return out


def _ichimoku_talib(b: Bars) -> Any:
    h, lo = b["h"], b["l"]
    tenkan, kijun = talib.MIDPRICE(h, lo, 9), talib.MIDPRICE(h, lo, 26)
    cloud_b = talib.MIDPRICE(h, lo, 52)
    return tenkan, kijun, _shift((tenkan + kijun) / 2, 26), _shift(cloud_b, 26), _shift(b["c"], 26)


def batch_pairs(b: Bars) -> list[Pair]:
    o, h, lo, c, v = b["o"], b["h"], b["l"], b["c"], b["v"]
    return [
        ("sma(20)", lambda: ind.sma(c, 20), lambda: talib.SMA(c, 20), "SMA"),
        ("ema(20)", lambda: ind.ema(c, 20), lambda: talib.EMA(c, 20), "EMA"),
        ("wma(20)", lambda: ind.wma(c, 20), lambda: talib.WMA(c, 20), "WMA"),
        ("rsi(14)", lambda: ind.rsi(c), lambda: talib.RSI(c), "RSI"),
        ("imi(14)", lambda: ind.imi(o, c), lambda: talib.IMI(o, c), "IMI"),
        ("bbands(20,2)", lambda: ind.bbands(c), lambda: talib.BBANDS(c, 20, 2, 2, 0), "BBANDS"),
        ("atr(14)", lambda: ind.atr(h, lo, c), lambda: talib.ATR(h, lo, c), "ATR"),
        ("macd(12,26,9)", lambda: ind.macd(c), lambda: talib.MACD(c), "MACD"),
        ("adx(14)", lambda: ind.adx(h, lo, c), lambda: talib.ADX(h, lo, c), "ADX"),
        ("plus_di(14)", lambda: ind.plus_di(h, lo, c), lambda: talib.PLUS_DI(h, lo, c), "PLUS_DI"),
        (
            "stoch(14,3)",
            lambda: ind.stoch(h, lo, c),
            lambda: talib.STOCHF(h, lo, c, 14, 3, 0),
            "STOCHF",
        ),
        ("cci(14)", lambda: ind.cci(h, lo, c), lambda: talib.CCI(h, lo, c), "CCI"),
        ("willr(14)", lambda: ind.willr(h, lo, c), lambda: talib.WILLR(h, lo, c), "WILLR"),
        ("mfi(14)", lambda: ind.mfi(h, lo, c, v), lambda: talib.MFI(h, lo, c, v), "MFI"),
        ("obv", lambda: ind.obv(c, v), lambda: talib.OBV(c, v), "OBV"),
        ("midprice(26)", lambda: ind.midprice(h, lo, 26), lambda: talib.MIDPRICE(h, lo, 26), ""),
        ("keltner(20,2)", lambda: ind.keltner(h, lo, c), lambda: _keltner_talib(b), "EMA+ATR"),
        ("ichimoku", lambda: ind.ichimoku(h, lo, c), lambda: _ichimoku_talib(b), "MIDPRICE x3"),
        (
            "supertrend(10,3)",
            lambda: ind.supertrend(h, lo, c),
            lambda: talib.ATR(h, lo, c, 10),
            "-",
        ),
        ("vwap", lambda: ind.vwap(h, lo, c, v), None, ""),
    ]


def batch_table(bars: int) -> Table:
    small = make_bars(300)
    first_call = {}
    for name, ours, _, _ in batch_pairs(small):
        t0 = time.perf_counter()
        ours()
        first_call[name] = time.perf_counter() - t0
    console.print(
        f"first calls (Numba compile, or cache load): {sum(first_call.values()):.2f} s in all"
    )

    table = Table(title=f"batch indicators over {bars:,} bars (best of 5)")
    columns = ("indicator", "1st call ms", "tradebot ms", "TA-Lib ms", "ratio", "≤ 1.5x", "TA-Lib")
    for col in columns:
        table.add_column(col, justify="right")
    for name, ours, theirs, what in batch_pairs(make_bars(bars)):
        mine = best_of(ours)
        compile_ms = f"{first_call[name] * 1e3:.0f}"
        if theirs is None:
            table.add_row(name, compile_ms, f"{mine * 1e3:.1f}", "", "", "", "none")
            continue
        ref = best_of(theirs)
        ratio = mine / ref
        verdict = "n/a" if what == "-" else ("yes" if ratio <= 1.5 else "NO")
        counterpart = "ATR only" if what == "-" else (what or name.split("(")[0].upper())
        table.add_row(
            name,
            compile_ms,
            f"{mine * 1e3:.1f}",
            f"{ref * 1e3:.1f}",
            f"{ratio:.2f}",
            verdict,
            counterpart,
        )
    return table


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
    ("RollingMax(20)", lambda: ind.RollingMax(20), "h"),
]


def streaming_table(bars: int) -> Table:
    stream = make_bars(bars)
    columns = {k: stream[k].tolist() for k in "ohlcv"}
    table = Table(title=f"streaming update, {bars:,} bars")
    for col in ("indicator", "µs per update"):
        table.add_column(col, justify="right")
    for name, factory, fields in STREAMING:
        rows = list(zip(*(columns[f] for f in fields), strict=True))
        update = factory().update
        t0 = time.perf_counter()
        for row in rows:
            update(*row)
        elapsed = time.perf_counter() - t0
        table.add_row(name, f"{elapsed / len(rows) * 1e6:.2f}")
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bars", type=int, default=1_000_000)
    parser.add_argument("--stream-bars", type=int, default=200_000)
    args = parser.parse_args()
    console.print(batch_table(args.bars))
    console.print(streaming_table(args.stream_bars))


if __name__ == "__main__":
    main()
