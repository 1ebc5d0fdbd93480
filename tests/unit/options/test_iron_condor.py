"""iron_condor (seed 000): enter on a high IV rank with a calm underlying, legs at ±5 % / ±8 %,
one structure, out at 70 % of the credit or 20 minutes before expiry, else settled."""

from __future__ import annotations

import itertools
import math

import msgspec
import pytest

from fixtures.factories import spot
from fixtures.shaped_option_market import ShapedOptionMarket
from tradebot.engine.config import SessionConfig
from tradebot.engine.runners import build_paper_engine, run_events
from tradebot.engine.trading_engine import TradingEngine
from tradebot.errors import ConfigError
from tradebot.model.data import Bar
from tradebot.model.enums import OptionKind, OrderSide, OrderStatus
from tradebot.model.events import OrderFilled
from tradebot.options.contract import OptionSpec
from tradebot.risk.config import RiskConfig
from tradebot.risk.limits import RiskLimits
from tradebot.risk.verdict import Denied
from tradebot.strategies import registry
from tradebot.strategies.options.iron_condor import IronCondorParams, IronCondorStrategy

HOUR = 3_600 * 10**9
MIN = 60 * 10**9
YEAR = 365 * 86_400 * 10**9
DAY0 = 1_600_000_000 // 86_400 * 86_400 * 10**9
SPEC = OptionSpec(venue="T")
BTC = spot()
STRIKES = [9_000.0, 9_200.0, 9_500.0, 9_800.0, 10_000.0, 10_200.0, 10_500.0, 10_800.0, 11_000.0]
HALF = 0.0001  # half spread of the test market, in BTC
CASH = 100_000.0
CALL, PUT = OptionKind.CALL, OptionKind.PUT

RISING = [0.50, 0.55, 0.60, 0.80]  # the 4th observation is the top of its range: rank 100
CALM = [10_000.0, 10_010.0, 10_000.0, 10_010.0]


def close_ts(i: int) -> int:
    """Bar i (0-based) closes (i + 1) hours after DAY0."""
    return DAY0 + (i + 1) * HOUR


def limits(**changes: object) -> RiskLimits:
    """Seed 000's rules that apply to structures; the rest off."""
    base = msgspec.structs.replace(
        RiskLimits.off(), max_risk_per_trade=0.01, option_expiry_cutoff_minutes=15.0
    )
    return msgspec.structs.replace(base, **changes)


def run(
    closes: list[float],
    ivs: list[float],
    *,
    expiry: int,
    risk: RiskLimits | None = None,
    market: ShapedOptionMarket | None = None,
    **params: object,
) -> tuple[TradingEngine, IronCondorStrategy]:
    market = market or ShapedOptionMarket(
        [expiry], STRIKES, spec=SPEC, iv_schedule=[(close_ts(i), iv) for i, iv in enumerate(ivs)]
    )
    settings = {"iv_lookback": 4, "rv_period": 3, **params}
    strategy = IronCondorStrategy(IronCondorParams(**settings))  # type: ignore[arg-type]
    config = SessionConfig(cash=CASH, risk=RiskConfig(limits=risk or limits(), exit_monitor=False))
    engine = build_paper_engine([BTC], [strategy], config, options=market)
    bars = [
        Bar(BTC.id, "1h", close_ts(i) - HOUR, close_ts(i), c, c, c, c, 1.0)
        for i, c in enumerate(closes)
    ]
    return run_events(engine, bars), strategy


# -- the test market's prices, written out again -------------------------------------------
def premium(strike: float, kind: OptionKind, s: float, ts: int, iv: float, expiry: int) -> float:
    """Mark in BTC: (intrinsic + iv * S * sqrt(T) * tent) / S."""
    intrinsic = max(s - strike, 0.0) if kind is CALL else max(strike - s, 0.0)
    tent = max(0.0, 1.0 - abs(strike - s) / 2_000.0)
    return (intrinsic + iv * s * math.sqrt((expiry - ts) / YEAR) * tent) / s


def legs_at(s: float) -> dict[tuple[float, OptionKind], float]:
    """Expected legs (strike, kind) → ratio for spot ``s``: nearest listed strikes."""

    def nearest(x: float) -> float:
        return min(STRIKES, key=lambda k: abs(k - x))

    return {
        (nearest(s * 0.92), PUT): 1.0,
        (nearest(s * 0.95), PUT): -1.0,
        (nearest(s * 1.05), CALL): -1.0,
        (nearest(s * 1.08), CALL): 1.0,
    }


def credit_per_unit(s: float, ts: int, iv: float, expiry: int) -> float:
    """BTC received per condor sold at market: bid of the shorts less ask of the wings."""
    total = 0.0
    for (k, kind), ratio in legs_at(s).items():
        mark = premium(k, kind, s, ts, iv, expiry)
        total += (mark - HALF) if ratio < 0 else -(mark + HALF)
    return total


