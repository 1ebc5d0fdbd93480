"""short_straddle (seed 000): sell the ATM call and put when IV < 30 %, delta-hedge in the
perpetual from a job the engine runs every N minutes, close straddle and hedge together."""

from __future__ import annotations

import math

import msgspec
import pytest

from fixtures.factories import linear_perp, spot
from fixtures.shaped_option_market import ShapedOptionMarket
from tradebot.engine.config import SessionConfig
from tradebot.engine.runners import build_paper_engine, run_events
from tradebot.engine.trading_engine import TradingEngine
from tradebot.errors import ConfigError
from tradebot.model.data import Bar
from tradebot.model.enums import OptionKind, OrderSide
from tradebot.model.events import OrderFilled
from tradebot.options.contract import OptionSpec
from tradebot.risk.config import RiskConfig
from tradebot.risk.limits import RiskLimits
from tradebot.strategies import registry
from tradebot.strategies.options.short_straddle import (
    ShortStraddleParams,
    ShortStraddleStrategy,
)

HOUR = 3_600 * 10**9
MIN = 60 * 10**9
YEAR = 365 * 86_400 * 10**9
DAY0 = 1_600_000_000 // 86_400 * 86_400 * 10**9
SPEC = OptionSpec(venue="T")
BTC = spot()
PERP = linear_perp()  # BTC/USDT:USDT, 0.001 lots
STRIKES = [9_000.0, 9_500.0, 10_000.0, 10_500.0, 11_000.0]
HALF = 0.0001
CASH = 100_000.0
WIDTH = 20_000.0  # the test market's delta width: call delta = 0.5 + (S - K) / (2 WIDTH)
CALL, PUT = OptionKind.CALL, OptionKind.PUT


def close_ts(i: int) -> int:
    """Bar i (0-based) closes (i + 1) hours after DAY0."""
    return DAY0 + (i + 1) * HOUR


def run(
    closes: list[float],
    *,
    expiry: int,
    iv: float | list[float] = 0.25,
    stop: bool = True,
    **params: object,
) -> tuple[TradingEngine, ShortStraddleStrategy]:
    ivs = iv if isinstance(iv, list) else [iv] * len(closes)
    market = ShapedOptionMarket(
        [expiry],
        STRIKES,
        spec=SPEC,
        iv_schedule=[(close_ts(i), v) for i, v in enumerate(ivs)],
        delta_width=WIDTH,
        half_spread=HALF,
    )
    settings = {"hedge_interval_minutes": 30.0, **params}
    strategy = ShortStraddleStrategy(ShortStraddleParams(**settings))  # type: ignore[arg-type]
    limits = msgspec.structs.replace(
        RiskLimits.off(), max_risk_per_trade=0.01, option_expiry_cutoff_minutes=15.0
    )
    config = SessionConfig(cash=CASH, risk=RiskConfig(limits=limits, exit_monitor=False))
    engine = build_paper_engine([BTC, PERP], [strategy], config, options=market)
    bars = []
    for i, c in enumerate(closes):  # the spot bar (which moves the options) first, then the perp
        for inst in (BTC, PERP):
            bars.append(Bar(inst.id, "1h", close_ts(i) - HOUR, close_ts(i), c, c, c, c, 1.0))
    if stop:
        return run_events(engine, bars), strategy
    engine.start()
    for bar in bars:
        engine.on_event(bar)
    return engine, strategy


def option_fills(engine: TradingEngine) -> list[OrderFilled]:
    return [f for f in engine.orders.fills if f.instrument_id != PERP.id]


def hedge_fills(engine: TradingEngine) -> list[OrderFilled]:
    return [f for f in engine.orders.fills if f.instrument_id == PERP.id]


def straddle_units(s: float, ts: int, iv: float, expiry: int, stop: float = 1.0) -> float:
    """Contracts per leg: loss at the stop (stop x credit in USD) = 1 % of equity, 0.1 lots."""
    premium = iv * math.sqrt((expiry - ts) / YEAR)  # ATM: no intrinsic, full tent; in BTC
    credit_usd = 2 * (premium - HALF) * s
    return math.floor(0.01 * CASH / (stop * credit_usd) * 10) / 10


def index_before(closes: list[float], t: int) -> float:
    """What a job at ``t`` sees: the last close stamped before ``t`` (a job due at a bar's
    time runs before that bar)."""
    return [c for i, c in enumerate(closes) if close_ts(i) < t][-1]


