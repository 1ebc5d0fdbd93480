"""momentum_option (seed 000): a call on an oversold touch of the lower band, exits at +100 %
or -50 % of the premium, or at expiry."""

from __future__ import annotations

import pytest

from fixtures.factories import spot
from fixtures.option_market import TableOptionMarket
from tradebot.engine.config import SessionConfig
from tradebot.engine.runners import build_paper_engine, run_events
from tradebot.engine.trading_engine import TradingEngine
from tradebot.model.data import Bar
from tradebot.model.enums import OptionKind, OrderSide
from tradebot.options.contract import OptionSpec
from tradebot.risk.config import RiskConfig
from tradebot.strategies.options.momentum_option import (
    MomentumOptionParams,
    MomentumOptionStrategy,
)

HOUR = 3_600 * 10**9
DAY0 = 1_600_000_000 // 86_400 * 86_400 * 10**9
EXPIRY = DAY0 + 3 * 24 * HOUR + 8 * HOUR
BTC = spot()
SPEC = OptionSpec(venue="T")


def run(closes: list[float], **params: object) -> TradingEngine:
    market = TableOptionMarket([EXPIRY], [9_000.0, 10_000.0, 11_000.0], spec=SPEC)
    strategy = MomentumOptionStrategy(MomentumOptionParams(**params))  # type: ignore[arg-type]
    config = SessionConfig(cash=100_000.0, risk=RiskConfig.unlimited())
    engine = build_paper_engine([BTC], [strategy], config, options=market)
    bars = [
        Bar(BTC.id, "1h", DAY0 + i * HOUR, DAY0 + (i + 1) * HOUR, c, c, c, c, 1.0)
        for i, c in enumerate(closes)
    ]
    return run_events(engine, bars)


CALM = [10_000.0, 10_010.0] * 15


def test_oversold_touch_buys_a_call_and_takes_profit_at_double_the_premium() -> None:
    engine = run([*CALM, 9_700.0, 9_700.0, 10_500.0, 11_000.0, 11_000.0])
    entry, exit_ = engine.orders.fills[:2]
    option = engine.portfolio.instruments[entry.instrument_id]
    assert option.kind is OptionKind.CALL  # type: ignore[attr-defined]
    assert entry.side is OrderSide.BUY
    assert entry.ts_event == DAY0 + 31 * HOUR  # the bar that closed at 9,700
    # 2 % of equity in premium: contracts = floor(2,000 / (ask x index), 0.1 lot).
    assert entry.quantity == pytest.approx(int(2_000 / (entry.price * 9_700) * 10) / 10)
    assert exit_.tag == "take_profit"
    assert exit_.ts_event == DAY0 + 34 * HOUR  # the first mark at twice the entry premium
    assert exit_.price >= 2 * entry.price * (1 - 0.01)


def test_stop_at_half_the_premium() -> None:
    engine = run([*CALM, 9_700.0, 9_700.0, 9_000.0, 8_800.0, 8_800.0])
    entry, exit_ = engine.orders.fills[:2]
    assert exit_.tag == "stop"
    assert exit_.price <= entry.price * 0.5 + 0.001


def test_no_trade_in_a_calm_market() -> None:
    assert run(CALM * 2).orders.fills == []


def test_parameters_are_checked_by_name() -> None:
    with pytest.raises(ValueError, match="delta"):
        MomentumOptionParams(delta=1.5).validate()
