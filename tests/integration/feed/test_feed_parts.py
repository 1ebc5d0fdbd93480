"""The small parts on their own: settings validation, gap arithmetic, symbol mapping."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from tradebot.engine.clock import SimulatedClock
from tradebot.model.data import Bar
from tradebot.model.identifiers import InstrumentId
from tradebot.venues.feed import (
    BarGaps,
    FeedConfig,
    FeedSupervisor,
    Ignored,
    Malformed,
    SourceItem,
    parse_combined,
    usdm_symbol,
)

from .recording import run_until

IID = InstrumentId("BTC/USDT:USDT", "binanceusdm")
MIN = 60 * 10**9


def _bar(i: int) -> Bar:
    return Bar(IID, "1m", i * MIN, (i + 1) * MIN, 1.0, 1.0, 1.0, 1.0, 0.0)


@pytest.mark.parametrize(
    ("change", "name"),
    [
        ({"max_failures": 0}, "max_failures"),
        ({"backoff_initial_s": -1.0}, "backoff_initial_s"),
        ({"stall_timeout_s": 0.0}, "stall_timeout_s"),
        ({"max_lag_s": 0.0}, "max_lag_s"),
    ],
)
def test_config_names_the_setting_out_of_range(change: dict[str, float], name: str) -> None:
    with pytest.raises(ValueError, match=name):
        FeedConfig(**change).validate()  # type: ignore[arg-type]


def test_gaps_name_the_missed_open_times_and_spot_replays() -> None:
    gaps = BarGaps()
    assert gaps.missing(_bar(3)) is None  # nothing delivered yet: no gap to speak of
    gaps.mark(_bar(3))
    assert gaps.missing(_bar(4)) is None
    assert gaps.missing(_bar(7)) == (4 * MIN, 7 * MIN)
    assert gaps.is_duplicate(_bar(3))
    assert gaps.is_duplicate(_bar(2))
    assert not gaps.is_duplicate(_bar(4))


def test_symbols_and_frames_without_events() -> None:
    assert usdm_symbol("SUSHIUSDT") == "SUSHI/USDT:USDT"
    assert usdm_symbol("ETHBUSD") == "ETH/BUSD:BUSD"
    assert usdm_symbol("BTCUSD_PERP") == "BTCUSD_PERP"  # not a USD-M name: left as it is
    assert parse_combined('{"result":null,"id":7}') == Ignored("response")
    assert parse_combined('{"stream":"x@markPrice","data":{"e":"markPriceUpdate"}}') == Ignored(
        "markPriceUpdate"
    )
    bad = parse_combined('{"stream":"x@aggTrade","data":{"e":"aggTrade","s":"XUSDT","m":"no"}}')
    assert isinstance(bad, Malformed)
    assert bad.kind == "aggTrade"


def test_a_source_factory_that_raises_is_a_failed_attempt_not_a_crash() -> None:
    def broken() -> AsyncIterator[SourceItem]:
        raise RuntimeError("no such endpoint")

    fast = FeedConfig(backoff_initial_s=0.001, backoff_jitter_s=0.0, probe_interval_s=0.01)
    sup = FeedSupervisor("x", broken, print, clock=SimulatedClock(), config=fast)
    asyncio.run(run_until(sup, lambda: sup.stats.circuit_opens == 1))
    assert sup.stats.failures == 5
    assert sup.stats.connects == 0
