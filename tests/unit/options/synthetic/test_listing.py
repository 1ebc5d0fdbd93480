"""Expiry calendar, strike grid and spread model."""

from __future__ import annotations

import csv
import datetime as dt
import math

import numpy as np
import pytest

from tradebot.options.synthetic import ExpiryCalendar, SpreadModel, StrikeGrid, nice_step

from .conftest import RESOURCES

NS = 10**9


def _utc(ns: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(ns / NS, tz=dt.UTC)


def _ns(*args: int) -> int:
    return int(dt.datetime(*args, tzinfo=dt.UTC).timestamp()) * NS


def test_calendar_reproduces_the_real_deribit_listing_of_2020_05_14() -> None:
    path = RESOURCES / "deribit_BTC_option_chain_20200514_schepal.csv"
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    real = sorted({int(r["expiration_timestamp"]) * 10**6 for r in rows})
    snapshot = max(int(r["timestamp"]) for r in rows) * 10**6
    # Deribit then: today's and tomorrow's daily, three Fridays, two month ends, two quarters.
    calendar = ExpiryCalendar(dailies=2, weeklies=3, monthlies=2, quarterlies=2)
    assert calendar.expiries(snapshot) == real


def test_default_calendar_all_at_0800_utc_and_after_now() -> None:
    cal = ExpiryCalendar()
    for now in (
        _ns(2021, 1, 1, 7, 59, 59),
        _ns(2021, 1, 1, 8),
        _ns(2024, 2, 28, 23),
        _ns(2020, 12, 31),
    ):
        expiries = cal.expiries(now)
        assert expiries == sorted(set(expiries))
        assert all(e > now for e in expiries)
        for e in expiries:
            moment = _utc(e)
            assert (moment.hour, moment.minute, moment.second) == (8, 0, 0)
        days = [_utc(e).date() for e in expiries]
        first = _utc(now).date() + dt.timedelta(days=int(_utc(now).hour >= 8))
        assert days[:3] == [first + dt.timedelta(days=i) for i in range(3)]
        fridays = [d for d in days if d.weekday() == 4]
        assert len(fridays) >= 3
        # Every later expiry is the last Friday of its month.
        for d in days[6:]:
            assert d.weekday() == 4
            assert (d + dt.timedelta(days=7)).month != d.month


def test_calendar_exactly_at_expiry_lists_the_next_day() -> None:
    now = _ns(2021, 3, 5, 8)
    assert _utc(ExpiryCalendar().expiries(now)[0]).date() == dt.date(2021, 3, 6)


def test_calendar_refuses_an_empty_listing() -> None:
    with pytest.raises(ValueError, match="lists no expiries"):
        ExpiryCalendar(dailies=0, weeklies=0, monthlies=0, quarterlies=0)


@pytest.mark.parametrize(
    ("raw", "step"), [(230.0, 250.0), (250.0, 250.0), (251.0, 500.0), (0.7, 1.0), (1100.0, 2000.0)]
)
def test_nice_step(raw: float, step: float) -> None:
    assert nice_step(raw) == step


def test_strike_grid_around_spot_and_widening() -> None:
    grid = StrikeGrid(step_fraction=0.025, count=10)
    ks = grid.strikes(9_350.0, 2 / 365)
    assert len(ks) == 21
    assert np.all(np.diff(ks) == 250.0)
    assert ks[10] == 9_250.0 or ks[10] == 9_500.0
    assert abs(ks[10] - 9_350.0) <= 125.0
    later = grid.step_for(9_350.0, 90 / 365)
    assert later > 250.0
    assert later == nice_step(9_350.0 * 0.025 * math.sqrt(90 / 7))
    tiny = StrikeGrid(step=1_000.0, count=20).strikes(3_000.0, 0.1)
    assert tiny.min() > 0


def test_spread_on_the_tick_around_the_mark() -> None:
    model = SpreadModel(relative=0.025, min_ticks=1, coarse_tick=0.0005, coarse_above=0.005)
    mark = np.array([0.00003, 0.0012, 0.0049, 0.0101, 0.2345678])
    bid, ask = model.quotes(mark, 0.0001)
    assert np.isnan(bid[0])  # below one tick: no bid
    assert ask[0] == pytest.approx(0.0002)  # 0.00003 + one tick, rounded up to the tick
    ok = ~np.isnan(bid)
    assert np.all(bid[ok] <= mark[ok])
    assert np.all(ask >= mark)
    for b, a in zip(bid[ok], ask[ok], strict=True):
        tick_b = 0.0005 if b > 0.005 else 0.0001
        tick_a = 0.0005 if a > 0.005 else 0.0001
        assert abs(b / tick_b - round(b / tick_b)) < 1e-6
        assert abs(a / tick_a - round(a / tick_a)) < 1e-6
    half = np.maximum(0.0001, 0.025 * mark)
    assert np.all(ask - mark >= half - 1e-12)
    assert np.all(mark[ok] - bid[ok] >= half[ok] - 1e-12)
