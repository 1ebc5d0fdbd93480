"""Tick and lot rounding, notional and P&L of linear and inverse instruments."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fixtures.factories import INVERSE, PERP, SPOT, inverse_perp, linear_perp, spot
from tradebot.model.identifiers import InstrumentId
from tradebot.model.instruments import Instrument, Spot

PRICES = st.floats(min_value=1.0, max_value=1e6, allow_nan=False, allow_infinity=False)
QUANTITIES = st.floats(min_value=-1e4, max_value=1e4, allow_nan=False).filter(lambda q: q != 0)


@pytest.mark.parametrize(
    ("tick", "price", "expected"),
    [
        ("0.1", 0.1 + 0.2, "0.3"),  # 0.30000000000000004 comes back clean
        ("0.01", 19_999.999_999, "20000.0"),
        ("0.5", 100.26, "100.5"),
        ("0.5", 100.24, "100.0"),
        ("0.01", 1.005 * 1000, "1005.0"),
    ],
)
def test_round_price_goes_to_the_nearest_tick_without_float_noise(
    tick: str, price: float, expected: str
) -> None:
    inst = spot(tick=tick)

    assert repr(inst.round_price(price)) == expected


@pytest.mark.parametrize(
    ("lot", "quantity", "expected"),
    [
        ("0.1", 0.1 + 0.2, 0.3),  # 0.30000000000000004: noise above the lot
        ("0.1", 0.7, 0.7),  # 0.7 / 0.1 = 6.999999999999999: noise below the lot
        ("1", 2.9999999999999996, 3.0),
        ("1", 2.9999999, 2.0),  # a real shortfall of 1e-7 lots is not noise
        ("0.1", 0.29999, 0.2),
        ("0.001", 1.23456, 1.234),
        ("0.00000001", 65.15929727, 65.15929727),  # 6.5e9 lots: noise grows with the count
    ],
)
def test_floor_size_rounds_down_to_the_lot_but_absorbs_float_noise(
    lot: str, quantity: float, expected: float
) -> None:
    assert spot(lot=lot).floor_size(quantity) == expected


@given(
    lots=st.integers(min_value=0, max_value=1_000) | st.integers(10**9, 10**10),
    lot=st.sampled_from(["0.00000001", "0.000001", "0.001", "0.1", "1"]),
)
def test_floor_size_keeps_a_whole_number_of_lots_unchanged(lots: int, lot: str) -> None:
    quantity = float(Decimal(lots) * Decimal(lot))

    assert spot(lot=lot).floor_size(quantity) == quantity


@given(quantity=st.floats(min_value=0, max_value=1e5), lot=st.sampled_from(["0.0001", "0.5"]))
def test_floor_size_never_adds_and_never_drops_a_whole_lot(quantity: float, lot: str) -> None:
    step = float(lot)

    floored = spot(lot=lot).floor_size(quantity)

    assert floored <= quantity * (1 + 1e-12) + 1e-12
    assert quantity - floored < step * (1 + 1e-9)


def test_increments_and_multiplier_must_be_positive() -> None:
    with pytest.raises(ValueError, match="must be positive"):
        Spot(id=InstrumentId("X/Y", "T"), base="X", quote="Y", size_increment=Decimal("0"))


def test_settlement_currency_is_the_quote_for_linear_and_the_coin_for_inverse() -> None:
    assert (SPOT.settlement_currency, PERP.settlement_currency) == ("USDT", "USDT")
    assert INVERSE.settlement_currency == "BTC"
    assert (SPOT.is_derivative, PERP.is_derivative, INVERSE.is_inverse) == (False, True, True)


@pytest.mark.parametrize("multiplier", ["1", "0.01"])
def test_linear_notional_and_pnl_are_in_the_quote_currency(multiplier: str) -> None:
    inst = linear_perp(multiplier=multiplier)
    m = float(multiplier)

    assert inst.notional(3.0, 20_000.0) == pytest.approx(3.0 * m * 20_000.0)
    assert inst.pnl(3.0, 20_000.0, 21_000.0) == pytest.approx(3.0 * m * 1_000.0)
    assert inst.pnl(-3.0, 20_000.0, 21_000.0) == pytest.approx(-3.0 * m * 1_000.0)


@pytest.mark.parametrize("multiplier", ["10", "100"])
def test_inverse_notional_and_pnl_are_in_the_coin(multiplier: str) -> None:
    inst = inverse_perp(multiplier=multiplier)
    m = float(multiplier)
    contracts, entry, exit_ = 500.0, 20_000.0, 25_000.0

    assert inst.notional(contracts, entry) == pytest.approx(contracts * m / entry)
    expected = contracts * m * (1 / entry - 1 / exit_)
    assert inst.pnl(contracts, entry, exit_) == pytest.approx(expected)
    assert inst.pnl(-contracts, entry, exit_) == pytest.approx(-expected)
    # A long inverse position gains less coin on the way up than it loses on the way down.
    assert inst.pnl(contracts, entry, entry * 1.25) < -inst.pnl(contracts, entry, entry * 0.75)


@pytest.mark.parametrize(
    "inst",
    [PERP, linear_perp(multiplier="0.01"), INVERSE],
    ids=["linear", "linear-0.01", "inverse"],
)
@given(q=QUANTITIES, a=PRICES, b=PRICES, c=PRICES)
def test_pnl_is_additive_over_consecutive_moves(
    inst: Instrument, q: float, a: float, b: float, c: float
) -> None:
    first, second, whole = inst.pnl(q, a, b), inst.pnl(q, b, c), inst.pnl(q, a, c)

    scale = abs(first) + abs(second) + abs(whole)
    assert math.isclose(first + second, whole, rel_tol=1e-9, abs_tol=1e-9 * scale + 1e-300)
