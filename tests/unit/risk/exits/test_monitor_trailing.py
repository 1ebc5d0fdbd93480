"""Trailing exits on crafted paths: every profit-lock tier, the pullback, leverage, and bars whose
high and low come in an unknown order."""

from __future__ import annotations

import pytest

from tradebot.model.data import Bar
from tradebot.model.identifiers import InstrumentId, StrategyId
from tradebot.risk.exits import ExitMonitor, ExitReason, ExitSettings

IID = InstrumentId("BTC/USDT:USDT", "T")
SID = StrategyId("s1")
H = 3_600 * 10**9
LONG, SHORT = 1, -1
NO_TTL = ExitSettings(ttl_hours=None)

Prices = tuple[float, float, float, float]
"""open, high, low, close of a long's path; a short's path is its mirror around 100."""


def mirror(prices: Prices) -> Prices:
    """The same profits for a short entered at 100: p -> 200 - p (high and low swap)."""
    o, h, low, c = prices
    return 200 - o, 200 - low, 200 - h, 200 - c


def bars(path: list[Prices], side: int = LONG) -> list[Bar]:
    """Hourly bars after an entry at time 0; mirrored for a short."""
    out = []
    for i, prices in enumerate(path):
        o, h, low, c = prices if side == LONG else mirror(prices)
        out.append(Bar(IID, "1h", i * H, (i + 1) * H, o, h, low, c, 1.0))
    return out


def monitor_for(side: int, leverage: float = 1.0, exits: ExitSettings = NO_TTL) -> ExitMonitor:
    monitor = ExitMonitor(exits)
    monitor.open(SID, IID, side, 100.0, 0, leverage)
    return monitor


def fired(monitor: ExitMonitor, path: list[Bar]) -> list[tuple[int, ExitReason, float]]:
    """(bar index, reason, price hint) of every decision along ``path``."""
    return [(i, d.reason, d.price_hint) for i, b in enumerate(path) for d in monitor.on_bar(b)]


# Each path reaches a tier on bar 0, then its lows drift down. The lock fires on the first low
# whose profit is at or below the lock; every close stays above the pullback limit (peak x 0.7),
# so the pullback never fires first.
TIER_PATHS = {
    # +8 % locks +3 % (price 103); pullback limit 0.056 (close 105.6)
    "tier 1": (
        [
            (100, 108, 100, 107),  # peak +8 %
            (107, 107.5, 104, 106),  # low +4.0 %
            (106, 106.5, 103.5, 105.8),  # low +3.5 %
            (105.8, 106, 102.9, 105.7),  # low +2.9 % <= +3 %: fires, close +5.7 % > 5.6 %
        ],
        3,
        103.0,
    ),
    # +15 % locks +8 % (price 108); pullback limit 0.105
    "tier 2": (
        [
            (100, 115, 100, 114),
            (114, 114, 110, 112),  # low +10 %
            (112, 112.5, 108.5, 111),  # low +8.5 %
            (111, 111, 107.9, 111),  # low +7.9 % <= +8 %: fires
        ],
        3,
        108.0,
    ),
    # +25 % locks +15 % (price 115); pullback limit 0.175
    "tier 3": (
        [
            (100, 125, 100, 124),
            (124, 124, 119, 120),  # low +19 %, close +20 %
            (120, 120, 116, 118),  # low +16 %, close +18 %
            (118, 118.5, 114.9, 118),  # low +14.9 % <= +15 %: fires
        ],
        3,
        115.0,
    ),
}


@pytest.mark.parametrize("side", [LONG, SHORT], ids=["long", "short"])
@pytest.mark.parametrize("tier", list(TIER_PATHS))
def test_each_tier_locks_its_profit_and_fires_on_the_bar_computed_by_hand(
    tier: str, side: int
) -> None:
    path, at, lock_price = TIER_PATHS[tier]
    expected_hint = lock_price if side == LONG else 200 - lock_price
    [(i, reason, hint)] = fired(monitor_for(side), bars(path, side))
    assert (i, reason) == (at, ExitReason.TRAILING)
    assert hint == pytest.approx(expected_hint)


