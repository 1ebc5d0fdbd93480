"""Perpetual funding payments and liquidation at the maintenance-margin price."""

from __future__ import annotations

import pytest

from fixtures.factories import (
    INVERSE,
    MIN,
    PERP,
    SPOT,
    TAKER,
    bar,
    fill,
    flat_bar,
    linear_perp,
    paper_harness,
    qty_signal,
    run_plan,
)
from tradebot.model.data import FundingRate
from tradebot.model.enums import LiquiditySide, OrderSide
from tradebot.model.instruments import Perpetual
from tradebot.model.signals import Signal, SignalIntent

BUY, SELL = OrderSide.BUY, OrderSide.SELL


@pytest.mark.parametrize(
    ("side", "rate"),
    [(BUY, 0.0001), (BUY, -0.0003), (SELL, 0.0001), (SELL, -0.0003)],
    ids=["long-pays", "long-receives", "short-receives", "short-pays"],
)
def test_linear_funding_moves_position_notional_times_rate(side: OrderSide, rate: float) -> None:
    events = [
        flat_bar(PERP, 0, 20_000.0),
        flat_bar(PERP, 1, 20_000.0),
        flat_bar(PERP, 2, 21_000.0),  # funding is charged on the notional at the mark
        FundingRate(PERP.id, 3 * MIN, rate),
        flat_bar(PERP, 3, 21_000.0),
        flat_bar(PERP, 4, 21_000.0),
    ]
    close = Signal(instrument_id=PERP.id, side=side.opposite, intent=SignalIntent.CLOSE)
    plan = {1: [qty_signal(PERP, 0.25, side)], 4: [close]}

    engine = run_plan(PERP, events, plan, slippage=0)

    signed = 0.25 * side.sign
    expected = -signed * 21_000.0 * rate
    assert (expected < 0) is ((side is BUY) == (rate > 0))
    assert engine.portfolio.total_funding == {"USDT": pytest.approx(expected)}
    (trade,) = engine.portfolio.trades
    assert trade.funding == pytest.approx(expected)
    assert trade.pnl == pytest.approx(trade.gross_pnl - trade.fees + expected)
    fees = sum(f.fee for f in engine.orders.fills)
    gross = signed * (21_000.0 - 20_000.0)
    assert engine.portfolio.account.balance("USDT") == pytest.approx(
        10_000.0 + gross - fees + expected
    )


@pytest.mark.parametrize("rate", [0.0001, -0.0002])
def test_inverse_funding_is_paid_in_the_coin(rate: float) -> None:
    h = paper_harness([INVERSE], {"BTC": 1.0}, currency="USD")
    h.portfolio.apply_fill(fill(INVERSE, BUY, 1_000, 20_000.0))
    h.feed(flat_bar(INVERSE, 0, 25_000.0))

    h.feed(FundingRate(INVERSE.id, MIN + 1, rate))

    expected = -1_000 * float(INVERSE.multiplier) / 25_000.0 * rate
    (kind, _, paid) = h.log.events[-1]
    assert (kind, paid.currency) == ("funding", "BTC")
    assert paid.amount == pytest.approx(expected)
    assert h.portfolio.account.balance("BTC") == pytest.approx(1.0 + expected)
    assert h.portfolio.position(INVERSE.id).funding == pytest.approx(expected)


def test_no_funding_without_a_position_or_on_spot() -> None:
    h = paper_harness([PERP, SPOT], {"USDT": 1_000.0, "BTC": 1.0})
    h.feed(flat_bar(PERP, 0, 100.0), flat_bar(SPOT, 0, 100.0))

    h.feed(FundingRate(PERP.id, MIN + 1, 0.01), FundingRate(SPOT.id, MIN + 1, 0.01))

    assert [k for k, _, _ in h.log.events] == []
    assert h.portfolio.account.balances == {"USDT": 1_000.0, "BTC": 1.0}


