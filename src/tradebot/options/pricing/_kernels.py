"""Numba kernels for prices and greeks: one generalised Black-Scholes formula for both models.

Black-Scholes-Merton on spot ``S`` with yield ``q`` and Black-76 on forward ``F`` are the same
formula with a cost of carry ``b``: ``b = r − q`` for BSM, ``b = 0`` for Black-76 (pass the rate
array as ``q``, so ``r − q`` is exactly 0). Only rho differs: in BSM the forward moves with the
rate, in Black-76 it is held fixed (``carry_follows_rate``).

Each loop takes flat float64 arrays of length ``n`` or 1 (a broadcast scalar, read through a
stride of 0, so broadcasting never copies) and writes every element of a preallocated output,
NaN where an input is invalid. A serial twin of every parallel loop serves small batches, where
waking the thread pool costs more than the arithmetic. ``fastmath`` stays off: it would let the
compiler drop the NaN checks.
"""

from __future__ import annotations

import math

import numba
import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]
Flags = npt.NDArray[np.int8]

SQRT1_2 = 0.7071067811865476
INV_SQRT_2PI = 0.3989422804014327
TINY_STDDEV = 1e-100
"""Below this total standard deviation σ√T the option is priced as deterministic (its limit)."""


@numba.njit(cache=True, error_model="numpy")
def norm_cdf(z: float) -> float:
    """N(z) through erfc, accurate to a few ulps relative in both tails."""
    return 0.5 * math.erfc(-z * SQRT1_2)


@numba.njit(cache=True, error_model="numpy")
def valid_inputs(s: float, k: float, t: float, r: float, q: float, sigma: float) -> bool:
    return (
        0.0 < s < math.inf
        and 0.0 < k < math.inf
        and 0.0 <= t < math.inf
        and 0.0 <= sigma < math.inf
        and math.isfinite(r)
        and math.isfinite(q)
    )


@numba.njit(cache=True, error_model="numpy")
def discount_factors(r: float, q: float, t: float) -> tuple[float, float]:
    """``e^(−rT)`` and ``e^(−qT)``, skipping the exponential for the common q = r (Black-76) and
    zero cases: a sixth of the cost of a greeks evaluation."""
    df = 1.0 if r == 0.0 else math.exp(-r * t)
    if q == r:
        return df, df
    return df, 1.0 if q == 0.0 else math.exp(-q * t)


@numba.njit(cache=True, error_model="numpy")
def element_price(
    s: float, k: float, t: float, r: float, q: float, sigma: float, flag: int
) -> float:
    """Price of one option; NaN for invalid inputs (flag 1 call, 0 put, anything else NaN)."""
    if not valid_inputs(s, k, t, r, q, sigma) or (flag != 0 and flag != 1):
        return math.nan
    w = 1.0 if flag == 1 else -1.0
    b = r - q
    df, cf = discount_factors(r, q, t)
    m = math.log(s / k) + b * t
    sd = sigma * math.sqrt(t)
    if sd > TINY_STDDEV:
        d1 = m / sd + 0.5 * sd
        price = w * (s * cf * norm_cdf(w * d1) - k * df * norm_cdf(w * (d1 - sd)))
        return price if price > 0.0 else 0.0  # rounding can leave −0.0 or −1 ulp
    if w * m > 0.0:
        return w * (s * cf - k * df)
    return 0.0


