"""The exit monitor inside a backtest: each exit reason fired by a crafted path, at its bar."""

from __future__ import annotations

from fixtures.factories import PERP, ScriptedStrategy, paper_engine, qty_signal
from tradebot.engine.runners import run_events
from tradebot.engine.trading_engine import TradingEngine
from tradebot.model.data import Bar
from tradebot.model.enums import OrderSide
from tradebot.model.signals import Signal, SignalIntent
from tradebot.risk.config import RiskConfig
from tradebot.risk.exits.settings import ExitSettings
from tradebot.risk.limits import RiskLimits
from tradebot.risk.verdict import Denied

HOUR = 3_600 * 10**9


def config(**exits: object) -> RiskConfig:
    """No limits; the exit monitor on with the given settings."""
    return RiskConfig(limits=RiskLimits.off(), exits=ExitSettings(**exits))  # type: ignore[arg-type]


def bars(rows: list[tuple[float, float, float, float]]) -> list[Bar]:
    """Hourly bars from (open, high, low, close) rows; bar i closes at (i + 1) h."""
    return [
        Bar(PERP.id, "1h", i * HOUR, (i + 1) * HOUR, o, h, lo, c, 1.0)
        for i, (o, h, lo, c) in enumerate(rows)
    ]


def flat(n: int, price: float = 100.0) -> list[tuple[float, float, float, float]]:
    return [(price, price, price, price)] * n


def exit_fills(engine: TradingEngine) -> list[tuple[str, int]]:
    """(tag, hour) of every selling fill."""
    return [(f.tag, f.ts_event // HOUR) for f in engine.orders.fills if f.side is OrderSide.SELL]


def buy(**kwargs: object) -> Signal:
    return qty_signal(PERP, 10.0, **kwargs)


def test_a_stop_touched_inside_a_bar_exits_with_reason_stop() -> None:
    rows = [*flat(3), (100.0, 100.5, 96.5, 99.0), *flat(3, 99.0)]
    engine = paper_engine([PERP], [ScriptedStrategy({1: [buy(stop_loss=97.0)]})], risk=config())
    run_events(engine, bars(rows))

    # Entered at the open of bar 1 (hour 1); the stop is touched in bar 3, which closes at 4 h;
    # the market exit fills at the next bar's open.
    assert exit_fills(engine) == [("stop", 4)]
    assert engine.risk.exits is not None
    assert engine.risk.exits.exits == {"stop": 1}


def test_the_position_is_closed_after_36_hours() -> None:
    engine = paper_engine([PERP], [ScriptedStrategy({1: [buy()]})], risk=config(ttl_hours=36))
    run_events(engine, bars(flat(45)))

    # Filled at 1 h; the bar closing at 37 h is the first with 36 h held.
    assert exit_fills(engine) == [("ttl", 37)]


def test_trailing_locks_the_first_tier_and_exits_when_it_is_lost() -> None:
    # +9 % reached (first tier: lock +3 %), then the price falls to +2 %.
    rows = [*flat(2), (100.0, 109.0, 100.0, 108.0), (108.0, 108.0, 104.0, 105.0)]
    rows += [(105.0, 105.0, 102.0, 102.0), *flat(3, 102.0)]
    engine = paper_engine(
        [PERP],
        [ScriptedStrategy({1: [buy()]})],
        risk=config(ttl_hours=None, use_leverage=False, pullback=1.0),
    )
    run_events(engine, bars(rows))

    # The lock at 103 is broken by the low of 102 in the bar closing at 5 h.
    assert exit_fills(engine) == [("trailing", 5)]


def test_a_thirty_percent_pullback_from_the_peak_profit_exits_first() -> None:
    rows = [*flat(2), (100.0, 109.0, 100.0, 108.0), (108.0, 108.0, 104.0, 105.0), *flat(3, 105.0)]
    engine = paper_engine(
        [PERP], [ScriptedStrategy({1: [buy()]})], risk=config(ttl_hours=None, use_leverage=False)
    )
    run_events(engine, bars(rows))

    # Peak +9 %; the close at +5 % is below 9 % × 0.7 = 6.3 %: out at the bar closing at 4 h.
    assert exit_fills(engine) == [("trailing", 4)]


def test_an_invalidation_condition_closes_the_trade() -> None:
    rows = [*flat(5), (100.0, 100.0, 98.0, 98.0), *flat(3, 98.0)]
    plan = {1: [buy(invalidation=("close < sma_3",))]}
    engine = paper_engine([PERP], [ScriptedStrategy(plan)], risk=config(ttl_hours=None))
    run_events(engine, bars(rows))

    # sma_3 warms up from the entry; the close of 98 at 6 h falls below it.
    assert exit_fills(engine) == [("invalidated", 6)]


def test_a_condition_that_does_not_parse_is_refused_when_the_signal_is_sent() -> None:
    engine = paper_engine(
        [PERP], [ScriptedStrategy({1: [buy(invalidation=("adx <<",))]})], risk=config()
    )
    run_events(engine, bars(flat(3)))

    (record,) = engine.signals
    assert isinstance(record.verdict, Denied)
    assert record.verdict.code == "BAD_CONDITION"
    assert "adx <<" in record.verdict.reason
    assert engine.orders.orders == {}


def test_a_market_exit_is_sent_once_even_when_asked_twice() -> None:
    close = Signal(instrument_id=PERP.id, side=OrderSide.SELL, intent=SignalIntent.CLOSE)
    engine = paper_engine(
        [PERP], [ScriptedStrategy({1: [buy()], 3: [close, close]})], risk=config()
    )
    run_events(engine, bars(flat(6)))

    closes = [o for o in engine.orders.orders.values() if o.side is OrderSide.SELL]
    assert len(closes) == 1
    assert engine.holding(PERP.id) == 0
