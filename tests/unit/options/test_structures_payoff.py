"""Structures and their analysis: legs, greeks, payoff, max profit and loss, breakevens, margin.

Expected values are worked out by hand from the strikes and premiums in each test.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from fixtures.factories import spot
from tradebot.model.enums import OptionKind
from tradebot.options.chain import OptionChain
from tradebot.options.contract import OptionSpec
from tradebot.options.payoff import StructureAnalysis
from tradebot.options.structures import (
    butterfly,
    covered_call,
    iron_condor,
    straddle,
    strangle,
    vertical,
)

CALL, PUT = OptionKind.CALL, OptionKind.PUT
EXP = 1_700_000_000 * 10**9
USD = OptionSpec(venue="T", quote="USD")
COIN = OptionSpec(venue="T")
STRIKES = [90.0, 95.0, 100.0, 105.0, 110.0]
CALL_MARK = {90.0: 11.0, 95.0: 7.0, 100.0: 4.0, 105.0: 2.0, 110.0: 1.0}
PUT_MARK = {90.0: 1.0, 95.0: 2.0, 100.0: 4.0, 105.0: 7.0, 110.0: 11.0}


def chain(spec: OptionSpec = USD, spot_price: float = 100.0, scale: float = 1.0) -> OptionChain:
    strikes = [k for k in STRIKES for _ in (0, 1)]
    calls = [True, False] * len(STRIKES)
    marks = [(CALL_MARK if c else PUT_MARK)[k] * scale for k, c in zip(strikes, calls, strict=True)]
    return OptionChain.build(
        spec,
        EXP - 86_400 * 10**9,
        spot_price,
        [EXP] * len(strikes),
        strikes,
        calls,
        bid=[m - 0.1 * scale for m in marks],
        ask=[m + 0.1 * scale for m in marks],
        mark=marks,
        iv=[0.5] * len(strikes),
        delta=[0.5 if c else -0.5 for c in calls],
        gamma=[0.01] * len(strikes),
        vega=[0.2] * len(strikes),
        theta=[-3.0] * len(strikes),
    )


def test_iron_condor_credit_max_loss_breakevens_and_margin() -> None:
    c = chain()
    a = StructureAnalysis(iron_condor(c, EXP, 90, 95, 105, 110), c)
    credit = 2.0 + 2.0 - 1.0 - 1.0  # short 95P + 105C, long 90P + 110C
    assert a.net_premium == pytest.approx(-credit)
    assert a.max_profit() == pytest.approx(credit)
    assert a.max_loss() == pytest.approx(-(5.0 - credit))
    assert a.breakevens() == pytest.approx([95 - credit, 105 + credit])
    assert a.margin() == pytest.approx(5.0 - credit)
    g = a.greeks()
    assert g.delta == pytest.approx(-0.5 + 0.5 - 0.5 + 0.5)
    assert g.vega == pytest.approx(0.0)


def test_fill_prices_cost_the_spread() -> None:
    c = chain()
    mid = StructureAnalysis(iron_condor(c, EXP, 90, 95, 105, 110), c)
    fill = StructureAnalysis(iron_condor(c, EXP, 90, 95, 105, 110), c, fill_prices=True)
    assert fill.entry_value - mid.entry_value == pytest.approx(4 * 0.1)


def test_long_call_vertical_is_bounded_both_ways() -> None:
    c = chain()
    a = StructureAnalysis(vertical(c, EXP, 100, 105, CALL), c)
    debit = 4.0 - 2.0
    assert a.max_loss() == pytest.approx(-debit)
    assert a.max_profit() == pytest.approx(5.0 - debit)
    assert a.breakevens() == pytest.approx([100 + debit])


def test_short_straddle_has_unbounded_loss_and_naked_margin() -> None:
    c = chain()
    a = StructureAnalysis(straddle(c, EXP, 100, short=True), c)
    assert a.max_profit() == pytest.approx(8.0)
    assert a.max_loss() == -math.inf
    assert a.breakevens() == pytest.approx([92.0, 108.0])
    # ATM: max(0.15 - 0, 0.10) * 100 + 4 per leg.
    assert a.margin() == pytest.approx(2 * (15.0 + 4.0))


def test_long_strangle_and_butterfly() -> None:
    c = chain()
    s = StructureAnalysis(strangle(c, EXP, 95, 105), c)
    assert s.max_loss() == pytest.approx(-4.0)
    assert s.max_profit() == math.inf
    assert s.breakevens() == pytest.approx([91.0, 109.0])
    b = StructureAnalysis(butterfly(c, EXP, 95, 100, 105, CALL), c)
    debit = 7.0 - 2 * 4.0 + 2.0
    assert b.max_loss() == pytest.approx(-debit)
    assert b.max_profit() == pytest.approx(5.0 - debit)
    assert b.breakevens() == pytest.approx([95 + debit, 105 - debit])


def test_covered_call_on_the_coin() -> None:
    c = chain()
    underlying = spot("BTC/USD")
    a = StructureAnalysis(covered_call(c, EXP, 105, underlying), c)
    assert a.max_profit() == pytest.approx(5.0 + 2.0)
    assert a.max_loss() == pytest.approx(-(100.0 - 2.0))
    assert a.breakevens() == pytest.approx([98.0])
    assert a.greeks().delta == pytest.approx(1.0 - 0.5)


def test_coin_premiums_are_converted_at_the_index() -> None:
    # The same chain quoted in the coin: premiums / spot. USD results must not change.
    usd = StructureAnalysis(iron_condor(chain(), EXP, 90, 95, 105, 110), chain())
    coin_chain = chain(COIN, scale=1 / 100.0)
    coin = StructureAnalysis(iron_condor(coin_chain, EXP, 90, 95, 105, 110), coin_chain)
    assert coin.max_loss() == pytest.approx(usd.max_loss())
    assert coin.breakevens() == pytest.approx(usd.breakevens())


def test_payoff_now_tends_to_the_payoff_at_expiry() -> None:
    c = chain()
    a = StructureAnalysis(iron_condor(c, EXP, 90, 95, 105, 110), c)
    prices = np.linspace(80, 120, 41)
    just_before = a.payoff_now(prices, EXP - 1)
    assert just_before == pytest.approx(a.payoff_at_expiry(prices), abs=1e-6)
    curve = a.curve(80, 120, 41)
    assert curve.prices.shape == curve.at_expiry.shape == curve.now.shape == (41,)
    # A day before expiry the condor is worth less than its max at the centre, more at the wings.
    assert curve.now[20] < curve.at_expiry[20]
    assert curve.now[0] > curve.at_expiry[0]


def test_bad_structures_are_refused_with_the_reason() -> None:
    c = chain()
    with pytest.raises(ValueError, match="strictly ascending"):
        iron_condor(c, EXP, 95, 90, 105, 110)
    with pytest.raises(KeyError, match="strike 97"):
        vertical(c, EXP, 97, 105, CALL)
    with pytest.raises(ValueError, match="must differ"):
        vertical(c, EXP, 100, 100, PUT)
