"""Batch indicators equal TA-Lib on real candles: same NaN warm-up, values to 1e-9 relative.

Indicators TA-Lib lacks are checked against references written here from their definitions:
VWAP as a pandas grouped cumulative sum, SuperTrend as a plain loop over ``talib.ATR``,
Keltner and Ichimoku as compositions of TA-Lib EMA, ATR and MIDPRICE.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
import talib

from tradebot.indicators import batch as ind

from .candles import Candles, every_bundled_candle_series

RTOL = 1e-9
ATOL_AT_ZERO = 1e-9
"""For 0–100 oscillators that are exactly 0 in one implementation and sliding-sum rounding
(~1e-14) in another, which no relative tolerance can absorb. The batch functions need none
against TA-Lib; the streaming tests use it."""

CANDLES = every_bundled_candle_series()


def assert_same(ours: Any, reference: Any, *, atol: float = 0.0) -> None:
    """Same NaN warm-up, same values to ``RTOL`` (plus ``atol`` near zero)."""
    ours = np.asarray(ours, dtype=np.float64)
    reference = np.asarray(reference, dtype=np.float64)
    assert ours.shape == reference.shape
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(reference))
    np.testing.assert_allclose(ours, reference, rtol=RTOL, atol=atol, equal_nan=True)


Case = tuple[str, Callable[[Candles], Any], Callable[[Candles], Any]]
Pair = tuple[Callable[[Candles, int], Any], Callable[[Candles, int], Any]]

ONE_PERIOD: dict[str, tuple[tuple[int, ...], Pair]] = {
    # name: (periods, (ours, TA-Lib)); 1 where TA-Lib takes it, 1,500 > the re-summation interval
    "sma": (
        (1, 2, 5, 14, 50, 200, 1500),
        (lambda c, n: ind.sma(c.close, n), lambda c, n: talib.SMA(c.close, n)),
    ),
    "ema": (
        (1, 2, 5, 14, 50, 200, 1500),
        (lambda c, n: ind.ema(c.close, n), lambda c, n: talib.EMA(c.close, n)),
    ),
    "wma": (
        (1, 2, 5, 14, 50, 200, 1500),
        (lambda c, n: ind.wma(c.close, n), lambda c, n: talib.WMA(c.close, n)),
    ),
    "rsi": (
        (2, 5, 14, 50, 200),
        (lambda c, n: ind.rsi(c.close, n), lambda c, n: talib.RSI(c.close, n)),
    ),
    "imi": (
        (2, 5, 14, 50),
        (lambda c, n: ind.imi(c.open, c.close, n), lambda c, n: talib.IMI(c.open, c.close, n)),
    ),
    "atr": (
        (1, 2, 5, 14, 50, 200),
        (
            lambda c, n: ind.atr(c.high, c.low, c.close, n),
            lambda c, n: talib.ATR(c.high, c.low, c.close, n),
        ),
    ),
    "adx": (
        (2, 5, 14, 50),
        (
            lambda c, n: ind.adx(c.high, c.low, c.close, n),
            lambda c, n: talib.ADX(c.high, c.low, c.close, n),
        ),
    ),
    "plus_di": (
        (2, 5, 14, 50),
        (
            lambda c, n: ind.plus_di(c.high, c.low, c.close, n),
            lambda c, n: talib.PLUS_DI(c.high, c.low, c.close, n),
        ),
    ),
    "minus_di": (
        (2, 5, 14, 50),
        (
            lambda c, n: ind.minus_di(c.high, c.low, c.close, n),
            lambda c, n: talib.MINUS_DI(c.high, c.low, c.close, n),
        ),
    ),
    "cci": (
        (2, 5, 14, 50),
        (
            lambda c, n: ind.cci(c.high, c.low, c.close, n),
            lambda c, n: talib.CCI(c.high, c.low, c.close, n),
        ),
    ),
    "willr": (
        (2, 5, 14, 50, 200),
        (
            lambda c, n: ind.willr(c.high, c.low, c.close, n),
            lambda c, n: talib.WILLR(c.high, c.low, c.close, n),
        ),
    ),
    "mfi": (
        (2, 5, 14, 50),
        (
            lambda c, n: ind.mfi(c.high, c.low, c.close, c.volume, n),
            lambda c, n: talib.MFI(c.high, c.low, c.close, c.volume, n),
        ),
    ),
    "midprice": (
        (2, 5, 14, 50, 200),
        (
            lambda c, n: ind.midprice(c.high, c.low, n),
            lambda c, n: talib.MIDPRICE(c.high, c.low, n),
        ),
    ),
}

CASES: list[Case] = [
    (f"{name}{n}", lambda c, n=n, f=ours: f(c, n), lambda c, n=n, f=theirs: f(c, n))
    for name, (periods, (ours, theirs)) in ONE_PERIOD.items()
    for n in periods
]
for n, k in ((20, 2.0), (10, 1.5), (5, 3.0), (200, 2.0)):
    CASES.append(
        (
            f"bbands{n}_{k}",
            lambda c, n=n, k=k: np.stack(ind.bbands(c.close, n, k)),
            lambda c, n=n, k=k: np.stack(talib.BBANDS(c.close, n, k, k, 0)),
        )
    )
for fast, slow, signal in ((12, 26, 9), (5, 35, 5), (26, 12, 9), (3, 10, 1), (2, 2, 2)):
    CASES.append(
        (
            f"macd{fast}_{slow}_{signal}",
            lambda c, f=fast, s=slow, g=signal: np.stack(ind.macd(c.close, f, s, g)),
            lambda c, f=fast, s=slow, g=signal: np.stack(talib.MACD(c.close, f, s, g)),
        )
    )
for k, d in ((14, 3), (5, 5), (9, 1), (50, 10)):
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


for n, mult in ((20, 2.0), (10, 1.5), (50, 3.0)):
    CASES.append(
        (
            f"keltner{n}_{mult}",
            lambda c, n=n, m=mult: np.stack(ind.keltner(c.high, c.low, c.close, n, m)),
            lambda c, n=n, m=mult: _keltner_reference(c, n, m),
        )
    )


def _shifted(values: Any, by: int) -> Any:
    return pd.Series(values).shift(by).to_numpy()


def _ichimoku_reference(c: Candles, tenkan: int, kijun: int, senkou: int) -> Any:
    conversion = talib.MIDPRICE(c.high, c.low, tenkan)
    base = talib.MIDPRICE(c.high, c.low, kijun)
    return np.stack(
        [
            conversion,
            base,
            _shifted((conversion + base) / 2, kijun),
            _shifted(talib.MIDPRICE(c.high, c.low, senkou), kijun),
            _shifted(c.close, kijun),
        ]
    )


for periods in ((9, 26, 52), (7, 22, 44), (20, 10, 30)):
    CASES.append(
        (
            "ichimoku{}_{}_{}".format(*periods),
            lambda c, p=periods: np.stack(ind.ichimoku(c.high, c.low, c.close, *p)),
            lambda c, p=periods: _ichimoku_reference(c, *p),
        )
    )


@pytest.mark.parametrize("candles", CANDLES, ids=lambda c: c.name)
@pytest.mark.parametrize(("name", "ours", "reference"), CASES, ids=[c[0] for c in CASES])
def test_equals_talib_on_real_candles(
    candles: Candles, name: str, ours: Callable[[Candles], Any], reference: Callable[[Candles], Any]
) -> None:
    assert_same(ours(candles), reference(candles))


@pytest.mark.parametrize("candles", CANDLES, ids=lambda c: c.name)
def test_one_bar_directional_lines_stay_on_the_percent_scale(candles: Candles) -> None:
    """TA-Lib's PLUS_DI/MINUS_DI with period 1 return the bare ratio DM/TR (0–1) while every
    other period, and ADX, use 0–100; ours keep 0–100 for period 1 too."""
    h, lo, c = candles.high, candles.low, candles.close

    assert_same(ind.plus_di(h, lo, c, 1), 100 * talib.PLUS_DI(h, lo, c, 1))
    assert_same(ind.minus_di(h, lo, c, 1), 100 * talib.MINUS_DI(h, lo, c, 1))


def _vwap_reference(c: Candles, session: Any) -> Any:
    frame = pd.DataFrame(
        {"pv": (c.high + c.low + c.close) / 3 * c.volume, "v": c.volume, "session": session}
    )
    grouped = frame.groupby("session")
    traded = grouped["v"].cumsum()
    return (grouped["pv"].cumsum() / traded).where(traded > 0).to_numpy()


@pytest.mark.parametrize("candles", CANDLES, ids=lambda c: c.name)
@pytest.mark.parametrize("bars_per_session", [1, 7, 360, None])
def test_vwap_equals_a_grouped_cumulative_sum(
    candles: Candles, bars_per_session: int | None
) -> None:
    size = candles.close.shape[0]
    session = np.arange(size) // (bars_per_session or size)
    reset = np.r_[True, session[1:] != session[:-1]] if bars_per_session else None

    ours = ind.vwap(candles.high, candles.low, candles.close, candles.volume, reset)

    assert_same(ours, _vwap_reference(candles, session))


def test_vwap_is_undefined_until_something_trades() -> None:
    price = np.array([10.0, 11.0, 12.0, 13.0, 14.0])
    volume = np.array([0.0, 0.0, 2.0, 0.0, 1.0])
    reset = np.array([True, False, False, True, False])

    ours = ind.vwap(price, price, price, volume, reset)

    bars = Candles("steps", price, price, price, price, volume)
    assert_same(ours, _vwap_reference(bars, [0, 0, 0, 1, 1]))
    np.testing.assert_array_equal(np.isnan(ours), [True, True, False, True, False])


def _supertrend_reference(c: Candles, n: int, mult: float) -> tuple[list[float], list[float]]:
    """Straight from the definition, one bar at a time, on TA-Lib's ATR."""
    width = talib.ATR(c.high, c.low, c.close, n)
    size = len(c.close)
    line = [float("nan")] * size
    direction = [float("nan")] * size
    upper = lower = 0.0
    for i in range(n, size):
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


@pytest.mark.parametrize("candles", CANDLES, ids=lambda c: c.name)
@pytest.mark.parametrize(("n", "mult"), [(10, 3.0), (7, 1.5), (1, 2.0), (50, 0.5)])
def test_supertrend_follows_its_definition(candles: Candles, n: int, mult: float) -> None:
    line, direction = ind.supertrend(candles.high, candles.low, candles.close, n, mult)
    ref_line, ref_direction = _supertrend_reference(candles, n, mult)

    assert_same(line, ref_line)
    np.testing.assert_array_equal(direction, ref_direction)
    assert set(np.unique(direction[n:])) == {-1.0, 1.0}
