"""scalping: top-of-book imbalance with short-term momentum of the mid, on quotes."""

from __future__ import annotations

import pytest

from fixtures.factories import PERP
from tradebot.errors import ConfigError
from tradebot.model.enums import OrderSide
from tradebot.strategies import registry
from tradebot.strategies.technical.scalping import Scalping

from .builders import assert_well_formed, bars_from_closes, entries, exits, quotes, run, sharp_rise


def _mids(n: int, step: float) -> list[float]:
    return [100.0 + step * i for i in range(n)]


def test_bid_heavy_book_with_rising_mid_is_bought() -> None:
    mids = _mids(60, 0.02)
    engine = run(Scalping(), quotes(mids, [9.0] * 60, [1.0] * 60))

    first = entries(engine)[0]
    assert first.signal.side is OrderSide.BUY
    assert first.signal.tag == "bid_heavy"
    assert first.signal.confidence == pytest.approx(0.8)  # (9 - 1) / (9 + 1)
    index = first.signal.ts_event // 10**9 - 1
    assert_well_formed(first, mids[index])


def test_ask_heavy_book_with_falling_mid_is_sold() -> None:
    engine = run(Scalping(), quotes(_mids(60, -0.02), [1.0] * 60, [6.0] * 60))

    assert entries(engine)[0].signal.side is OrderSide.SELL


def test_a_balanced_book_is_not_traded_however_the_mid_moves() -> None:
    engine = run(Scalping(), quotes(_mids(200, 0.02), [5.0] * 200, [4.5] * 200))

    assert entries(engine) == []


def test_imbalance_against_the_move_is_not_traded() -> None:
    engine = run(Scalping(), quotes(_mids(200, 0.02), [1.0] * 200, [9.0] * 200))

    assert entries(engine) == []


def test_a_scalp_is_closed_when_the_book_flips() -> None:
    n = 100  # the exit works a thin book (1 lot per quote) until it is done
    bids = [9.0] * 40 + [1.0] * (n - 40)
    asks = [1.0] * 40 + [9.0] * (n - 40)
    engine = run(Scalping(), quotes(_mids(n, 0.001), bids, asks))

    assert entries(engine)
    assert [r.signal.tag for r in exits(engine)] == ["imbalance_flip"]  # sent once, not per quote
    assert engine.holding(PERP.id) == 0


def test_bars_alone_do_not_trade() -> None:
    engine = run(Scalping(), bars_from_closes(sharp_rise()))

    assert entries(engine) == []


def test_bad_parameters_are_refused_by_name() -> None:
    with pytest.raises(ConfigError, match="imbalance"):
        registry.parse_params(Scalping, {"imbalance": "0"})