def test_the_lock_climbs_tier_by_tier_and_the_detail_names_it() -> None:
    monitor = monitor_for(LONG)
    path = bars(
        [
            (100, 108, 100, 107.5),  # +8 %: lock +3 %
            (107.5, 115, 107, 114.5),  # +15 %: lock +8 %
            (114.5, 125, 114, 124),  # +25 %: lock +15 %
            (124, 124.5, 118, 120),  # low +18 %, close +20 % > 17.5 %
            (120, 121, 114.9, 119),  # low +14.9 % <= +15 %
        ]
    )
    locks = []
    for b in path[:4]:
        assert monitor.on_bar(b) == []
        locks.append(monitor.plans()[0].locked_profit)
    assert locks == [0.03, 0.08, 0.15, 0.15]
    assert monitor.plans()[0].peak_profit == pytest.approx(0.25)
    [decision] = monitor.on_bar(path[4])
    assert decision.reason is ExitReason.TRAILING
    assert decision.detail == "profit lock +15.00% (115.0) touched by low 114.9"


def test_short_lock_detail_names_the_high() -> None:
    monitor = monitor_for(SHORT)
    decisions = [d for b in bars(TIER_PATHS["tier 1"][0], SHORT) for d in monitor.on_bar(b)]
    assert [d.detail for d in decisions] == ["profit lock +3.00% (97.0) touched by high 97.1"]


# --- the order of high and low inside a bar ---------------------------------------------------


def test_a_lock_raised_by_a_bar_is_checked_against_its_close_only() -> None:
    """High 108 then low 98, or low 98 then high 108: the bar cannot tell, so its low does not
    count against the lock its own high raised; the close, which came after both, does."""
    monitor = monitor_for(LONG)
    path = bars([(100, 108, 98, 107), (107, 107, 102, 106)])
    assert monitor.on_bar(path[0]) == []  # close +7 % is above the lock and the pullback limit
    assert monitor.plans()[0].locked_profit == 0.03
    [decision] = monitor.on_bar(path[1])  # now the lock is older than the bar: the low counts
    assert (decision.reason, decision.price_hint) == (ExitReason.TRAILING, pytest.approx(103.0))


def test_a_bar_that_raises_a_lock_and_closes_below_it_fires_at_the_lock() -> None:
    monitor = monitor_for(LONG)
    [decision] = monitor.on_bar(bars([(100, 109, 100, 102.5)])[0])
    assert (decision.reason, decision.price_hint) == (ExitReason.TRAILING, pytest.approx(103.0))
    assert decision.detail == "profit lock +3.00% (103.0) crossed: close 102.5 after high 109.0"


def test_a_bar_that_opens_below_the_lock_is_hinted_at_its_open() -> None:
    monitor = monitor_for(LONG)
    path = bars([(100, 108, 100, 107), (101, 102, 100.5, 101.5)])
    [(i, _, hint)] = fired(monitor, path)
    assert (i, hint) == (1, 101.0)


def test_shorter_bars_then_the_longer_bar_they_make_do_not_double_count() -> None:
    """Minute 0 dips to 97, minute 1 rises to 108 and locks +3 %. The 2-minute bar that follows
    has low 97 and high 108; read on its own it would look like a fall through the lock."""
    m = H // 60
    monitor = monitor_for(LONG)
    minutes = [
        Bar(IID, "1m", 0, m, 100, 100, 97, 98, 1.0),
        Bar(IID, "1m", m, 2 * m, 98, 108, 98, 107.5, 1.0),
    ]
    assert [monitor.on_bar(b) for b in minutes] == [[], []]
    assert monitor.on_bar(Bar(IID, "2m", 0, 2 * m, 100, 108, 97, 107.5, 1.0)) == []
    [decision] = monitor.on_bar(Bar(IID, "1m", 2 * m, 3 * m, 107.5, 107.5, 102.9, 106, 1.0))
    assert decision.reason is ExitReason.TRAILING


def test_single_prices_raise_and_hit_the_lock() -> None:
    # pullback 1.0 (exit at no profit): the default would exit at 103.5, 56 % below the peak
    monitor = monitor_for(LONG, exits=ExitSettings(ttl_hours=None, pullback=1.0))
    assert [monitor.on_price(IID, p, t) for t, p in enumerate([104.0, 108.0, 103.5], 1)] == [
        [],
        [],
        [],
    ]
    [decision] = monitor.on_price(IID, 102.9, 4)
    assert (decision.price_hint, decision.detail) == (
        102.9,
        "profit lock +3.00% (103.0) passed by price 102.9",
    )


# --- pullback ---------------------------------------------------------------------------------

