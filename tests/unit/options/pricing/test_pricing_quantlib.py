"""Prices and greeks equal QuantLib's, over a grid that includes minutes to expiry and deep wings.

The reference is ``ql.BlackCalculator`` fed the exact ``T`` through the forward, the standard
deviation σ√T and the discount factor: it is the very object ``AnalyticEuropeanEngine`` builds
(``value``, ``delta(S)``, ``gamma(S)``, ``vega(T)``, ``theta(S, T)``, ``rho(T)``), and unlike
the engine, whose dates have day resolution, it takes a one-minute expiry exactly.
``test_engine_on_whole_day_expiries`` checks on whole days that the engine and the calculator
agree, with an Actual365Fixed flat-curve BSM process.

Tolerance: 1e-8 relative, or 1e-14 × spot absolute (1e-12 at S = 100) where the value is ~0.
One exception, QuantLib's own rounding: its theta divides ``ln(F/S)·S·Δ`` by T, with
``ln(F/S)`` taken from the rounded forward, an absolute error of ~ε in ``ln``; at T = 1 minute
that is ~1e-8 relative in theta, so theta also gets ``4ε·S·|Δ|/T``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator

import numpy as np
import pytest
import QuantLib as ql

from tradebot.options.pricing import (
    black76_greeks,
    black76_price,
    bs_greeks,
    bs_price,
    implied_vol,
)

MINUTE = 1 / 525_600
EXPIRIES = [MINUTE, 5 * MINUTE, 20 * MINUTE, 60 * MINUTE, 1 / 365, 30 / 365, 2.0]
STRIKE_RATIOS = [0.5, 0.7, 0.9, 0.97, 1.0, 1.03, 1.1, 1.3, 1.6, 2.0]
VOLS = [0.05, 0.2, 0.5, 0.8, 1.5, 3.0]
RATES = [(0.0, 0.0), (0.05, 0.02), (-0.01, 0.03), (0.03, -0.02)]
GREEKS = ["price", "delta", "gamma", "vega", "theta", "rho"]
RTOL = 1e-8
EPS = np.finfo(float).eps


def _ql_type(is_call: bool) -> int:
    return ql.Option.Call if is_call else ql.Option.Put


def _bs_grid(spot: float) -> dict[str, np.ndarray]:
    rows = []
    for ratio, vol, t, (r, q), call in itertools.product(
        STRIKE_RATIOS, VOLS, EXPIRIES, RATES, [True, False]
    ):
        k = spot * ratio
        forward = spot * math.exp((r - q) * t)
        calc = ql.BlackCalculator(
            ql.PlainVanillaPayoff(_ql_type(call), k), forward, vol * math.sqrt(t), math.exp(-r * t)
        )
        rows.append(
            (
                k,
                t,
                r,
                q,
                vol,
                call,
                calc.value(),
                calc.delta(spot),
                calc.gamma(spot),
                calc.vega(t),
                calc.theta(spot, t),
                calc.rho(t),
            )
        )
    a = np.array(rows, dtype=float)
    names = ["K", "T", "r", "q", "sigma", "call", *GREEKS]
    return {n: a[:, i] for i, n in enumerate(names)}


@pytest.fixture(scope="module", params=[100.0, 32_000.0], ids=["S=100", "S=32000"])
def bs_case(request: pytest.FixtureRequest) -> tuple[float, dict[str, np.ndarray], dict]:
    spot = request.param
    ref = _bs_grid(spot)
    ours = bs_greeks(spot, ref["K"], ref["T"], ref["r"], ref["q"], ref["sigma"], ref["call"] == 1)
    return spot, ref, ours


def _tolerance(name: str, spot: float, ref: dict[str, np.ndarray]) -> np.ndarray:
    tol = RTOL * np.abs(ref[name]) + 1e-14 * spot
    if name == "theta":
        tol = tol + 4 * EPS * spot * np.abs(ref["delta"]) / ref["T"]
    return tol


@pytest.mark.parametrize("name", GREEKS)
def test_bs_greek_equals_quantlib(name: str, bs_case: tuple) -> None:
    spot, ref, ours = bs_case
    assert len(ref["K"]) == 3360
    error = np.abs(ours[name] - ref[name])
    tol = _tolerance(name, spot, ref)
    worst = int(np.argmax(error / tol))
    assert np.all(error <= tol), {k: v[worst] for k, v in ref.items()} | {"ours": ours[name][worst]}


def test_bs_price_alone_equals_the_fused_kernel(bs_case: tuple) -> None:
    spot, ref, ours = bs_case
    price = bs_price(spot, ref["K"], ref["T"], ref["r"], ref["q"], ref["sigma"], ref["call"] == 1)
    np.testing.assert_array_equal(price, ours["price"])


@pytest.fixture
def evaluation_date() -> Iterator[ql.Date]:
    """QuantLib's evaluation date is global: set it for one test and put the old one back."""
    settings = ql.Settings.instance()
    before = settings.evaluationDate
    settings.evaluationDate = ql.Date(15, 1, 2024)
    yield settings.evaluationDate
    settings.evaluationDate = before


