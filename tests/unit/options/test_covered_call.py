"""covered_call (seed 003) in the engine, on a scripted table option market: it buys the coin,
sells the best-scoring call on all of it, takes profit, rolls, and lets expiry settle.

Table market (see ``fixtures.option_market``): an out-of-the-money call is worth
``tv x sqrt(years)`` BTC; bid and ask sit 0.0005 either side. Option orders fill at once at the
bid or ask of the moment; the coin is bought at the next bar's open.
"""

from __future__ import annotations

import math
import statistics
from itertools import islice

import pytest

from fixtures.covered_call_market import ScriptedMarket
from fixtures.factories import spot
from tradebot.engine.config import SessionConfig
from tradebot.engine.runners import build_paper_engine, run_events
from tradebot.engine.trading_engine import TradingEngine
from tradebot.model.data import Bar
from tradebot.model.enums import OrderSide
from tradebot.options.contract import OptionSpec
from tradebot.options.synthetic import SyntheticOptionMarket
from tradebot.risk.config import RiskConfig
from tradebot.strategies.options.covered_call import CoveredCallParams, CoveredCallStrategy
from tradebot.venues.files.catalog import open_dataset

HOUR = 3_600 * 10**9
DAY0 = 1_600_000_000 // 86_400 * 86_400 * 10**9
E1 = DAY0 + 80 * HOUR  # 3 days 8 h
E2 = DAY0 + 200 * HOUR  # 8 days 8 h
BTC = spot()
SPEC = OptionSpec(venue="T")
DELTAS = {10_500.0: 0.35, 11_000.0: 0.22, 11_500.0: 0.15, 12_000.0: 0.08}
BASE = {
    "rv_days": 1.0,
    "min_ivrv": 0.0,
    "min_score": 0.0,
    "dte_min": 1.0,
    "underlying_fraction": 0.5,
}
FIRST_DECISION = DAY0 + 13 * HOUR  # 13 closes = 12 returns: half of the 1-day RV window


def hours(t: int) -> float:
    return (t - DAY0) / HOUR


def otm_bid(ts: int, expiry: int, tv: float = 0.25) -> float:
    return tv * math.sqrt((expiry - ts) / (365 * 24 * HOUR)) - 0.0005


def otm_ask(ts: int, expiry: int, tv: float = 0.25) -> float:
    return tv * math.sqrt((expiry - ts) / (365 * 24 * HOUR)) + 0.0005


def run(
    closes: list[float],
    *,
    expiries: tuple[int, ...] = (E1, E2),
    schedule: dict[int, object] | None = None,
    **params: object,
) -> tuple[TradingEngine, CoveredCallStrategy]:
    market = ScriptedMarket(list(expiries), DELTAS, spec=SPEC)
    market.schedule.update(schedule or {})  # type: ignore[arg-type]
    strategy = CoveredCallStrategy(CoveredCallParams(**{**BASE, **params}))  # type: ignore[arg-type]
    # Option cash in the coin, as covered-call runs are set up (covered_call_session).
    config = SessionConfig(cash=100_000.0, risk=RiskConfig.unlimited(), convert_option_cash=False)
    engine = build_paper_engine([BTC], [strategy], config, options=market)
    bars = [
        Bar(BTC.id, "1h", DAY0 + i * HOUR, DAY0 + (i + 1) * HOUR, c, c, c, c, 1.0)
        for i, c in enumerate(closes)
    ]
    return run_events(engine, bars), strategy


def option_fills(engine: TradingEngine) -> list:  # type: ignore[type-arg]
    return [f for f in engine.orders.fills if f.instrument_id != BTC.id]


