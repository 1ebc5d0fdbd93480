"""Synthetic option chains for backtests: realised vol × multiplier, a fitted smile, a
Deribit-like calendar and strike grid, and bid/ask on the tick (seed 003).

Build one with::

    market = SyntheticOptionMarket(("BTC",), SyntheticMarketConfig(iv=IVModel(multiplier=1.1)))
    engine = build_paper_engine(instruments, strategies, config, options=market)
"""

from tradebot.options.synthetic.calendar import ExpiryCalendar
from tradebot.options.synthetic.config import SyntheticMarketConfig
from tradebot.options.synthetic.iv_model import IVModel, SkewModel
from tradebot.options.synthetic.market import SyntheticOptionMarket, spec_for
from tradebot.options.synthetic.pricer import PricedBlock, default_spread, price_block
from tradebot.options.synthetic.realized_vol import RealizedVol, timeframe_ns
from tradebot.options.synthetic.spread import SpreadModel
from tradebot.options.synthetic.strikes import StrikeGrid, nice_step

SyntheticOptionConfig = SyntheticMarketConfig
"""Alias of :class:`SyntheticMarketConfig`."""

__all__ = [
    "ExpiryCalendar",
    "IVModel",
    "PricedBlock",
    "RealizedVol",
    "SkewModel",
    "SpreadModel",
    "StrikeGrid",
    "SyntheticMarketConfig",
    "SyntheticOptionConfig",
    "SyntheticOptionMarket",
    "default_spread",
    "nice_step",
    "price_block",
    "spec_for",
    "timeframe_ns",
]
