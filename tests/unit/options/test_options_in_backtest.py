"""Options inside a backtest: fills at the option market's quotes, marks, fees, settlement at
expiry, structures all-or-none, and the risk rules that apply to them."""

from __future__ import annotations

import math
from collections.abc import Callable

import msgspec
import pytest

from fixtures.factories import spot
from fixtures.option_market import TableOptionMarket
from tradebot.engine.config import SessionConfig
from tradebot.engine.runners import build_paper_engine, run_events
from tradebot.engine.trading_engine import TradingEngine
from tradebot.model.data import Bar
from tradebot.model.enums import OptionKind, OrderSide, OrderStatus
from tradebot.options.contract import OptionSpec
from tradebot.options.structures import iron_condor
from tradebot.risk.config import RiskConfig
from tradebot.risk.limits import RiskLimits
from tradebot.risk.verdict import Denied
from tradebot.strategies.base import Strategy
from tradebot.venues.paper.config import PaperVenueConfig

HOUR = 3_600 * 10**9
DAY0 = 1_600_000_000 // 86_400 * 86_400 * 10**9  # a UTC midnight
EXPIRY = DAY0 + 8 * HOUR
SPEC = OptionSpec(venue="T")
BTC = spot()
CALL, PUT = OptionKind.CALL, OptionKind.PUT

Action = Callable[[Strategy], None]  # type: ignore[type-arg]


class Scripted(Strategy):  # type: ignore[type-arg]
    """Runs the planned actions on the given bar numbers (1-based)."""

    name = "scripted_options"

    def __init__(self, plan: dict[int, Action]) -> None:
        super().__init__()
        self.plan = plan
        self.seen = 0
        self.results: list[object] = []

    def on_bar(self, bar: Bar) -> None:
        self.seen += 1
        action = self.plan.get(self.seen)
        if action is not None:
            self.results.append(action(self))


def hourly(closes: list[float]) -> list[Bar]:
    """Bar i closes at (i + 1) h after DAY0."""
    return [
        Bar(BTC.id, "1h", DAY0 + i * HOUR, DAY0 + (i + 1) * HOUR, c, c, c, c, 1.0)
        for i, c in enumerate(closes)
    ]


def run(
    closes: list[float],
    plan: dict[int, Action],
    *,
    market: TableOptionMarket | None = None,
    cash: float = 100_000.0,
    limits: RiskLimits | None = None,
    convert: bool = False,
) -> tuple[TradingEngine, TableOptionMarket]:
    strikes = [9_000.0, 9_500.0, 10_000.0, 10_500.0, 11_000.0]
    market = market or TableOptionMarket([EXPIRY], strikes, spec=SPEC)
    risk = RiskConfig(limits=limits, exit_monitor=False) if limits else RiskConfig.unlimited()
    config = SessionConfig(
        cash=cash, venue=PaperVenueConfig(), risk=risk, convert_option_cash=convert
    )
    engine = build_paper_engine([BTC], [Scripted(plan)], config, options=market)
    return run_events(engine, hourly(closes)), market


def option(strike: float, kind: OptionKind = CALL):  # type: ignore[no-untyped-def]
    return SPEC.instrument(EXPIRY, strike, kind)


def buy(strike: float, qty: float, kind: OptionKind = CALL) -> Action:
    return lambda s: s.trade_instrument(option(strike, kind), OrderSide.BUY, qty)


def sell(strike: float, qty: float, kind: OptionKind = CALL) -> Action:
    return lambda s: s.trade_instrument(option(strike, kind), OrderSide.SELL, qty)


def test_long_call_fills_at_the_ask_is_marked_and_settles_in_the_money_at_expiry() -> None:
    closes = [10_000.0, 10_000, 10_200, 10_400, 10_600, 10_800, 10_900, 11_000, 11_000]
    engine, _ = run(closes, {1: buy(10_000, 2.0)})
    entry, settle = engine.orders.fills
    # Entry at 01:00: the ask of the table market, seven hours before expiry.
    years = 7 * HOUR / (365 * 86_400 * 10**9)
    mark = 0.25 * 10_000 * math.sqrt(years) / 10_000
    assert entry.price == pytest.approx(mark + 0.0005, rel=1e-12)
    assert entry.ts_event == DAY0 + HOUR
    assert entry.fee == pytest.approx(2.0 * min(0.0003, 0.125 * entry.price), rel=1e-12)
    assert entry.fee_currency == "BTC"
    # Settlement at the 08:00 close: intrinsic 1,000 USD over the index, in BTC.
    assert settle.tag == "expiry"
    assert settle.ts_event == EXPIRY
    assert settle.side is OrderSide.SELL
    assert settle.quantity == 2.0
    assert settle.price == pytest.approx(1_000 / 11_000, rel=1e-12)
    assert settle.fee == pytest.approx(2.0 * min(0.00015, 0.125 * settle.price), rel=1e-12)
    (trade,) = engine.portfolio.trades
    assert trade.exit_tag == "expiry"
    expected = 2.0 * (settle.price - entry.price) - entry.fee - settle.fee
    assert trade.pnl == pytest.approx(expected, rel=1e-9)
    assert engine.portfolio.account.balance("BTC") == pytest.approx(expected, rel=1e-9)
    assert engine.holding(option(10_000).id) == 0.0