@numba.njit(cache=True, error_model="numpy")
def element_greeks(
    s: float,
    k: float,
    t: float,
    r: float,
    q: float,
    sigma: float,
    flag: int,
    carry_follows_rate: bool,
) -> tuple[float, float, float, float, float, float]:
    """Price, delta, gamma, vega, theta, rho of one option from one shared d1/d2/N/n.

    Theta is QuantLib's ``BlackCalculator.theta``: the Black-Scholes PDE
    ``r·V − b·S·Δ − ½σ²S²Γ`` (per year, calendar time). Rho is ``T·(S·Δ − V)`` when the
    forward moves with the rate (BSM: ``K·T·e^(−rT)·N(±d2)``) and ``−T·V`` when it does not
    (Black-76). As σ√T → 0 the limits are used: intrinsic value on the forward, delta
    ``±e^(−qT)`` in the money, half that at the money, 0 out of it, gamma and vega 0; at T = 0
    theta and rho are 0 too.
    """
    nan = math.nan
    if not valid_inputs(s, k, t, r, q, sigma) or (flag != 0 and flag != 1):
        return nan, nan, nan, nan, nan, nan
    w = 1.0 if flag == 1 else -1.0
    b = r - q
    df, cf = discount_factors(r, q, t)
    m = math.log(s / k) + b * t
    sqrt_t = math.sqrt(t)
    sd = sigma * sqrt_t
    if sd > TINY_STDDEV:
        d1 = m / sd + 0.5 * sd
        nd1 = norm_cdf(w * d1)
        nd2 = norm_cdf(w * (d1 - sd))
        price = w * (s * cf * nd1 - k * df * nd2)
        price = price if price > 0.0 else 0.0
        delta = w * cf * nd1
        pdf = INV_SQRT_2PI * math.exp(-0.5 * d1 * d1)
        gamma = cf * pdf / (s * sd)
        vega = s * cf * pdf * sqrt_t
        diffusion = -0.5 * sigma * s * cf * pdf / sqrt_t
    else:
        if w * m > 0.0:
            price = w * (s * cf - k * df)
            delta = w * cf
        elif m == 0.0:
            price = 0.0
            delta = 0.5 * w * cf
        else:
            price = 0.0
            delta = 0.0
        gamma = 0.0
        vega = 0.0
        diffusion = 0.0
    theta = r * price - b * s * delta + diffusion if t > 0.0 else 0.0
    rho = t * (s * delta - price) if carry_follows_rate else -t * price
    return price, delta, gamma, vega, theta, rho


@numba.njit(cache=True, error_model="numpy", parallel=True)
def price_parallel(
    s: Array, k: Array, t: Array, r: Array, q: Array, v: Array, c: Flags, out: Array
) -> None:
    js, jk, jt = min(s.size - 1, 1), min(k.size - 1, 1), min(t.size - 1, 1)
    jr, jq, jv, jc = min(r.size - 1, 1), min(q.size - 1, 1), min(v.size - 1, 1), min(c.size - 1, 1)
    for i in numba.prange(out.size):
        out[i] = element_price(
            s[i * js], k[i * jk], t[i * jt], r[i * jr], q[i * jq], v[i * jv], c[i * jc]
        )


@numba.njit(cache=True, error_model="numpy")
def price_serial(
    s: Array, k: Array, t: Array, r: Array, q: Array, v: Array, c: Flags, out: Array
) -> None:
    js, jk, jt = min(s.size - 1, 1), min(k.size - 1, 1), min(t.size - 1, 1)
    jr, jq, jv, jc = min(r.size - 1, 1), min(q.size - 1, 1), min(v.size - 1, 1), min(c.size - 1, 1)
    for i in range(out.size):
        out[i] = element_price(
            s[i * js], k[i * jk], t[i * jt], r[i * jr], q[i * jq], v[i * jv], c[i * jc]
        )


@numba.njit(cache=True, error_model="numpy", parallel=True)
def greeks_parallel(
    s: Array,
    k: Array,
    t: Array,
    r: Array,
    q: Array,
    v: Array,
    c: Flags,
    carry_follows_rate: bool,
    out: Array,
) -> None:
    """Fill the rows of ``out`` (shape 6 × n): price, delta, gamma, vega, theta, rho."""
    js, jk, jt = min(s.size - 1, 1), min(k.size - 1, 1), min(t.size - 1, 1)
    jr, jq, jv, jc = min(r.size - 1, 1), min(q.size - 1, 1), min(v.size - 1, 1), min(c.size - 1, 1)
    for i in numba.prange(out.shape[1]):
        g = element_greeks(
            s[i * js],
            k[i * jk],
            t[i * jt],
            r[i * jr],
            q[i * jq],
            v[i * jv],
            c[i * jc],
            carry_follows_rate,
        )
        out[0, i], out[1, i], out[2, i], out[3, i], out[4, i], out[5, i] = g


@numba.njit(cache=True, error_model="numpy")
def greeks_serial(
    s: Array,
    k: Array,
    t: Array,
    r: Array,
    q: Array,
    v: Array,
    c: Flags,
    carry_follows_rate: bool,
    out: Array,
) -> None:
    js, jk, jt = min(s.size - 1, 1), min(k.size - 1, 1), min(t.size - 1, 1)
    jr, jq, jv, jc = min(r.size - 1, 1), min(q.size - 1, 1), min(v.size - 1, 1), min(c.size - 1, 1)
    for i in range(out.shape[1]):
        g = element_greeks(
            s[i * js],
            k[i * jk],
            t[i * jt],
            r[i * jr],
            q[i * jq],
            v[i * jv],
            c[i * jc],
            carry_follows_rate,
        )
        out[0, i], out[1, i], out[2, i], out[3, i], out[4, i], out[5, i] = g
