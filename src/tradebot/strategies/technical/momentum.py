"""Momentum: trade the EMA crossover direction while ADX says the trend is strong."""

from __future__ import annotations

from tradebot.indicators.streaming import ADX, ATR, EMA
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
    bracket,
    check_order,
    check_period,
    check_positive,
)


class MomentumParams(TechnicalParams, frozen=True, kw_only=True):
    """Parameters of ``momentum``.

    Parameters
    ----------
    fast, slow : int
        EMA periods (defaults 12 and 26).
    adx_period : int
        ADX look-back (default 14).
    adx_min : float
        ADX at or above which a trend is traded (default 25).
    atr_period : int
        ATR look-back for the stop (default 14).
    stop_atr : float
        Stop distance in ATRs (default 2).
    reward_ratio : float
        Target distance as a multiple of the stop distance (default 2).
    size, long_only
        See the shared parameters (defaults 0.5, false).
    """

    fast: int = 12
    slow: int = 26
    adx_period: int = 14
    adx_min: float = 25.0
    atr_period: int = 14
    stop_atr: float = 2.0
    reward_ratio: float = 2.0

    def validate(self) -> None:
        """Check periods, thresholds and distances."""
        super().validate()
        check_period("fast", self.fast)
        check_order("fast", self.fast, "slow", self.slow)
        check_period("adx_period", self.adx_period)
        check_period("atr_period", self.atr_period)
        if not 0 < self.adx_min < 100:
            raise ValueError(f"parameter 'adx_min' was {self.adx_min}; it must be in (0, 100)")
        check_positive("stop_atr", self.stop_atr)
        check_positive("reward_ratio", self.reward_ratio)


class _State:
    __slots__ = ("adx", "atr", "blocked", "fast", "slow")

    def __init__(self, p: MomentumParams) -> None:
        self.fast, self.slow = EMA(p.fast), EMA(p.slow)
        self.adx, self.atr = ADX(p.adx_period), ATR(p.atr_period)
        self.blocked = 0
        """Direction stopped out of: not re-entered until the EMAs cross again."""


@register
class Momentum(TechnicalStrategy[MomentumParams]):
    """EMA crossover confirmed by trend strength.

    Long while EMA(fast) > EMA(slow) and ADX ≥ ``adx_min``; short mirrored. Exits when the
    EMAs cross back, or at the stop (``stop_atr`` ATRs) or target (``reward_ratio`` × the
    stop distance). Confidence grows with ADX above its threshold and with the EMA gap
    measured in ATRs.
    """

    name = "momentum"
    params_type = MomentumParams
    regimes = frozenset({Regime.TRENDING})

    def on_start(self) -> None:
        """Indicators per instrument."""
        super().on_start()
        self.state = PerInstrument(lambda: _State(self.params))

    def on_bar(self, bar: Bar) -> None:
        """Update, exit, then enter."""
        iid = bar.instrument_id
        s = self.state[iid]
        p = self.params
        fast = s.fast.update(bar.close)
        slow = s.slow.update(bar.close)
        adx = s.adx.update(bar.high, bar.low, bar.close)
        atr = s.atr.update(bar.high, bar.low, bar.close)
        if slow != slow or adx != adx or atr != atr or atr <= 0:
            return
        direction = LONG if fast > slow else SHORT
        if s.blocked and s.blocked != direction:
            s.blocked = 0
        side = self.side_of(iid)
        if side and self.exit_on_plan(iid, bar.close):
            s.blocked = side
            return
        if side and side != direction:
            self.exit(iid, "cross")
            return
        if side or adx < p.adx_min or s.blocked == direction:
            return
        stop, target = bracket(bar.close, direction, p.stop_atr * atr, p.reward_ratio)
        confidence = 0.4 + (adx - p.adx_min) / 50.0 + min(abs(fast - slow) / atr, 1.0) * 0.2
        self.enter(
            iid,
            direction,
            stop=stop,
            target=target,
            confidence=confidence,
            invalidation=(
                f"adx_{p.adx_period} < {p.adx_min - 5:g}",
                f"ema_{p.fast} {against(direction)} ema_{p.slow}",
            ),
            tag="trend_long" if direction == LONG else "trend_short",
        )


__all__ = ["Momentum", "MomentumParams"]