def test_a_usd_account_books_coin_option_cash_in_usd_at_the_index_of_the_moment() -> None:
    closes = [10_000.0, 10_000, 10_200, 10_400, 10_600, 10_800, 10_900, 11_000, 11_000]
    engine, _ = run(closes, {1: buy(10_000, 2.0)}, cash=100_000.0, convert=True)
    entry, settle = engine.orders.fills
    account = engine.portfolio.account
    # The entry fee leaves at the 01:00 index (10,000), the settlement P&L and fee come back
    # at the 08:00 index (11,000): no BTC is ever owed or held.
    coin_pnl = 2.0 * (settle.price - entry.price) - settle.fee
    expected_usd = 100_000.0 - entry.fee * 10_000 + coin_pnl * 11_000
    assert account.balance("BTC") == 0.0
    assert account.balance(account.base_currency) == pytest.approx(expected_usd, rel=1e-12)
    assert engine.portfolio.net_liquidation_value() == pytest.approx(expected_usd, rel=1e-12)


def test_held_options_are_marked_to_the_market_at_every_bar() -> None:
    seen: list[tuple[float | None, float]] = []

    def look(s: Strategy) -> None:  # type: ignore[type-arg]
        iid = option(10_000).id
        seen.append((s.ctx.last_price(iid), s.now_ns()))

    closes = [10_000.0, 10_000, 10_300, 10_100]
    _, market = run(closes, {1: buy(10_000, 1.0), 3: look, 4: look})
    for price, ts in seen:
        quote = market.quote(option(10_000), ts)
        assert quote is not None
        assert price == pytest.approx(quote.mark, rel=1e-12)
    assert seen[0][0] != seen[1][0]


def test_out_of_the_money_put_expires_worthless_without_a_settlement_fee() -> None:
    closes = [10_000.0] * 9
    engine, _ = run(closes, {2: buy(9_500, 1.0, PUT)})
    entry, settle = engine.orders.fills
    assert (settle.tag, settle.price, settle.fee) == ("expiry", 0.0, 0.0)
    assert engine.portfolio.trades[0].pnl == pytest.approx(-entry.price - entry.fee, rel=1e-12)


def test_short_call_settles_against_the_seller() -> None:
    closes = [10_000.0] * 7 + [10_600.0, 10_600]
    engine, _ = run(closes, {1: sell(10_000, 1.0)})
    entry, settle = engine.orders.fills
    assert entry.side is OrderSide.SELL
    assert entry.price == pytest.approx(
        0.25 * math.sqrt(7 * HOUR / (365 * 86_400 * 10**9)) - 0.0005, rel=1e-12
    )
    assert settle.side is OrderSide.BUY
    assert settle.price == pytest.approx(600 / 10_600)
    assert engine.portfolio.trades[0].pnl == pytest.approx(
        entry.price - settle.price - entry.fee - settle.fee, rel=1e-9
    )


def condor(s: Strategy) -> object:  # type: ignore[type-arg]
    chain = s.option_chain("BTC")
    assert chain is not None
    structure = iron_condor(chain, EXPIRY, 9_000, 9_500, 10_500, 11_000)
    return s.open_structure(structure, 1.0)


def test_iron_condor_fills_all_four_legs_at_once() -> None:
    engine, market = run([10_000.0] * 4, {1: condor})
    fills = engine.orders.fills
    assert len(fills) == 4
    assert {f.ts_event for f in fills} == {DAY0 + HOUR}
    sides = {engine.portfolio.instruments[f.instrument_id].strike: f.side for f in fills}
    buy_, sell_ = OrderSide.BUY, OrderSide.SELL
    assert sides == {9_000: buy_, 9_500: sell_, 10_500: sell_, 11_000: buy_}
    for f in fills:
        leg = engine.portfolio.instruments[f.instrument_id]
        quote = market.quote(leg, f.ts_event)  # type: ignore[arg-type]
        assert quote is not None
        assert f.price == pytest.approx(quote.ask if f.side is OrderSide.BUY else quote.bid)


def test_a_leg_without_a_quote_rejects_the_whole_structure() -> None:
    market = TableOptionMarket([EXPIRY], [9_000.0, 9_500.0, 10_500.0, 11_000.0], spec=SPEC)
    market.missing.add(11_000.0)

    def condor_without_wing(s: Strategy) -> object:  # type: ignore[type-arg]
        chain = s.option_chain("BTC")
        assert chain is not None
        return s.open_structure(iron_condor(chain, EXPIRY, 9_000, 9_500, 10_500, 11_000), 1.0)

    engine, _ = run([10_000.0] * 3, {1: condor_without_wing}, market=market)
    assert engine.orders.fills == []
    orders = list(engine.orders.orders.values())
    assert len(orders) == 4
    assert all(o.status is OrderStatus.REJECTED for o in orders)
    assert all("11000" in (o.reason or "") for o in orders)
    assert all(engine.holding(o.instrument_id) == 0.0 for o in orders)