def test_buys_the_coin_then_sells_the_best_call_on_all_of_it() -> None:
    engine, strategy = run([10_000.0] * 20)
    buy = engine.orders.fills[0]
    assert (buy.instrument_id, buy.side, buy.tag) == (BTC.id, OrderSide.BUY, "buy_underlying")
    # No decision before the realised vol is known.
    assert strategy.decisions[0].ts_ns == FIRST_DECISION
    (sell,) = option_fills(engine)
    assert sell.ts_event == FIRST_DECISION
    assert sell.tag == "sell_call"
    # By hand: the four calls inside |delta| 0.10-0.30 (11,000 and 11,500) and 1-14 days.
    t = FIRST_DECISION
    by_hand = {}
    for expiry in (E1, E2):
        dte = (expiry - t) / (24 * HOUR)
        bid = otm_bid(t, expiry)
        y = min(bid * 365 / dte / 0.20, 2.0)
        closeness = max(0.0, 1 - abs(dte - 7) / 13)
        for strike, delta in ((11_000.0, 0.22), (11_500.0, 0.15)):
            d = max(0.0, 1 - abs(delta - 0.20) / 0.20)
            by_hand[expiry, strike] = y + d + 0.5 * 0.0 + 0.5 * closeness
    best = max(by_hand, key=by_hand.__getitem__)
    option = engine.portfolio.instruments[sell.instrument_id]
    assert (option.expiry_ns, option.strike) == best  # type: ignore[attr-defined]
    decision = strategy.decisions[0]
    assert len(decision.candidates) == 4
    assert sorted(decision.candidates.score) == pytest.approx(sorted(by_hand.values()))
    # Covered: as many 0.1 BTC lots as the coin bought, at the bid of the moment.
    assert sell.quantity == pytest.approx(math.floor(buy.quantity * 10) / 10)
    assert decision.quantity == sell.quantity
    assert sell.price == pytest.approx(otm_bid(t, best[0]), abs=1e-12)


def test_realised_vol_and_ivrv_recorded_at_the_decision() -> None:
    closes = [10_000.0 if i % 2 == 0 else 10_100.0 for i in range(20)]
    _, strategy = run(closes)
    decision = strategy.decisions[0]
    returns = [math.log(closes[i + 1] / closes[i]) for i in range(12)]
    rv = statistics.stdev(returns) * math.sqrt(365 * 24)
    assert decision.candidates.rv == pytest.approx(rv, rel=1e-9)
    assert decision.candidates.ivrv == pytest.approx([0.6 / rv] * len(decision.candidates))


def test_take_profit_when_the_buy_back_is_cheap_enough() -> None:
    drop = DAY0 + 40 * HOUR

    def cheapen(market: ScriptedMarket) -> None:
        market.tv = 0.05

    engine, _ = run([10_000.0] * 42, schedule={drop: cheapen})
    sell, buy_back = option_fills(engine)[:2]
    assert buy_back.tag == "take_profit"
    assert buy_back.side is OrderSide.BUY
    assert buy_back.ts_event == drop  # not before: at tv 0.25 the ask is far above 30 %
    assert buy_back.price == pytest.approx(otm_ask(drop, E2, tv=0.05), abs=1e-12)
    assert buy_back.price <= 0.3 * sell.price
    assert buy_back.quantity == sell.quantity


def test_roll_when_delta_passes_the_cap_and_sell_the_next_call_at_once() -> None:
    jump = DAY0 + 30 * HOUR

    def delta_up(market: ScriptedMarket) -> None:
        market.deltas[11_000.0] = 0.6

    engine, strategy = run([10_000.0] * 34, schedule={jump: delta_up})
    first, back, second = option_fills(engine)[:3]
    assert engine.portfolio.instruments[first.instrument_id].strike == 11_000.0  # type: ignore[attr-defined]
    assert (back.tag, back.ts_event, back.instrument_id) == ("roll", jump, first.instrument_id)
    assert back.price == pytest.approx(otm_ask(jump, E2), abs=1e-12)
    assert second.tag == "roll_sell"
    assert second.ts_event == jump + HOUR
    assert strategy.decisions[1].reason == "roll"
    assert engine.portfolio.instruments[second.instrument_id].strike == 11_500.0  # type: ignore[attr-defined]
    # Still covered: the coin bought plus the first call's premium less its buy-back, in BTC.
    buy = engine.orders.fills[0]
    coin = buy.quantity + first.quantity * (first.price - back.price) - first.fee - back.fee
    assert second.quantity == pytest.approx(math.floor(coin * 10 + 1e-9) / 10)
    # A premium is booked when the call is closed; until then only the fee has left.
    assert engine.portfolio.account.balance("BTC") == pytest.approx(coin - second.fee)


