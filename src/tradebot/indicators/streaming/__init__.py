"""Streaming indicators: one update per bar in O(1), for strategies that see one bar at a time.

Each class has ``update(...)`` returning the new value(s), keeps its latest outputs as
attributes (``value``, or ``upper``/``middle``/``lower`` and the like) and has a ``ready``
property. Values equal TA-Lib where it has the indicator, and the batch functions of
:mod:`tradebot.indicators.batch`; they are NaN until the warm-up is complete. Updates use plain
Python floats: each costs about a microsecond.

Inputs must be finite: an update with a NaN or infinite input raises ValueError naming the
indicator and the input, before changing anything, so the indicator stays as it was and the
caller may skip the bar. (The data loaders already refuse NaN prices; a NaN reaching an
indicator is a bug upstream, and silently carrying it would poison a Wilder average forever.)
"""

from tradebot.indicators.streaming.momentum import CCI, IMI, MACD, MFI, RSI, Stochastic, WilliamsR
from tradebot.indicators.streaming.moving import EMA, SMA, WMA
from tradebot.indicators.streaming.rolling import RollingMax, RollingMin
from tradebot.indicators.streaming.trend import ADX, Ichimoku, SuperTrend
from tradebot.indicators.streaming.volatility import ATR, BollingerBands, Keltner
from tradebot.indicators.streaming.volume import OBV, VWAP

__all__ = [
    "ADX",
    "ATR",
    "CCI",
    "EMA",
    "IMI",
    "MACD",
    "MFI",
    "OBV",
    "RSI",
    "SMA",
    "VWAP",
    "WMA",
    "BollingerBands",
    "Ichimoku",
    "Keltner",
    "RollingMax",
    "RollingMin",
    "Stochastic",
    "SuperTrend",
    "WilliamsR",
]
