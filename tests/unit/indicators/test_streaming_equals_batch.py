"""Every streaming indicator, fed one bar at a time, equals its batch form at every bar."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import talib

from tradebot import indicators as ind

from .candles import Candles, real_candles
from .test_batch_vs_talib import ATOL_AT_ZERO, assert_same

Pair = tuple[str, Callable[[], Any], str, Callable[[Candles], Any]]
"""name, streaming factory, the bar fields it takes, batch function."""

PAIRS: list[Pair] = [
    ("sma", lambda: ind.SMA(20), "c", lambda c: ind.sma(c.close, 20)),
    ("ema", lambda: ind.EMA(20), "c", lambda c: ind.ema(c.close, 20)),
    ("wma", lambda: ind.WMA(20), "c", lambda c: ind.wma(c.close, 20)),
    ("rsi", lambda: ind.RSI(14), "c", lambda c: ind.rsi(c.close, 14)),
    ("rsi5", lambda: ind.RSI(5), "c", lambda c: ind.rsi(c.close, 5)),
    ("imi", lambda: ind.IMI(14), "oc", lambda c: ind.imi(c.open, c.close, 14)),
    ("bbands", lambda: ind.BollingerBands(20, 2.0), "c", lambda c: ind.bbands(c.close, 20, 2.0)),
    ("atr", lambda: ind.ATR(14), "hlc", lambda c: ind.atr(c.high, c.low, c.close, 14)),
    ("macd", lambda: ind.MACD(12, 26, 9), "c", lambda c: ind.macd(c.close, 12, 26, 9)),
    ("macd_5_35_5", lambda: ind.MACD(5, 35, 5), "c", lambda c: ind.macd(c.close, 5, 35, 5)),
    ("stoch", lambda: ind.Stochastic(14, 3), "hlc", lambda c: ind.stoch(c.high, c.low, c.close)),
    ("cci", lambda: ind.CCI(14), "hlc", lambda c: ind.cci(c.high, c.low, c.close, 14)),
    ("willr", lambda: ind.WilliamsR(14), "hlc", lambda c: ind.willr(c.high, c.low, c.close)),
    ("mfi", lambda: ind.MFI(14), "hlcv", lambda c: ind.mfi(c.high, c.low, c.close, c.volume)),
    ("obv", lambda: ind.OBV(), "cv", lambda c: ind.obv(c.close, c.volume)),
    ("vwap", lambda: ind.VWAP(), "hlcv", lambda c: ind.vwap(c.high, c.low, c.close, c.volume)),
    ("keltner", lambda: ind.Keltner(20, 2.0), "hlc", lambda c: ind.keltner(c.high, c.low, c.close)),
    (
        "supertrend",
        lambda: ind.SuperTrend(10, 3.0),
        "hlc",
        lambda c: ind.supertrend(c.high, c.low, c.close),
    ),
    ("ichimoku", lambda: ind.Ichimoku(), "hlc", lambda c: ind.ichimoku(c.high, c.low, c.close)),
    ("rolling_max", lambda: ind.RollingMax(20), "h", lambda c: talib.MAX(c.high, 20)),
    ("rolling_min", lambda: ind.RollingMin(20), "l", lambda c: talib.MIN(c.low, 20)),
]

FIELDS = {"o": "open", "h": "high", "l": "low", "c": "close", "v": "volume"}


def _stream(factory: Callable[[], Any], fields: str, candles: Candles) -> Any:
    obj = factory()
    columns = [getattr(candles, FIELDS[f]).tolist() for f in fields]
    return np.array([obj.update(*row) for row in zip(*columns, strict=True)], dtype=np.float64)


@pytest.mark.parametrize("candles", [c.head(20_000) for c in real_candles()], ids=lambda c: c.name)
@pytest.mark.parametrize(("name", "factory", "fields", "batch"), PAIRS, ids=[p[0] for p in PAIRS])
def test_streaming_equals_batch(
    candles: Candles,
    name: str,
    factory: Callable[[], Any],
    fields: str,
    batch: Callable[[Candles], Any],
) -> None:
    streamed = _stream(factory, fields, candles)
    expected = batch(candles)
    if isinstance(expected, tuple):
        expected = np.stack(expected, axis=1)
    atol = ATOL_AT_ZERO if name in ("rsi", "rsi5", "imi", "stoch", "willr", "mfi") else 0.0

    assert_same(streamed, expected, atol=atol)


def test_adx_and_its_directional_lines_equal_the_batch_form() -> None:
    candles = real_candles()[0].head(20_000)
    adx = ind.ADX(14)
    rows = []
    for h, lo, c in zip(candles.high, candles.low, candles.close, strict=True):
        adx.update(h, lo, c)
        rows.append((adx.value, adx.plus_di, adx.minus_di))
    got = np.array(rows)

    assert_same(got[:, 0], ind.adx(candles.high, candles.low, candles.close), atol=ATOL_AT_ZERO)
    assert_same(got[:, 1], ind.plus_di(candles.high, candles.low, candles.close), atol=ATOL_AT_ZERO)
    assert_same(
        got[:, 2], ind.minus_di(candles.high, candles.low, candles.close), atol=ATOL_AT_ZERO
    )


def test_outputs_are_kept_as_attributes_and_ready_flips_after_warm_up() -> None:
    candles = real_candles()[0].head(200)
    macd = ind.MACD()
    for i, close in enumerate(candles.close.tolist()):
        line, signal, hist = macd.update(close)
        assert macd.ready == (i >= 26 + 9 - 2)
        assert (macd.macd, macd.signal, macd.hist) == (line, signal, hist) or np.isnan(line)
