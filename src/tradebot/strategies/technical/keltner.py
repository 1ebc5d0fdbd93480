"""Keltner breakout: a close outside the channel starts a move; the middle line ends it."""

from __future__ import annotations

from tradebot.indicators.streaming import Keltner
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
    check_period,
    check_positive,
)


class KeltnerParams(TechnicalParams, frozen=True, kw_only=True):
    """Parameters of ``keltner``.

    Parameters
    ----------
    period : int
        EMA and ATR look-back (default 20).
    mult : float
        Channel half-width in ATRs (default 2).
    reward_ratio : float
        Target distance as a multiple of the distance to the middle line (default 2).
    size, long_only
        See the shared parameters.
    """

    period: int = 20
    mult: float = 2.0
    reward_ratio: float = 2.0

    def validate(self) -> None:
        """Check the period and multipliers."""
        super().validate()
        check_period("period", self.period)
        check_positive("mult", self.mult)
        check_positive("reward_ratio", self.reward_ratio)


@register
class KeltnerBreakout(TechnicalStrategy[KeltnerParams]):
    """Long on a close above the upper Keltner line, short below the lower one.

    The stop is the middle line; the target ``reward_ratio`` times that distance beyond the
    entry; a close back through the middle line exits. Confidence grows with how far the close
    broke out, in channel half-widths.
    """

    name = "keltner"
    params_type = KeltnerParams
    regimes = frozenset({Regime.TRENDING, Regime.HIGH_VOLATILITY})

    def on_start(self) -> None:
        """A channel per instrument."""
        super().on_start()
        self.channels = PerInstrument(lambda: Keltner(self.params.period, self.params.mult))

    def on_bar(self, bar: Bar) -> None:
        """Update, exit, then enter."""
        iid = bar.instrument_id
        p = self.params
        close = bar.close
        upper, middle, lower = self.channels[iid].update(bar.high, bar.low, close)
        if middle != middle or upper <= middle:
            return
        side = self.side_of(iid)
        if side:
            if not self.exit_on_plan(iid, close) and (
                (side == LONG and close < middle) or (side == SHORT and close > middle)
            ):
                self.exit(iid, "middle")
            return
        half = upper - middle
        if close > upper:
            direction, beyond = LONG, (close - upper) / half
        elif close < lower:
            direction, beyond = SHORT, (lower - close) / half
        else:
            return
        risk = abs(close - middle)
        self.enter(
            iid,
            direction,
            stop=middle,
            target=close + direction * risk * p.reward_ratio,
            confidence=0.5 + beyond,
            invalidation=(f"close {against(direction)} ema_{p.period}",),  # the middle line
            tag="breakout_up" if direction == LONG else "breakout_down",
        )


__all__ = ["KeltnerBreakout", "KeltnerParams"]
