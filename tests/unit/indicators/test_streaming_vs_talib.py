"""Streaming indicators, fed real candles one bar at a time, equal TA-Lib over the whole array.

Every output at every bar: the same NaN warm-up and values to 1e-9 relative. Indicators TA-Lib
lacks are checked against references written here from their definitions: VWAP as a pandas
grouped cumulative sum, SuperTrend as a plain loop over ``talib.ATR``, Keltner as TA-Lib's EMA
and ATR composed, Ichimoku as ``talib.MIDPRICE`` and shifts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
import talib

from tradebot.indicators.streaming import (
    ADX,
    ATR,
    CCI,
    EMA,
    IMI,
    MACD,
    MFI,
    OBV,
    RSI,
    SMA,
    VWAP,
    WMA,
    BollingerBands,
    Ichimoku,
    Keltner,
    RollingMax,
    RollingMin,
    Stochastic,
    SuperTrend,
    WilliamsR,
)

from .candles import Candles, every_bundled_candle_series
from .streamed import assert_same, stream

CANDLES = every_bundled_candle_series()
"""Coinbase BTC/USD 4h 2016–2025 (20,695 bars, so every running sum is rebuilt ~20 times),
Binance ETH/USDT and BTC/USDT 1m and Bybit BTC/USDT 1m."""

MFI_RESIDUE = 1e-10
"""TA-Lib's MFI slides its money-flow sums, so a window with flow on one side only reads a
rounding residue there (up to 5e-12 on these candles, on a 0–100 scale); ours counts the
flows and returns exactly 0."""


class _Directional:
    """ADX with its +DI and −DI as one row per bar."""

    def __init__(self, n: int) -> None:
        self.adx = ADX(n)

    def update(self, high: float, low: float, close: float) -> tuple[float, float, float]:
        self.adx.update(high, low, close)
        return self.adx.value, self.adx.plus_di, self.adx.minus_di


def _keltner(c: Candles, n: int, mult: float) -> Any:
    middle = talib.EMA(c.close, n)
    width = talib.ATR(c.high, c.low, c.close, n)
    middle[np.isnan(width)] = np.nan
    return np.stack([middle + mult * width, middle, middle - mult * width], axis=1)


def _shift(values: Any, by: int) -> Any:
    return pd.Series(values).shift(by).to_numpy()


def _ichimoku(c: Candles, tenkan: int, kijun: int, senkou: int) -> Any:
    conversion = talib.MIDPRICE(c.high, c.low, tenkan)
    base = talib.MIDPRICE(c.high, c.low, kijun)
    cloud_b = talib.MIDPRICE(c.high, c.low, senkou)
    return np.stack(
        [
            conversion,
            base,
            _shift((conversion + base) / 2, kijun),
            _shift(cloud_b, kijun),
            _shift(c.close, kijun),
        ],
        axis=1,
    )


def _supertrend(c: Candles, n: int, mult: float) -> Any:
    """The spec's definition, bar by bar, over TA-Lib's ATR."""
    atr = talib.ATR(c.high, c.low, c.close, n)
    size = len(c.close)
    line = np.full(size, np.nan)
    direction = np.full(size, np.nan)
    fu = fl = 0.0
    for i in range(n, size):
        hl2 = (c.high[i] + c.low[i]) / 2
        bu = hl2 + mult * atr[i]
        bl = hl2 - mult * atr[i]
        if i == n:
            fu, fl = bu, bl
            direction[i] = 1.0 if c.close[i] >= hl2 else -1.0
        else:
            fu = bu if (bu < fu or c.close[i - 1] > fu) else fu
            fl = bl if (bl > fl or c.close[i - 1] < fl) else fl
            if direction[i - 1] == 1.0:
                direction[i] = -1.0 if c.close[i] < fl else 1.0
            else:
                direction[i] = 1.0 if c.close[i] > fu else -1.0
        line[i] = fl if direction[i] == 1.0 else fu
    return np.stack([line, direction], axis=1)


Case = Any  # a pytest.param of (factory, fields, reference, atol)


def _case(
    name: str,
    factory: Callable[[], Any],
    fields: str,
    reference: Callable[[Candles], Any],
    atol: float = 0.0,
) -> Case:
    return pytest.param(factory, fields, reference, atol, id=name)


CASES: list[Case] = []
for n in (1, 2, 14, 50, 1500):  # 1,500 > the 1,024 updates between exact re-summations
    CASES += [
        _case(f"SMA{n}", lambda n=n: SMA(n), "c", lambda c, n=n: talib.SMA(c.close, n)),
        _case(f"WMA{n}", lambda n=n: WMA(n), "c", lambda c, n=n: talib.WMA(c.close, n)),
    ]
for n in (1, 2, 14, 50, 200):
    CASES += [
        _case(f"EMA{n}", lambda n=n: EMA(n), "c", lambda c, n=n: talib.EMA(c.close, n)),
        _case(
            f"ATR{n}",
            lambda n=n: ATR(n),
            "hlc",
            lambda c, n=n: talib.ATR(c.high, c.low, c.close, n),
        ),
    ]
for n in (2, 5, 14, 50):  # TA-Lib takes these from 2
    CASES += [
        _case(f"RSI{n}", lambda n=n: RSI(n), "c", lambda c, n=n: talib.RSI(c.close, n)),
        _case(
            f"IMI{n}",
            lambda n=n: IMI(n),
            "oc",
            lambda c, n=n: talib.IMI(c.open, c.close, n),
        ),
        _case(
            f"CCI{n}",
            lambda n=n: CCI(n),
            "hlc",
            lambda c, n=n: talib.CCI(c.high, c.low, c.close, n),
        ),
        _case(
            f"WilliamsR{n}",
            lambda n=n: WilliamsR(n),
            "hlc",
            lambda c, n=n: talib.WILLR(c.high, c.low, c.close, n),
        ),
        _case(
            f"MFI{n}",
            lambda n=n: MFI(n),
            "hlcv",
            lambda c, n=n: talib.MFI(c.high, c.low, c.close, c.volume, n),
            MFI_RESIDUE,
        ),
        _case(
            f"ADX{n}",
            lambda n=n: _Directional(n),
            "hlc",
            lambda c, n=n: np.stack(
                [
                    talib.ADX(c.high, c.low, c.close, n),
                    talib.PLUS_DI(c.high, c.low, c.close, n),
                    talib.MINUS_DI(c.high, c.low, c.close, n),
                ],
                axis=1,
            ),
        ),
        _case(
            f"RollingMax{n}", lambda n=n: RollingMax(n), "h", lambda c, n=n: talib.MAX(c.high, n)
        ),
        _case(f"RollingMin{n}", lambda n=n: RollingMin(n), "l", lambda c, n=n: talib.MIN(c.low, n)),
    ]
for n, k in ((20, 2.0), (10, 1.5), (5, 3.0), (200, 2.0), (2, 0.5)):
    CASES.append(
        _case(
            f"BollingerBands{n}_{k}",
            lambda n=n, k=k: BollingerBands(n, k),
            "c",
            lambda c, n=n, k=k: np.stack(talib.BBANDS(c.close, n, k, k, 0), axis=1),
        )
    )
for fast, slow, signal in ((12, 26, 9), (5, 35, 5), (26, 12, 9), (3, 10, 1), (2, 2, 2)):
    CASES.append(
        _case(
            f"MACD{fast}_{slow}_{signal}",
            lambda f=fast, s=slow, g=signal: MACD(f, s, g),
            "c",
            lambda c, f=fast, s=slow, g=signal: np.stack(talib.MACD(c.close, f, s, g), axis=1),
        )
    )
for k, d in ((14, 3), (5, 5), (9, 1), (50, 10), (1, 3)):
    CASES.append(
        _case(
            f"Stochastic{k}_{d}",
            lambda k=k, d=d: Stochastic(k, d),
            "hlc",
            lambda c, k=k, d=d: np.stack(talib.STOCHF(c.high, c.low, c.close, k, d, 0), axis=1),
        )
    )
CASES.append(_case("OBV", OBV, "cv", lambda c: talib.OBV(c.close, c.volume)))
for n, mult in ((20, 2.0), (10, 1.5), (50, 3.0), (1, 1.0)):
    CASES.append(
        _case(
            f"Keltner{n}_{mult}",
            lambda n=n, m=mult: Keltner(n, m),
            "hlc",
            lambda c, n=n, m=mult: _keltner(c, n, m),
        )
    )
for n, mult in ((10, 3.0), (7, 1.5), (1, 2.0), (50, 0.5)):
    CASES.append(
        _case(
            f"SuperTrend{n}_{mult}",
            lambda n=n, m=mult: SuperTrend(n, m),
            "hlc",
            lambda c, n=n, m=mult: _supertrend(c, n, m),
        )
    )
for periods in ((9, 26, 52), (7, 22, 44), (20, 10, 30), (2, 2, 2)):
    CASES.append(
        _case(
            "Ichimoku{}_{}_{}".format(*periods),
            lambda p=periods: Ichimoku(*p),
            "hlc",
            lambda c, p=periods: _ichimoku(c, *p),
        )
    )


@pytest.mark.parametrize("candles", CANDLES, ids=lambda c: c.name)
@pytest.mark.parametrize(("factory", "fields", "reference", "atol"), CASES)
def test_streaming_equals_talib_at_every_bar(
    candles: Candles,
    factory: Callable[[], Any],
    fields: str,
    reference: Callable[[Candles], Any],
    atol: float,
) -> None:
    assert_same(stream(factory(), fields, candles), reference(candles), atol=atol)


@pytest.mark.parametrize("candles", CANDLES, ids=lambda c: c.name)
def test_directional_lines_of_period_one_keep_the_percent_scale(candles: Candles) -> None:
    """TA-Lib's PLUS_DI/MINUS_DI return the bare ratio (0–1) for period 1 only, 0–100 for
    every other period and in ADX; ours keep 0–100."""
    hlc = (candles.high, candles.low, candles.close)
    ours = stream(_Directional(1), "hlc", candles)
    reference = 100 * np.stack([talib.PLUS_DI(*hlc, 1), talib.MINUS_DI(*hlc, 1)], axis=1)
    assert_same(ours[:, 1:], reference)


def test_supertrend_direction_is_plus_or_minus_one_after_warm_up() -> None:
    candles = CANDLES[0]
    direction = stream(SuperTrend(10, 3.0), "hlc", candles)[:, 1]
    assert np.isnan(direction[:10]).all()
    assert set(np.unique(direction[10:])) == {-1.0, 1.0}


class _Sessions:
    """VWAP reset before the first bar of every session."""

    def __init__(self, starts: list[bool]) -> None:
        self.vwap = VWAP()
        self.starts = iter(starts)

    def update(self, high: float, low: float, close: float, volume: float) -> float:
        if next(self.starts):
            self.vwap.reset()
        return self.vwap.update(high, low, close, volume)


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
    starts = np.r_[True, session[1:] != session[:-1]].tolist()

    ours = stream(_Sessions(starts), "hlcv", candles)

    assert_same(ours, _vwap_reference(candles, session))


def test_vwap_is_undefined_while_the_session_has_not_traded() -> None:
    price = [10.0, 11.0, 12.0, 13.0, 14.0]
    volume = [0.0, 0.0, 2.0, 0.0, 1.0]
    starts = [True, False, False, True, False]
    bars = Candles("steps", *(np.array(price),) * 4, np.array(volume))

    ours = stream(_Sessions(starts), "hlcv", bars)

    assert_same(ours, [np.nan, np.nan, 12.0, np.nan, 14.0])
