"""Price a block of contracts in one vectorised pass: IV model, Black-76, coin conversion.

Kept apart from the market so that the calibration prices a real chain's contracts with the
very function a backtest uses; what is calibrated is then what trades.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tradebot.options.chain import BoolArray, FloatArray, IntArray
from tradebot.options.contract import OptionSpec
from tradebot.options.pricing import black76_greeks, to_coin_price, year_fraction
from tradebot.options.synthetic.iv_model import IVModel
from tradebot.options.synthetic.spread import SpreadModel


@dataclass(frozen=True, slots=True)
class PricedBlock:
    """Columns of priced contracts (premiums in the series' currency, greeks in USD terms)."""

    forward: FloatArray
    years: FloatArray
    iv: FloatArray
    usd: FloatArray
    mark: FloatArray
    bid: FloatArray
    ask: FloatArray
    delta: FloatArray
    gamma: FloatArray
    vega: FloatArray
    theta: FloatArray


def default_spread(spec: OptionSpec) -> SpreadModel:
    """Deribit's tick rule for coin-premium series (×5 above 0.005), one tick otherwise."""
    if spec.premium_in_underlying:
        return SpreadModel(coarse_tick=float(spec.price_increment) * 5, coarse_above=0.005)
    return SpreadModel()


def price_block(
    spec: OptionSpec,
    ts_ns: int,
    spot: float,
    realised: float,
    expiry_ns: IntArray,
    strike: FloatArray,
    is_call: BoolArray,
    *,
    iv_model: IVModel,
    spread: SpreadModel,
    rate: float = 0.0,
    forward: FloatArray | None = None,
) -> PricedBlock:
    """Price contracts at ``ts_ns`` from the spot and the realised vol.

    ``forward`` defaults to ``spot·e^(rT)``; a recorded chain passes its own forwards so the
    comparison isolates the volatility model. Inverse premiums are the USD value divided by
    the forward, as Deribit quotes ``mark_price``.
    """
    years = np.asarray(year_fraction(np.int64(ts_ns), expiry_ns), dtype=np.float64)
    fwd = spot * np.exp(rate * years) if forward is None else forward
    iv = iv_model.iv(realised, strike, fwd, years)
    g = black76_greeks(fwd, strike, years, rate, iv, is_call)
    usd = g["price"]
    mark = to_coin_price(usd, fwd) if spec.premium_in_underlying else usd
    bid, ask = spread.quotes(mark, float(spec.price_increment))
    return PricedBlock(
        forward=np.asarray(fwd, dtype=np.float64),
        years=years,
        iv=iv,
        usd=usd,
        mark=mark,
        bid=bid,
        ask=ask,
        delta=g["delta"],
        gamma=g["gamma"],
        vega=g["vega"],
        theta=g["theta"],
    )


__all__ = ["PricedBlock", "default_spread", "price_block"]
