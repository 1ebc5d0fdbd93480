"""Covered calls (seed 003): the one scorer, the one realised-vol estimate and the exit rule.

Seed 003's P0 items were a scorer duplicated between the live policy and the simulator, and
IV/RV computed in several places. Here each exists once and is used by the strategy, by the
backtest it runs in, and by the training export (:mod:`tradebot.backtest.training`):

* realised vol — :class:`~tradebot.options.synthetic.realized_vol.RealizedVol`, the estimate
  the synthetic option market prices with (re-exported here), so IV/RV compares like with like;
* :func:`candidates` — every call of a chain inside the DTE and delta ranges, with its features;
* :func:`score` — the score of candidates from their features (scalars or NumPy arrays);
* :func:`exit_reason` — take profit, roll, or hold, for a call already sold.

Score (each term is hand-computable; weights and targets come from the preset)::

    Y = min(annualised_yield / target_yield, 2)                  premium yield, capped at 2
    D = max(0, 1 - |delta - target_delta| / (delta_max - delta_min))  closeness to the target
    V = clip(iv / rv - 1, -1, 1)        rich (+) or cheap (-) vol; 0 while RV is unknown
    T = max(0, 1 - |dte - target_dte| / (dte_max - dte_min))      closeness to the target DTE
    score = w_yield * Y + w_delta * D + w_ivrv * V + w_dte * T

A zero-width range makes its closeness term 1. The annualised yield is the premium received
per unit of the underlying covered (the bid, in the coin for Deribit's inverse options; bid /
spot for linear ones) times 365 / DTE.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, overload

import numpy as np
import numpy.typing as npt

from tradebot.options.chain import OptionChain
from tradebot.options.synthetic.realized_vol import RealizedVol

FloatArray = npt.NDArray[np.float64]

DAY_NS = 86_400 * 10**9
YEAR_NS = 365 * DAY_NS


@dataclass(frozen=True, slots=True)
class ScoreSettings:
    """The ranges, targets and weights the scorer and the candidate filter read.

    Built from the strategy's parameters with :meth:`from_params`; see
    :class:`~tradebot.strategies.options.covered_call.CoveredCallParams` for each value.
    """

    dte_min: float
    dte_max: float
    delta_min: float
    delta_max: float
    target_delta: float
    target_dte: float
    target_yield: float
    w_yield: float
    w_delta: float
    w_ivrv: float
    w_dte: float

    @classmethod
    def from_params(cls, params: Any) -> ScoreSettings:
        """The settings held by a ``CoveredCallParams`` (any object with those attributes)."""
        return cls(**{name: float(getattr(params, name)) for name in cls.__slots__})


@overload
def score(yield_ann: float, delta: float, ivrv: float, dte: float, s: ScoreSettings) -> float: ...
@overload
def score(
    yield_ann: FloatArray, delta: FloatArray, ivrv: FloatArray, dte: FloatArray, s: ScoreSettings
) -> FloatArray: ...
def score(yield_ann: Any, delta: Any, ivrv: Any, dte: Any, s: ScoreSettings) -> Any:
    """Score of candidates from their annualised yield, |delta|, IV/RV and days to expiry
    (floats in, a float out; arrays in, an array out)."""
    y = np.minimum(np.asarray(yield_ann, dtype=np.float64) / s.target_yield, 2.0)
    d = _closeness(
        np.abs(np.asarray(delta, dtype=np.float64)), s.target_delta, s.delta_max - s.delta_min
    )
    v = np.clip(np.asarray(ivrv, dtype=np.float64) - 1.0, -1.0, 1.0)
    t = _closeness(np.asarray(dte, dtype=np.float64), s.target_dte, s.dte_max - s.dte_min)
    out = s.w_yield * y + s.w_delta * d + s.w_ivrv * v + s.w_dte * t
    return float(out) if np.ndim(out) == 0 else out


def _closeness(x: FloatArray, target: float, width: float) -> FloatArray:
    if width <= 0:
        return np.ones_like(x)
    return np.maximum(0.0, 1.0 - np.abs(x - target) / width)


@dataclass(frozen=True, slots=True)
class Candidates:
    """The calls considered at one decision, one entry per row (columns as arrays)."""

    chain: OptionChain
    rows: npt.NDArray[np.int64]
    """Row of each candidate in ``chain``."""
    dte: FloatArray
    moneyness: FloatArray
    """strike / spot - 1 (0.10: 10 % out of the money)."""
    delta: FloatArray
    iv: FloatArray
    rv: float
    ivrv: FloatArray
    premium: FloatArray
    """Bid in the premium currency (the coin for inverse options)."""
    premium_usd: FloatArray
    yield_: FloatArray
    """Premium per unit of the underlying covered, as a fraction of it."""
    yield_ann: FloatArray
    score: FloatArray

    def __len__(self) -> int:
        return int(self.rows.shape[0])

    def best(self, min_score: float, min_ivrv: float) -> int | None:
        """Index of the highest score among the eligible candidates, or None."""
        ok = self.eligible(min_score, min_ivrv)
        if not ok.any():
            return None
        masked = np.where(ok, self.score, -np.inf)
        return int(np.argmax(masked))

    def eligible(self, min_score: float, min_ivrv: float) -> npt.NDArray[np.bool_]:
        """Candidates scoring at least ``min_score`` whose IV/RV is at least ``min_ivrv``
        (a NaN IV/RV never passes a positive ``min_ivrv``)."""
        if min_ivrv > 0:
            with np.errstate(invalid="ignore"):
                ivrv_ok = self.ivrv >= min_ivrv - 1e-9  # IV = RV x 1.0 must pass a 1.0 floor
        else:
            ivrv_ok = np.ones(len(self), dtype=bool)
        return (self.score >= min_score) & ivrv_ok


def candidates(chain: OptionChain, rv: float, s: ScoreSettings) -> Candidates:
    """Every call of ``chain`` with a bid whose DTE and |delta| lie inside the ranges, scored."""
    dte_all = (chain.expiry_ns - chain.ts_ns) / DAY_NS
    delta_all = np.abs(chain.delta)
    with np.errstate(invalid="ignore"):
        mask = (
            chain.is_call
            & (chain.bid > 0)
            & (dte_all >= s.dte_min)
            & (dte_all <= s.dte_max)
            & (delta_all >= s.delta_min)
            & (delta_all <= s.delta_max)
        )
    rows = np.flatnonzero(mask)
    spot = chain.spot
    dte = dte_all[rows]
    premium = chain.bid[rows]
    mult = float(chain.spec.multiplier)
    if chain.spec.premium_in_underlying:
        premium_usd = premium * spot
        yield_ = premium.copy()
    else:
        premium_usd = premium.copy()
        yield_ = premium / spot
    premium_usd = premium_usd * mult
    yield_ann = yield_ * 365.0 / dte
    iv = chain.iv[rows]
    with np.errstate(invalid="ignore", divide="ignore"):
        ivrv = iv / rv if rv > 0 else np.full(rows.shape, np.nan)
    delta = delta_all[rows]
    scores = score(yield_ann, delta, np.nan_to_num(ivrv, nan=1.0), dte, s)
    return Candidates(
        chain=chain,
        rows=rows,
        dte=dte,
        moneyness=chain.strike[rows] / spot - 1.0,
        delta=delta,
        iv=iv,
        rv=rv,
        ivrv=ivrv,
        premium=premium,
        premium_usd=premium_usd,
        yield_=yield_,
        yield_ann=yield_ann,
        score=np.asarray(scores, dtype=np.float64),
    )


def exit_reason(
    *,
    ask: float,
    premium: float,
    spot: float,
    strike: float,
    hours_left: float,
    delta: float,
    take_profit: float,
    roll_hours: float,
    roll_delta: float,
) -> str | None:
    """What to do with a call sold at ``premium`` now quoted at ``ask``: the exit rule.

    ``"take_profit"`` when buying it back costs at most ``(1 - take_profit) × premium``;
    ``"roll"`` when it is in the money within ``roll_hours`` of expiry, or its |delta| exceeds
    ``roll_delta``; None to keep it (expiry settles it).
    """
    if math.isfinite(ask) and ask > 0 and ask <= (1.0 - take_profit) * premium:
        return "take_profit"
    if hours_left <= roll_hours and spot > strike:
        return "roll"
    if math.isfinite(delta) and abs(delta) > roll_delta:
        return "roll"
    return None


@dataclass(frozen=True, slots=True)
class MarketContext:
    """The "big picture" at a decision (seed 003's market_context)."""

    trend: float
    """close / mean of the closes over the trend window - 1."""
    trend_regime: str
    """``bull`` above +5 %, ``bear`` below -5 %, else ``sideways``."""
    rv_short: float
    rv_long: float
    vol_regime: str
    """``high`` when the short RV exceeds the long one by 25 %, ``low`` below 80 %, else
    ``normal`` (``unknown`` without enough history)."""


def market_context(
    close: float, mean_close: float, rv_short: float, rv_long: float
) -> MarketContext:
    """Trend from the close over its mean, volatility regime from a short and a long RV."""
    trend = close / mean_close - 1.0 if mean_close > 0 else math.nan
    if not math.isfinite(trend):
        regime = "unknown"
    else:
        regime = "bull" if trend > 0.05 else "bear" if trend < -0.05 else "sideways"
    if not (math.isfinite(rv_short) and math.isfinite(rv_long) and rv_long > 0):
        vol = "unknown"
    elif rv_short > 1.25 * rv_long:
        vol = "high"
    elif rv_short < 0.8 * rv_long:
        vol = "low"
    else:
        vol = "normal"
    return MarketContext(trend, regime, rv_short, rv_long, vol)


__all__ = [
    "Candidates",
    "MarketContext",
    "RealizedVol",
    "ScoreSettings",
    "candidates",
    "exit_reason",
    "market_context",
    "score",
]
