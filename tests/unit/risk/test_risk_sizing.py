"""Risk engine: sizing signals into orders, and the pre-trade refusals."""

from __future__ import annotations

import math

import pytest

from fixtures.factories import INVERSE, PERP, SPOT, fill
from tradebot.model.account import Account
from tradebot.model.enums import OrderSide, OrderType
from tradebot.model.identifiers import InstrumentId
from tradebot.model.instruments import Instrument
from tradebot.model.signals import Signal, SignalIntent, SizeMode
from tradebot.portfolio.portfolio import Portfolio
from tradebot.risk.config import RiskConfig
from tradebot.risk.engine import RiskEngine
from tradebot.risk.limits import RiskLimits
from tradebot.risk.verdict import Approved, Denied

BUY, SELL = OrderSide.BUY, OrderSide.SELL
BUFFER = RiskConfig().sizing_buffer


def risk_on(
    instruments: list[Instrument],
    balances: dict[str, float],
    prices: dict[InstrumentId, float],
    *,
    currency: str = "USDT",
    leverage: float = 1.0,
    **config: float,
) -> RiskEngine:
    pf = Portfolio(Account(currency, balances, leverage), instruments)
    for iid, price in prices.items():
        pf.mark(iid, price)
    # Sizing mechanics only: the limits are tested in test_risk_rules.py.
    return RiskEngine(RiskConfig(limits=RiskLimits.off(), **config), pf)  # type: ignore[arg-type]


def lots(quantity: float, lot: float) -> float:
    return math.floor(quantity / lot + 1e-9) * lot


@pytest.mark.parametrize(
    ("balances", "fraction", "expected_quote"),
    [
        ({"USDT": 10_000.0}, 1.0, 10_000.0),
        ({"USDT": 4_000.0, "BTC": 0.3}, 1.0, 4_000.0),  # NLV 10,000 but only 4,000 is cash
        ({"USDT": 10_000.0}, 0.25, 2_500.0),
    ],
)
def test_equity_fraction_spot_market_buy_becomes_a_quote_sized_order(
    balances: dict[str, float], fraction: float, expected_quote: float
) -> None:
    risk = risk_on([SPOT], balances, {SPOT.id: 20_000.0})

    verdict = risk.evaluate(Signal(instrument_id=SPOT.id, side=BUY, size=fraction))

    assert verdict == Approved(BUY, 0.0, quote_quantity=pytest.approx(expected_quote))


@pytest.mark.parametrize(("leverage", "fraction"), [(1.0, 1.0), (3.0, 0.5), (10.0, 0.2)])
def test_derivative_size_uses_leverage_and_the_sizing_buffer(
    leverage: float, fraction: float
) -> None:
    price = 20_000.0
    risk = risk_on([PERP], {"USDT": 10_000.0}, {PERP.id: price}, leverage=leverage)

    verdict = risk.evaluate(Signal(instrument_id=PERP.id, side=SELL, size=fraction))

    expected = lots(10_000.0 * fraction * leverage * (1 - BUFFER) / price, 0.001)
    assert isinstance(verdict, Approved)
    assert (verdict.side, verdict.quote_quantity, verdict.reduce_only) == (SELL, 0.0, False)
    assert verdict.quantity == pytest.approx(expected)


def test_inverse_size_is_counted_in_contracts_of_the_multiplier() -> None:
    price = 25_000.0
    risk = risk_on([INVERSE], {"BTC": 0.4}, {INVERSE.id: price}, currency="USD", leverage=2.0)

    verdict = risk.evaluate(Signal(instrument_id=INVERSE.id, side=BUY, size=1.0))

    usd_budget = 0.4 * price * 2.0 * (1 - BUFFER)
    assert verdict == Approved(BUY, lots(usd_budget / float(INVERSE.multiplier), 1.0))


def test_notional_size_is_converted_at_the_limit_price() -> None:
    risk = risk_on([PERP], {"USDT": 10_000.0}, {PERP.id: 20_000.0})
    signal = Signal(
        instrument_id=PERP.id,
        side=BUY,
        size=5_000.0,
        size_mode=SizeMode.NOTIONAL,
        order_type=OrderType.LIMIT,
        price=19_000.0,
    )

    verdict = risk.evaluate(signal)

    assert verdict == Approved(BUY, pytest.approx(lots(5_000.0 * (1 - BUFFER) / 19_000.0, 0.001)))