def cost_to_close(
    legs: dict[tuple[float, OptionKind], float], s: float, ts: int, iv: float, expiry: int
) -> float:
    """BTC paid per unit to buy the condor back: ask of the shorts less bid of the wings."""
    total = 0.0
    for (k, kind), ratio in legs.items():
        mark = premium(k, kind, s, ts, iv, expiry)
        total += (mark + HALF) if ratio < 0 else -(mark - HALF)
    return total


def leg_of(engine: TradingEngine, fill: OrderFilled) -> tuple[float, OptionKind]:
    option = engine.portfolio.instruments[fill.instrument_id]
    return option.strike, option.kind  # type: ignore[attr-defined]


def fills_tagged(engine: TradingEngine, tag: str) -> list[OrderFilled]:
    return [f for f in engine.orders.fills if f.tag == tag]


# -- entry -----------------------------------------------------------------------------------
def test_entry_sells_the_5_percent_strikes_buys_the_8_percent_wings_sized_by_max_loss() -> None:
    expiry = DAY0 + 32 * HOUR
    engine, _ = run([*CALM, 10_000.0, 10_010.0], [*RISING, 0.8, 0.8], expiry=expiry)
    entry = fills_tagged(engine, "iron_condor")
    assert len(entry) == 4
    assert {f.ts_event for f in entry} == {close_ts(3)}  # the 4th bar: IV rank and RV defined
    s, ts, iv = 10_010.0, close_ts(3), 0.80
    expected_legs = legs_at(s)
    assert expected_legs.keys() == {
        (9_200.0, PUT),
        (9_500.0, PUT),
        (10_500.0, CALL),
        (10_800.0, CALL),
    }
    for f in entry:
        strike, kind = leg_of(engine, f)
        ratio = expected_legs[strike, kind]
        assert f.side is (OrderSide.BUY if ratio > 0 else OrderSide.SELL)
        mark = premium(strike, kind, s, ts, iv, expiry)
        assert f.price == pytest.approx(mark + HALF if ratio > 0 else mark - HALF, rel=1e-12)
    # Max loss per unit: the 300 USD wing width less the credit in USD; 1 % of 100,000 of it.
    max_loss = 300.0 - credit_per_unit(s, ts, iv, expiry) * s
    units = math.floor(0.01 * CASH / max_loss * 10) / 10  # 0.1-contract lots
    assert units > 0
    assert [f.quantity for f in entry] == pytest.approx([units] * 4)
    # Held to the end of the data: nothing closed.
    assert len(engine.orders.fills) == 4


@pytest.mark.parametrize(("last_iv", "enters"), [(0.61, False), (0.63, True)])
def test_iv_rank_must_exceed_60(last_iv: float, enters: bool) -> None:
    # Range 0.50 .. 0.70: 0.61 ranks 55, 0.63 ranks 65.
    engine, strategy = run(CALM, [0.50, 0.70, 0.60, last_iv], expiry=DAY0 + 32 * HOUR)
    assert strategy.iv_rank == pytest.approx(100 * (last_iv - 0.5) / 0.2)
    assert bool(engine.orders.fills) is enters
    assert bool(engine.structure_signals) is enters


def test_no_entry_while_iv_rank_is_undefined_or_falling() -> None:
    engine, _ = run([*CALM, 10_000.0], [0.8, 0.7, 0.6, 0.5, 0.5], expiry=DAY0 + 32 * HOUR)
    assert engine.structure_signals == []
    short_history, _ = run(CALM[:3], RISING[:3], expiry=DAY0 + 32 * HOUR)  # 3 < iv_lookback
    assert short_history.structure_signals == []


def test_no_entry_when_realised_vol_is_high() -> None:
    wild = [10_000.0, 10_600.0, 9_500.0, 10_010.0]  # ±5 % an hour: hundreds of % a year
    engine, strategy = run(wild, RISING, expiry=DAY0 + 32 * HOUR)
    assert strategy.iv_rank == pytest.approx(100.0)
    assert strategy.rv.value > 0.6
    assert engine.structure_signals == []
    calm_engine, calm = run(CALM, RISING, expiry=DAY0 + 32 * HOUR)
    returns = [math.log(b / a) for a, b in itertools.pairwise(CALM)]
    mean = sum(returns) / 3
    rv = math.sqrt(sum((r - mean) ** 2 for r in returns) / 2) * math.sqrt(365 * 24)
    assert calm.rv.value == pytest.approx(rv, rel=1e-9)
    assert rv < 0.6
    assert len(calm_engine.orders.fills) == 4


