"""The option chain: sorting, strike selection and lookups."""

from __future__ import annotations

import numpy as np
import pytest

from tradebot.model.enums import OptionKind
from tradebot.options.chain import OptionChain
from tradebot.options.contract import DERIBIT_BTC

CALL, PUT = OptionKind.CALL, OptionKind.PUT
E1, E2 = 2_000 * 10**9, 3_000 * 10**9


def chain() -> OptionChain:
    strikes = [8_000.0, 9_000.0, 9_500.0, 10_000.0, 10_500.0, 11_000.0, 12_000.0]
    rows = [(e, k, c) for e in (E2, E1) for k in reversed(strikes) for c in (False, True)]
    deltas = [
        (0.5 + (10_000 - k) / 8_000) if c else (-0.5 + (10_000 - k) / 8_000) for _, k, c in rows
    ]
    return OptionChain.build(
        DERIBIT_BTC,
        1_000 * 10**9,
        10_100.0,
        [r[0] for r in rows],
        [r[1] for r in rows],
        [r[2] for r in rows],
        delta=deltas,
        mark=[0.01] * len(rows),
    )


def test_rows_are_sorted_by_expiry_strike_then_call_first() -> None:
    c = chain()
    keys = list(zip(c.expiry_ns, c.strike, ~c.is_call, strict=True))
    assert keys == sorted(keys)
    assert c.next_expiry() == E1
    assert c.next_expiry(min_minutes=(E1 - c.ts_ns) / 60e9 + 1) == E2


def test_strike_selection() -> None:
    c = chain()
    assert c.atm_strike(E1) == 10_000.0
    assert list(c.around_atm(E1, 2)) == [9_000.0, 9_500.0, 10_000.0, 10_500.0, 11_000.0]
    assert list(c.around_atm(E1, 10)) == list(c.strikes(E1))
    assert c.by_otm_pct(E1, 0.05, CALL) == 10_500.0  # 10,100 x 1.05 = 10,605
    assert c.by_otm_pct(E1, 0.10, PUT) == 9_000.0  # 10,100 x 0.90 = 9,090
    assert c.by_delta(E1, 0.25, CALL) == 12_000.0  # delta 0.25 exactly
    assert c.by_delta(E1, -0.25, PUT) == 8_000.0


def test_lookups_and_instruments() -> None:
    c = chain()
    quote = c.quote(E1, 10_500.0, PUT)
    assert quote.instrument.strike == 10_500.0
    assert quote.instrument.kind is PUT
    assert quote.delta == pytest.approx(-0.5 - 500 / 8_000)
    assert np.isnan(quote.bid)
    assert c.instrument(E1, 10_500.0, PUT) is c.instrument(E1, 10_500.0, PUT)
    assert c.instrument(E1, 10_500.0, PUT).id.symbol.endswith("-10500-P")
    with pytest.raises(KeyError, match="no call at strike 10250"):
        c.quote(E1, 10_250.0, CALL)
    sub = c.select(c.is_call)
    assert len(sub) == len(c) // 2


def test_bad_columns_name_the_column() -> None:
    with pytest.raises(ValueError, match="'mark' has shape"):
        OptionChain.build(DERIBIT_BTC, 0, 1.0, [1, 2], [1.0, 2.0], [True, False], mark=[1.0])
    with pytest.raises(ValueError, match="unknown chain column"):
        OptionChain.build(DERIBIT_BTC, 0, 1.0, [1], [1.0], [True], volume=[1.0])