@pytest.mark.parametrize("days", [1, 30, 730])
@pytest.mark.parametrize("call", [True, False])
def test_engine_on_whole_day_expiries(days: int, call: bool, evaluation_date: ql.Date) -> None:
    """AnalyticEuropeanEngine with dates: T = days / 365 exactly under Actual365Fixed."""
    today = evaluation_date
    dc = ql.Actual365Fixed()
    spot, strike, r, q, vol = 100.0, 110.0, 0.04, -0.01, 0.9
    process = ql.BlackScholesMertonProcess(
        ql.QuoteHandle(ql.SimpleQuote(spot)),
        ql.YieldTermStructureHandle(ql.FlatForward(today, q, dc)),
        ql.YieldTermStructureHandle(ql.FlatForward(today, r, dc)),
        ql.BlackVolTermStructureHandle(ql.BlackConstantVol(today, ql.NullCalendar(), vol, dc)),
    )
    option = ql.VanillaOption(
        ql.PlainVanillaPayoff(_ql_type(call), strike), ql.EuropeanExercise(today + days)
    )
    option.setPricingEngine(ql.AnalyticEuropeanEngine(process))
    ours = bs_greeks(spot, strike, days / 365, r, q, vol, call)
    engine = {
        "price": option.NPV(),
        "delta": option.delta(),
        "gamma": option.gamma(),
        "vega": option.vega(),
        "theta": option.theta(),
        "rho": option.rho(),
    }
    for name in GREEKS:
        assert ours[name] == pytest.approx(engine[name], rel=RTOL, abs=1e-12), name


def _black76_grid(forward: float) -> dict[str, np.ndarray]:
    rows = []
    for ratio, vol, t, (r, _), call in itertools.product(
        STRIKE_RATIOS, VOLS, EXPIRIES, RATES, [True, False]
    ):
        k = forward * ratio
        sd, df = vol * math.sqrt(t), math.exp(-r * t)
        calc = ql.BlackCalculator(ql.PlainVanillaPayoff(_ql_type(call), k), forward, sd, df)
        rows.append(
            (
                k,
                t,
                r,
                vol,
                call,
                ql.blackFormula(_ql_type(call), k, forward, sd, df),
                calc.deltaForward(),
                calc.gammaForward(),
                calc.vega(t),
                calc.theta(forward, t),
                calc.rho(t) + calc.dividendRho(t),
            )
        )
    a = np.array(rows, dtype=float)
    names = ["K", "T", "r", "sigma", "call", *GREEKS]
    return {n: a[:, i] for i, n in enumerate(names)}


@pytest.mark.parametrize("forward", [100.0, 32_000.0])
def test_black76_equals_quantlib(forward: float) -> None:
    """Price: ``blackFormula``. Delta, gamma: ``deltaForward``, ``gammaForward`` (discounted).
    Theta: ``theta(F, T)``, the forward held fixed. Rho with F fixed: ``rho + dividendRho``."""
    ref = _black76_grid(forward)
    ours = black76_greeks(forward, ref["K"], ref["T"], ref["r"], ref["sigma"], ref["call"] == 1)
    for name in GREEKS:
        tol = RTOL * np.abs(ref[name]) + 1e-14 * forward
        assert np.all(np.abs(ours[name] - ref[name]) <= tol), name
    price = black76_price(forward, ref["K"], ref["T"], ref["r"], ref["sigma"], ref["call"] == 1)
    np.testing.assert_array_equal(price, ours["price"])


def test_implied_vol_equals_quantlib_implied_stddev() -> None:
    """A random sample; only where QuantLib itself is accurate: its normal CDF switches to an
    asymptotic series below 1e-8, good to ~1e-7 relative, so undiscounted prices under 1e-6 of
    the forward (and prices with a negligible vega) are left out of the comparison."""
    rng = np.random.default_rng(7)
    n = 800
    spot = 100.0
    strike = spot * np.exp(rng.uniform(math.log(0.5), math.log(2.0), n))
    t = rng.choice(EXPIRIES, n)
    sigma = rng.uniform(0.05, 3.0, n)
    r = rng.choice([0.0, 0.05, -0.01], n)
    q = rng.choice([0.0, 0.02, -0.02], n)
    call = rng.random(n) < 0.5
    g = bs_greeks(spot, strike, t, r, q, sigma, call)
    ours = implied_vol(g["price"], spot, strike, t, r, q, call)
    compared = 0
    for i in range(n):
        forward, df = spot * math.exp((r[i] - q[i]) * t[i]), math.exp(-r[i] * t[i])
        if g["price"][i] / df < 1e-6 * forward or g["vega"][i] * sigma[i] < 1e-6 * g["price"][i]:
            continue
        stddev = ql.blackFormulaImpliedStdDev(
            _ql_type(bool(call[i])),
            strike[i],
            forward,
            g["price"][i],
            df,
            0.0,
            ql.nullDouble(),
            1e-14,
            1000,
        )
        assert ours[i] == pytest.approx(stddev / math.sqrt(t[i]), rel=1e-8)
        assert ours[i] == pytest.approx(sigma[i], rel=1e-8)
        compared += 1
    assert compared > 250