def test_structure_beyond_free_margin_is_rejected_whole() -> None:
    # Max loss of the condor: 500 USD per unit less the credit; 30 units cannot fit in 5,000.
    def big_condor(s: Strategy) -> object:  # type: ignore[type-arg]
        chain = s.option_chain("BTC")
        assert chain is not None
        return s.open_structure(iron_condor(chain, EXPIRY, 9_000, 9_500, 10_500, 11_000), 30.0)

    engine, _ = run([10_000.0] * 3, {1: big_condor}, cash=5_000.0)
    orders = list(engine.orders.orders.values())
    assert engine.orders.fills == []
    assert len(orders) == 4
    assert all(o.status is OrderStatus.REJECTED for o in orders)
    assert all("insufficient margin" in (o.reason or "") for o in orders)


def test_close_structure_closes_every_leg_together() -> None:
    legs = ((9_000, PUT), (9_500, PUT), (10_500, CALL), (11_000, CALL))
    ids = [option(k, kind).id for k, kind in legs]
    engine, _ = run(
        [10_000.0] * 5,
        {1: condor, 3: lambda s: s.close_structure("iron_condor", ids)},
    )
    assert len(engine.orders.fills) == 8
    assert {f.ts_event for f in engine.orders.fills[4:]} == {DAY0 + 3 * HOUR}
    assert all(engine.holding(i) == 0.0 for i in ids)


def limits(**changes: object) -> RiskLimits:
    return msgspec.structs.replace(RiskLimits.off(), **changes)


def test_risk_per_trade_shrinks_a_structure_to_its_planned_loss() -> None:
    def open_with_loss(s: Strategy) -> object:  # type: ignore[type-arg]
        chain = s.option_chain("BTC")
        assert chain is not None
        structure = iron_condor(chain, EXPIRY, 9_000, 9_500, 10_500, 11_000)
        return s.open_structure(structure, 10.0, max_loss=400.0)

    engine, _ = run([10_000.0] * 3, {1: open_with_loss}, limits=limits(max_risk_per_trade=0.01))
    # 1 % of 100,000 over 400 per unit: 2.5 units, every leg 2.5 contracts.
    assert sorted(f.quantity for f in engine.orders.fills) == [2.5] * 4
    assert engine.risk.resizes.get("risk_per_trade") == 1


def test_no_new_option_positions_in_the_last_15_minutes() -> None:
    step = 600 * 10**9
    first_close = EXPIRY - 2 * step  # closes at 07:40, 07:50, 08:00
    bars = [
        Bar(BTC.id, "10m", first_close - step + i * step, first_close + i * step, *[1e4] * 4, 1)
        for i in range(3)
    ]
    market = TableOptionMarket([EXPIRY], [10_000.0], spec=SPEC)
    risk = RiskConfig(limits=limits(option_expiry_cutoff_minutes=15.0), exit_monitor=False)
    strategy = Scripted({1: buy(10_000, 1.0), 2: buy(10_000, 1.0)})
    config = SessionConfig(cash=1e5, risk=risk)
    engine = build_paper_engine([BTC], [strategy], config, options=market)
    run_events(engine, bars)
    verdicts = [r.verdict for r in engine.signals if r.signal.tag == "entry"]
    assert not isinstance(verdicts[0], Denied)  # 20 minutes left
    assert isinstance(verdicts[1], Denied)
    assert verdicts[1].code == "EXPIRY_CUTOFF"


def test_greek_limits_refuse_a_trade_beyond_the_net_delta_limit() -> None:
    engine, _ = run(
        [10_000.0] * 3,
        {1: buy(10_000, 1.5), 2: buy(10_000, 1.0)},
        limits=limits(max_net_delta=1.0),
    )
    # 1.5 calls at delta 0.5 = 0.75; one more makes 1.25 > 1.
    verdicts = [r.verdict for r in engine.signals]
    assert not isinstance(verdicts[0], Denied)
    assert isinstance(verdicts[1], Denied)
    assert verdicts[1].code == "GREEK_LIMITS"


def test_a_naked_short_call_needs_margin() -> None:
    engine, _ = run([10_000.0] * 3, {1: sell(10_000, 5.0)}, cash=1_000.0)
    (order,) = engine.orders.orders.values()
    assert order.status is OrderStatus.REJECTED
    assert "insufficient margin" in (order.reason or "")


def test_the_chain_is_offered_to_strategies_once_the_underlying_has_a_price() -> None:
    chains: list[object] = []
    engine, _ = run([10_000.0] * 2, {1: lambda s: chains.append(s.option_chain("BTC"))})
    (chain,) = chains
    assert chain is not None
    assert chain.spot == 10_000.0  # type: ignore[attr-defined]
    assert engine.option_chain("ETH") is None
