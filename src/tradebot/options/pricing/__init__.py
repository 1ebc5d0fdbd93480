"""Vectorised European option pricing, greeks and implied volatility (Numba, all cores).

Black-Scholes-Merton on spot with a continuous yield, Black-76 on a forward (Deribit's model),
an implied-vol solver that returns NaN rather than a wrong number, coin-margined conversions
and nanosecond year fractions. Every function takes scalars or broadcasting arrays: scalars in
give floats out, arrays in give float64 arrays. Values and greeks equal QuantLib's
``AnalyticEuropeanEngine``/``BlackCalculator`` (see ``tests/unit/options/pricing``).
"""

from tradebot.options.pricing.black76 import black76_greeks, black76_price
from tradebot.options.pricing.black_scholes import bs_greeks, bs_price
from tradebot.options.pricing.implied_vol import implied_vol
from tradebot.options.pricing.inverse import coin_delta, to_coin_price, to_usd_price
from tradebot.options.pricing.time import NS_PER_YEAR, deribit_expiry_ns, year_fraction

__all__ = [
    "NS_PER_YEAR",
    "black76_greeks",
    "black76_price",
    "bs_greeks",
    "bs_price",
    "coin_delta",
    "deribit_expiry_ns",
    "implied_vol",
    "to_coin_price",
    "to_usd_price",
    "year_fraction",
]