# -- exits -----------------------------------------------------------------------------------
def test_closes_the_whole_condor_once_70_percent_of_the_credit_is_captured() -> None:
    expiry = DAY0 + 32 * HOUR
    closes = [*CALM, 10_000.0, 10_010.0, 10_000.0]
    ivs = [*RISING, 0.8, 0.1, 0.1]  # IV collapses at the 6th bar
    engine, strategy = run(closes, ivs, expiry=expiry)
    legs = legs_at(10_010.0)
    credit = credit_per_unit(10_010.0, close_ts(3), 0.8, expiry)
    # The scenario: not yet at the 5th bar, reached at the 6th.
    assert cost_to_close(legs, 10_000.0, close_ts(4), 0.8, expiry) > 0.3 * credit
    cost = cost_to_close(legs, 10_010.0, close_ts(5), 0.1, expiry)
    assert cost <= 0.3 * credit
    exits = fills_tagged(engine, "take_profit")
    assert len(exits) == 4
    assert {f.ts_event for f in exits} == {close_ts(5)}
    entry = fills_tagged(engine, "iron_condor")
    qty = entry[0].quantity
    for f in exits:
        strike, kind = leg_of(engine, f)
        assert f.quantity == qty
        assert f.side is (OrderSide.SELL if legs[strike, kind] > 0 else OrderSide.BUY)
    assert len(engine.orders.fills) == 8  # no re-entry: the IV rank fell to 0
    assert all(engine.holding(f.instrument_id) == 0.0 for f in entry)
    fees = sum(f.fee for f in engine.orders.fills)
    booked = sum(t.pnl for t in engine.portfolio.trades)
    assert booked == pytest.approx(qty * (credit - cost) - fees, rel=1e-9)
    assert strategy.legs == []


def test_closes_20_minutes_before_expiry_on_a_scheduled_job() -> None:
    expiry = DAY0 + 8 * HOUR
    closes = [*CALM, 10_000.0, 10_010.0, 10_000.0, 10_010.0]  # bars close 01:00 .. 08:00
    engine, _ = run(closes, [*RISING, 0.8, 0.8, 0.8, 0.8], expiry=expiry)
    exits = fills_tagged(engine, "t_minus_exit")
    assert len(exits) == 4
    at = expiry - 20 * MIN
    assert {f.ts_event for f in exits} == {at}  # 07:40, not at a bar
    legs = legs_at(10_010.0)
    for f in exits:
        strike, kind = leg_of(engine, f)
        mark = premium(strike, kind, 10_000.0, at, 0.8, expiry)  # index: the 07:00 close
        assert f.price == pytest.approx(mark + HALF if legs[strike, kind] < 0 else mark - HALF)
    assert fills_tagged(engine, "expiry") == []
    assert len(engine.orders.fills) == 8


def test_held_to_expiry_it_is_settled() -> None:
    expiry = DAY0 + 8 * HOUR
    closes = [*CALM, 10_000.0, 10_010.0, 10_000.0, 10_650.0]  # 08:00 settles at 10,650
    engine, _ = run(
        closes, [*RISING, 0.8, 0.8, 0.8, 0.8], expiry=expiry, exit_minutes_before_expiry=0.0
    )
    settled = fills_tagged(engine, "expiry")
    assert len(settled) == 4
    assert {f.ts_event for f in settled} == {expiry}
    prices = {leg_of(engine, f): f.price for f in settled}
    assert prices == pytest.approx(
        {
            (9_200.0, PUT): 0.0,
            (9_500.0, PUT): 0.0,
            (10_500.0, CALL): 150 / 10_650,
            (10_800.0, CALL): 0.0,
        }
    )
    credit = credit_per_unit(10_010.0, close_ts(3), 0.8, expiry)
    qty = settled[0].quantity
    fees = sum(f.fee for f in engine.orders.fills)
    booked = sum(t.pnl for t in engine.portfolio.trades)
    assert booked == pytest.approx(qty * (credit - 150 / 10_650) - fees, rel=1e-9)


# -- risk ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("minutes_left", "refused"), [(10, True), (30, False)])
def test_no_new_condor_in_the_last_15_minutes(minutes_left: int, refused: bool) -> None:
    expiry = close_ts(3) + minutes_left * MIN
    engine, _ = run(
        CALM, RISING, expiry=expiry, min_minutes_to_expiry=5.0, exit_minutes_before_expiry=5.0
    )
    (signal, verdict) = engine.structure_signals[0]
    assert signal.tag == "iron_condor"
    if refused:
        assert isinstance(verdict, Denied)
        assert verdict.code == "EXPIRY_CUTOFF"
        assert engine.orders.fills == []
    else:
        assert not isinstance(verdict, Denied)
        assert len(fills_tagged(engine, "iron_condor")) == 4