# -- entry -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("iv", "enters"), [(0.29, True), (0.31, False)])
def test_sells_the_atm_straddle_when_iv_is_below_30_percent(iv: float, enters: bool) -> None:
    expiry = DAY0 + 12 * HOUR
    engine, _ = run([10_000.0, 10_000.0], expiry=expiry, iv=iv)
    fills = option_fills(engine)
    if not enters:
        assert fills == []
        assert engine.structure_signals == []
        return
    assert len(fills) == 2
    units = straddle_units(10_000.0, close_ts(0), iv, expiry)
    for f in fills:
        option = engine.portfolio.instruments[f.instrument_id]
        assert option.strike == 10_000.0  # type: ignore[attr-defined]
        assert f.side is OrderSide.SELL
        assert f.ts_event == close_ts(0)
        assert f.quantity == pytest.approx(units)
        assert f.price == pytest.approx(iv * math.sqrt((expiry - close_ts(0)) / YEAR) - HALF)
    assert {engine.portfolio.instruments[f.instrument_id].kind for f in fills} == {CALL, PUT}  # type: ignore[attr-defined]
    ((signal, _),) = engine.structure_signals
    assert signal.name == "short_straddle"


@pytest.mark.parametrize("fraction", [0.002, 0.005])
def test_units_put_the_loss_at_the_stop_at_risk_fraction_of_equity(fraction: float) -> None:
    expiry = DAY0 + 12 * HOUR
    engine, _ = run([10_000.0, 10_000.0], expiry=expiry, risk_fraction=fraction, stop_loss=0.5)
    credit_usd = 2 * (0.25 * math.sqrt((expiry - close_ts(0)) / YEAR) - HALF) * 10_000.0
    units = math.floor(fraction * CASH / (0.5 * credit_usd) * 10) / 10
    assert [f.quantity for f in option_fills(engine)] == pytest.approx([units, units])
    ((signal, _),) = engine.structure_signals
    assert signal.max_loss == pytest.approx(0.5 * credit_usd)  # the planned loss risk checks


def test_the_atm_strike_is_the_one_nearest_the_index() -> None:
    engine, _ = run([10_300.0, 10_300.0], expiry=DAY0 + 12 * HOUR)
    strikes = {engine.portfolio.instruments[f.instrument_id].strike for f in option_fills(engine)}  # type: ignore[attr-defined]
    assert strikes == {10_500.0}


# -- the hedge job ---------------------------------------------------------------------------
HEDGE_PATH = [10_000.0, 10_020.0, 10_020.0, 10_050.0, 10_050.0, 10_050.0, 10_000.0, 10_000.0]
"""Closes at 01:00 .. 08:00: entry at 01:00 at the 10,000 strike; +20 (under the threshold),
+50 (over it), back to the strike."""


def test_the_hedge_job_runs_on_its_schedule_and_hedges_only_beyond_100_usd() -> None:
    expiry = DAY0 + 12 * HOUR
    engine, strategy = run(HEDGE_PATH, expiry=expiry)
    u = straddle_units(10_000.0, close_ts(0), 0.25, expiry)
    assert [f.quantity for f in option_fills(engine)] == pytest.approx([u, u])

    # Expected: jobs every 30 minutes from 01:30 through 08:00 (the last event).
    times = [DAY0 + HOUR + k * 30 * MIN for k in range(1, 15)]
    first_qty = math.floor(u * 50 / WIDTH * 1000) / 1000  # 0.001 lots

    # The hedge bought at the 04:30 check fills at the 05:00 perp bar (the paper venue dates
    # it at the order, 04:30); the sale at the 07:30 check fills at the 08:00 one, after the
    # 08:00 job ran.
    def hedge_held(t: int) -> float:
        return first_qty if DAY0 + 5 * HOUR < t <= DAY0 + 8 * HOUR else 0.0

    expected = []
    for t in times:
        s = index_before(HEDGE_PATH, t)
        options = -u * (s - 10_000.0) / WIDTH  # short call + short put deltas, per BTC
        expected.append((t, (options + hedge_held(t)) * s))
    assert [c[0] for c in strategy.hedge_checks] == times
    assert [c[1] for c in strategy.hedge_checks] == pytest.approx([e[1] for e in expected])

    # The scenario: +20 stays inside ±100 USD, +50 goes beyond, the hedged book is inside,
    # and back at the strike the hedge itself is beyond.
    by_time = dict(expected)
    assert abs(by_time[DAY0 + 150 * MIN]) < 100
    assert by_time[DAY0 + 270 * MIN] < -100
    assert abs(by_time[DAY0 + 330 * MIN]) < 100
    assert by_time[DAY0 + 450 * MIN] > 100

    buy, sell = hedge_fills(engine)
    assert (buy.side, buy.ts_event, buy.tag) == (OrderSide.BUY, DAY0 + 270 * MIN, "delta_hedge")
    assert buy.quantity == pytest.approx(first_qty)
    assert (sell.side, sell.ts_event, sell.tag) == (OrderSide.SELL, DAY0 + 450 * MIN, "delta_hedge")
    assert sell.quantity == pytest.approx(first_qty)
    reduce_order = engine.orders.orders[sell.client_order_id]
    assert reduce_order.reduce_only  # shrinking the hedge is a reduce
    assert engine.holding(PERP.id) == pytest.approx(0.0)


