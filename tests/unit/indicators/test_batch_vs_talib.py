"""Batch indicators equal TA-Lib on real candles, after TA-Lib's warm-up, to 1e-9 relative."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
import talib

from tradebot import indicators as ind

from .candles import Candles, real_candles

RTOL = 1e-9
ATOL_AT_ZERO = 1e-9
"""Oscillators on a 0–100 scale are exactly 0 when a window has no up-moves; sliding sums
leave ~1e-14 of rounding there (in TA-Lib or here), which no relative tolerance can absorb."""


def assert_same(ours: Any, reference: Any, *, atol: float = 0.0) -> None:
    """Same NaN warm-up, same values to ``RTOL`` (plus ``atol`` near zero)."""
    ours = np.asarray(ours, dtype=np.float64)
    reference = np.asarray(reference, dtype=np.float64)
    assert ours.shape == reference.shape
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(reference))
    np.testing.assert_allclose(ours, reference, rtol=RTOL, atol=atol, equal_nan=True)


Case = tuple[str, Callable[[Candles], Any], Callable[[Candles], Any]]

CASES: list[Case] = []
for n in (5, 14, 50):
    CASES += [
        (f"sma{n}", lambda c, n=n: ind.sma(c.close, n), lambda c, n=n: talib.SMA(c.close, n)),
        (f"ema{n}", lambda c, n=n: ind.ema(c.close, n), lambda c, n=n: talib.EMA(c.close, n)),
        (f"wma{n}", lambda c, n=n: ind.wma(c.close, n), lambda c, n=n: talib.WMA(c.close, n)),
        (f"rsi{n}", lambda c, n=n: ind.rsi(c.close, n), lambda c, n=n: talib.RSI(c.close, n)),
        (
            f"imi{n}",
            lambda c, n=n: ind.imi(c.open, c.close, n),
            lambda c, n=n: talib.IMI(c.open, c.close, n),
        ),
        (
            f"atr{n}",
            lambda c, n=n: ind.atr(c.high, c.low, c.close, n),
            lambda c, n=n: talib.ATR(c.high, c.low, c.close, n),
        ),
        (
            f"adx{n}",
            lambda c, n=n: ind.adx(c.high, c.low, c.close, n),
            lambda c, n=n: talib.ADX(c.high, c.low, c.close, n),
        ),
        (
            f"plus_di{n}",
            lambda c, n=n: ind.plus_di(c.high, c.low, c.close, n),
            lambda c, n=n: talib.PLUS_DI(c.high, c.low, c.close, n),
        ),
        (
            f"minus_di{n}",
            lambda c, n=n: ind.minus_di(c.high, c.low, c.close, n),
            lambda c, n=n: talib.MINUS_DI(c.high, c.low, c.close, n),
        ),
        (
            f"cci{n}",
            lambda c, n=n: ind.cci(c.high, c.low, c.close, n),
            lambda c, n=n: talib.CCI(c.high, c.low, c.close, n),
        ),
        (
            f"willr{n}",
            lambda c, n=n: ind.willr(c.high, c.low, c.close, n),
            lambda c, n=n: talib.WILLR(c.high, c.low, c.close, n),
        ),
        (
            f"mfi{n}",
            lambda c, n=n: ind.mfi(c.high, c.low, c.close, c.volume, n),
            lambda c, n=n: talib.MFI(c.high, c.low, c.close, c.volume, n),
        ),
        (
            f"midprice{n}",
            lambda c, n=n: ind.midprice(c.high, c.low, n),
            lambda c, n=n: talib.MIDPRICE(c.high, c.low, n),
        ),
    ]
for n, k in ((20, 2.0), (10, 1.5)):
    CASES.append(
        (
            f"bbands{n}_{k}",
            lambda c, n=n, k=k: np.stack(ind.bbands(c.close, n, k)),
            lambda c, n=n, k=k: np.stack(talib.BBANDS(c.close, n, k, k, 0)),
        )
    )
for fast, slow, signal in ((12, 26, 9), (5, 35, 5)):
    CASES.append(
        (
            f"macd{fast}_{slow}_{signal}",
            lambda c, f=fast, s=slow, g=signal: np.stack(ind.macd(c.close, f, s, g)),
            lambda c, f=fast, s=slow, g=signal: np.stack(talib.MACD(c.close, f, s, g)),
        )
    )
for k, d in ((14, 3), (5, 5)):
    CASES.append(
        (
            f"stoch{k}_{d}",
            lambda c, k=k, d=d: np.stack(ind.stoch(c.high, c.low, c.close, k, d)),
            lambda c, k=k, d=d: np.stack(talib.STOCHF(c.high, c.low, c.close, k, d, 0)),
        )
    )
CASES.append(("obv", lambda c: ind.obv(c.close, c.volume), lambda c: talib.OBV(c.close, c.volume)))


def _keltner_reference(c: Candles, n: int, mult: float) -> Any:
    middle = talib.EMA(c.close, n)
    width = talib.ATR(c.high, c.low, c.close, n)
    middle[np.isnan(width)] = np.nan
    return np.stack([middle + mult * width, middle, middle - mult * width])


CASES.append(
    (
        "keltner20_2",
        lambda c: np.stack(ind.keltner(c.high, c.low, c.close, 20, 2.0)),
        lambda c: _keltner_reference(c, 20, 2.0),
    )
)


def _ichimoku_reference(c: Candles) -> Any:
    tenkan = talib.MIDPRICE(c.high, c.low, 9)
    kijun = talib.MIDPRICE(c.high, c.low, 26)
    cloud_a = pd.Series((tenkan + kijun) / 2).shift(26).to_numpy()
    cloud_b = pd.Series(talib.MIDPRICE(c.high, c.low, 52)).shift(26).to_numpy()
    chikou = pd.Series(c.close).shift(26).to_numpy()
    return np.stack([tenkan, kijun, cloud_a, cloud_b, chikou])


CASES.append(
    (
        "ichimoku",
        lambda c: np.stack(ind.ichimoku(c.high, c.low, c.close)),
        _ichimoku_reference,
    )
)


@pytest.mark.parametrize("candles", real_candles(), ids=lambda c: c.name)
@pytest.mark.parametrize(("name", "ours", "reference"), CASES, ids=[c[0] for c in CASES])
def test_equals_talib_on_real_candles(
    candles: Candles, name: str, ours: Callable[[Candles], Any], reference: Callable[[Candles], Any]
) -> None:
    bounded = name.startswith(("rsi", "imi", "mfi", "stoch", "willr", "adx", "plus_di", "minus_di"))
    assert_same(ours(candles), reference(candles), atol=ATOL_AT_ZERO if bounded else 0.0)


def _vwap_reference(c: Candles, session: Any) -> Any:
    frame = pd.DataFrame(
        {"pv": (c.high + c.low + c.close) / 3 * c.volume, "v": c.volume, "session": session}
    )
    grouped = frame.groupby("session")
    value = grouped["pv"].cumsum() / grouped["v"].cumsum()
    return value.where(grouped["v"].cumsum() > 0).to_numpy()


@pytest.mark.parametrize("candles", real_candles(), ids=lambda c: c.name)
def test_vwap_equals_a_grouped_cumulative_sum(candles: Candles) -> None:
    session = np.arange(candles.close.shape[0]) // 360  # a new session every 360 bars
    reset = np.r_[True, session[1:] != session[:-1]]

    assert_same(
        ind.vwap(candles.high, candles.low, candles.close, candles.volume, reset),
        _vwap_reference(candles, session),
    )
    assert_same(
        ind.vwap(candles.high, candles.low, candles.close, candles.volume),
        _vwap_reference(candles, np.zeros_like(session)),
    )


def _supertrend_reference(c: Candles, n: int, mult: float) -> tuple[list[float], list[float]]:
    """Straight from the definition, one bar at a time, on TA-Lib's ATR."""
    width = talib.ATR(c.high, c.low, c.close, n)
    line = [float("nan")] * len(c.close)
    direction = [float("nan")] * len(c.close)
    upper = lower = 0.0
    for i in range(n, len(c.close)):
        hl2 = (c.high[i] + c.low[i]) / 2
        bu, bl = hl2 + mult * width[i], hl2 - mult * width[i]
        if i == n:
            upper, lower = bu, bl
            trend = 1.0 if c.close[i] >= hl2 else -1.0
        else:
            upper = bu if (bu < upper or c.close[i - 1] > upper) else upper
            lower = bl if (bl > lower or c.close[i - 1] < lower) else lower
            if direction[i - 1] == 1.0:
                trend = -1.0 if c.close[i] < lower else 1.0
            else:
                trend = 1.0 if c.close[i] > upper else -1.0
        direction[i] = trend
        line[i] = lower if trend == 1.0 else upper
    return line, direction


@pytest.mark.parametrize("candles", [c.head(20_000) for c in real_candles()], ids=lambda c: c.name)
@pytest.mark.parametrize(("n", "mult"), [(10, 3.0), (7, 1.5)])
def test_supertrend_follows_its_definition(candles: Candles, n: int, mult: float) -> None:
    line, direction = ind.supertrend(candles.high, candles.low, candles.close, n, mult)
    ref_line, ref_direction = _supertrend_reference(candles, n, mult)

    assert_same(line, ref_line)
    assert_same(direction, ref_direction)
    assert set(np.unique(direction[~np.isnan(direction)])) == {-1.0, 1.0}
