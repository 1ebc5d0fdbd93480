"""Portfolio bookkeeping: balances, net liquidation value, exposure and margin."""

from __future__ import annotations

import math

import pytest

from fixtures.factories import INVERSE, PERP, SPOT, TAKER, fill, linear_perp, spot
from tradebot.model.account import Account
from tradebot.model.enums import OrderSide
from tradebot.model.events import FundingPaid
from tradebot.portfolio.portfolio import Portfolio

BUY, SELL = OrderSide.BUY, OrderSide.SELL


def test_spot_buy_then_sell_moves_quote_and_base_balances_with_fees() -> None:
    pf = Portfolio(Account("USDT", {"USDT": 10_000.0}), [SPOT])
    buy_fee = 0.25 * 20_000.0 * TAKER
    sell_fee = 0.25 * 22_000.0 * TAKER

    pf.apply_fill(fill(SPOT, BUY, 0.25, 20_000.0, fee=buy_fee, ts=1))
    after_buy = (pf.account.balance("USDT"), pf.account.balance("BTC"))
    closed = pf.apply_fill(fill(SPOT, SELL, 0.25, 22_000.0, fee=sell_fee, ts=2))

    assert after_buy == pytest.approx((10_000.0 - 5_000.0 - buy_fee, 0.25))
    assert pf.account.balance("USDT") == pytest.approx(
        10_000.0 + 0.25 * 2_000.0 - buy_fee - sell_fee
    )
    assert pf.account.balance("BTC") == pytest.approx(0.0)
    assert [t.gross_pnl for t in closed] == pytest.approx([0.25 * 2_000.0])
    assert pf.trades == closed
    assert pf.total_fees == {"USDT": pytest.approx(buy_fee + sell_fee)}


def test_nlv_of_spot_holdings_values_coins_at_the_last_price() -> None:
    pf = Portfolio(Account("USDT", {"USDT": 4_000.0, "BTC": 0.25}), [SPOT])
    pf.mark(SPOT.id, 21_000.0)

    assert pf.net_liquidation_value() == pytest.approx(4_000.0 + 0.25 * 21_000.0)
    assert pf.gross_exposure() == pytest.approx(0.25 * 21_000.0)
    assert pf.holding(SPOT.id) == 0.25


def test_a_coin_quoted_by_two_pairs_counts_once_in_exposure() -> None:
    usdc = spot("BTC/USDC")
    pf = Portfolio(Account("USDT", {"USDT": 1_000.0, "BTC": 0.5}), [SPOT, usdc])
    pf.mark(SPOT.id, 20_000.0)
    pf.mark(usdc.id, 20_010.0)

    assert pf.gross_exposure() == pytest.approx(0.5 * 20_000.0)
    assert pf.valuation() == pytest.approx((1_000.0 + 0.5 * 20_000.0, 0.5 * 20_000.0))


def test_nlv_of_a_linear_perp_is_balance_plus_unrealized_pnl() -> None:
    pf = Portfolio(Account("USDT", {"USDT": 10_000.0}, leverage=5.0), [PERP])
    fee = 0.5 * 20_000.0 * TAKER
    pf.apply_fill(fill(PERP, BUY, 0.5, 20_000.0, fee=fee))
    pf.mark(PERP.id, 21_000.0)

    balance = 10_000.0 - fee  # opening a derivative only costs the fee
    assert pf.account.balance("USDT") == pytest.approx(balance)
    assert pf.net_liquidation_value() == pytest.approx(balance + 0.5 * 1_000.0)
    assert pf.gross_exposure() == pytest.approx(0.5 * 21_000.0)
    assert pf.margin_used("USDT") == pytest.approx(0.5 * 21_000.0 / 5.0)
    assert pf.free_margin("USDT") == pytest.approx(balance + 500.0 - 0.5 * 21_000.0 / 5.0)
    assert pf.maintenance_margin("USDT") == pytest.approx(0.5 * 21_000.0 * 0.005)
    assert pf.margin_used("BTC") == 0.0


def test_linear_perp_with_a_contract_multiplier() -> None:
    inst = linear_perp(multiplier="0.01", lot="1")
    pf = Portfolio(Account("USDT", {"USDT": 10_000.0}, leverage=2.0), [inst])
    pf.apply_fill(fill(inst, SELL, 40, 20_000.0))  # 40 contracts of 0.01 BTC
    pf.mark(inst.id, 19_000.0)

    assert pf.net_liquidation_value() == pytest.approx(10_000.0 + 40 * 0.01 * 1_000.0)
    assert pf.gross_exposure() == pytest.approx(40 * 0.01 * 19_000.0)
    assert pf.margin_used("USDT") == pytest.approx(40 * 0.01 * 19_000.0 / 2.0)


def test_nlv_of_an_inverse_perp_converts_coin_equity_at_the_mark() -> None:
    pf = Portfolio(Account("USD", {"BTC": 1.0}), [INVERSE])
    m = float(INVERSE.multiplier)
    fee = 1_000 * m / 20_000.0 * TAKER
    pf.apply_fill(fill(INVERSE, BUY, 1_000, 20_000.0, fee=fee))
    pf.mark(INVERSE.id, 25_000.0)

    coin = 1.0 - fee + 1_000 * m * (1 / 20_000.0 - 1 / 25_000.0)
    assert pf.account.balance("BTC") == pytest.approx(1.0 - fee)
    assert pf.margin_equity("BTC") == pytest.approx(coin)
    assert pf.net_liquidation_value() == pytest.approx(coin * 25_000.0)
    # The contracts are worth their face value in USD; the coin collateral is exposure too.
    assert pf.gross_exposure() == pytest.approx(1_000 * m + (1.0 - fee) * 25_000.0)
    assert pf.valuation() == pytest.approx((pf.net_liquidation_value(), pf.gross_exposure()))


def test_funding_is_booked_into_balance_position_and_totals() -> None:
    pf = Portfolio(Account("USDT", {"USDT": 1_000.0}), [PERP])
    pf.apply_fill(fill(PERP, BUY, 1.0, 100.0))

    pf.apply_funding(FundingPaid(PERP.id, 0.001, -0.1, "USDT", 5))

    assert pf.account.balance("USDT") == pytest.approx(999.9)
    assert pf.position(PERP.id).funding == pytest.approx(-0.1)
    assert pf.total_funding == {"USDT": pytest.approx(-0.1)}


def test_rates_of_unknown_coins_are_nan_and_stablecoins_are_at_par() -> None:
    pf = Portfolio(Account("USDT", {}), [SPOT])
    strict = Portfolio(Account("USDT", {}), [SPOT], stablecoins_at_par=False)

    assert math.isnan(pf.rate("BTC"))
    assert pf.rate("USDC") == 1.0
    assert math.isnan(strict.rate("USDC"))
    pf.mark(SPOT.id, 30_000.0)
    assert pf.rate("BTC") == 30_000.0


def test_valuation_plan_is_rebuilt_after_a_balance_change() -> None:
    pf = Portfolio(Account("USDT", {"USDT": 10_000.0}), [SPOT])
    pf.mark(SPOT.id, 100.0)
    before = pf.valuation()

    pf.apply_fill(fill(SPOT, BUY, 10.0, 100.0, fee=1.0))
    pf.mark(SPOT.id, 110.0)

    assert before == (10_000.0, 0.0)
    assert pf.valuation() == pytest.approx((10_000.0 - 1_000.0 - 1.0 + 10 * 110.0, 10 * 110.0))