def test_no_hedge_while_the_delta_stays_within_100_usd() -> None:
    path = [10_000.0, 10_020.0, 9_980.0, 10_020.0, 10_000.0]
    engine, strategy = run(path, expiry=DAY0 + 12 * HOUR)
    assert len(option_fills(engine)) == 2
    assert hedge_fills(engine) == []
    assert len(strategy.hedge_checks) == 8  # 01:30 .. 05:00
    assert max(abs(c[1]) for c in strategy.hedge_checks) > 50  # checked, and not trivially 0
    assert all(abs(c[1]) <= 100 for c in strategy.hedge_checks)


def test_the_threshold_is_a_parameter() -> None:
    path = [10_000.0, 10_020.0, 10_020.0]
    engine, strategy = run(path, expiry=DAY0 + 12 * HOUR, hedge_threshold_usd=40.0)
    u = straddle_units(10_000.0, close_ts(0), 0.25, DAY0 + 12 * HOUR)
    checked = dict(strategy.hedge_checks)[DAY0 + 150 * MIN]
    assert 40 < abs(checked) < 100  # hedged under this threshold, not under the default
    (buy,) = hedge_fills(engine)
    assert buy.side is OrderSide.BUY  # short gamma after a rise: net short delta, buy it back
    assert buy.quantity == pytest.approx(math.floor(u * 20 / WIDTH * 1000) / 1000)
    assert buy.ts_event == DAY0 + 150 * MIN  # the 02:30 check's order (filled at 03:00's bar)


def test_after_a_fall_the_hedge_is_a_short_perpetual() -> None:
    path = [10_000.0, 9_900.0, 9_900.0]
    engine, _ = run(path, expiry=DAY0 + 12 * HOUR)
    u = straddle_units(10_000.0, close_ts(0), 0.25, DAY0 + 12 * HOUR)
    (sell,) = hedge_fills(engine)
    assert sell.side is OrderSide.SELL
    assert sell.quantity == pytest.approx(math.floor(u * 100 / WIDTH * 1000) / 1000)
    assert engine.holding(PERP.id) == pytest.approx(-sell.quantity)


# -- exits -----------------------------------------------------------------------------------
def test_profit_target_closes_the_straddle_and_its_hedge() -> None:
    path = [10_000.0, 10_050.0, 10_050.0, 10_050.0, 10_050.0]
    ivs = [0.25, 0.25, 0.25, 0.02, 0.50]  # IV collapses at 04:00, too high to sell at 05:00
    engine, strategy = run(path, expiry=DAY0 + 12 * HOUR, iv=ivs, stop=False)
    exits = [f for f in option_fills(engine) if f.tag == "take_profit"]
    assert len(exits) == 2
    assert {f.ts_event for f in exits} == {close_ts(3)}
    assert all(f.side is OrderSide.BUY for f in exits)
    hedges = hedge_fills(engine)
    assert [f.tag for f in hedges] == ["delta_hedge", "hedge_exit"]
    assert hedges[1].ts_event == close_ts(3)
    assert engine.holding(PERP.id) == pytest.approx(0.0)
    assert strategy.legs == []
    # The hedge job stopped once nothing was left (the 04:30 run, at the 05:00 event), and
    # the T-20 job was canceled with the straddle: the strategy has no timer left.
    assert [key for key in engine._timers if key[0] == strategy.id] == []
    assert strategy.hedge_checks[-1][0] == DAY0 + 4 * HOUR
    engine.stop()


