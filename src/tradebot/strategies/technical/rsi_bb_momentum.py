"""Seed 000's momentum idea on the underlying: a fast RSI extreme at a Bollinger band."""

from __future__ import annotations

from tradebot.indicators.streaming import ATR, RSI, BollingerBands
from tradebot.model.data import Bar
from tradebot.strategies.registry import register
from tradebot.strategies.technical._common import (
    LONG,
    SHORT,
    PerInstrument,
    TechnicalParams,
    TechnicalStrategy,
    bb_width_above,
    bracket,
    check_order,
    check_period,
    check_positive,
)


class RsiBbMomentumParams(TechnicalParams, frozen=True, kw_only=True):
    """Parameters of ``rsi_bb_momentum``.

    Parameters
    ----------
    rsi_period : int
        RSI look-back (default 5, as in the seed).
    bb_period, bb_k : int, float
        Bollinger look-back and width (defaults 20 and 2).
    low, high : float
        RSI below ``low`` at the lower band buys, above ``high`` at the upper band sells
        (defaults 30 and 70).
    stop_atr, reward_ratio : float
        Stop in ATR(14)s and target as a multiple of it (defaults 1.5 and 2).
    size, long_only
        See the shared parameters.
    """

    rsi_period: int = 5
    bb_period: int = 20
    bb_k: float = 2.0
    low: float = 30.0
    high: float = 70.0
    stop_atr: float = 1.5
    reward_ratio: float = 2.0

    def validate(self) -> None:
        """Check periods and levels."""
        super().validate()
        check_period("rsi_period", self.rsi_period)
        check_period("bb_period", self.bb_period)
        check_positive("bb_k", self.bb_k)
        check_order("low", self.low, "high", self.high)
        if not self.low > 0 or not self.high < 100:
            raise ValueError("parameters 'low' and 'high' must lie within (0, 100)")
        check_positive("stop_atr", self.stop_atr)
        check_positive("reward_ratio", self.reward_ratio)


class _State:
    __slots__ = ("atr", "bb", "rsi")

    def __init__(self, p: RsiBbMomentumParams) -> None:
        self.rsi = RSI(p.rsi_period)
        self.bb = BollingerBands(p.bb_period, p.bb_k)
        self.atr = ATR(14)


@register
class RsiBbMomentum(TechnicalStrategy[RsiBbMomentumParams]):
    """RSI(5) < 30 with the close at or below the lower band → long; RSI(5) > 70 at or above
    the upper band → short (seed 000, traded on the underlying).

    Exits at the middle band, or at the stop/target. Invalidated when the band doubles in
    width (the stretch was the start of a move, not an excess). Confidence grows with how far
    RSI is past its level.
    """

    name = "rsi_bb_momentum"
    params_type = RsiBbMomentumParams

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
        rsi = s.rsi.update(close)
        upper, middle, lower = s.bb.update(close)
        atr = s.atr.update(bar.high, bar.low, close)
        if rsi != rsi or middle != middle or atr != atr or atr <= 0:
            return
        side = self.side_of(iid)
        if side:
            if not self.exit_on_plan(iid, close) and (
                (side == LONG and close >= middle) or (side == SHORT and close <= middle)
            ):
                self.exit(iid, "mean")
            return
        if close <= lower and rsi < p.low:
            direction, strength, tag = LONG, (p.low - rsi) / p.low, "rsi_low_band"
        elif close >= upper and rsi > p.high:
            direction, strength, tag = SHORT, (rsi - p.high) / (100 - p.high), "rsi_high_band"
        else:
            return
        stop, target = bracket(close, direction, p.stop_atr * atr, p.reward_ratio)
        self.enter(
            iid,
            direction,
            stop=stop,
            target=target,
            confidence=0.5 + strength / 2,
            invalidation=(bb_width_above(p.bb_period, (upper - middle) / p.bb_k, middle, 2.0),),
            tag=tag,
        )


__all__ = ["RsiBbMomentum", "RsiBbMomentumParams"]
