"""Which expiries a Deribit-like venue lists at a given moment.

A synthetic chain must offer the expiries a strategy would really find: Deribit lists dailies
for the next few days, weekly Fridays, the last Friday of the next months and the quarterly
last Fridays, all expiring at 08:00 UTC. A strategy that wants "the nearest expiry at least an
hour away" then meets the same choices as in live trading, and dailies make a 4h backtest
cross (and settle) an expiry every day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tradebot.options.pricing.time import DERIBIT_EXPIRY_HOUR_UTC, deribit_expiry_ns

_FRIDAY = 4
_QUARTER_MONTHS = (3, 6, 9, 12)


def _last_friday(year: int, month: int) -> dt.date:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    last = nxt - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() - _FRIDAY) % 7)


def _add_months(year: int, month: int, n: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + n
    return index // 12, index % 12 + 1


@dataclass(frozen=True, slots=True)
class ExpiryCalendar:
    """Listed expiries: dailies, weeklies, monthlies and quarterlies, all at ``hour_utc``.

    Parameters
    ----------
    dailies : int
        Consecutive days listed ahead (Deribit: 3-4), weekends included (crypto trades daily).
    weeklies : int
        Fridays listed ahead.
    monthlies : int
        Last Fridays of the coming months.
    quarterlies : int
        Last Fridays of March, June, September and December beyond the monthlies.
    hour_utc : int
        Expiry hour (Deribit: 08:00 UTC).
    """

    dailies: int = 3
    weeklies: int = 3
    monthlies: int = 3
    quarterlies: int = 2
    hour_utc: int = DERIBIT_EXPIRY_HOUR_UTC

    def __post_init__(self) -> None:
        for name in ("dailies", "weeklies", "monthlies", "quarterlies"):
            if getattr(self, name) < 0:
                raise ValueError(f"calendar '{name}' must be zero or more")
        if self.dailies + self.weeklies + self.monthlies + self.quarterlies == 0:
            raise ValueError("the calendar lists no expiries; give at least one")
        if not 0 <= self.hour_utc <= 23:
            raise ValueError(f"calendar 'hour_utc' must be 0..23, got {self.hour_utc}")

    def _ns(self, day: dt.date) -> int:
        shift = (self.hour_utc - DERIBIT_EXPIRY_HOUR_UTC) * 3_600_000_000_000
        return deribit_expiry_ns(day) + shift

    def expiries(self, ts_ns: int) -> list[int]:
        """Expiries (epoch ns) listed at ``ts_ns``, soonest first, all strictly after it."""
        now = dt.datetime.fromtimestamp(ts_ns // 1_000_000_000, tz=dt.UTC)
        first = now.date()
        if self._ns(first) <= ts_ns:
            first += dt.timedelta(days=1)
        days: set[dt.date] = {first + dt.timedelta(days=i) for i in range(self.dailies)}
        friday = first + dt.timedelta(days=(_FRIDAY - first.weekday()) % 7)
        days.update(friday + dt.timedelta(weeks=i) for i in range(self.weeklies))
        months: list[dt.date] = []
        year, month = first.year, first.month
        while len(months) < self.monthlies:
            day = _last_friday(year, month)
            if day >= first:
                months.append(day)
            year, month = _add_months(year, month, 1)
        days.update(months)
        quarters = 0
        while quarters < self.quarterlies:
            if month in _QUARTER_MONTHS:
                day = _last_friday(year, month)
                if day >= first and day not in days:
                    days.add(day)
                    quarters += 1
            year, month = _add_months(year, month, 1)
        return sorted(self._ns(d) for d in days)


__all__ = ["ExpiryCalendar"]
