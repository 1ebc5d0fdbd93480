"""Each pre-trade rule at its edge: what is accepted, resized or refused, and why."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fixtures.factories import PERP, SPOT, fill
from tradebot.model.account import Account
from tradebot.model.enums import OptionKind, OrderSide
from tradebot.model.identifiers import InstrumentId
from tradebot.model.instruments import Instrument, Option
from tradebot.model.signals import Signal, SizeMode
from tradebot.portfolio.portfolio import Portfolio
from tradebot.risk.config import RiskConfig
from tradebot.risk.engine import RiskEngine
from tradebot.risk.limits import RiskLimits
from tradebot.risk.rules import Greeks
from tradebot.risk.sizing import SizingConfig
from tradebot.risk.verdict import Approved, Denied

BUY, SELL = OrderSide.BUY, OrderSide.SELL
NLV = 10_000.0
PRICE = 100.0
MINUTE = 60 * 10**9


def engine(
    *, leverage: float = 5.0, instruments: list[Instrument] | None = None, **limits: object
) -> RiskEngine:
    """USDT 10,000 account, the perpetual at 100, every limit off except those given."""
    insts = instruments or [PERP]
    pf = Portfolio(Account("USDT", {"USDT": NLV}, leverage), insts)
    for inst in insts:
        pf.mark(inst.id, PRICE)
    base = {f: getattr(RiskLimits.off(), f) for f in RiskLimits.__struct_fields__}
    base.update(limits)
    return RiskEngine(RiskConfig(limits=RiskLimits(**base)), pf)  # type: ignore[arg-type]


def qty(q: float, side: OrderSide = BUY, **kwargs: object) -> Signal:
    return Signal(
        instrument_id=PERP.id,
        side=side,
        size=q,
        size_mode=SizeMode.QUANTITY,
        **kwargs,  # type: ignore[arg-type]
    )


def test_risk_per_trade_sizes_the_loss_at_the_stop_to_one_percent() -> None:
    risk = engine(max_risk_per_trade=0.01)

    verdict = risk.evaluate(qty(50.0, stop_loss=98.0))

    # 1 % of 10,000 = 100 at risk; 2 per unit to the stop → 50 units is exactly the limit.
    assert verdict == Approved(BUY, 50.0)
    bigger = risk.evaluate(qty(80.0, stop_loss=98.0))
    assert isinstance(bigger, Approved)
    assert bigger.quantity == pytest.approx(50.0)
    assert "risk_per_trade" in bigger.note


def test_a_stop_on_the_wrong_side_is_refused() -> None:
    verdict = engine(max_risk_per_trade=0.01).evaluate(qty(1.0, stop_loss=101.0))

    assert isinstance(verdict, Denied)
    assert verdict.code == "RISK_PER_TRADE"
    assert "wrong side" in verdict.reason


def test_max_position_caps_the_value_at_twenty_percent() -> None:
    risk = engine(max_position=0.20)

    verdict = risk.evaluate(qty(30.0))

    assert isinstance(verdict, Approved)
    assert verdict.quantity * PRICE == pytest.approx(2_000.0)
    assert verdict.note.startswith("max_position")


def test_an_order_below_the_minimum_position_is_refused() -> None:
    risk = engine(min_position=0.01)

    assert isinstance(risk.evaluate(qty(1.0)), Approved)  # 100 = 1 % of NLV: allowed
    verdict = risk.evaluate(qty(0.9))
    assert isinstance(verdict, Denied)
    assert verdict.code == "MIN_POSITION"


def test_symbol_exposure_counts_every_instrument_on_the_underlying() -> None:
    # Spot BTC and the BTC perpetual share the 20 % budget.
    risk = engine(instruments=[PERP, SPOT], max_symbol_exposure=0.20)
    risk.portfolio.apply_fill(fill(SPOT, BUY, 15.0, PRICE))  # 1,500 of BTC bought

    verdict = risk.evaluate(qty(10.0))

    assert isinstance(verdict, Approved)
    assert verdict.quantity * PRICE == pytest.approx(500.0)
    assert "exposure to BTC" in verdict.note


def test_max_open_positions_refuses_a_new_instrument_only() -> None:
    risk = engine(instruments=[PERP, SPOT], max_open_positions=1)
    risk.portfolio.apply_fill(fill(PERP, BUY, 1.0, PRICE))

    assert isinstance(risk.evaluate(qty(1.0)), Approved)  # adding to the open one
    other = Signal(instrument_id=SPOT.id, side=BUY, size=1.0, size_mode=SizeMode.QUANTITY)
    verdict = risk.evaluate(other)
    assert isinstance(verdict, Denied)
    assert verdict.code == "MAX_OPEN_POSITIONS"


def test_the_twenty_first_trade_of_the_day_is_refused() -> None:
    risk = engine(max_daily_trades=20)
    verdicts = [risk.evaluate(qty(1.0)) for _ in range(21)]

    assert all(isinstance(v, Approved) for v in verdicts[:20])
    assert isinstance(verdicts[20], Denied)
    assert verdicts[20].code == "MAX_DAILY_TRADES"


def test_leverage_caps_gross_exposure_at_five_times() -> None:
    risk = engine(max_leverage=5.0, leverage=10.0)
    risk.portfolio.apply_fill(fill(PERP, BUY, 400.0, PRICE))  # 40,000 = 4x already

    verdict = risk.evaluate(qty(200.0))

    assert isinstance(verdict, Approved)
    assert verdict.quantity == pytest.approx(100.0)  # up to 50,000


def test_margin_keeps_a_buffer_free() -> None:
    # 10,000 at 2x leverage with a 10 % buffer: 9,000 of margin → 18,000 of value.
    risk = engine(leverage=2.0, margin_buffer=0.10)

    verdict = risk.evaluate(qty(500.0))

    assert isinstance(verdict, Approved)
    assert verdict.quantity * PRICE == pytest.approx(18_000.0)


def _option(expiry_ns: int) -> Option:
    return Option(
        id=InstrumentId("BTC/USD:BTC-OPT", "T"),
        base="BTC",
        quote="USDT",
        price_increment=Decimal("0.01"),
        size_increment=Decimal("0.1"),
        underlying="BTC",
        strike=100.0,
        expiry_ns=expiry_ns,
        kind=OptionKind.CALL,
    )


def test_no_new_option_positions_in_the_last_fifteen_minutes() -> None:
    expiry = 1_000 * MINUTE
    option = _option(expiry)
    risk = engine(instruments=[PERP, option], option_expiry_cutoff_minutes=15)

    def buy_at(minute: int) -> object:
        return risk.evaluate(
            Signal(
                instrument_id=option.id,
                side=BUY,
                size=1.0,
                size_mode=SizeMode.QUANTITY,
                ts_event=minute * MINUTE,
            )
        )

    assert isinstance(buy_at(985), Approved)  # exactly 15 minutes left
    late = buy_at(986)
    assert isinstance(late, Denied)
    assert late.code == "EXPIRY_CUTOFF"


def test_greek_limits_refuse_what_would_pass_the_net_delta() -> None:
    pf = Portfolio(Account("USDT", {"USDT": NLV}, 5.0), [PERP])
    pf.mark(PERP.id, PRICE)
    limits = RiskLimits.off()
    limits = RiskLimits(
        **{f: getattr(limits, f) for f in RiskLimits.__struct_fields__ if f != "max_net_delta"},
        max_net_delta=10.0,
    )
    risk = RiskEngine(RiskConfig(limits=limits), pf, greeks=lambda iid: Greeks(delta=1.0))

    assert isinstance(risk.evaluate(qty(10.0)), Approved)
    pf.apply_fill(fill(PERP, BUY, 10.0, PRICE))
    verdict = risk.evaluate(qty(1.0))
    assert isinstance(verdict, Denied)
    assert "delta" in verdict.reason
    assert isinstance(risk.evaluate(qty(5.0, SELL)), Approved)  # reducing delta is fine


def test_high_volatility_halves_the_size() -> None:
    from tradebot.risk.rules import VolRegime

    pf = Portfolio(Account("USDT", {"USDT": NLV}, 5.0), [PERP])
    pf.mark(PERP.id, PRICE)
    risk = RiskEngine(
        RiskConfig(limits=RiskLimits(**{**_off(), "vol_scaling": True})),
        pf,
        vol_regime=lambda iid: VolRegime.HIGH,
    )

    verdict = risk.evaluate(qty(10.0))

    assert isinstance(verdict, Approved)
    assert verdict.quantity == pytest.approx(5.0)
    assert "high volatility" in verdict.note


def _off() -> dict[str, object]:
    off = RiskLimits.off()
    return {f: getattr(off, f) for f in RiskLimits.__struct_fields__}


def test_closing_is_never_refused_by_a_limit() -> None:
    risk = engine(max_daily_trades=1, max_position=0.0001)
    risk.portfolio.apply_fill(fill(PERP, BUY, 50.0, PRICE))
    risk.state.raise_block("paused", 0, "paused by hand")

    from tradebot.model.signals import SignalIntent

    verdict = risk.evaluate(Signal(instrument_id=PERP.id, side=SELL, intent=SignalIntent.CLOSE))

    assert verdict == Approved(SELL, 50.0, reduce_only=True)


def test_confidence_sizing_follows_the_seed_formula() -> None:
    pf = Portfolio(Account("USDT", {"USDT": NLV}, 5.0), [PERP])
    pf.mark(PERP.id, PRICE)
    sizing = SizingConfig(method="confidence", min_confidence=0.5, max_fraction=0.2)
    risk = RiskEngine(RiskConfig(limits=RiskLimits.off(), sizing={"*": sizing}), pf)

    def at(confidence: float) -> object:
        return risk.evaluate(
            Signal(instrument_id=PERP.id, side=BUY, confidence=confidence, strategy_id="s")  # type: ignore[arg-type]
        )

    # (0.8 − 0.5) / (1 − 0.5) × 20 % = 12 % of 10,000 = 1,200 → 12 units less the buffer.
    v = at(0.8)
    assert isinstance(v, Approved)
    assert v.quantity == pytest.approx(1_200 * (1 - RiskConfig().sizing_buffer) / PRICE, abs=1e-3)
    low = at(0.5)  # at the minimum: clamped up to min_fraction 1 %
    assert isinstance(low, Approved)
    assert low.quantity == pytest.approx(100 * (1 - RiskConfig().sizing_buffer) / PRICE, abs=1e-3)
    refused = at(0.4)
    assert isinstance(refused, Denied)
    assert refused.code == "LOW_CONFIDENCE"


def test_risk_sizing_sizes_from_the_stop() -> None:
    pf = Portfolio(Account("USDT", {"USDT": NLV}, 5.0), [PERP])
    pf.mark(PERP.id, PRICE)
    sizing = SizingConfig(method="risk", risk_fraction=0.01)
    risk = RiskEngine(RiskConfig(limits=RiskLimits.off(), sizing={"s": sizing}), pf)

    verdict = risk.evaluate(
        Signal(instrument_id=PERP.id, side=SELL, stop_loss=104.0, strategy_id="s")  # type: ignore[arg-type]
    )

    assert verdict == Approved(SELL, 25.0)  # 100 at risk / 4 per unit


@settings(max_examples=150, deadline=None)
@given(
    size=st.floats(0.001, 5_000),
    side=st.sampled_from([BUY, SELL]),
    stop_distance=st.one_of(st.none(), st.floats(0.1, 50)),
    held=st.floats(-100, 100),
)
def test_no_accepted_order_breaks_a_limit(
    size: float, side: OrderSide, stop_distance: float | None, held: float
) -> None:
    limits = RiskLimits()
    risk = engine(leverage=5.0, **{f: getattr(limits, f) for f in RiskLimits.__struct_fields__})
    pf = risk.portfolio
    if abs(held) >= 0.001:
        pf.apply_fill(fill(PERP, BUY if held > 0 else SELL, abs(round(held, 3)), PRICE))
    nlv = pf.valuation()[0]
    stop = None if stop_distance is None else PRICE - side.sign * stop_distance
    verdict = risk.evaluate(qty(size, side, stop_loss=stop))
    if not isinstance(verdict, Approved):
        return
    q = verdict.quantity
    after = pf.holding(PERP.id) + side.sign * q
    assert abs(after) * PRICE <= limits.max_position * nlv + 1e-6 or abs(after) < abs(
        pf.holding(PERP.id)
    )
    assert (pf.valuation()[1] + q * PRICE) <= limits.max_leverage * nlv + 1e-6
    assert q * PRICE >= limits.min_position * nlv - 1e-6
    if stop is not None:
        assert q * stop_distance <= limits.max_risk_per_trade * nlv + 1e-6  # type: ignore[operator]
