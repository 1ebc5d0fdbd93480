"""Streaming indicators: one update per bar in O(1), for strategies that see one bar at a time.

Each class has ``update(...)`` returning the new value(s), the latest outputs as attributes and
a ``ready`` property. Values equal the batch functions of :mod:`tradebot.indicators.batch`
and TA-Lib where it has the indicator; they are NaN until the warm-up is complete. Inputs must
be finite numbers (the data loaders refuse NaN prices).
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
