"""Ichimoku cloud: trade when price, the conversion lines and the lagging line all agree."""

from __future__ import annotations

from tradebot.indicators.streaming import Ichimoku
from tradebot.model.data import Bar
from tradebot.model.regime import Regime
from tradebot.strategies.registry import register
from tradebot.strategies.technical._common import (
    LONG,
    SHORT,
    PerInstrument,
    TechnicalParams,
    TechnicalStrategy,
    against,
    check_order,
    check_period,
    check_positive,
    price_text,
)


class IchimokuParams(TechnicalParams, frozen=True, kw_only=True):
    """Parameters of ``ichimoku``.

    Parameters
    ----------
    tenkan, kijun, senkou : int
        Look-backs of the conversion line, base line and leading span B (defaults 9, 26, 52).
    reward_ratio : float
        Target as a multiple of the distance to the stop (the base line) (default 2).
    size, long_only
        See the shared parameters.
    """

    tenkan: int = 9
    kijun: int = 26
    senkou: int = 52
    reward_ratio: float = 2.0

    def validate(self) -> None:
        """Check the look-backs."""
        super().validate()
        check_period("tenkan", self.tenkan)
        check_order("tenkan", self.tenkan, "kijun", self.kijun)
        check_order("kijun", self.kijun, "senkou", self.senkou)
        check_positive("reward_ratio", self.reward_ratio)


class _State:
    __slots__ = ("cloud", "previous")

    def __init__(self, p: IchimokuParams) -> None:
        self.cloud = Ichimoku(p.tenkan, p.kijun, p.senkou)
        self.previous = 0


@register
class IchimokuCloud(TechnicalStrategy[IchimokuParams]):
    """Long when the close is above the cloud, the conversion line above the base line and the
    close above its lagging reference (the close ``kijun`` bars ago); short mirrored. Entries
    happen when that alignment appears, not while it merely lasts.

    Exits when the close re-enters the cloud or the conversion line crosses back; the stop is
    the base line; the same two events are the invalidation conditions. Confidence grows with
    the distance of the close from the cloud relative to the cloud's thickness.
    """

    name = "ichimoku"
    params_type = IchimokuParams
    regimes = frozenset({Regime.TRENDING})

    def on_start(self) -> None:
        """A cloud per instrument."""
        super().on_start()
        self.state = PerInstrument(lambda: _State(self.params))

    def on_bar(self, bar: Bar) -> None:
        """Update, exit on the cloud or the line cross, enter on a new alignment."""
        iid = bar.instrument_id
        s = self.state[iid]
        p = self.params
        close = bar.close
        tenkan, kijun, span_a, span_b, chikou = s.cloud.update(bar.high, bar.low, close)
        if span_b != span_b or span_a != span_a:
            return
        top, bottom = max(span_a, span_b), min(span_a, span_b)
        if close > top and tenkan > kijun and close > chikou:
            aligned = LONG
        elif close < bottom and tenkan < kijun and close < chikou:
            aligned = SHORT
        else:
            aligned = 0
        previous, s.previous = s.previous, aligned
        side = self.side_of(iid)
        if side:
            inside = bottom <= close <= top
            crossed = (tenkan < kijun) if side == LONG else (tenkan > kijun)
            if not self.exit_on_plan(iid, close) and (inside or crossed):
                self.exit(iid, "cloud" if inside else "tk_cross")
            return
        if not aligned or aligned == previous:
            return
        risk = abs(close - kijun)
        if risk <= 0 or (close - kijun) * aligned <= 0:
            return
        thickness = max(top - bottom, 1e-12)
        edge = top if aligned == LONG else bottom
        self.enter(
            iid,
            aligned,
            stop=kijun,
            target=close + aligned * risk * p.reward_ratio,
            confidence=0.4 + min(abs(close - edge) / thickness, 1.0) * 0.5,
            invalidation=self._invalidation(aligned, edge),
            tag="above_cloud" if aligned == LONG else "below_cloud",
        )

    def _invalidation(self, side: int, edge: float) -> tuple[str, ...]:
        """The exit monitor's ``tenkan``, ``kijun`` and ``span_*`` have the standard periods: with
        those, the lines crossing back or the close re-entering the cloud (below its top is below
        either span); with others, the close back past the cloud's edge as it stood at entry."""
        p = self.params
        word = against(side)
        if (p.tenkan, p.kijun, p.senkou) != (9, 26, 52):
            return (f"close {word} {price_text(edge)}",)
        return (f"tenkan {word} kijun", f"close {word} span_a or close {word} span_b")


__all__ = ["IchimokuCloud", "IchimokuParams"]
