"""Run the price and greeks kernels on a prepared batch (shared by both models)."""

from __future__ import annotations

import numpy as np

from tradebot.options.pricing import _kernels
from tradebot.options.pricing._arrays import Batch, FloatArray

GREEK_NAMES = ("price", "delta", "gamma", "vega", "theta", "rho")


def run_price(
    batch: Batch,
    s: FloatArray,
    k: FloatArray,
    t: FloatArray,
    r: FloatArray,
    q: FloatArray,
    sigma: FloatArray,
) -> FloatArray:
    out = np.empty(batch.size, dtype=np.float64)
    kernel = _kernels.price_parallel if batch.parallel else _kernels.price_serial
    kernel(s, k, t, r, q, sigma, batch.flags, out)
    return out


def run_greeks(
    batch: Batch,
    s: FloatArray,
    k: FloatArray,
    t: FloatArray,
    r: FloatArray,
    q: FloatArray,
    sigma: FloatArray,
    carry_follows_rate: bool,
) -> FloatArray:
    """Rows price, delta, gamma, vega, theta, rho of a (6, n) array."""
    out = np.empty((len(GREEK_NAMES), batch.size), dtype=np.float64)
    kernel = _kernels.greeks_parallel if batch.parallel else _kernels.greeks_serial
    kernel(s, k, t, r, q, sigma, batch.flags, carry_follows_rate, out)
    return out


def greeks_dict(batch: Batch, rows: FloatArray) -> dict[str, float] | dict[str, FloatArray]:
    if batch.scalar:
        return {name: float(rows[i, 0]) for i, name in enumerate(GREEK_NAMES)}
    return {name: rows[i].reshape(batch.shape) for i, name in enumerate(GREEK_NAMES)}
