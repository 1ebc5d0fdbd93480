"""The fast ``valuation()`` always equals valuing the portfolio the direct way."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fixtures.factories import TAKER, fill, inverse_perp, linear_perp, spot
from tradebot.model.account import Account
from tradebot.model.enums import OrderSide
from tradebot.model.instruments import Instrument
from tradebot.portfolio.portfolio import Portfolio

# One coin per instrument: every value is linear in one price, so the fast plan applies.
SEPARATE = [inverse_perp("BTC"), linear_perp("ETH"), spot("SOL/USDT")]
# BTC three ways: the inverse contract is valued through the spot price (general path).
SHARED = [spot("BTC/USDT"), linear_perp("BTC"), inverse_perp("BTC")]

PRICE = st.floats(min_value=10.0, max_value=50_000.0)
STEP = st.one_of(
    st.tuples(st.just("fill"), st.integers(0, 2), st.booleans(), st.integers(1, 50), PRICE),
    st.tuples(st.just("mark"), st.integers(0, 2), PRICE),
)


def _portfolio(instruments: list[Instrument]) -> Portfolio:
    pf = Portfolio(Account("USDT", {"USDT": 100_000.0, "BTC": 2.0}), instruments)
    for inst in instruments:
        pf.mark(inst.id, 1_000.0)
    return pf


def _apply(pf: Portfolio, instruments: list[Instrument], step: tuple) -> None:  # type: ignore[type-arg]
    if step[0] == "mark":
        _, i, price = step
        pf.mark(instruments[i].id, price)
        return
    _, i, buy, lots, price = step
    inst = instruments[i]
    quantity = lots * (1.0 if inst.is_inverse else 0.01)
    fee = inst.notional(quantity, price) * TAKER
    pf.apply_fill(fill(inst, OrderSide.BUY if buy else OrderSide.SELL, quantity, price, fee=fee))
    pf.mark(inst.id, price)


@pytest.mark.parametrize("instruments", [SEPARATE, SHARED], ids=["separate", "shared"])
@settings(max_examples=60)
@given(steps=st.lists(STEP, min_size=1, max_size=25))
def test_valuation_equals_nlv_and_gross_exposure(
    instruments: list[Instrument],
    steps: list[tuple],  # type: ignore[type-arg]
) -> None:
    pf = _portfolio(instruments)

    for step in steps:
        _apply(pf, instruments, step)
        fast = pf.valuation()

        direct = (pf.net_liquidation_value(), pf.gross_exposure())
        assert fast == pytest.approx(direct, rel=1e-9, abs=1e-6)


def test_the_separate_layout_takes_the_fast_path() -> None:
    pf = _portfolio(SEPARATE)
    _apply(pf, SEPARATE, ("fill", 0, True, 10, 20_000.0))
    _apply(pf, SEPARATE, ("fill", 1, False, 10, 2_000.0))

    assert pf.valuation_plan() is not None
