"""One million one-minute bars built from the real bundled 1m samples.

The real 1m log-returns (Bybit spot and perpetual, Binance BTC and ETH) are chained end to end
in seeded random day-sized blocks, so prices wander like real minutes rather than repeating one
level. Each bar keeps the real bar's high/low distance from its open and close; open is the
previous close. A tiny seeded jitter breaks the exact ties of flat minutes (see below).
"""

from __future__ import annotations

import numpy as np

from tradebot.model.identifiers import InstrumentId
from tradebot.venues.files.catalog import open_dataset
from tradebot.venues.files.frames import BarFrame

MINUTE_NS = 60 * 10**9
START_NS = 1_672_531_200 * 10**9  # 2023-01-01 00:00 UTC


def real_minute_bars(n: int, seed: int = 42) -> BarFrame:
    """``n`` chained 1m bars of ``BTC/USDT@BENCH``."""
    pieces = []
    for name in ("bybit_btc_usdt_1m", "bybit_btc_usdt_perp_1m", "binance_btc_eth_1m"):
        for frame in open_dataset(name).frames:
            if isinstance(frame, BarFrame):
                pieces.append(frame)
    rets, up, down = [], [], []
    for f in pieces:
        rets.append(np.diff(np.log(f.close)))
        top = np.maximum(f.open, f.close)
        bottom = np.minimum(f.open, f.close)
        up.append((f.high / top - 1.0)[1:])
        down.append((1.0 - f.low / bottom)[1:])
    r, u, d = np.concatenate(rets), np.concatenate(up), np.concatenate(down)
    rng = np.random.default_rng(seed)
    block = 240
    starts = rng.integers(0, len(r) - block, size=n // block + 1)
    idx = (starts[:, None] + np.arange(block)[None, :]).ravel()[:n]
    # Real minutes are often flat; exact ties between the two averages then make every engine's
    # crossover depend on float rounding. A seeded 1e-5 jitter on each return removes the ties.
    close = 20_000.0 * np.exp(np.cumsum(r[idx] + rng.normal(0.0, 1e-5, n)))
    open_ = np.r_[20_000.0, close[:-1]]
    high = np.maximum(open_, close) * (1.0 + u[idx])
    low = np.minimum(open_, close) * (1.0 - d[idx])
    ts = START_NS + np.arange(n, dtype=np.int64) * MINUTE_NS
    return BarFrame(
        InstrumentId("BTC/USDT", "BENCH"),
        "1m",
        ts,
        open_,
        high,
        low,
        close,
        np.ones(n),
        "benchmark",
    )


__all__ = ["real_minute_bars"]
