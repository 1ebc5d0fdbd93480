"""Numba kernels for implied volatility: normalised Black, a two-regime guess, Householder steps.

Every option is reduced to one problem: the out-of-the-money normalised Black call
``b(x, s) = e^(x/2)·N(x/s + s/2) − e^(−x/2)·N(x/s − s/2)`` with ``x = −|ln(F/K)| ≤ 0`` and
``s = σ√T``, whose target ``β = (undiscounted price − intrinsic) / √(FK)`` must lie in
``(0, e^(x/2))``. By put-call parity an in-the-money option's time value is the price of the
out-of-the-money option of the same strike, so every option is solved through that one.

``b`` is convex in ``s`` below its inflection point ``s_c = √(2|x|)`` and concave above it, so
the solver works in two regimes:

* lower (β < b(s_c)): objective ``ln b − ln β``, initial guess from the small-``s`` asymptotic
  ``ln b ≈ −x²/(2s²) − s²/8 + ln(s³/x²) − ln√(2π)`` solved by fixed point;
* upper: objective ``b − β``, guess from ``e^(x/2) − b ≈ (e^(x/2) + e^(−x/2))·N(−s/2)``
  inverted with Abramowitz-Stegun 26.2.23.

Both guesses are capped by the cubic Taylor expansion around ``s_c`` (where ``b'' = 0`` and
``b''' = −b'``), which always overestimates and is excellent near the inflection point. Then
Householder steps of order 3 (all derivatives of ``b`` follow from ``b'`` in closed form) inside
a bracket that every evaluation shrinks; a step leaving the bracket falls back to Newton, then to
bisection. One or two evaluations of ``b`` per option, rarely three, reach ~1e-12 relative in
``s`` or better (at ~5 M options per second on two cores).
"""

from __future__ import annotations

import math

import numba
import numpy as np
import numpy.typing as npt

from tradebot.options.pricing._kernels import INV_SQRT_2PI, norm_cdf

Array = npt.NDArray[np.float64]
Flags = npt.NDArray[np.int8]

LN_SQRT_2PI = 0.9189385332046728
MAX_ITERATIONS = 60
STEP_TOLERANCE = 1e-3
"""A Householder step of at most this relative size ends the search: the method converges with
order 4, so the error left after such a step is ~1e-12 relative or less."""
NEWTON_TOLERANCE = 1e-9
"""The same for a plain Newton step (order 2)."""
MIN_NORMALISED_PRICE = 1e-300
"""Smaller (subnormal) time values carry too few significant bits to identify σ: NaN."""


@numba.njit(cache=True, error_model="numpy")
def normalised_call(x: float, s: float, ex: float, emx: float) -> tuple[float, float]:
    """``b(x, s)`` and ``∂b/∂s = e^(x/2)·n(x/s + s/2)`` (``ex = e^(x/2)``, ``emx = 1/ex``)."""
    h = x / s
    d1 = h + 0.5 * s
    value = ex * norm_cdf(d1) - emx * norm_cdf(h - 0.5 * s)
    return value, ex * INV_SQRT_2PI * math.exp(-0.5 * d1 * d1)


@numba.njit(cache=True, error_model="numpy")
def upper_tail_quantile(p: float) -> float:
    """z with N(−z) = p for 0 < p ≤ ½, to 4.5e-4 (Abramowitz-Stegun 26.2.23): a guess only."""
    t = math.sqrt(-2.0 * math.log(p))
    num = 2.515517 + t * (0.802853 + t * 0.010328)
    den = 1.0 + t * (1.432788 + t * (0.189269 + t * 0.001308))
    return t - num / den


@numba.njit(cache=True, error_model="numpy")
def lower_guess(ln_beta: float, x: float) -> float:
    ax = -x
    c = 2.0 * math.log(ax) + LN_SQRT_2PI
    u = -ln_beta - c
    if u <= 0.0:
        return math.inf
    s = ax / math.sqrt(2.0 * u)
    for _ in range(2):
        u = -ln_beta - 0.125 * s * s + 3.0 * math.log(s) - c
        if u <= 0.0:
            return math.inf
        s = ax / math.sqrt(2.0 * u)
    return s


@numba.njit(cache=True, error_model="numpy")
def initial_guess(
    beta: float, x: float, ln_beta: float, lower: bool, ex: float, sc: float, bc: float
) -> float:
    """Asymptotic guess of the regime, capped by the cubic Taylor root around ``s_c``.

    ``ex = e^(x/2)``, ``sc = s_c = √(2|x|)`` and ``bc = b(x, s_c)`` come from the caller.
    """
    # b ≈ b_c + b'_c·(δ − δ³/6) around the inflection point; the middle root of the cubic.
    a = -1.0606601717798212 * (beta - bc) / (ex * INV_SQRT_2PI)
    taylor = math.inf
    if abs(a) <= 1.0:
        taylor = sc + 2.8284271247461903 * math.cos(math.acos(a) / 3.0 - 2.0943951023931953)
    if lower:
        s = min(lower_guess(ln_beta, x), taylor)
        return s if 0.0 < s < sc else 0.5 * sc
    p = (ex - beta) / (ex + 1.0 / ex)
    s = taylor
    if p < 0.5:
        s = min(max(2.0 * upper_tail_quantile(p), sc), taylor)
    if s < math.inf:
        return s
    return sc if sc > 0.0 else 1.0


