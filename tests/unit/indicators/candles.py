"""Real candles for the indicator tests: the bundled Coinbase 4h and Binance/Bybit 1m bars."""

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


def _candles(dataset: str, symbol: str) -> Candles:
    f = _frame(dataset, symbol)
    return Candles(
        f"{dataset}:{symbol}",
        *(
            np.ascontiguousarray(a, dtype=np.float64)
            for a in (f.open, f.high, f.low, f.close, f.volume)
        ),
    )


@cache
def real_candles() -> tuple[Candles, ...]:
    """Every 4h BTC/USD bar of 2016–2025 and every 1m ETH/USDT bar bundled."""
    return (_candles("btc_usd_4h", "BTC/USD"), _candles("binance_btc_eth_1m", "ETH/USDT"))


@cache
def every_bundled_candle_series() -> tuple[Candles, ...]:
    """:func:`real_candles` plus the bundled 1m BTC/USDT series of Binance and Bybit."""
    return (
        *real_candles(),
        _candles("binance_btc_eth_1m", "BTC/USDT"),
        _candles("bybit_btc_usdt_1m", "BTC/USDT"),
    )