# Peak +10 % (tier 1 reached, lock +3 %): the pullback limit is 0.10 x 0.7 = +7 %.
PULLBACK_PATH: list[Prices] = [
    (100, 110, 100, 109),  # peak +10 %
    (109, 109, 107.5, 107.5),  # close +7.5 % > +7 %
    (107.5, 108, 106.9, 106.9),  # close +6.9 % <= +7 %: fires at the close
]


@pytest.mark.parametrize("side", [LONG, SHORT], ids=["long", "short"])
def test_pullback_of_30_percent_from_the_peak(side: int) -> None:
    monitor = monitor_for(side)
    decisions = [(i, d) for i, b in enumerate(bars(PULLBACK_PATH, side)) for d in monitor.on_bar(b)]
    [(i, decision)] = decisions
    assert (i, decision.reason) == (2, ExitReason.TRAILING)
    assert decision.price_hint == pytest.approx(106.9 if side == LONG else 93.1)
    close = "106.9" if side == LONG else "93.1"
    assert decision.detail == (
        f"profit +6.90% at close {close} fell 31% from its peak +10.00% (limit 30%)"
    )


def test_no_pullback_before_a_tier_is_reached() -> None:
    path = bars([(100, 107, 100, 106.5), (106.5, 106.5, 100.5, 100.5)])  # peak +7 %, then +0.5 %
    assert fired(monitor_for(LONG), path) == []


def test_trailing_off_ignores_tiers_and_pullback() -> None:
    monitor = monitor_for(LONG, exits=ExitSettings(trailing=False, ttl_hours=None))
    assert fired(monitor, bars(PULLBACK_PATH + TIER_PATHS["tier 3"][0])) == []
    assert monitor.plans()[0].locked_profit is None


# --- leverage ---------------------------------------------------------------------------------

# 2x: +4 % in price is +8 % leveraged, locking +3 % leveraged = +1.5 % in price (101.5).
LEVERED_PATH: list[Prices] = [
    (100, 104, 100, 103.8),  # peak +8 % (2 x 4 %), close +7.6 % > 5.6 %
    (103.8, 103.8, 101.4, 103.5),  # low 2 x 1.4 % = +2.8 % <= +3 %: fires at 101.5
]


@pytest.mark.parametrize("side", [LONG, SHORT], ids=["long", "short"])
def test_leverage_reaches_the_first_tier_on_a_4_percent_move(side: int) -> None:
    monitor = monitor_for(side, leverage=2.0)
    path = bars(LEVERED_PATH, side)
    assert monitor.on_bar(path[0]) == []
    [plan] = monitor.plans()
    assert (plan.peak_profit, plan.locked_profit) == (pytest.approx(0.08), 0.03)
    [decision] = monitor.on_bar(path[1])
    assert decision.reason is ExitReason.TRAILING
    assert decision.price_hint == pytest.approx(101.5 if side == LONG else 98.5)


def test_without_use_leverage_the_same_move_stays_below_the_tier() -> None:
    monitor = monitor_for(LONG, 2.0, ExitSettings(ttl_hours=None, use_leverage=False))
    assert fired(monitor, bars(LEVERED_PATH)) == []
    [plan] = monitor.plans()
    assert (plan.peak_profit, plan.locked_profit) == (pytest.approx(0.04), None)


# --- pyramiding -------------------------------------------------------------------------------


def test_pyramiding_re_bases_the_peak_on_the_new_average_entry() -> None:
    """Best 108 over an average entry of 104 is +3.8 %: below the first tier, so no lock."""
    path = bars([(100, 108, 100, 107.5), (107, 107, 103, 104)])
    monitor = monitor_for(LONG)
    monitor.on_bar(path[0])
    plan = monitor.open(SID, IID, LONG, 104.0, H, 1.0)
    assert (plan.peak_profit, plan.locked_profit) == (pytest.approx(4 / 104), None)
    assert monitor.on_bar(path[1]) == []
    unchanged = monitor_for(LONG)  # without the addition the low 103 hits the +3 % lock
    assert [reason for _, reason, _ in fired(unchanged, path)] == [ExitReason.TRAILING]


def test_single_prices_pull_back_too() -> None:
    monitor = monitor_for(LONG)
    assert monitor.on_price(IID, 110.0, 1) == []  # peak +10 %: the limit is +7 %
    assert monitor.on_price(IID, 107.5, 2) == []
    [decision] = monitor.on_price(IID, 106.9, 3)
    assert (decision.reason, decision.price_hint) == (ExitReason.TRAILING, 106.9)
