"""Net positions: average entry, realized P&L and the round-trip trade records they close."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fixtures.factories import INVERSE, PERP, fill
from tradebot.model.enums import OrderSide
from tradebot.model.instruments import Instrument
from tradebot.model.positions import Position

BUY, SELL = OrderSide.BUY, OrderSide.SELL


def test_adding_to_a_linear_long_averages_the_entry_arithmetically() -> None:
    pos = Position(PERP)

    pos.apply(fill(PERP, BUY, 2.0, 100.0, ts=1))
    pos.apply(fill(PERP, BUY, 1.0, 130.0, ts=2))

    assert pos.quantity == 3.0
    assert pos.avg_entry_price == pytest.approx((2 * 100.0 + 1 * 130.0) / 3)
    assert pos.side == "long"
    assert pos.opened_ns == 1
    assert pos.unrealized_pnl(120.0) == pytest.approx(3 * (120.0 - 110.0))


def test_adding_to_an_inverse_long_averages_the_entry_harmonically() -> None:
    pos = Position(INVERSE)

    pos.apply(fill(INVERSE, BUY, 100, 20_000.0))
    pos.apply(fill(INVERSE, BUY, 100, 25_000.0))

    assert pos.avg_entry_price == pytest.approx(200 / (100 / 20_000 + 100 / 25_000))
    # With the harmonic average the coin P&L of the whole equals the sum of the lots' P&L.
    m = float(INVERSE.multiplier)
    per_lot = 100 * m * (1 / 20_000 - 1 / 24_000) + 100 * m * (1 / 25_000 - 1 / 24_000)
    assert pos.unrealized_pnl(24_000.0) == pytest.approx(per_lot, rel=1e-12)


def test_reducing_realizes_pnl_on_the_closed_part_and_keeps_the_entry() -> None:
    pos = Position(PERP)
    pos.apply(fill(PERP, BUY, 3.0, 110.0))

    realized, trades = pos.apply(fill(PERP, SELL, 1.0, 120.0))

    assert realized == pytest.approx(1.0 * (120.0 - 110.0))
    assert trades == []
    assert pos.quantity == 2.0
    assert pos.avg_entry_price == pytest.approx(110.0)
    assert pos.realized_pnl == pytest.approx(10.0)


def test_closing_a_linear_long_in_two_exits_records_one_trade() -> None:
    pos = Position(PERP)
    fees = [0.3, 0.1, 0.2, 0.4]
    pos.apply(fill(PERP, BUY, 2.0, 100.0, fee=fees[0], ts=10))
    pos.apply(fill(PERP, BUY, 1.0, 130.0, fee=fees[1], ts=20))
    pos.apply(fill(PERP, SELL, 1.0, 120.0, fee=fees[2], ts=30))

    _, (trade,) = pos.apply(fill(PERP, SELL, 2.0, 90.0, fee=fees[3], ts=40, tag="exit"))

    gross = 1.0 * (120.0 - 110.0) + 2.0 * (90.0 - 110.0)
    assert pos.is_flat
    assert (pos.side, pos.opened_ns) == ("flat", 0)
    assert pos.realized_pnl == pytest.approx(gross)
    assert (trade.side, trade.quantity, trade.currency) == ("long", 3.0, "USDT")
    assert (trade.entry_time, trade.exit_time, trade.exit_tag) == (10, 40, "exit")
    assert trade.entry_price == pytest.approx(110.0)
    assert trade.exit_price == pytest.approx((1 * 120.0 + 2 * 90.0) / 3)
    assert trade.gross_pnl == pytest.approx(gross)
    assert trade.fees == pytest.approx(sum(fees))
    assert trade.pnl == pytest.approx(gross - sum(fees))
    assert trade.return_pct == pytest.approx((gross - sum(fees)) / (3 * 110.0))


@pytest.mark.parametrize(("entry", "exit_", "gain"), [(100.0, 90.0, 10.0), (100.0, 104.0, -4.0)])
def test_a_short_gains_when_the_price_falls(entry: float, exit_: float, gain: float) -> None:
    pos = Position(PERP)
    pos.apply(fill(PERP, SELL, 1.0, entry))
    assert pos.side == "short"

    realized, (trade,) = pos.apply(fill(PERP, BUY, 1.0, exit_))

    assert realized == pytest.approx(gain)
    assert trade.side == "short"
    assert (trade.entry_price, trade.exit_price) == (entry, exit_)


def test_flip_closes_one_trade_and_opens_the_next_splitting_the_fee() -> None:
    pos = Position(PERP)
    pos.apply(fill(PERP, BUY, 1.0, 100.0, fee=0.06, ts=1))

    realized, (first,) = pos.apply(fill(PERP, SELL, 3.0, 110.0, fee=0.9, ts=2))

    assert realized == pytest.approx(1.0 * (110.0 - 100.0))
    assert first.fees == pytest.approx(0.06 + 0.9 * 1 / 3)
    assert (first.side, first.quantity, first.exit_time) == ("long", 1.0, 2)
    assert pos.quantity == -2.0
    assert pos.avg_entry_price == 110.0
    assert pos.opened_ns == 2

    _, (second,) = pos.apply(fill(PERP, BUY, 2.0, 100.0, fee=0.05, ts=3))

    assert second.side == "short"
    assert (second.entry_time, second.entry_price, second.quantity) == (2, 110.0, 2.0)
    assert second.fees == pytest.approx(0.9 * 2 / 3 + 0.05)
    assert second.gross_pnl == pytest.approx(2.0 * (110.0 - 100.0))
    assert pos.fees == pytest.approx(0.06 + 0.9 + 0.05)


def test_inverse_round_trip_is_booked_in_the_coin() -> None:
    pos = Position(INVERSE)
    m = float(INVERSE.multiplier)
    pos.apply(fill(INVERSE, BUY, 300, 20_000.0))

    _, (trade,) = pos.apply(fill(INVERSE, SELL, 300, 25_000.0))

    gross = 300 * m * (1 / 20_000 - 1 / 25_000)
    assert trade.currency == "BTC"
    assert trade.gross_pnl == pytest.approx(gross)
    assert trade.return_pct == pytest.approx(gross / (300 * m / 20_000))


def test_funding_is_part_of_the_trade_and_of_its_net_pnl() -> None:
    pos = Position(PERP)
    pos.apply(fill(PERP, BUY, 1.0, 100.0, fee=0.06))
    pos.add_funding(-1.5)
    pos.add_funding(0.25)

    _, (trade,) = pos.apply(fill(PERP, SELL, 1.0, 105.0, fee=0.063))

    assert trade.funding == pytest.approx(-1.25)
    assert pos.funding == pytest.approx(-1.25)
    assert trade.pnl == pytest.approx(5.0 - (0.06 + 0.063) - 1.25)


def test_funding_of_a_previous_round_trip_does_not_leak_into_the_next() -> None:
    pos = Position(PERP)
    pos.apply(fill(PERP, BUY, 1.0, 100.0))
    pos.add_funding(-2.0)
    pos.apply(fill(PERP, SELL, 1.0, 100.0))

    pos.apply(fill(PERP, BUY, 1.0, 100.0))
    _, (trade,) = pos.apply(fill(PERP, SELL, 1.0, 101.0))

    assert trade.funding == 0.0
    assert pos.funding == pytest.approx(-2.0)


def _ending_flat(draw: st.DrawFn) -> list[tuple[float, float]]:
    # Half-unit sizes are exact in binary, so the closing fill leaves the position exactly flat.
    steps = draw(st.lists(st.integers(-20, 20).filter(bool), min_size=1, max_size=12))
    prices = draw(
        st.lists(st.floats(1_000, 100_000), min_size=len(steps) + 1, max_size=len(steps) + 1)
    )
    sizes = [s / 2 for s in steps]
    sizes.append(-sum(sizes))
    return [(q, p) for q, p in zip(sizes, prices, strict=True) if q]


fills_ending_flat = st.composite(_ending_flat)


@pytest.mark.parametrize("inst", [PERP, INVERSE], ids=["linear", "inverse"])
@given(steps=fills_ending_flat())
def test_trades_gross_pnl_adds_up_to_realized_pnl(
    inst: Instrument, steps: list[tuple[float, float]]
) -> None:
    pos = Position(inst)
    trades = []

    for ts, (q, price) in enumerate(steps):
        trades += pos.apply(fill(inst, BUY if q > 0 else SELL, abs(q), price, fee=0.01, ts=ts))[1]

    assert pos.is_flat
    assert trades, "a sequence that ends flat closes at least one trade"
    total = sum(t.gross_pnl for t in trades)
    scale = sum(abs(t.gross_pnl) for t in trades)
    assert math.isclose(total, pos.realized_pnl, rel_tol=1e-9, abs_tol=1e-9 * scale + 1e-12)
    assert sum(t.fees for t in trades) == pytest.approx(0.01 * len(steps))
