"""Every streaming indicator, fed real candles one bar at a time, equals its batch function at
every bar: the same NaN warm-up and values to 1e-9 relative.

(RollingMax/RollingMin have no batch form; they are compared with TA-Lib's MAX/MIN.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from tradebot.indicators import streaming as st

from .candles import Candles, every_bundled_candle_series
from .streamed import assert_same, columns, stream

batch = pytest.importorskip("tradebot.indicators.batch")

CANDLES = [c.head(6000) for c in every_bundled_candle_series()]
"""6,000 bars of the Coinbase 4h series (several exact re-summations) and the 1m series."""

MFI_RESIDUE = 1e-10
"""The batch MFI slides its sums as TA-Lib does and can leave a rounding residue where the
streaming one, counting the flows on each side, returns exactly 0 (on a 0–100 scale)."""


class _Directional:
    """ADX with its +DI and −DI as one row per bar."""

    def __init__(self, n: int) -> None:
        self.adx = st.ADX(n)

    def update(self, high: float, low: float, close: float) -> tuple[float, float, float]:
        self.adx.update(high, low, close)
        return self.adx.value, self.adx.plus_di, self.adx.minus_di


def _directional(c: Candles, n: int) -> Any:
    hlc = (c.high, c.low, c.close)
    return (batch.adx(*hlc, n), batch.plus_di(*hlc, n), batch.minus_di(*hlc, n))


Pair = Any  # a pytest.param of (factory, fields, batch call, atol)


def _pair(
    name: str,
    factory: Callable[[], Any],
    fields: str,
    call: Callable[[Candles], Any],
    atol: float = 0.0,
) -> Pair:
    return pytest.param(factory, fields, call, atol, id=name)


PAIRS: list[Pair] = []
for n in (1, 14, 50):
    PAIRS += [
        _pair(f"sma{n}", lambda n=n: st.SMA(n), "c", lambda c, n=n: batch.sma(c.close, n)),
        _pair(f"ema{n}", lambda n=n: st.EMA(n), "c", lambda c, n=n: batch.ema(c.close, n)),
        _pair(f"wma{n}", lambda n=n: st.WMA(n), "c", lambda c, n=n: batch.wma(c.close, n)),
        _pair(
            f"atr{n}",
            lambda n=n: st.ATR(n),
            "hlc",
            lambda c, n=n: batch.atr(c.high, c.low, c.close, n),
        ),
    ]
for n in (2, 14, 30):
    PAIRS += [
        _pair(f"rsi{n}", lambda n=n: st.RSI(n), "c", lambda c, n=n: batch.rsi(c.close, n)),
        _pair(
            f"imi{n}",
            lambda n=n: st.IMI(n),
            "oc",
            lambda c, n=n: batch.imi(c.open, c.close, n),
        ),
        _pair(
            f"cci{n}",
            lambda n=n: st.CCI(n),
            "hlc",
            lambda c, n=n: batch.cci(c.high, c.low, c.close, n),
        ),
        _pair(
            f"willr{n}",
            lambda n=n: st.WilliamsR(n),
            "hlc",
            lambda c, n=n: batch.willr(c.high, c.low, c.close, n),
        ),
        _pair(
            f"mfi{n}",
            lambda n=n: st.MFI(n),
            "hlcv",
            lambda c, n=n: batch.mfi(c.high, c.low, c.close, c.volume, n),
            MFI_RESIDUE,
        ),
        _pair(f"adx{n}", lambda n=n: _Directional(n), "hlc", lambda c, n=n: _directional(c, n)),
    ]
for n, k in ((20, 2.0), (5, 1.0)):
    PAIRS.append(
        _pair(
            f"bbands{n}_{k}",
            lambda n=n, k=k: st.BollingerBands(n, k),
            "c",
            lambda c, n=n, k=k: batch.bbands(c.close, n, k),
        )
    )
for periods in ((12, 26, 9), (5, 35, 5), (26, 12, 1)):
    PAIRS.append(
        _pair(
            "macd{}_{}_{}".format(*periods),
            lambda p=periods: st.MACD(*p),
            "c",
            lambda c, p=periods: batch.macd(c.close, *p),
        )
    )
for k, d in ((14, 3), (5, 1)):
    PAIRS.append(
        _pair(
            f"stoch{k}_{d}",
            lambda k=k, d=d: st.Stochastic(k, d),
            "hlc",
            lambda c, k=k, d=d: batch.stoch(c.high, c.low, c.close, k, d),
        )
    )
for n, mult in ((20, 2.0), (7, 1.5)):
    PAIRS += [
        _pair(
            f"keltner{n}_{mult}",
            lambda n=n, m=mult: st.Keltner(n, m),
            "hlc",
            lambda c, n=n, m=mult: batch.keltner(c.high, c.low, c.close, n, m),
        ),
        _pair(
            f"supertrend{n}_{mult}",
            lambda n=n, m=mult: st.SuperTrend(n, m),
            "hlc",
            lambda c, n=n, m=mult: batch.supertrend(c.high, c.low, c.close, n, m),
        ),
    ]
for periods in ((9, 26, 52), (20, 10, 30)):
    PAIRS.append(
        _pair(
            "ichimoku{}_{}_{}".format(*periods),
            lambda p=periods: st.Ichimoku(*p),
            "hlc",
            lambda c, p=periods: batch.ichimoku(c.high, c.low, c.close, *p),
        )
    )
PAIRS += [
    _pair("obv", st.OBV, "cv", lambda c: batch.obv(c.close, c.volume)),
    _pair("vwap", st.VWAP, "hlcv", lambda c: batch.vwap(c.high, c.low, c.close, c.volume)),
]


@pytest.mark.parametrize("candles", CANDLES, ids=lambda c: c.name)
@pytest.mark.parametrize(("factory", "fields", "call", "atol"), PAIRS)
def test_streaming_equals_batch_at_every_bar(
    candles: Candles,
    factory: Callable[[], Any],
    fields: str,
    call: Callable[[Candles], Any],
    atol: float,
) -> None:
    assert_same(stream(factory(), fields, candles), columns(call(candles)), atol=atol)


class _Sessions:
    """VWAP reset before the first bar of every session."""

    def __init__(self, starts: list[bool]) -> None:
        self.vwap = st.VWAP()
        self.starts = iter(starts)

    def update(self, high: float, low: float, close: float, volume: float) -> float:
        if next(self.starts):
            self.vwap.reset()
        return self.vwap.update(high, low, close, volume)


@pytest.mark.parametrize("candles", CANDLES, ids=lambda c: c.name)
def test_vwap_sessions_equal_the_batch_reset_flags(candles: Candles) -> None:
    starts = (np.arange(candles.close.shape[0]) % 60 == 0).tolist()

    ours = stream(_Sessions(starts), "hlcv", candles)

    expected = batch.vwap(candles.high, candles.low, candles.close, candles.volume, starts)
    assert_same(ours, expected)
