"""Indicator values behind condition names: the naming scheme, sharing, and real-candle values."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from functools import cache
from itertools import islice
from typing import Any

import pytest

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
from tradebot.model.identifiers import InstrumentId
from tradebot.risk.exits import (
    ConditionError,
    IndicatorValues,
    compile_condition,
    is_known_name,
)
from tradebot.risk.exits import indicator_values as module
from tradebot.venues.files.catalog import open_dataset

BARS = 400  # past the longest warm-up (Ichimoku: 52 + 26)


@cache
def real_bars() -> tuple[Bar, ...]:
    """The first 4h BTC/USD candles of the bundled Coinbase dataset."""
    bars = tuple(e for e in islice(open_dataset("btc_usd_4h"), BARS) if isinstance(e, Bar))
    assert len(bars) == BARS
    return bars


def crafted(closes: list[float]) -> list[Bar]:
    iid = InstrumentId("TEST/USD", "TEST")
    return [Bar(iid, "1h", i, i + 1, c, c + 1.0, c - 1.0, c, 10.0) for i, c in enumerate(closes)]


# --- the naming scheme ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("foo", "unknown indicator 'foo'"),
        ("emax", "unknown indicator 'emax'"),
        ("Close", "unknown indicator 'Close'"),
        ("macd_12", "unknown indicator 'macd_12'"),
        ("ema", "indicator 'ema' needs a period"),
        ("sma", "indicator 'sma' needs a period"),
        ("ema_0", "indicator 'ema_0' has a bad period '0'"),
        ("ema_abc", "indicator 'ema_abc' has a bad period 'abc'"),
        ("ema_050", "indicator 'ema_050' has a bad period '050'"),
        ("ema_", "indicator 'ema_' has a bad period ''"),
        ("rsi_-3", "indicator 'rsi_-3' has a bad period '-3'"),
        ("sma_10001", "indicator 'sma_10001' has a bad period '10001'"),
        ("bb_upper_x", "indicator 'bb_upper_x' has a bad period 'x'"),
    ],
)
def test_unknown_names_and_bad_periods_are_refused(name: str, reason: str) -> None:
    with pytest.raises(ConditionError) as info:
        IndicatorValues(["close", name])
    assert str(info.value).startswith(reason)
    assert not is_known_name(name)


ALL_NAMES = [
    *("open", "high", "low", "close", "volume"),
    *("sma_5", "ema_50", "wma_10", "rsi", "rsi_7", "atr", "atr_5", "adx", "adx_7"),
    *("plus_di", "minus_di", "plus_di_7", "minus_di_7", "cci", "cci_20", "willr", "willr_9"),
    *("mfi", "mfi_10", "bb_upper", "bb_middle", "bb_lower", "bb_width", "bb_upper_10"),
    *("bb_middle_10", "bb_lower_10", "bb_width_10", "macd", "macd_signal", "macd_hist"),
    *("stoch_k", "stoch_d", "obv", "vwap", "supertrend", "supertrend_dir"),
    *("keltner_upper", "keltner_middle", "keltner_lower"),
    *("tenkan", "kijun", "span_a", "span_b", "chikou"),
]


def test_every_name_of_the_scheme_is_known_and_gets_a_value() -> None:
    assert all(is_known_name(name) for name in ALL_NAMES)
    values = IndicatorValues(ALL_NAMES)
    assert values.names == tuple(ALL_NAMES)
    assert set(values.values) == set(ALL_NAMES)
    assert all(math.isnan(v) for v in values.values.values())  # nothing seen yet
    for bar in real_bars():
        values.update(bar)
    assert all(math.isfinite(v) for v in values.values.values())


def test_repeated_names_are_kept_once() -> None:
    values = IndicatorValues(["adx", "close", "adx"])
    assert values.names == ("adx", "close")


def test_a_single_string_is_not_a_collection_of_names() -> None:
    with pytest.raises(ConditionError, match="collection of names"):
        IndicatorValues("adx")


# --- values equal the streaming indicators fed directly -----------------------------------------


def _close(ind: Any, bar: Bar) -> object:
    return ind.update(bar.close)


def _hlc(ind: Any, bar: Bar) -> object:
    return ind.update(bar.high, bar.low, bar.close)


def _hlcv(ind: Any, bar: Bar) -> object:
    return ind.update(bar.high, bar.low, bar.close, bar.volume)


def _attr(name: str) -> Callable[[Any], float]:
    return lambda ind: float(getattr(ind, name))


_VALUE = _attr("value")

DIRECT: dict[str, tuple[Callable[[], Any], Callable[[Any, Bar], object], Any]] = {
    "sma_5": (lambda: SMA(5), _close, _VALUE),
    "ema_50": (lambda: EMA(50), _close, _VALUE),
    "wma_10": (lambda: WMA(10), _close, _VALUE),
    "rsi": (lambda: RSI(14), _close, _VALUE),
    "rsi_7": (lambda: RSI(7), _close, _VALUE),
    "atr": (lambda: ATR(14), _hlc, _VALUE),
    "atr_5": (lambda: ATR(5), _hlc, _VALUE),
    "adx": (lambda: ADX(14), _hlc, _VALUE),
    "adx_7": (lambda: ADX(7), _hlc, _VALUE),
    "plus_di": (lambda: ADX(14), _hlc, _attr("plus_di")),
    "minus_di_7": (lambda: ADX(7), _hlc, _attr("minus_di")),
    "cci": (lambda: CCI(14), _hlc, _VALUE),
    "willr_9": (lambda: WilliamsR(9), _hlc, _VALUE),
    "mfi": (lambda: MFI(14), _hlcv, _VALUE),
    "bb_upper": (lambda: BollingerBands(20, 2.0), _close, _attr("upper")),
    "bb_middle_10": (lambda: BollingerBands(10, 2.0), _close, _attr("middle")),
    "bb_lower": (lambda: BollingerBands(20, 2.0), _close, _attr("lower")),
    "bb_width": (
        lambda: BollingerBands(20, 2.0),
        _close,
        lambda ind: (ind.upper - ind.lower) / ind.middle,
    ),
    "macd": (lambda: MACD(12, 26, 9), _close, _attr("macd")),
    "macd_signal": (lambda: MACD(12, 26, 9), _close, _attr("signal")),
    "macd_hist": (lambda: MACD(12, 26, 9), _close, _attr("hist")),
    "stoch_k": (lambda: Stochastic(14, 3), _hlc, _attr("k")),
    "stoch_d": (lambda: Stochastic(14, 3), _hlc, _attr("d")),
    "obv": (OBV, lambda ind, bar: ind.update(bar.close, bar.volume), _VALUE),
    "vwap": (VWAP, _hlcv, _VALUE),
    "supertrend": (lambda: SuperTrend(10, 3.0), _hlc, _attr("line")),
    "supertrend_dir": (lambda: SuperTrend(10, 3.0), _hlc, _attr("direction")),
    "keltner_upper": (lambda: Keltner(20, 2.0), _hlc, _attr("upper")),
    "keltner_middle": (lambda: Keltner(20, 2.0), _hlc, _attr("middle")),
    "keltner_lower": (lambda: Keltner(20, 2.0), _hlc, _attr("lower")),
    "tenkan": (lambda: Ichimoku(9, 26, 52), _hlc, _attr("tenkan")),
    "kijun": (lambda: Ichimoku(9, 26, 52), _hlc, _attr("kijun")),
    "span_a": (lambda: Ichimoku(9, 26, 52), _hlc, _attr("span_a")),
    "span_b": (lambda: Ichimoku(9, 26, 52), _hlc, _attr("span_b")),
    "chikou": (lambda: Ichimoku(9, 26, 52), _hlc, _attr("chikou")),
}


def _same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


def test_values_equal_each_streaming_indicator_fed_directly_on_real_candles() -> None:
    names = ["open", "high", "low", "close", "volume", *DIRECT]
    values = IndicatorValues(names)
    direct = {name: (make(), feed, read) for name, (make, feed, read) in DIRECT.items()}
    warmed: Counter[str] = Counter()
    for i, bar in enumerate(real_bars()):
        values.update(bar)
        got = values.values
        assert (got["open"], got["high"], got["low"], got["close"], got["volume"]) == (
            bar.open,
            bar.high,
            bar.low,
            bar.close,
            bar.volume,
        )
        for name, (ind, feed, read) in direct.items():
            feed(ind, bar)
            want = read(ind)
            assert _same(got[name], want), f"{name} at bar {i}: {got[name]} != {want}"
            warmed[name] += not math.isnan(want)
    assert min(warmed.values()) > BARS // 2  # the comparison covered warmed-up values


def test_macd_names_share_one_macd_and_equal_its_outputs() -> None:
    values = IndicatorValues(["macd_hist", "macd", "macd_signal"])
    macd = MACD(12, 26, 9)
    for bar in real_bars():
        values.update(bar)
        expected = macd.update(bar.close)
        got = values.values
        assert all(
            _same(a, b)
            for a, b in zip(
                (got["macd"], got["macd_signal"], got["macd_hist"]), expected, strict=True
            )
        )
    assert not math.isnan(values.values["macd_hist"])


@pytest.mark.parametrize(
    ("cls_name", "names"),
    [
        ("MACD", ["macd", "macd_signal", "macd_hist"]),
        ("BollingerBands", ["bb_upper", "bb_lower_20", "bb_middle", "bb_width_20"]),
        ("ADX", ["adx", "adx_14", "plus_di", "minus_di_14"]),
        ("Ichimoku", ["tenkan", "kijun", "span_a", "span_b", "chikou"]),
        ("SuperTrend", ["supertrend", "supertrend_dir"]),
    ],
)
def test_names_sharing_an_indicator_update_it_once_per_bar(
    monkeypatch: pytest.MonkeyPatch, cls_name: str, names: list[str]
) -> None:
    calls: Counter[str] = Counter()
    original = getattr(module, cls_name)

    class Counting(original):  # type: ignore[misc, valid-type]
        __slots__ = ()

        def update(self, *args: float) -> object:
            calls["update"] += 1
            return super().update(*args)

    monkeypatch.setattr(module, cls_name, Counting)
    values = IndicatorValues(names)
    for bar in real_bars()[:50]:
        values.update(bar)
    assert calls["update"] == 50


def test_different_periods_are_different_indicators() -> None:
    values = IndicatorValues(["ema_10", "ema_20", "bb_upper_10", "bb_upper"])
    for bar in real_bars():
        values.update(bar)
    got = values.values
    assert got["ema_10"] != got["ema_20"]
    assert got["bb_upper_10"] != got["bb_upper"]


# --- conditions over the values ---------------------------------------------------------------


def test_a_condition_flips_at_the_bar_computed_by_hand() -> None:
    # closes 10 11 12 13 9 14 8; sma_3 from the third bar: 11, 12, 11.33, 12, 10.33
    condition = compile_condition("close < sma_3", is_known_name)
    values = IndicatorValues(condition.names)
    seen = []
    for bar in crafted([10, 11, 12, 13, 9, 14, 8]):
        values.update(bar)
        seen.append(condition.evaluate(values.values))
    assert seen == [False, False, False, False, True, False, True]


def test_a_warming_up_indicator_does_not_invalidate_even_when_negated() -> None:
    condition = compile_condition("not (close > sma_3) or close > 100", is_known_name)
    values = IndicatorValues(condition.names)
    seen = []
    for bar in crafted([10, 9, 8, 7, 200]):
        values.update(bar)
        seen.append(condition.evaluate(values.values))
    # sma_3 is NaN for two bars; then close 8 < 9 and 7 < 8 (not above); then close > 100
    assert seen == [False, False, True, True, True]


def test_conditions_from_signals_run_on_real_candles() -> None:
    texts = [
        "adx < 25",
        "close < ema_50",
        "rsi_14 > 70 and close > bb_upper",
        "(macd_hist < 0) or not (supertrend_dir > 0)",
        "close < kijun and close < span_b",
    ]
    conditions = [compile_condition(t, is_known_name) for t in texts]
    values = IndicatorValues(set().union(*(c.names for c in conditions)))
    fired: Counter[str] = Counter()
    for bar in real_bars():
        values.update(bar)
        for c in conditions:
            fired[c.text] += c.evaluate(values.values)
    assert set(fired) == set(texts)
    assert all(0 < n < BARS for n in fired.values()), fired