@pytest.mark.parametrize(("vega_limit", "refused"), [(5.0, True), (100.0, False)])
def test_the_greek_limit_refuses_a_condor_beyond_it(vega_limit: float, refused: bool) -> None:
    s = 10_010.0
    units = (
        math.floor(
            0.01 * CASH / (300.0 - credit_per_unit(s, close_ts(3), 0.8, DAY0 + 32 * HOUR) * s) * 10
        )
        / 10
    )

    def tent(k: float) -> float:
        return 1.0 - abs(k - s) / 2_000.0

    net_vega = units * 10.0 * (tent(9_200) + tent(10_800) - tent(9_500) - tent(10_500))
    assert 5.0 < abs(net_vega) < 100.0  # the scenario: between the two limits
    engine, _ = run(CALM, RISING, expiry=DAY0 + 32 * HOUR, risk=limits(max_net_vega=vega_limit))
    verdict = engine.structure_signals[0][1]
    if refused:
        assert isinstance(verdict, Denied)
        assert verdict.code == "GREEK_LIMITS"
        assert "vega" in verdict.reason
        assert engine.orders.fills == []
    else:
        assert not isinstance(verdict, Denied)
        assert len(engine.orders.fills) == 4


def test_the_risk_limit_on_planned_loss_caps_a_larger_risk_fraction() -> None:
    expiry = DAY0 + 32 * HOUR
    engine, _ = run(CALM, RISING, expiry=expiry, risk_fraction=0.05)
    s = 10_010.0
    max_loss = 300.0 - credit_per_unit(s, close_ts(3), 0.8, expiry) * s
    signal, verdict = engine.structure_signals[0]
    assert signal.max_loss == pytest.approx(max_loss)
    assert signal.units == pytest.approx(0.05 * CASH / max_loss)
    assert verdict.units == pytest.approx(0.01 * CASH / max_loss)  # type: ignore[union-attr]
    units = math.floor(0.01 * CASH / max_loss * 10) / 10
    assert [f.quantity for f in engine.orders.fills] == pytest.approx([units] * 4)


class WingVanishesAtTheVenue(ShapedOptionMarket):
    """The chain shows every strike, but the venue cannot price the 10,800 call."""

    def chain(self, asset: str, ts_ns: int):  # type: ignore[no-untyped-def]
        hidden, self.missing = self.missing, set()
        try:
            return super().chain(asset, ts_ns)
        finally:
            self.missing = hidden


def test_a_leg_that_cannot_fill_rejects_the_whole_condor() -> None:
    expiry = DAY0 + 32 * HOUR
    market = WingVanishesAtTheVenue(
        [expiry],
        STRIKES,
        spec=SPEC,
        iv_schedule=[(close_ts(i), iv) for i, iv in enumerate([*RISING, 0.9])],
    )
    market.missing.add(10_800.0)
    engine, strategy = run([*CALM, 10_000.0], [], expiry=expiry, market=market)
    assert engine.orders.fills == []
    orders = list(engine.orders.orders.values())
    assert len(orders) == 8  # tried at bar 4, and again at bar 5 (rank still 100)
    assert all(o.status is OrderStatus.REJECTED for o in orders)
    assert all(engine.holding(o.instrument_id) == 0.0 for o in orders)
    assert strategy.legs == []


# -- parameters ------------------------------------------------------------------------------
def test_registered_with_documented_parameters() -> None:
    cls = registry.get("iron_condor")
    assert IronCondorStrategy(IronCondorParams(asset="ETH")).option_assets() == ("ETH",)
    assert cls is IronCondorStrategy
    names = [row[0] for row in registry.describe(cls)]
    doc = IronCondorParams.__doc__ or ""
    assert all(name in doc for name in names)
    params = registry.parse_params(cls, {"iv_rank_min": "70", "wing_otm": "0.1"})
    assert (params.iv_rank_min, params.wing_otm) == (70.0, 0.1)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"iv_rank_min": 120.0}, "'iv_rank_min' was 120"),
        ({"short_otm": 0.1, "wing_otm": 0.08}, "'short_otm' (0.1) and 'wing_otm' (0.08)"),
        ({"take_profit": 1.0}, "'take_profit' was 1.0"),
        ({"exit_minutes_before_expiry": 90.0}, "'exit_minutes_before_expiry' was 90.0"),
        ({"iv_lookback": 1}, "'iv_lookback' was 1"),
        ({"risk_fraction": 0.0}, "'risk_fraction' was 0.0"),
    ],
)
def test_parameters_are_checked_by_name(changes: dict[str, float], named: str) -> None:
    with pytest.raises(ValueError, match=named.replace("(", r"\(").replace(")", r"\)")):
        IronCondorParams(**changes).validate()  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="iron_condor"):
        registry.parse_params(IronCondorStrategy, {k: str(v) for k, v in changes.items()})
