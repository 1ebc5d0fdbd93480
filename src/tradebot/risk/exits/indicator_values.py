"""The latest value of every indicator that some conditions read, kept up to date bar by bar.

Names follow :mod:`tradebot.risk.exits.names`. Each underlying streaming indicator is built and
updated once per bar however many names read it (``macd``, ``macd_signal`` and ``macd_hist``
share one MACD; ``adx_14`` and ``plus_di`` share one ADX), so watching more conditions costs
little more than watching one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from tradebot.indicators.streaming import (
    ADX,
    ATR,
    CCI,
    EMA,
    MACD,
    MFI,
    OBV,
    RSI,
    SMA,
    VWAP,
    WMA,
    BollingerBands,
    Ichimoku,
    Keltner,
    Stochastic,
    SuperTrend,
    WilliamsR,
)
from tradebot.model.data import Bar
from tradebot.risk.exits.errors import ConditionError
from tradebot.risk.exits.names import PRICE_FIELDS, is_known_name, parse_name

_NAN = float("nan")

_Feed = Callable[[Bar], tuple[float, ...]]
"""Updates one indicator with a bar and returns all its outputs."""


def _bar(_: int) -> _Feed:
    return lambda bar: (bar.open, bar.high, bar.low, bar.close, bar.volume)


def _sma(n: int) -> _Feed:
    ind = SMA(n)
    return lambda bar: (ind.update(bar.close),)


def _ema(n: int) -> _Feed:
    ind = EMA(n)
    return lambda bar: (ind.update(bar.close),)


def _wma(n: int) -> _Feed:
    ind = WMA(n)
    return lambda bar: (ind.update(bar.close),)


def _rsi(n: int) -> _Feed:
    ind = RSI(n)
    return lambda bar: (ind.update(bar.close),)


def _atr(n: int) -> _Feed:
    ind = ATR(n)
    return lambda bar: (ind.update(bar.high, bar.low, bar.close),)


def _adx(n: int) -> _Feed:
    ind = ADX(n)

    def feed(bar: Bar) -> tuple[float, ...]:
        return ind.update(bar.high, bar.low, bar.close), ind.plus_di, ind.minus_di

    return feed


def _cci(n: int) -> _Feed:
    ind = CCI(n)
    return lambda bar: (ind.update(bar.high, bar.low, bar.close),)


def _willr(n: int) -> _Feed:
    ind = WilliamsR(n)
    return lambda bar: (ind.update(bar.high, bar.low, bar.close),)


def _mfi(n: int) -> _Feed:
    ind = MFI(n)
    return lambda bar: (ind.update(bar.high, bar.low, bar.close, bar.volume),)


def _bb(n: int) -> _Feed:
    ind = BollingerBands(n, 2.0)

    def feed(bar: Bar) -> tuple[float, ...]:
        upper, middle, lower = ind.update(bar.close)
        return upper, middle, lower, (upper - lower) / middle if middle else _NAN

    return feed


def _macd(_: int) -> _Feed:
    ind = MACD(12, 26, 9)
    return lambda bar: ind.update(bar.close)


def _stoch(_: int) -> _Feed:
    ind = Stochastic(14, 3)
    return lambda bar: ind.update(bar.high, bar.low, bar.close)


def _obv(_: int) -> _Feed:
    ind = OBV()
    return lambda bar: (ind.update(bar.close, bar.volume),)


def _vwap(_: int) -> _Feed:
    ind = VWAP()
    return lambda bar: (ind.update(bar.high, bar.low, bar.close, bar.volume),)


def _supertrend(_: int) -> _Feed:
    ind = SuperTrend(10, 3.0)
    return lambda bar: ind.update(bar.high, bar.low, bar.close)


def _keltner(_: int) -> _Feed:
    ind = Keltner(20, 2.0)
    return lambda bar: ind.update(bar.high, bar.low, bar.close)


def _ichimoku(_: int) -> _Feed:
    ind = Ichimoku(9, 26, 52)
    return lambda bar: ind.update(bar.high, bar.low, bar.close)


_SOURCES: dict[str, tuple[Callable[[int], _Feed], tuple[str, ...]]] = {
    "bar": (_bar, PRICE_FIELDS),
    "sma": (_sma, ("value",)),
    "ema": (_ema, ("value",)),
    "wma": (_wma, ("value",)),
    "rsi": (_rsi, ("value",)),
    "atr": (_atr, ("value",)),
    "adx": (_adx, ("value", "plus_di", "minus_di")),
    "cci": (_cci, ("value",)),
    "willr": (_willr, ("value",)),
    "mfi": (_mfi, ("value",)),
    "bb": (_bb, ("upper", "middle", "lower", "width")),
    "macd": (_macd, ("macd", "signal", "hist")),
    "stoch": (_stoch, ("k", "d")),
    "obv": (_obv, ("value",)),
    "vwap": (_vwap, ("value",)),
    "supertrend": (_supertrend, ("line", "direction")),
    "keltner": (_keltner, ("upper", "middle", "lower")),
    "ichimoku": (_ichimoku, ("tenkan", "kijun", "span_a", "span_b", "chikou")),
}
"""Per source: how to build its feed for a period, and the order of the outputs it returns."""


class IndicatorValues:
    """Streaming indicators behind a set of names, and their latest values.

    Call :meth:`update` with every bar of the instrument and timeframe the conditions watch;
    :attr:`values` then maps each name to its latest value (NaN while warming up), ready for
    ``Condition.evaluate``.

    Raises
    ------
    ConditionError
        If a name is unknown or has a bad period (``ema_0``, ``ema_abc``), naming it.
    """

    __slots__ = ("_feeds", "names", "values")

    def __init__(self, names: Iterable[str]) -> None:
        if isinstance(names, str):
            raise ConditionError(f"IndicatorValues needs a collection of names, not {names!r}")
        wanted = tuple(dict.fromkeys(names))
        sources: dict[tuple[str, int], tuple[_Feed, list[tuple[str, int]]]] = {}
        for name in wanted:
            spec = parse_name(name)
            build, outputs = _SOURCES[spec.source]
            key = (spec.source, spec.period)
            if key not in sources:
                sources[key] = (build(spec.period), [])
            sources[key][1].append((name, outputs.index(spec.output)))
        self._feeds = tuple((feed, tuple(slots)) for feed, slots in sources.values())
        self.names = wanted
        """The names asked for, without repeats, in the order given."""
        self.values: dict[str, float] = dict.fromkeys(wanted, _NAN)
        """Latest value per name; NaN until its indicator has warmed up."""

    def update(self, bar: Bar) -> None:
        """Feed ``bar`` to each indicator once and refresh :attr:`values`."""
        values = self.values
        for feed, slots in self._feeds:
            outputs = feed(bar)
            for name, index in slots:
                values[name] = outputs[index]


__all__ = ["IndicatorValues", "is_known_name"]