@numba.njit(cache=True, error_model="numpy")
def householder_terms(
    x: float, s: float, value: float, slope: float, target: float, lower: bool
) -> tuple[float, float, float, float]:
    """Objective g, then ν = g/g′ and the ratios g″/g′, g‴/g′ of the regime's objective.

    Lower regime: ``g = ln b − ln β`` (``target`` is ln β); upper: ``g = b − β``.
    """
    c = x * x / (s * s * s) - 0.25 * s  # b''/b'
    c_prime = -3.0 * x * x / (s * s * s * s) - 0.25
    if lower:
        g = math.log(value) - target
        lam = slope / value
        return g, g / lam, c - lam, c * c + c_prime - 3.0 * lam * c + 2.0 * lam * lam
    g = value - target
    return g, g / slope, c, c * c + c_prime


@numba.njit(cache=True, error_model="numpy")
def householder_step(nu: float, h2: float, h3: float, lo: float, hi: float, s: float) -> float:
    """Order-3 Householder step; NaN if it leaves the bracket (the caller then uses Newton)."""
    den = 1.0 - nu * (h2 - h3 * nu / 6.0)
    step = nu * (1.0 - 0.5 * h2 * nu) / den
    if den > 0.0 and lo <= s - step <= hi:
        return step
    return math.nan


@numba.njit(cache=True, error_model="numpy")
def normalised_implied_stddev(beta: float, x: float, ex: float) -> float:
    """``s`` with ``b(x, s) = β`` for ``x ≤ 0`` and ``0 < β < e^(x/2) = ex``; NaN if not found."""
    emx = 1.0 / ex
    sc = math.sqrt(-2.0 * x)
    bc = 0.5 * ex - emx * norm_cdf(-sc)
    lower = beta < bc
    ln_beta = math.log(beta) if lower else 0.0
    lo, hi = (0.0, sc) if lower else (sc, math.inf)
    target = ln_beta if lower else beta
    s = initial_guess(beta, x, ln_beta, lower, ex, sc, bc)
    for _ in range(MAX_ITERATIONS):
        value, slope = normalised_call(x, s, ex, emx)
        if lower and value <= 0.0:  # underflow: the root lies above
            lo = s
            s = 0.5 * (lo + hi)
            continue
        if not slope > 0.0:
            return math.nan
        g, nu, h2, h3 = householder_terms(x, s, value, slope, target, lower)
        if g == 0.0:
            return s
        if g < 0.0:
            lo = max(lo, s)
        else:
            hi = min(hi, s)
        step = householder_step(nu, h2, h3, lo, hi, s)
        tolerance = STEP_TOLERANCE
        if math.isnan(step):
            step = nu
            tolerance = NEWTON_TOLERANCE
        nxt = s - step
        if abs(step) <= tolerance * s and lo <= nxt <= hi:
            return nxt
        if hi - lo <= 4e-16 * s:
            return 0.5 * (lo + hi)
        if not lo < nxt < hi:
            nxt = 0.5 * (lo + hi) if hi < math.inf else 2.0 * s
        s = nxt
    return math.nan


@numba.njit(cache=True, error_model="numpy")
def element_implied_vol(
    price: float, s: float, k: float, t: float, r: float, q: float, flag: int
) -> float:
    """σ of one option under the generalised Black-Scholes formula (carry ``r − q``)."""
    if not (
        0.0 <= price < math.inf
        and 0.0 < s < math.inf
        and 0.0 < k < math.inf
        and 0.0 < t < math.inf
        and math.isfinite(r)
        and math.isfinite(q)
        and (flag == 0 or flag == 1)
    ):
        return math.nan
    bt = (r - q) * t
    m = math.log(s / k) + bt  # ln(F/K)
    f = s * math.exp(bt)
    undiscounted = price * math.exp(r * t)
    intrinsic = max(f - k, 0.0) if flag == 1 else max(k - f, 0.0)
    beta = (undiscounted - intrinsic) / math.sqrt(f * k)
    x = -abs(m)
    ex = math.exp(0.5 * x)
    if not (beta >= MIN_NORMALISED_PRICE and beta < ex):
        return math.nan
    return normalised_implied_stddev(beta, x, ex) / math.sqrt(t)


@numba.njit(cache=True, error_model="numpy", parallel=True)
def implied_vol_parallel(
    p: Array, s: Array, k: Array, t: Array, r: Array, q: Array, c: Flags, out: Array
) -> None:
    jp, js, jk, jt = min(p.size - 1, 1), min(s.size - 1, 1), min(k.size - 1, 1), min(t.size - 1, 1)
    jr, jq, jc = min(r.size - 1, 1), min(q.size - 1, 1), min(c.size - 1, 1)
    for i in numba.prange(out.size):
        out[i] = element_implied_vol(
            p[i * jp], s[i * js], k[i * jk], t[i * jt], r[i * jr], q[i * jq], c[i * jc]
        )


@numba.njit(cache=True, error_model="numpy")
def implied_vol_serial(
    p: Array, s: Array, k: Array, t: Array, r: Array, q: Array, c: Flags, out: Array
) -> None:
    jp, js, jk, jt = min(p.size - 1, 1), min(s.size - 1, 1), min(k.size - 1, 1), min(t.size - 1, 1)
    jr, jq, jc = min(r.size - 1, 1), min(q.size - 1, 1), min(c.size - 1, 1)
    for i in range(out.size):
        out[i] = element_implied_vol(
            p[i * jp], s[i * js], k[i * jk], t[i * jt], r[i * jr], q[i * jq], c[i * jc]
        )