def test_max_order_fraction_caps_the_budget() -> None:
    risk = risk_on(
        [PERP], {"USDT": 10_000.0}, {PERP.id: 100.0}, leverage=5.0, max_order_fraction=0.1
    )

    verdict = risk.evaluate(Signal(instrument_id=PERP.id, side=BUY, size=1.0))

    assert verdict == Approved(BUY, pytest.approx(10_000.0 * 5.0 * 0.1 * (1 - BUFFER) / 100.0))


def test_close_of_a_flat_position_is_denied_with_no_position() -> None:
    risk = risk_on([PERP], {"USDT": 10_000.0}, {PERP.id: 100.0})

    verdict = risk.evaluate(Signal(instrument_id=PERP.id, side=SELL, intent=SignalIntent.CLOSE))

    assert isinstance(verdict, Denied)
    assert verdict.code == "NO_POSITION"
    assert str(PERP.id) in verdict.reason
    assert risk.denials == {"NO_POSITION": 1}


@pytest.mark.parametrize(("held", "side"), [(0.7, SELL), (-0.7, BUY)])
def test_close_flattens_the_whole_position_reduce_only(held: float, side: OrderSide) -> None:
    pf = Portfolio(Account("USDT", {"USDT": 10_000.0}), [PERP])
    pf.apply_fill(fill(PERP, BUY if held > 0 else SELL, abs(held), 100.0))
    risk = RiskEngine(RiskConfig.unlimited(), pf)

    verdict = risk.evaluate(Signal(instrument_id=PERP.id, side=side, intent=SignalIntent.CLOSE))

    assert verdict == Approved(side, 0.7, reduce_only=True)


def test_spot_short_is_denied() -> None:
    risk = risk_on([SPOT], {"USDT": 10_000.0}, {SPOT.id: 100.0})

    verdict = risk.evaluate(Signal(instrument_id=SPOT.id, side=SELL, size=0.5))

    assert isinstance(verdict, Denied)
    assert verdict.code == "SPOT_SHORT"


def test_spot_sell_is_capped_at_the_coins_held() -> None:
    risk = risk_on([SPOT], {"USDT": 0.0, "BTC": 0.3}, {SPOT.id: 100.0})
    signal = Signal(instrument_id=SPOT.id, side=SELL, size=1.0, size_mode=SizeMode.QUANTITY)

    assert risk.evaluate(signal) == Approved(SELL, 0.3)


@pytest.mark.parametrize(
    ("signal", "code"),
    [
        (Signal(instrument_id=InstrumentId("ETH/USDT", "T"), side=BUY), "UNKNOWN_INSTRUMENT"),
        (Signal(instrument_id=PERP.id, side=BUY), "NO_PRICE"),
        (
            Signal(instrument_id=SPOT.id, side=BUY, size=1e-9, size_mode=SizeMode.QUANTITY),
            "ZERO_SIZE",
        ),
    ],
)
def test_signals_that_cannot_be_sized_are_denied_with_a_code(signal: Signal, code: str) -> None:
    risk = risk_on([SPOT, PERP], {"USDT": 10_000.0}, {SPOT.id: 100.0})

    verdict = risk.evaluate(signal)

    assert isinstance(verdict, Denied)
    assert verdict.code == code
    assert verdict.reason


def test_inverse_limit_before_any_price_is_denied_instead_of_raising() -> None:
    # The limit price sizes the order, but the coin margin cannot be valued in USD yet.
    risk = risk_on([INVERSE], {"BTC": 1.0}, {}, currency="USD")
    signal = Signal(instrument_id=INVERSE.id, side=BUY, order_type=OrderType.LIMIT, price=20_000.0)

    verdict = risk.evaluate(signal)

    assert isinstance(verdict, Denied)
    assert verdict.code == "NO_PRICE"
    assert "BTC" in verdict.reason
