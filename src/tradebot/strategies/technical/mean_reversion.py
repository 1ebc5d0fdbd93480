"""Mean reversion: fade closes beyond the Bollinger bands when RSI is at an extreme."""

from __future__ import annotations

from tradebot.indicators.streaming import ADX, RSI, BollingerBands
from tradebot.model.data import Bar
from tradebot.model.regime import Regime
from tradebot.strategies.registry import register
from tradebot.strategies.technical._common import (
    LONG,
    SHORT,
    PerInstrument,
    TechnicalParams,
    TechnicalStrategy,
    bb_width_above,
    check_order,
    check_period,
    check_positive,
)


class MeanReversionParams(TechnicalParams, frozen=True, kw_only=True):
    """Parameters of ``mean_reversion``.

    Parameters
    ----------
    bb_period, bb_k : int, float
        Bollinger look-back and width in deviations (defaults 20 and 2).
    rsi_period : int
        RSI look-back (default 14).
    oversold, overbought : float
        RSI extremes that, with a close beyond the band, open a trade (defaults 30 and 70).
    stop_widths : float
        Stop beyond the entry in band half-widths (default 1).
    max_adx : float
        The idea is wrong in a trend: closed (and not entered) when ADX(14) exceeds this
        (default 30).
    expansion : float
        ... or when the band has widened this many times from its width at entry, above 1
        (default 2).
    size, long_only
        See the shared parameters.
    """

    bb_period: int = 20
    bb_k: float = 2.0
    rsi_period: int = 14
    oversold: float = 30.0
    overbought: float = 70.0
    stop_widths: float = 1.0
    max_adx: float = 30.0
    expansion: float = 2.0

    def validate(self) -> None:
        """Check periods and levels."""
        super().validate()
        check_period("bb_period", self.bb_period)
        check_period("rsi_period", self.rsi_period)
        check_positive("bb_k", self.bb_k)
        check_positive("stop_widths", self.stop_widths)
        check_order("oversold", self.oversold, "overbought", self.overbought)
        if not self.oversold > 0 or not self.overbought < 100:
            raise ValueError("parameters 'oversold' and 'overbought' must lie within (0, 100)")
        check_positive("max_adx", self.max_adx)
        if not self.expansion > 1:
            raise ValueError(f"parameter 'expansion' was {self.expansion}; it must exceed 1")


class _State:
    __slots__ = ("adx", "bb", "entry_half", "rsi")

    def __init__(self, p: MeanReversionParams) -> None:
        self.bb = BollingerBands(p.bb_period, p.bb_k)
        self.rsi = RSI(p.rsi_period)
        self.adx = ADX(14)
        self.entry_half = 0.0
        """Band half-width when the position was opened."""


@register
class MeanReversion(TechnicalStrategy[MeanReversionParams]):
    """Buy a close below the lower band with RSI < ``oversold``; sell short above the upper
    band with RSI > ``overbought``.

    Exits at the middle band (the target), at the stop (``stop_widths`` half-widths beyond
    the entry), or when the range breaks: ADX rises above ``max_adx`` or the band widens
    ``expansion`` times (both are also the invalidation conditions). Confidence grows with how
    far RSI is past its level and how far the close is outside the band.
    """

    name = "mean_reversion"
    params_type = MeanReversionParams
    regimes = frozenset({Regime.RANGING})

    def on_start(self) -> None:
        """Indicators per instrument."""
        super().on_start()
        self.state = PerInstrument(lambda: _State(self.params))

    def on_bar(self, bar: Bar) -> None:
        """Update, exit, then enter."""
        iid = bar.instrument_id
        s = self.state[iid]
        p = self.params
        close = bar.close
        upper, middle, lower = s.bb.update(close)
        rsi = s.rsi.update(close)
        adx = s.adx.update(bar.high, bar.low, close)
        if middle != middle or rsi != rsi:
            return
        side = self.side_of(iid)
        if side:
            if self.exit_on_plan(iid, close):
                return
            if (side == LONG and close >= middle) or (side == SHORT and close <= middle):
                self.exit(iid, "mean")
            elif adx == adx and adx > p.max_adx:
                self.exit(iid, "trend")
            elif upper - middle > p.expansion * s.entry_half:
                self.exit(iid, "expansion")
            return
        if adx == adx and adx > p.max_adx:
            return
        half = upper - middle
        if half <= 0:
            return
        s.entry_half = half
        invalidation = (
            f"adx_14 > {p.max_adx:g}",
            bb_width_above(p.bb_period, half / p.bb_k, middle, p.expansion),
        )
        if close < lower and rsi < p.oversold:
            depth = (lower - close) / half
            self.enter(
                iid,
                LONG,
                stop=close - p.stop_widths * half,
                target=middle,
                confidence=0.4 + (p.oversold - rsi) / (2 * p.oversold) + depth / 2,
                invalidation=invalidation,
                tag="oversold",
            )
        elif close > upper and rsi > p.overbought:
            depth = (close - upper) / half
            self.enter(
                iid,
                SHORT,
                stop=close + p.stop_widths * half,
                target=middle,
                confidence=0.4 + (rsi - p.overbought) / (2 * (100 - p.overbought)) + depth / 2,
                invalidation=invalidation,
                tag="overbought",
            )


__all__ = ["MeanReversion", "MeanReversionParams"]
