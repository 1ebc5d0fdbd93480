"""Indicators in streaming form (batch forms arrive with the indicators issue)."""

from tradebot.indicators.streaming import RSI, SMA, BollingerBands

__all__ = ["RSI", "SMA", "BollingerBands"]
