"""Limits, invalid input, scalar/array contracts, broadcasting and put-call parity."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tradebot.options.pricing as pricing
from tradebot.options.pricing import (
    black76_greeks,
    black76_price,
    bs_greeks,
    bs_price,
    implied_vol,
)

KEYS = {"price", "delta", "gamma", "vega", "theta", "rho"}


def test_public_names() -> None:
    assert sorted(pricing.__all__) == sorted(set(pricing.__all__))
    assert all(hasattr(pricing, name) for name in pricing.__all__)
    for name in (
        "bs_price",
        "black76_price",
        "bs_greeks",
        "black76_greeks",
        "implied_vol",
        "to_coin_price",
        "to_usd_price",
        "coin_delta",
        "year_fraction",
        "deribit_expiry_ns",
    ):
        assert name in pricing.__all__


def test_scalars_in_give_python_floats_out() -> None:
    price = bs_price(100, 100, 1, 0.05, 0, 0.2, True)
    assert type(price) is float
    assert price == pytest.approx(10.450583572185565, rel=1e-14)
    greeks = bs_greeks(100.0, 100.0, 1.0, 0.05, 0.0, 0.2, True)
    assert set(greeks) == KEYS
    assert all(type(v) is float for v in greeks.values())
    assert type(black76_price(100.0, 100.0, 1.0, 0.05, 0.2, False)) is float
    assert type(implied_vol(price, 100.0, 100.0, 1.0, 0.05, 0.0, True)) is float


def test_arrays_in_give_float64_arrays_out() -> None:
    out = bs_price(np.array([100.0]), 100.0, 1.0, 0.05, 0.0, 0.2, True)
    assert isinstance(out, np.ndarray)
    assert out.dtype == np.float64
    assert out.shape == (1,)
    greeks = black76_greeks([90, 100], 100.0, 1.0, 0.0, 0.5, [True, False])
    assert all(v.shape == (2,) and v.dtype == np.float64 for v in greeks.values())


def test_broadcasting_matches_scalar_calls() -> None:
    spots = np.array([[80.0], [100.0], [125.0]])
    strikes = np.array([[90.0, 100.0, 110.0, 120.0]])
    calls = np.array([True, False, True, False])
    grid = bs_greeks(spots, strikes, 0.25, 0.03, 0.01, 0.6, calls)
    assert grid["price"].shape == (3, 4)
    for i in range(3):
        for j in range(4):
            one = bs_greeks(
                float(spots[i, 0]), float(strikes[0, j]), 0.25, 0.03, 0.01, 0.6, bool(calls[j])
            )
            for key in KEYS:
                assert grid[key][i, j] == one[key]


def test_shapes_that_do_not_broadcast_name_the_argument() -> None:
    with pytest.raises(ValueError, match="sigma"):
        bs_price(np.ones(3), 100.0, 1.0, 0.0, 0.0, np.ones(4), True)
    with pytest.raises(ValueError, match="is_call"):
        black76_greeks(np.ones(3), 100.0, 1.0, 0.0, 0.5, np.array([True, False]))
    with pytest.raises(ValueError, match="K"):
        implied_vol(np.ones(3), 100.0, np.ones(2), 1.0, 0.0, 0.0, True)


def test_is_call_must_be_boolean_or_numeric() -> None:
    with pytest.raises(TypeError, match="is_call"):
        bs_price(100.0, 100.0, 1.0, 0.0, 0.0, 0.2, "call")  # type: ignore[call-overload]
    flags = np.array([1.0, 0.0, np.nan, 2.0])
    out = bs_price(100.0, 100.0, 1.0, 0.0, 0.0, 0.2, flags)
    assert out[0] > 0
    assert out[1] > 0
    assert np.isnan(out[2:]).all()


def test_mixed_calls_and_puts_equal_separate_batches() -> None:
    strikes = np.linspace(50, 200, 31)
    flags = np.arange(31) % 3 == 0
    mixed = bs_greeks(100.0, strikes, 0.7, 0.02, 0.01, 0.9, flags)
    calls = bs_greeks(100.0, strikes, 0.7, 0.02, 0.01, 0.9, True)
    puts = bs_greeks(100.0, strikes, 0.7, 0.02, 0.01, 0.9, False)
    for key in KEYS:
        np.testing.assert_array_equal(mixed[key], np.where(flags, calls[key], puts[key]))


@pytest.mark.parametrize(
    ("spot", "call", "price", "delta"),
    [
        (120.0, True, 20.0, 1.0),
        (80.0, True, 0.0, 0.0),
        (100.0, True, 0.0, 0.5),
        (80.0, False, 20.0, -1.0),
        (120.0, False, 0.0, 0.0),
        (100.0, False, 0.0, -0.5),
    ],
)
def test_expiry_is_intrinsic_value(spot: float, call: bool, price: float, delta: float) -> None:
    g = bs_greeks(spot, 100.0, 0.0, 0.05, 0.02, 0.8, call)
    assert g == {
        "price": price,
        "delta": delta,
        "gamma": 0.0,
        "vega": 0.0,
        "theta": 0.0,
        "rho": 0.0,
    }
    assert black76_price(spot, 100.0, 0.0, 0.05, 0.8, call) == price


def test_zero_vol_is_discounted_intrinsic_on_the_forward() -> None:
    s, k, t, r, q = 100.0, 100.0, 0.5, 0.06, 0.01
    forward = s * math.exp((r - q) * t)
    g = bs_greeks(s, k, t, r, q, 0.0, True)
    assert g["price"] == pytest.approx(math.exp(-r * t) * (forward - k), rel=1e-14)
    assert g["delta"] == pytest.approx(math.exp(-q * t), rel=1e-15)
    assert g["gamma"] == 0.0
    assert g["vega"] == 0.0
    assert g["theta"] == pytest.approx(r * g["price"] - (r - q) * s * g["delta"], rel=1e-12)
    assert bs_price(s, k, t, r, q, 0.0, False) == 0.0


def test_tiny_time_and_vol_stay_finite() -> None:
    t = np.array([1e-18, 1e-12, 1e-9, 1 / 525_600])
    for sigma in (1e-12, 0.05, 3.0):
        for spot in (99.999, 100.0, 100.001):
            g = bs_greeks(spot, 100.0, t, 0.05, 0.0, sigma, True)
            assert all(np.isfinite(v).all() for v in g.values())


@pytest.mark.parametrize(
    "bad",
    [
        {"T": -1e-9},
        {"S": 0.0},
        {"S": -1.0},
        {"K": 0.0},
        {"sigma": -0.1},
        {"S": math.nan},
        {"K": math.inf},
        {"T": math.inf},
        {"r": math.nan},
        {"q": -math.inf},
        {"sigma": math.nan},
    ],
)
def test_invalid_input_gives_nan_in_that_element_only(bad: dict[str, float]) -> None:
    args = {"S": np.full(3, 100.0), "K": 100.0, "T": 0.5, "r": 0.01, "q": 0.0, "sigma": 0.5}
    ((name, value),) = bad.items()
    column = np.full(3, args[name]) if np.ndim(args[name]) == 0 else args[name].copy()
    column[1] = value
    args[name] = column
    g = bs_greeks(args["S"], args["K"], args["T"], args["r"], args["q"], args["sigma"], True)
    for key in KEYS:
        assert math.isnan(g[key][1])
        assert np.isfinite(g[key][[0, 2]]).all()


def test_black76_is_bsm_with_zero_carry_and_a_fixed_forward_rho() -> None:
    f, k, t, r, v = 30_000.0, np.array([25_000.0, 30_000.0, 40_000.0]), 0.3, 0.04, 0.7
    b76 = black76_greeks(f, k, t, r, v, False)
    bsm = bs_greeks(f, k, t, r, r, v, False)
    for key in ("price", "delta", "gamma", "vega", "theta"):
        np.testing.assert_allclose(b76[key], bsm[key], rtol=1e-14)
    np.testing.assert_allclose(b76["rho"], -t * b76["price"], rtol=1e-14)


def test_large_batches_run_in_parallel_with_the_same_numbers() -> None:
    rng = np.random.default_rng(5)
    n = 50_000
    strike = rng.uniform(50, 200, n)
    t = rng.uniform(0, 2, n)
    call = rng.random(n) < 0.5
    big = bs_greeks(100.0, strike, t, 0.02, 0.01, 0.8, call)
    small = [
        bs_greeks(100.0, strike[i : i + 1000], t[i : i + 1000], 0.02, 0.01, 0.8, call[i : i + 1000])
        for i in range(0, n, 1000)
    ]
    for key in KEYS:
        np.testing.assert_array_equal(big[key], np.concatenate([s[key] for s in small]))


@settings(max_examples=400, deadline=None)
@given(
    spot=st.floats(1.0, 1e5),
    ratio=st.floats(0.2, 5.0),
    t=st.floats(0.0, 5.0),
    r=st.floats(-0.05, 0.2),
    q=st.floats(-0.1, 0.2),
    sigma=st.floats(0.0, 4.0),
)
def test_put_call_parity(
    spot: float, ratio: float, t: float, r: float, q: float, sigma: float
) -> None:
    strike = spot * ratio
    call = bs_greeks(spot, strike, t, r, q, sigma, True)
    put = bs_greeks(spot, strike, t, r, q, sigma, False)
    scale = spot + strike
    forward_value = spot * math.exp(-q * t) - strike * math.exp(-r * t)
    assert call["price"] - put["price"] == pytest.approx(forward_value, abs=1e-12 * scale)
    if sigma * math.sqrt(t) > 1e-100:
        assert call["delta"] - put["delta"] == pytest.approx(math.exp(-q * t), abs=1e-12)
        assert call["gamma"] == pytest.approx(put["gamma"], rel=1e-12, abs=1e-300)
        assert call["vega"] == pytest.approx(put["vega"], rel=1e-12, abs=1e-300)
        assert call["rho"] - put["rho"] == pytest.approx(
            t * strike * math.exp(-r * t), abs=1e-10 * scale * max(t, 1.0)
        )
    assert 0.0 <= call["price"] <= spot * math.exp(-q * t) * (1 + 1e-15)
    assert 0.0 <= put["price"] <= strike * math.exp(-r * t) * (1 + 1e-15)
