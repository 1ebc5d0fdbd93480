"""Each technical strategy fires on a market built to trigger it, and stays out of one that
must not; every entry carries a confidence in [0, 1], a stop and a target on the right sides
and invalidation conditions."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from fixtures.factories import PERP
from tradebot.model.enums import OrderSide
from tradebot.model.signals import SignalIntent
from tradebot.strategies import registry
from tradebot.strategies.technical.volatility_system import VolatilitySystem

from .builders import (
    assert_well_formed,
    bars_from_closes,
    calm,
    close_at,
    dip,
    entries,
    exits,
    fall_then_rise,
    rally,
    run,
    sharp_drop,
    sharp_rise,
    trend,
)

BUY, SELL = OrderSide.BUY, OrderSide.SELL
Market = Callable[[], list[float]]

CASES: list[tuple[str, Market, OrderSide, Market]] = [
    ("momentum", lambda: calm(80) + trend(100.0, 60, 0.006), BUY, lambda: calm(300, 0.01)),
    ("mean_reversion", sharp_drop, BUY, lambda: calm(300, 0.01)),
    ("mean_reversion", sharp_rise, SELL, fall_then_rise),
    ("universal_macd", dip, BUY, lambda: calm(300, 0.01, 9)),
    ("universal_macd", rally, SELL, lambda: calm(80) + trend(100.0, 120, 0.006)),
    ("multi_supertrend", lambda: calm(80) + trend(100.0, 60, 0.006), BUY, lambda: calm(300)),
    ("multi_supertrend", sharp_drop, SELL, lambda: calm(300)),
    ("adx_sma", fall_then_rise, BUY, lambda: calm(300, 0.01)),
    ("bandtastic", sharp_drop, BUY, lambda: calm(300, 0.01)),
    ("bandtastic", sharp_rise, SELL, lambda: calm(300)),
    ("volatility_system", sharp_rise, BUY, lambda: calm(300, 0.01)),
    ("volatility_system", sharp_drop, SELL, lambda: calm(80) + trend(100.0, 120, 0.006)),
    ("ichimoku", lambda: calm(80) + trend(100.0, 120, 0.006), BUY, lambda: calm(300, 0.01)),
    ("ichimoku", lambda: calm(80) + trend(100.0, 120, -0.006), SELL, sharp_rise),
    ("keltner", sharp_rise, BUY, lambda: calm(300, 0.01)),
    ("keltner", sharp_drop, SELL, lambda: calm(300)),
    ("rsi_bb_momentum", sharp_drop, BUY, lambda: calm(300, 0.01)),
    ("rsi_bb_momentum", sharp_rise, SELL, lambda: calm(300)),
]
IDS = [f"{name}-{side.value}" for name, _, side, _ in CASES]


@pytest.mark.parametrize(("name", "market", "side", "quiet"), CASES, ids=IDS)
def test_fires_on_its_market(name: str, market: Market, side: OrderSide, quiet: Market) -> None:
    engine = run(registry.get(name)(), bars_from_closes(market()))

    opened = entries(engine)
    assert opened, f"{name} did not enter"
    first = opened[0]
    assert first.signal.side is side
    assert_well_formed(first, close_at(engine, first))
    assert engine.failures == []


@pytest.mark.parametrize(("name", "market", "side", "quiet"), CASES, ids=IDS)
def test_stays_out_of_a_market_that_must_not_trigger_it(
    name: str, market: Market, side: OrderSide, quiet: Market
) -> None:
    engine = run(registry.get(name)(), bars_from_closes(quiet()))

    assert entries(engine) == []
    assert engine.failures == []


@pytest.mark.parametrize(("name", "market", "side", "quiet"), CASES, ids=IDS)
def test_invalidation_is_in_the_exit_monitor_scheme_and_false_at_entry(
    name: str, market: Market, side: OrderSide, quiet: Market
) -> None:
    # A condition that already holds when the trade opens would close it at once.
    exits_api = pytest.importorskip("tradebot.risk.exits")
    bars = bars_from_closes(market())
    opened = entries(run(registry.get(name)(), bars))
    texts = {text for record in opened for text in record.signal.invalidation}
    conditions = {t: exits_api.compile_condition(t, exits_api.is_known_name) for t in texts}
    values = exits_api.IndicatorValues({n for c in conditions.values() for n in c.names})
    sent_at = {record.signal.ts_event: record for record in opened}

    checked = 0
    for bar in bars:
        values.update(bar)
        record = sent_at.get(bar.ts_event)
        if record is not None:
            for text in record.signal.invalidation:
                assert not conditions[text].evaluate(values.values), f"{text!r} holds at entry"
                checked += 1
    assert checked > 0


def test_long_only_never_sells_short() -> None:
    cls = registry.get("keltner")
    engine = run(
        cls(registry.parse_params(cls, {"long_only": "true"})), bars_from_closes(sharp_drop())
    )

    assert entries(engine) == []


def test_volatility_system_adds_to_a_winning_breakout() -> None:
    closes = calm(60, amplitude=0.002) + [103.0, 104.5, 106.0, 107.5, 109.0] + [109.0] * 10
    engine = run(VolatilitySystem(), bars_from_closes(closes))

    # Every opening signal the strategy sent, whether or not risk limits let the adds through.
    opened = [r for r in engine.signals if r.signal.intent is SignalIntent.OPEN]
    assert [r.signal.tag for r in opened] == ["breakout", "add_1", "add_2"]  # max_adds = 2
    assert len({r.signal.confidence for r in opened}) == 1  # adds carry the breakout's
    assert 0 < opened[0].signal.confidence <= 1
    assert engine.holding(PERP.id) > 0


def test_bandtastic_does_not_buy_a_crash_past_its_stop_level() -> None:
    # One bar falling 20 % out of a quiet range sits about 4.4 deviations below the mean,
    # beyond the 4-deviation stop; the next bar at the same low is only 3 deviations below.
    closes = calm(60, amplitude=0.001) + [80.0] * 3
    engine = run(registry.get("bandtastic")(), bars_from_closes(closes))

    first = entries(engine)[0]
    assert first.signal.ts_event == 62 * 60 * 10**9  # the bar after the crash
    assert_well_formed(first, 80.0)


def test_mean_reversion_leaves_when_the_range_breaks() -> None:
    # Bought at a stretch below the band; the fall then turns into a trend.
    closes = sharp_drop() + trend(100 * 0.96, 40, -0.01)
    engine = run(registry.get("mean_reversion")(), bars_from_closes(closes))

    assert entries(engine)[0].signal.side is BUY
    assert {"trend", "expansion"} & {r.signal.tag for r in exits(engine)}
    assert engine.holding(PERP.id) == 0


def test_a_stop_is_honoured_by_the_strategy_itself() -> None:
    # Breakout up, then a collapse through the proposed stop.
    closes = calm(60, amplitude=0.002) + [103.0] + [103.0] * 2 + [97.0] * 5
    engine = run(VolatilitySystem(), bars_from_closes(closes))

    (entry,) = entries(engine)
    assert entry.signal.tag == "breakout"
    assert [r.signal.tag for r in exits(engine)] == ["stop"]
    assert engine.holding(PERP.id) == 0


BAD_PARAMS: list[tuple[str, dict[str, str], str]] = [
    ("momentum", {"adx_min": "150"}, "adx_min"),
    ("mean_reversion", {"oversold": "80"}, "oversold"),
    ("scalping", {"imbalance": "1.5"}, "imbalance"),
    ("universal_macd", {"fast": "40"}, "fast"),
    ("multi_supertrend", {"reward_ratio": "0"}, "reward_ratio"),
    ("adx_sma", {"adx_exit": "30"}, "adx_exit"),
    ("bandtastic", {"entry_level": "4"}, "entry_level"),
    ("volatility_system", {"max_adds": "-1"}, "max_adds"),
    ("ichimoku", {"tenkan": "30"}, "tenkan"),
    ("keltner", {"mult": "0"}, "mult"),
    ("mean_reversion", {"expansion": "1"}, "expansion"),
    ("rsi_bb_momentum", {"size": "2"}, "size"),
]


@pytest.mark.parametrize(("name", "raw", "word"), BAD_PARAMS, ids=[b[0] for b in BAD_PARAMS])
def test_bad_parameters_are_refused_by_name(name: str, raw: dict[str, str], word: str) -> None:
    from tradebot.errors import ConfigError

    with pytest.raises(ConfigError, match=word):
        registry.parse_params(registry.get(name), raw)


def test_every_strategy_documents_every_parameter() -> None:
    for name in (n for n, _, _, _ in CASES):
        cls = registry.get(name)
        doc = cls.params_type.__doc__ or ""
        for field, _, _ in registry.describe(cls):
            assert field in doc, f"{name}: parameter {field} is not documented"
