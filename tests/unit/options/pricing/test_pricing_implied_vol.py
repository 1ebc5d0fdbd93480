"""Implied volatility: round trips over a hard grid, NaN instead of wrong numbers, speed-critical
paths (parallel batches) equal to the serial ones.

Round-trip rule. σ is identifiable where the price reacts to it: elasticity ``vega·σ/price ≥
1e-6`` and a time value above 1e-250 × spot. There σ must come back to 1e-6 relative (the
brief's bar; measured: ≤ 2e-8, and ≤ 1e-9 where the elasticity is ≥ 1e-4). Elsewhere (far
wings, minutes to expiry, deep in the money, where many σ give the same float price) the answer
must be NaN or a σ whose price reproduces the input to 1e-10 relative (or, for time values
below 1e-250 of spot, where an error of 1e-11 in σ moves the price by 1e-8, σ itself to 1e-6).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradebot.options.pricing import black76_price, bs_greeks, bs_price, implied_vol

MINUTE = 1 / 525_600
EXPIRIES = [
    MINUTE,
    5 * MINUTE,
    20 * MINUTE,
    60 * MINUTE,
    6 / 8760,
    1 / 365,
    7 / 365,
    30 / 365,
    0.5,
    1.0,
    2.0,
]
STRIKE_RATIOS = [
    0.5,
    0.6,
    0.7,
    0.8,
    0.9,
    0.95,
    0.97,
    0.99,
    1.0,
    1.01,
    1.03,
    1.05,
    1.1,
    1.2,
    1.3,
    1.6,
    2.0,
]
VOLS = [0.05, 0.1, 0.2, 0.35, 0.5, 0.8, 1.2, 1.5, 2.0, 3.0]
RATES = [(0.0, 0.0), (0.05, 0.02), (-0.01, 0.03), (0.03, -0.02)]


def _grid(spot: float) -> dict[str, np.ndarray]:
    combos = np.array(
        [
            (spot * k, t, r, q, v, c)
            for k, t, (r, q), v, c in itertools.product(
                STRIKE_RATIOS, EXPIRIES, RATES, VOLS, [1.0, 0.0]
            )
        ]
    )
    return dict(zip(["K", "T", "r", "q", "sigma", "call"], combos.T, strict=True))


def _check_round_trip(
    spot: float,
    g: dict[str, np.ndarray],
    iv: np.ndarray,
    reprice: np.ndarray,
    intrinsic: np.ndarray,
    sigma: np.ndarray,
) -> None:
    price = g["price"]
    with np.errstate(divide="ignore", invalid="ignore"):
        elasticity = g["vega"] * sigma / price
    identifiable = (elasticity >= 1e-6) & (price - intrinsic > 1e-250 * spot)
    rel = np.abs(iv - sigma) / sigma
    assert identifiable.sum() > 0.6 * price.size
    assert not np.isnan(iv[identifiable]).any()
    assert np.max(rel[identifiable]) <= 1e-6
    assert np.max(rel[identifiable & (elasticity >= 1e-4)]) <= 1e-9
    rest = ~identifiable & ~np.isnan(iv)
    consistent = (np.abs(reprice - price) <= 1e-10 * price) | (rel <= 1e-6)
    assert np.all(consistent[rest])


@pytest.mark.parametrize("spot", [100.0, 32_000.0])
def test_bs_round_trip_over_the_grid(spot: float) -> None:
    a = _grid(spot)
    call = a["call"] == 1.0
    g = bs_greeks(spot, a["K"], a["T"], a["r"], a["q"], a["sigma"], call)
    iv = implied_vol(g["price"], spot, a["K"], a["T"], a["r"], a["q"], call)
    reprice = bs_price(spot, a["K"], a["T"], a["r"], a["q"], iv, call)
    forward = spot * np.exp((a["r"] - a["q"]) * a["T"])
    payoff = np.where(call, np.maximum(forward - a["K"], 0), np.maximum(a["K"] - forward, 0))
    _check_round_trip(spot, g, iv, reprice, payoff * np.exp(-a["r"] * a["T"]), a["sigma"])


def test_black76_round_trip_over_the_grid() -> None:
    forward = 32_000.0
    a = _grid(forward)
    call = a["call"] == 1.0
    g = bs_greeks(forward, a["K"], a["T"], a["r"], a["r"], a["sigma"], call)  # carry 0
    iv = implied_vol(g["price"], forward, a["K"], a["T"], a["r"], 0.7, call, model="black76")
    reprice = black76_price(forward, a["K"], a["T"], a["r"], iv, call)
    payoff = np.where(call, np.maximum(forward - a["K"], 0), np.maximum(a["K"] - forward, 0))
    _check_round_trip(forward, g, iv, reprice, payoff * np.exp(-a["r"] * a["T"]), a["sigma"])


def test_zero_dte_twenty_minutes_before_expiry() -> None:
    spot, t = 30_000.0, 20 * MINUTE
    strikes = np.array([29_800.0, 29_900.0, 30_000.0, 30_100.0, 30_200.0])
    for sigma in (0.3, 0.6, 1.5):
        for call in (True, False):
            price = bs_price(spot, strikes, t, 0.0, 0.0, sigma, call)
            iv = implied_vol(price, spot, strikes, t, 0.0, 0.0, call)
            np.testing.assert_allclose(iv, sigma, rtol=1e-9)


@pytest.mark.parametrize("ratio", [0.5, 2.0])
def test_deep_wings_with_a_representable_time_value(ratio: float) -> None:
    for call in (True, False):
        price = bs_price(100.0, 100.0 * ratio, 0.25, 0.01, 0.0, 0.8, call)
        assert implied_vol(price, 100.0, 100.0 * ratio, 0.25, 0.01, 0.0, call) == pytest.approx(
            0.8, rel=1e-9
        )


@pytest.mark.parametrize("call", [True, False])
def test_prices_outside_the_no_arbitrage_bounds_are_nan(call: bool) -> None:
    spot, strike, t, r, q = 100.0, 90.0, 0.5, 0.05, 0.01
    forward, df = spot * math.exp((r - q) * t), math.exp(-r * t)
    lower = df * max(forward - strike, 0.0) if call else df * max(strike - forward, 0.0)
    upper = spot * math.exp(-q * t) if call else strike * df
    prices = np.array([lower * (1 - 1e-9) - 1e-9, lower, upper, upper * 1.01, -1.0])
    assert np.isnan(implied_vol(prices, spot, strike, t, r, q, call)).all()
    inside = np.array([lower + 0.5, 0.5 * (lower + upper), upper * 0.999])
    iv = implied_vol(inside, spot, strike, t, r, q, call)
    np.testing.assert_allclose(bs_price(spot, strike, t, r, q, iv, call), inside, rtol=1e-12)


def test_out_of_the_money_price_zero_is_nan_not_zero_vol() -> None:
    assert math.isnan(implied_vol(0.0, 100.0, 150.0, 0.1, 0.0, 0.0, True))


@pytest.mark.parametrize(
    "args",
    [
        (1.0, 100.0, 100.0, 0.0, 0.0, 0.0),
        (1.0, 100.0, 100.0, -0.1, 0.0, 0.0),
        (math.nan, 100.0, 100.0, 0.1, 0.0, 0.0),
        (1.0, math.inf, 100.0, 0.1, 0.0, 0.0),
        (1.0, 100.0, 0.0, 0.1, 0.0, 0.0),
        (1.0, -100.0, 100.0, 0.1, 0.0, 0.0),
        (1.0, 100.0, 100.0, 0.1, math.nan, 0.0),
        (1.0, 100.0, 100.0, 0.1, 0.0, math.inf),
    ],
)
def test_invalid_inputs_give_nan(args: tuple[float, ...]) -> None:
    out = implied_vol(*args, True)
    assert isinstance(out, float)
    assert math.isnan(out)


def test_nan_stays_in_its_element() -> None:
    price = bs_price(100.0, 100.0, 0.1, 0.0, 0.0, 0.5, True)
    out = implied_vol(np.array([price, np.nan, price]), 100.0, 100.0, 0.1, 0.0, 0.0, True)
    assert math.isnan(out[1])
    np.testing.assert_allclose(out[[0, 2]], 0.5, rtol=1e-12)


def test_mixed_calls_and_puts_and_unknown_model() -> None:
    strikes = np.array([80.0, 90.0, 110.0, 120.0])
    calls = np.array([True, False, True, False])
    prices = bs_price(100.0, strikes, 0.3, 0.02, 0.0, 0.45, calls)
    np.testing.assert_allclose(
        implied_vol(prices, 100.0, strikes, 0.3, 0.02, 0.0, calls), 0.45, rtol=1e-10
    )
    with pytest.raises(ValueError, match="model"):
        implied_vol(1.0, 100.0, 100.0, 0.1, 0.0, 0.0, True, model="bachelier")  # type: ignore[call-overload]


def test_parallel_batch_equals_scalar_calls() -> None:
    rng = np.random.default_rng(3)
    n = 20_000
    strike = 100.0 * np.exp(rng.uniform(-0.7, 0.7, n))
    t = np.exp(rng.uniform(math.log(MINUTE), math.log(2.0), n))
    sigma = rng.uniform(0.05, 3.0, n)
    call = rng.random(n) < 0.5
    price = bs_price(100.0, strike, t, 0.01, 0.0, sigma, call)
    batch = implied_vol(price, 100.0, strike, t, 0.01, 0.0, call)
    for i in rng.choice(n, 200, replace=False):
        one = implied_vol(
            float(price[i]), 100.0, float(strike[i]), float(t[i]), 0.01, 0.0, bool(call[i])
        )
        assert one == batch[i] or (math.isnan(one) and math.isnan(batch[i]))


@settings(max_examples=300, deadline=None)
@given(
    ratio=st.floats(0.6, 1.6),
    t=st.floats(1 / 365, 2.0),
    sigma=st.floats(0.05, 3.0),
    r=st.floats(-0.02, 0.1),
    q=st.floats(-0.05, 0.1),
    call=st.booleans(),
)
def test_round_trip_property(
    ratio: float, t: float, sigma: float, r: float, q: float, call: bool
) -> None:
    g = bs_greeks(100.0, 100.0 * ratio, t, r, q, sigma, call)
    iv = implied_vol(g["price"], 100.0, 100.0 * ratio, t, r, q, call)
    if g["vega"] * sigma >= 1e-6 * g["price"] and g["price"] > 1e-200:
        assert iv == pytest.approx(sigma, rel=1e-6)
    elif not math.isnan(iv):
        assert bs_price(100.0, 100.0 * ratio, t, r, q, iv, call) == pytest.approx(
            g["price"], rel=1e-10
        )