def _liquidation_price(inst: Perpetual, qty: float, entry: float, balance: float) -> float:
    # Equity = maintenance margin:  balance + q·m·(p − e) = |q|·m·p·mm  → solve for p.
    m, mm = float(inst.multiplier), inst.maintenance_margin
    return (qty * m * entry - balance) / (m * (qty - abs(qty) * mm))


@pytest.mark.parametrize(
    ("inst", "contracts"),
    [(PERP, 4.5), (linear_perp(multiplier="0.01", lot="1"), 450.0)],
    ids=["one-coin-contracts", "hundredth-coin-contracts"],
)
@pytest.mark.parametrize(("side", "beyond"), [(BUY, 0.999), (SELL, 1.001)], ids=["long", "short"])
@pytest.mark.parametrize("crossed", [True, False])
def test_ten_times_leveraged_position_is_liquidated_once_the_bar_crosses_its_price(
    inst: Perpetual, contracts: float, side: OrderSide, beyond: float, crossed: bool
) -> None:
    entry = 20_000.0
    notional = contracts * float(inst.multiplier) * entry
    assert notional == pytest.approx(90_000.0)  # 9x of 10,000 cash, within 10x leverage
    balance = 10_000.0 - notional * TAKER
    liq = _liquidation_price(inst, contracts * side.sign, entry, balance)
    extreme = liq * beyond if crossed else liq / beyond
    lo, hi = (extreme, entry) if side is BUY else (entry, extreme)
    events = [
        flat_bar(inst, 0, entry),
        flat_bar(inst, 1, entry),
        bar(inst, 2, entry, hi, lo, entry),
    ]

    engine = run_plan(
        inst, events, {1: [qty_signal(inst, contracts, side)]}, slippage=0, leverage=10.0
    )

    liquidations = [f for f in engine.orders.fills if f.tag == "liquidation"]
    assert engine.portfolio.position(inst.id).is_flat is crossed
    if not crossed:
        assert liquidations == []
        return
    (liq_fill,) = liquidations
    assert liq_fill.price == pytest.approx(inst.round_price(liq))
    assert (liq_fill.side, liq_fill.quantity) == (side.opposite, contracts)
    assert liq_fill.liquidity is LiquiditySide.TAKER
    assert liq_fill.fee == pytest.approx(inst.notional(contracts, liq_fill.price) * TAKER)
    assert engine.portfolio.trades[-1].exit_tag == "liquidation"


def test_inverse_long_is_liquidated_where_coin_equity_meets_maintenance() -> None:
    h = paper_harness([INVERSE], {"BTC": 0.05}, currency="USD")
    m, mm, q, entry = float(INVERSE.multiplier), INVERSE.maintenance_margin, 1_000, 20_000.0
    h.portfolio.apply_fill(fill(INVERSE, BUY, q, entry))  # 10,000 USD on 0.05 BTC: 10x
    # 0.05 + q·m·(1/e − 1/p) = q·m·mm / p  →  p = q·m·(1 + mm) / (0.05 + q·m / e)
    liq = q * m * (1 + mm) / (0.05 + q * m / entry)

    h.feed(bar(INVERSE, 0, entry, entry, liq * 1.001, entry))
    safe = list(h.log.fills)
    h.feed(bar(INVERSE, 1, entry, entry, liq * 0.999, entry))

    assert safe == []
    (liq_fill,) = h.log.fills
    assert liq_fill.price == pytest.approx(INVERSE.round_price(liq))
    assert h.portfolio.position(INVERSE.id).is_flat


def test_an_unleveraged_long_is_never_liquidated() -> None:
    events = [flat_bar(PERP, 0, 20_000.0), flat_bar(PERP, 1, 20_000.0)]
    events.append(bar(PERP, 2, 20_000.0, 20_000.0, 1.0, 2.0))  # a 99.99 % crash

    engine = run_plan(PERP, events, {1: [Signal(instrument_id=PERP.id, side=BUY)]})

    assert [f.tag for f in engine.orders.fills] == [""]
    assert engine.portfolio.position(PERP.id).quantity > 0
