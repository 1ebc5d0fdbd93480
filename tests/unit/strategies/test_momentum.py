"""momentum: EMA crossover + ADX strength."""

from __future__ import annotations

import pytest

from tradebot.model.enums import OrderSide
from tradebot.strategies.technical.momentum import Momentum, MomentumParams

from .builders import assert_well_formed, bars_from_closes, calm, close_at, entries, run, trend


def test_a_strong_up_trend_after_a_range_is_bought() -> None:
    closes = calm(80) + trend(100.0, 60, 0.006)
    engine = run(Momentum(), bars_from_closes(closes))

    first = entries(engine)[0]
    assert first.signal.side is OrderSide.BUY
    assert first.signal.ts_event > 80 * 60 * 10**9  # only once the trend is under way
    assert_well_formed(first, close_at(engine, first))
    assert "adx_14 < 20" in first.signal.invalidation


def test_a_strong_down_trend_is_sold_short() -> None:
    engine = run(Momentum(), bars_from_closes(calm(80) + trend(100.0, 60, -0.006)))

    first = entries(engine)[0]
    assert first.signal.side is OrderSide.SELL
    assert_well_formed(first, close_at(engine, first))


def test_a_range_without_trend_is_left_alone() -> None:
    engine = run(Momentum(), bars_from_closes(calm(300, amplitude=0.01, period=9)))

    assert entries(engine) == []


@pytest.mark.parametrize(
    ("kwargs", "word"),
    [({"fast": 30, "slow": 26}, "fast"), ({"adx_min": 0}, "adx_min"), ({"size": 1.5}, "size")],
)
def test_bad_parameters_are_named(kwargs: dict[str, float], word: str) -> None:
    with pytest.raises(ValueError, match=word):
        Momentum(MomentumParams(**kwargs))  # type: ignore[arg-type]
