"""Indicator values of one instrument and timeframe, shared by every plan that reads them.

Plans ask for names as they open; the union grows and never shrinks, so the indicators stay warm
for the next trade on the instrument. A name first asked for later gets its own new indicator,
which warms up from that moment (``sma_50`` reads NaN, and so never invalidates, for 49 bars);
the names already there keep their state instead of being rebuilt with the union.
"""

from __future__ import annotations

from collections.abc import Iterable

from tradebot.model.data import Bar
from tradebot.risk.exits.indicator_values import IndicatorValues


class SharedValues:
    """The latest values of every name some plan of one instrument reads on one timeframe.

    ``timeframe`` None binds to the timeframe of the first bar fed: an instrument seen on several
    timeframes (the data's bars and longer ones built from them) must not mix them in one
    indicator, so bars of any other timeframe are ignored.
    """

    __slots__ = ("_parts", "timeframe", "values")

    def __init__(self, timeframe: str | None = None) -> None:
        self._parts: list[IndicatorValues] = []
        self.timeframe = timeframe
        """Bars of this timeframe feed the indicators; None until the first bar."""
        self.values: dict[str, float] = {}
        """Latest value per name (NaN while warming up), for ``Condition.evaluate``."""

    def add(self, names: Iterable[str]) -> None:
        """Start indicators for the names not yet watched.

        Raises
        ------
        ConditionError
            If a name is not in the naming scheme (nothing is added then).
        """
        new = [name for name in dict.fromkeys(names) if name not in self.values]
        if new:
            part = IndicatorValues(new)
            self._parts.append(part)
            self.values.update(part.values)

    def update(self, bar: Bar) -> bool:
        """Feed ``bar`` if it has the timeframe watched; True when it did."""
        if self.timeframe is None:
            self.timeframe = bar.timeframe
        elif bar.timeframe != self.timeframe:
            return False
        values = self.values
        for part in self._parts:
            part.update(bar)
            values.update(part.values)
        return True


__all__ = ["SharedValues"]
