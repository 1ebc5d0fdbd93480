"""Price a snapshot's contracts with the synthetic model and measure the error, by bucket.

Errors are synthetic minus real, in USD per contract and in vol points (1 point = 1 % of
annualised vol), so a positive bias means the synthetic market is too dear. Buckets split the
error by moneyness (``K/F − 1``) and by time to expiry, where a flat IV model fails in
different directions (wings too cheap, short expiries too cheap or dear).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tradebot.options.calibration.inputs import RealQuotes
from tradebot.options.chain import FloatArray
from tradebot.options.synthetic.iv_model import IVModel
from tradebot.options.synthetic.pricer import default_spread, price_block

MONEYNESS_EDGES = (-0.20, -0.05, 0.05, 0.20)
"""Edges of ``K/F − 1``: deep puts, puts, at the money, calls, deep calls."""
MONEYNESS_LABELS = ("< -20%", "-20%..-5%", "-5%..+5%", "+5%..+20%", "> +20%")
EXPIRY_EDGES_DAYS = (2.0, 8.0, 35.0, 100.0)
EXPIRY_LABELS = ("< 2d", "2-8d", "8-35d", "35-100d", "> 100d")


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Synthetic against real for every contract kept."""

    quotes: RealQuotes
    realised: float
    model: IVModel
    iv: FloatArray
    usd: FloatArray

    @property
    def vol_error(self) -> FloatArray:
        """Synthetic minus real IV, in vol points."""
        return np.asarray((self.iv - self.quotes.iv) * 100.0, dtype=np.float64)

    @property
    def usd_error(self) -> FloatArray:
        """Synthetic minus real mark, in USD per contract."""
        return np.asarray(self.usd - self.quotes.usd, dtype=np.float64)


@dataclass(frozen=True, slots=True)
class BucketStats:
    """Error statistics of one group of contracts."""

    group: str
    bucket: str
    n: int
    mae_usd: float
    bias_usd: float
    mae_vol: float
    bias_vol: float


def evaluate(quotes: RealQuotes, realised: float, model: IVModel) -> Evaluation:
    """Price ``quotes`` with ``model`` on their own forwards and expiries."""
    p = price_block(
        quotes.spec,
        quotes.ts_ns,
        quotes.spot,
        realised,
        quotes.expiry_ns,
        quotes.strike,
        quotes.is_call,
        iv_model=model,
        spread=default_spread(quotes.spec),
        forward=quotes.forward,
    )
    return Evaluation(quotes, realised, model, p.iv, p.usd)


def _stats(group: str, bucket: str, ev: Evaluation, mask: np.ndarray) -> BucketStats:
    du = ev.usd_error[mask]
    dv = ev.vol_error[mask]
    n = int(mask.sum())
    if n == 0:
        nan = float("nan")
        return BucketStats(group, bucket, 0, nan, nan, nan, nan)
    return BucketStats(
        group,
        bucket,
        n,
        float(np.mean(np.abs(du))),
        float(np.mean(du)),
        float(np.mean(np.abs(dv))),
        float(np.mean(dv)),
    )


def bucket_stats(ev: Evaluation) -> list[BucketStats]:
    """Overall, by moneyness and by expiry (empty buckets are left out)."""
    q = ev.quotes
    out = [_stats("all", "all", ev, np.ones(len(q), dtype=bool))]
    m_idx = np.searchsorted(np.asarray(MONEYNESS_EDGES), q.strike / q.forward - 1.0, side="right")
    for i, label in enumerate(MONEYNESS_LABELS):
        out.append(_stats("moneyness", label, ev, m_idx == i))
    e_idx = np.searchsorted(np.asarray(EXPIRY_EDGES_DAYS), q.days, side="right")
    for i, label in enumerate(EXPIRY_LABELS):
        out.append(_stats("expiry", label, ev, e_idx == i))
    return [s for s in out if s.n > 0]


__all__ = [
    "EXPIRY_EDGES_DAYS",
    "EXPIRY_LABELS",
    "MONEYNESS_EDGES",
    "MONEYNESS_LABELS",
    "BucketStats",
    "Evaluation",
    "bucket_stats",
    "evaluate",
]
