"""Technical strategies; importing this package registers them."""

from tradebot.strategies.technical.rsi_bb import RsiBbParams, RsiBollinger
from tradebot.strategies.technical.sma_cross import SmaCross, SmaCrossParams

__all__ = ["RsiBbParams", "RsiBollinger", "SmaCross", "SmaCrossParams"]
