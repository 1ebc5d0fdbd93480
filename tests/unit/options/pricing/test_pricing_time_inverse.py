"""Year fractions to the nanosecond, Deribit's expiry instant, coin-margined conversions."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from tradebot.options.pricing import (
    NS_PER_YEAR,
    black76_greeks,
    black76_price,
    bs_price,
    coin_delta,
    deribit_expiry_ns,
    to_coin_price,
    to_usd_price,
    year_fraction,
)

MINUTE_NS = 60 * 1_000_000_000


def test_twenty_minutes_before_a_0dte_expiry_is_exact() -> None:
    expiry = deribit_expiry_ns(dt.date(2025, 8, 5))
    t = year_fraction(expiry - 20 * MINUTE_NS, expiry)
    assert t == 20 / 525_600
    # A large epoch stays exact: the difference is taken in integers, not in floats.
    assert year_fraction(expiry - 1, expiry) == 1 / NS_PER_YEAR
    assert bs_price(30_000.0, 30_000.0, t, 0.0, 0.0, 0.5, True) == pytest.approx(
        30_000.0 * 0.5 * np.sqrt(t) * 0.3989422804014327, rel=1e-5
    )


def test_year_fraction_arrays_and_datetime64() -> None:
    expiry = deribit_expiry_ns("24SEP21")
    now = expiry - np.array([1, 20, 60 * 24 * 365], dtype=np.int64) * MINUTE_NS
    t = year_fraction(now, expiry)
    assert isinstance(t, np.ndarray)
    np.testing.assert_array_equal(t, np.array([1, 20, 525_600]) / 525_600)
    stamps = now.astype("datetime64[ns]")
    np.testing.assert_array_equal(year_fraction(stamps, np.datetime64(expiry, "ns")), t)
    assert year_fraction(expiry, expiry - MINUTE_NS) == -1 / 525_600


def test_year_fraction_rejects_floats_and_bad_shapes() -> None:
    with pytest.raises(TypeError, match="start_ns"):
        year_fraction(np.array([1.5]), 10)
    with pytest.raises(ValueError, match="end_ns"):
        year_fraction(np.zeros(3, dtype=np.int64), np.zeros(2, dtype=np.int64))


def test_deribit_expiry_is_0800_utc() -> None:
    expected = int(dt.datetime(2021, 9, 24, 8, tzinfo=dt.UTC).timestamp()) * 1_000_000_000
    assert deribit_expiry_ns(dt.date(2021, 9, 24)) == expected
    assert deribit_expiry_ns("24SEP21") == expected
    assert deribit_expiry_ns("5AUG25") == deribit_expiry_ns(dt.date(2025, 8, 5))
    with pytest.raises(ValueError, match="24SEP21"):
        deribit_expiry_ns("2021-09-24")


def test_coin_conversions_round_trip() -> None:
    assert to_coin_price(3_000.0, 30_000.0) == 0.1
    assert type(to_usd_price(0.1, 30_000.0)) is float
    coin = to_coin_price(np.array([300.0, 3_000.0]), 30_000.0)
    np.testing.assert_allclose(to_usd_price(coin, 30_000.0), [300.0, 3_000.0], rtol=1e-15)
    assert np.isnan(to_coin_price(1.0, 0.0)) or np.isinf(to_coin_price(1.0, 0.0))


@pytest.mark.parametrize("call", [True, False])
@pytest.mark.parametrize("strike", [20_000.0, 32_000.0, 45_000.0])
def test_coin_delta_is_the_derivative_of_the_coin_premium(call: bool, strike: float) -> None:
    """F·∂(V/F)/∂F by central differences equals USD delta − coin premium."""
    f, t, sigma = 32_000.0, 0.2, 0.8
    g = black76_greeks(f, strike, t, 0.0, sigma, call)
    h = 1e-5 * f
    up = to_coin_price(black76_price(f + h, strike, t, 0.0, sigma, call), f + h)
    down = to_coin_price(black76_price(f - h, strike, t, 0.0, sigma, call), f - h)
    numeric = f * (up - down) / (2 * h)
    assert coin_delta(g["delta"], to_coin_price(g["price"], f)) == pytest.approx(numeric, abs=1e-8)