def test_roll_an_in_the_money_call_near_expiry() -> None:
    # Only E1 is inside 1-3 days; the spot jumps above 11,000 twenty hours before expiry.
    closes = [10_000.0] * 59 + [11_200.0] * 4
    engine, strategy = run(closes, dte_max=3.0, target_dte=2.0)
    _sell, back = option_fills(engine)[:2]
    at = DAY0 + 60 * HOUR
    assert (back.tag, back.ts_event) == ("roll", at)
    years = (E1 - at) / (365 * 24 * HOUR)
    assert back.price == pytest.approx((200 + 0.25 * 11_200 * math.sqrt(years)) / 11_200 + 0.0005)
    # The roll decision comes right after; nothing is inside 1-3 days any more.
    roll = strategy.decisions[1]
    assert roll.reason == "roll"
    assert roll.ts_ns == at + HOUR
    assert roll.chosen is None


def test_expiry_settles_a_call_that_no_rule_closed() -> None:
    closes = [10_000.0] * 60 + [11_300.0] * 22
    engine, _ = run(
        closes,
        expiries=(E1,),
        dte_max=3.0,
        target_dte=2.0,
        take_profit=0.99,
        roll_hours=0.0,
        roll_delta=1.0,
    )
    sell, settle = option_fills(engine)[:2]
    assert settle.tag == "expiry"
    assert settle.ts_event == E1
    assert settle.price == pytest.approx((11_300 - 11_000) / 11_300)
    q = sell.quantity
    entry_fee = q * min(0.0003, 0.125 * sell.price)
    settle_fee = q * min(0.00015, 0.125 * settle.price)
    assert sell.fee == pytest.approx(entry_fee)
    assert settle.fee == pytest.approx(settle_fee)
    trade = next(t for t in engine.portfolio.trades if t.instrument_id == sell.instrument_id)
    assert trade.exit_tag == "expiry"
    assert trade.pnl == pytest.approx(q * (sell.price - settle.price) - entry_fee - settle_fee)
    # Alone in the account the strategy's own P&L is the account's.
    strategy = engine.strategies[0]
    assert strategy.pnl_in_quote() == pytest.approx(  # type: ignore[attr-defined]
        engine.equity() - 100_000.0, rel=1e-9
    )


def test_no_coin_no_call() -> None:
    engine, strategy = run([10_000.0] * 20, buy_underlying=False)
    assert engine.orders.fills == []
    assert strategy.decisions[0].chosen is None
    assert strategy.decisions[0].quantity == 0.0


def test_ivrv_uses_the_realised_vol_the_synthetic_market_prices_with() -> None:
    # One RV estimate in the project: the strategy's equals the market's at every decision
    # once both 30-day windows are full, so IV/RV reads the market's multiplier and smile.
    source = open_dataset("btc_usd_4h")
    events = list(islice(iter(source), 600))
    market = SyntheticOptionMarket(("BTC",))
    strategy = CoveredCallStrategy(CoveredCallParams())
    config = SessionConfig(cash=10_000.0, risk=RiskConfig.unlimited(), convert_option_cash=False)
    run_events(build_paper_engine(source.instruments, [strategy], config, options=market), events)
    full = events[180].ts_event  # 180 returns of 4 h bars: 30 days
    late = [d for d in strategy.decisions if d.ts_ns > full]
    assert len(late) >= 3
    for decision in late:
        assert decision.candidates.rv == pytest.approx(
            market.realised_vol("BTC", decision.ts_ns), rel=1e-9
        )
