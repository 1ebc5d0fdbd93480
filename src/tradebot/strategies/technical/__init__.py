"""Technical strategies; importing this package registers them."""

from tradebot.strategies.technical.adx_sma import AdxSma, AdxSmaParams
from tradebot.strategies.technical.bandtastic import Bandtastic, BandtasticParams
from tradebot.strategies.technical.ichimoku import IchimokuCloud, IchimokuParams
from tradebot.strategies.technical.keltner import KeltnerBreakout, KeltnerParams
from tradebot.strategies.technical.mean_reversion import MeanReversion, MeanReversionParams
from tradebot.strategies.technical.momentum import Momentum, MomentumParams
from tradebot.strategies.technical.multi_supertrend import MultiSuperTrend, MultiSuperTrendParams
from tradebot.strategies.technical.rsi_bb import RsiBbParams, RsiBollinger
from tradebot.strategies.technical.rsi_bb_momentum import RsiBbMomentum, RsiBbMomentumParams
from tradebot.strategies.technical.scalping import Scalping, ScalpingParams
from tradebot.strategies.technical.sma_cross import SmaCross, SmaCrossParams
from tradebot.strategies.technical.universal_macd import UniversalMacd, UniversalMacdParams
from tradebot.strategies.technical.volatility_system import (
    VolatilitySystem,
    VolatilitySystemParams,
)

__all__ = [
    "AdxSma",
    "AdxSmaParams",
    "Bandtastic",
    "BandtasticParams",
    "IchimokuCloud",
    "IchimokuParams",
    "KeltnerBreakout",
    "KeltnerParams",
    "MeanReversion",
    "MeanReversionParams",
    "Momentum",
    "MomentumParams",
    "MultiSuperTrend",
    "MultiSuperTrendParams",
    "RsiBbMomentum",
    "RsiBbMomentumParams",
    "RsiBbParams",
    "RsiBollinger",
    "Scalping",
    "ScalpingParams",
    "SmaCross",
    "SmaCrossParams",
    "UniversalMacd",
    "UniversalMacdParams",
    "VolatilitySystem",
    "VolatilitySystemParams",
]
