"""Real candles for the indicator tests: bundled Coinbase BTC/USD 4h and Binance ETH/USDT 1m."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt

from tradebot.venues.files.catalog import open_dataset
from tradebot.venues.files.frames import BarFrame

Array = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Candles:
    name: str
    open: Array
    high: Array
    low: Array
    close: Array
    volume: Array

    def head(self, n: int) -> Candles:
        return Candles(
            self.name,
            self.open[:n],
            self.high[:n],
            self.low[:n],
            self.close[:n],
            self.volume[:n],
        )


def _frame(dataset: str, symbol: str) -> BarFrame:
    source = open_dataset(dataset)
    return next(
        f for f in source.frames if isinstance(f, BarFrame) and f.instrument_id.symbol == symbol
    )


@cache
def real_candles() -> tuple[Candles, ...]:
    """Every 4h BTC/USD bar of 2016–2025 and every 1m ETH/USDT bar bundled."""
    out = []
    for dataset, symbol in (("btc_usd_4h", "BTC/USD"), ("binance_btc_eth_1m", "ETH/USDT")):
        f = _frame(dataset, symbol)
        out.append(
            Candles(
                f"{dataset}:{symbol}",
                *(
                    np.ascontiguousarray(a, dtype=np.float64)
                    for a in (f.open, f.high, f.low, f.close, f.volume)
                ),
            )
        )
    return tuple(out)