def test_stop_closes_the_straddle_when_buying_it_back_costs_twice_the_credit() -> None:
    expiry = DAY0 + 12 * HOUR
    path = [10_000.0, 10_000.0, 10_600.0, 10_600.0]
    engine, _ = run(path, expiry=expiry, hedge_threshold_usd=1e9)
    credit = 2 * (0.25 * math.sqrt((expiry - close_ts(0)) / YEAR) - HALF)
    t = close_ts(2)
    years = (expiry - t) / YEAR
    tv = 0.25 * math.sqrt(years) * (1 - 600 / 2_000)  # in BTC, per unit of spot
    cost = (600 / 10_600 + tv + HALF) + (tv + HALF)
    assert cost >= 2 * credit
    exits = [f for f in option_fills(engine) if f.tag == "stop"]
    assert len(exits) == 2
    assert {f.ts_event for f in exits} == {t}
    assert sum(f.price for f in exits) == pytest.approx(cost)


def test_closes_20_minutes_before_expiry_and_the_hedge_with_it() -> None:
    expiry = DAY0 + 8 * HOUR
    engine, _ = run([*HEDGE_PATH[:6], 10_050.0, 10_050.0], expiry=expiry, take_profit=0.9)
    exits = [f for f in option_fills(engine) if f.tag == "t_minus_exit"]
    assert len(exits) == 2
    assert {f.ts_event for f in exits} == {expiry - 20 * MIN}
    assert [f for f in option_fills(engine) if f.tag == "expiry"] == []
    hedges = hedge_fills(engine)
    assert [f.tag for f in hedges] == ["delta_hedge", "hedge_exit"]
    assert hedges[1].side is OrderSide.SELL
    assert hedges[1].quantity == pytest.approx(hedges[0].quantity)
    assert engine.holding(PERP.id) == pytest.approx(0.0)


def test_held_to_expiry_the_options_settle_and_the_hedge_is_closed() -> None:
    expiry = DAY0 + 8 * HOUR
    path = [*HEDGE_PATH[:6], 10_050.0, 10_200.0]
    engine, _ = run(path, expiry=expiry, take_profit=0.9, exit_minutes_before_expiry=0.0)
    settled = [f for f in option_fills(engine) if f.tag == "expiry"]
    assert len(settled) == 2
    prices = {engine.portfolio.instruments[f.instrument_id].kind: f.price for f in settled}  # type: ignore[attr-defined]
    assert prices == pytest.approx({CALL: 200 / 10_200, PUT: 0.0})
    hedges = hedge_fills(engine)
    assert [f.tag for f in hedges] == ["delta_hedge", "hedge_exit"]
    assert hedges[1].ts_event == expiry
    assert engine.holding(PERP.id) == pytest.approx(0.0)


def test_no_new_straddle_in_the_last_15_minutes() -> None:
    expiry = close_ts(0) + 10 * MIN
    engine, _ = run(
        [10_000.0, 10_000.0],
        expiry=expiry,
        min_minutes_to_expiry=5.0,
        exit_minutes_before_expiry=5.0,
    )
    ((_, verdict),) = engine.structure_signals
    assert getattr(verdict, "code", None) == "EXPIRY_CUTOFF"
    assert engine.orders.fills == []


# -- parameters ------------------------------------------------------------------------------
def test_registered_with_documented_parameters() -> None:
    cls = registry.get("short_straddle")
    assert cls is ShortStraddleStrategy
    assert ShortStraddleStrategy().option_assets() == ("BTC",)
    doc = ShortStraddleParams.__doc__ or ""
    assert all(row[0] in doc for row in registry.describe(cls))
    params = registry.parse_params(cls, {"max_iv": "0.4", "hedge_symbol": "BTC/USDT:USDT"})
    assert params.max_iv == 0.4  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"max_iv": 30.0}, "'max_iv' was 30.0"),
        ({"hedge_threshold_usd": 0.0}, "'hedge_threshold_usd' was 0.0"),
        ({"hedge_interval_minutes": -1.0}, "'hedge_interval_minutes' was -1.0"),
        ({"take_profit": 1.5}, "'take_profit' was 1.5"),
        ({"stop_loss": 0.0}, "'stop_loss' was 0.0"),
    ],
)
def test_parameters_are_checked_by_name(changes: dict[str, float], named: str) -> None:
    with pytest.raises(ValueError, match=named):
        ShortStraddleParams(**changes).validate()  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="short_straddle"):
        registry.parse_params(ShortStraddleStrategy, {k: str(v) for k, v in changes.items()})
