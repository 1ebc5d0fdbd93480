"""The naming scheme of indicator values in conditions: ``ema_50``, ``rsi``, ``bb_upper_20``...

Only parses names; :mod:`tradebot.risk.exits.indicator_values` builds the indicators. Kept apart
so that the condition compiler can quote the scheme in its errors without importing indicators.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tradebot.risk.exits.errors import ConditionError

MAX_PERIOD = 10_000
"""Largest period a name may ask for: a typo such as ``sma_2000000`` must not allocate gigabytes."""

PRICE_FIELDS = ("open", "high", "low", "close", "volume")

NAMING_SCHEME = (
    "names are the bar's open, high, low, close, volume; sma_N, ema_N, wma_N (N = period); "
    "rsi, atr, adx, plus_di, minus_di, cci, willr, mfi (period 14, or _N); "
    "bb_upper, bb_middle, bb_lower, bb_width (20 bars, k = 2, or _N); "
    "macd, macd_signal, macd_hist (12, 26, 9); stoch_k, stoch_d (14, 3); obv; vwap; "
    "supertrend, supertrend_dir (10, 3.0); keltner_upper, keltner_middle, keltner_lower (20, 2.0); "
    "tenkan, kijun, span_a, span_b, chikou (9, 26, 52)"
)
"""One-line summary of the scheme, quoted in errors about unknown names."""


@dataclass(frozen=True, slots=True)
class IndicatorName:
    """What a name refers to: one output of one streaming indicator (or a field of the bar).

    Names with equal ``source`` and ``period`` share one indicator instance.
    """

    source: str
    """Which indicator: ``bar``, ``sma``, ``bb``, ``adx``, ``macd``..."""
    period: int
    """Its period, or 0 for indicators with fixed parameters."""
    output: str
    """Which of its outputs, e.g. ``upper`` of ``bb`` or ``plus_di`` of ``adx``."""


_FIXED: dict[str, tuple[str, str]] = {
    **{field: ("bar", field) for field in PRICE_FIELDS},
    "macd": ("macd", "macd"),
    "macd_signal": ("macd", "signal"),
    "macd_hist": ("macd", "hist"),
    "stoch_k": ("stoch", "k"),
    "stoch_d": ("stoch", "d"),
    "obv": ("obv", "value"),
    "vwap": ("vwap", "value"),
    "supertrend": ("supertrend", "line"),
    "supertrend_dir": ("supertrend", "direction"),
    "keltner_upper": ("keltner", "upper"),
    "keltner_middle": ("keltner", "middle"),
    "keltner_lower": ("keltner", "lower"),
    "tenkan": ("ichimoku", "tenkan"),
    "kijun": ("ichimoku", "kijun"),
    "span_a": ("ichimoku", "span_a"),
    "span_b": ("ichimoku", "span_b"),
    "chikou": ("ichimoku", "chikou"),
}
"""Names without a period: (source, output)."""

_WITH_PERIOD: dict[str, tuple[str, str, int | None]] = {
    "sma": ("sma", "value", None),
    "ema": ("ema", "value", None),
    "wma": ("wma", "value", None),
    "rsi": ("rsi", "value", 14),
    "atr": ("atr", "value", 14),
    "adx": ("adx", "value", 14),
    "plus_di": ("adx", "plus_di", 14),
    "minus_di": ("adx", "minus_di", 14),
    "cci": ("cci", "value", 14),
    "willr": ("willr", "value", 14),
    "mfi": ("mfi", "value", 14),
    "bb_upper": ("bb", "upper", 20),
    "bb_middle": ("bb", "middle", 20),
    "bb_lower": ("bb", "lower", 20),
    "bb_width": ("bb", "width", 20),
}
"""Names that take ``_N``: (source, output, default period or None when N is required)."""

_PERIOD_NAME = re.compile(
    "(?P<base>{})(?:_(?P<period>.*))?".format(
        "|".join(sorted(_WITH_PERIOD, key=len, reverse=True))
    ),
    re.DOTALL,
)
_PERIOD = re.compile(r"[1-9][0-9]{0,5}")


def parse_name(name: str) -> IndicatorName:
    """What ``name`` refers to.

    Raises
    ------
    ConditionError
        If the name is not in the scheme, or its period is missing, zero, not a plain whole
        number (``ema_abc``, ``ema_050``) or above :data:`MAX_PERIOD`.
    """
    fixed = _FIXED.get(name)
    if fixed is not None:
        return IndicatorName(fixed[0], 0, fixed[1])
    match = _PERIOD_NAME.fullmatch(name)
    if match is None:
        raise ConditionError(f"unknown indicator {name!r}; {NAMING_SCHEME}")
    base, suffix = match["base"], match["period"]
    source, output, default = _WITH_PERIOD[base]
    if suffix is None:
        if default is None:
            raise ConditionError(f"indicator {name!r} needs a period, e.g. '{base}_50'")
        return IndicatorName(source, default, output)
    if _PERIOD.fullmatch(suffix) is None or int(suffix) > MAX_PERIOD:
        raise ConditionError(
            f"indicator {name!r} has a bad period {suffix!r}; "
            f"it must be a whole number from 1 to {MAX_PERIOD} without leading zeros"
        )
    return IndicatorName(source, int(suffix), output)


def is_known_name(name: str) -> bool:
    """True when ``name`` is in the scheme (usable as ``known`` for ``compile_condition``)."""
    try:
        parse_name(name)
    except ConditionError:
        return False
    return True


__all__ = [
    "MAX_PERIOD",
    "NAMING_SCHEME",
    "PRICE_FIELDS",
    "IndicatorName",
    "is_known_name",
    "parse_name",
]
