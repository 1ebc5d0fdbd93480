"""ADX-SMA: an SMA crossover taken only when ADX confirms a trend."""

from __future__ import annotations

from tradebot.indicators.streaming import ADX, ATR, SMA
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


class AdxSmaParams(TechnicalParams, frozen=True, kw_only=True):
    """Parameters of ``adx_sma``.

    Parameters
    ----------
    fast, slow : int
        SMA periods (defaults 10 and 30).
    adx_period : int
        ADX look-back (default 14).
    adx_entry : float
        ADX needed at the cross (default 25).
    adx_exit : float
        The position is closed when ADX falls below this (default 18).
    stop_atr, reward_ratio : float
        Stop in ATR(14)s and target as a multiple of it (defaults 2 and 2).
    size, long_only
        See the shared parameters.
    """

    fast: int = 10
    slow: int = 30
    adx_period: int = 14
    adx_entry: float = 25.0
    adx_exit: float = 18.0
    stop_atr: float = 2.0
    reward_ratio: float = 2.0

    def validate(self) -> None:
        """Check periods and levels."""
        super().validate()
        check_period("fast", self.fast)
        check_order("fast", self.fast, "slow", self.slow)
        check_period("adx_period", self.adx_period)
        check_order("adx_exit", self.adx_exit, "adx_entry", self.adx_entry)
        if not self.adx_exit > 0:
            raise ValueError(f"parameter 'adx_exit' was {self.adx_exit}; it must be positive")
        check_positive("stop_atr", self.stop_atr)
        check_positive("reward_ratio", self.reward_ratio)


class _State:
    __slots__ = ("adx", "atr", "fast", "prev_direction", "slow")

    def __init__(self, p: AdxSmaParams) -> None:
        self.fast, self.slow = SMA(p.fast), SMA(p.slow)
        self.adx, self.atr = ADX(p.adx_period), ATR(14)
        self.prev_direction = 0


@register
class AdxSma(TechnicalStrategy[AdxSmaParams]):
    """SMA(fast) crossing SMA(slow), taken only when ADX ≥ ``adx_entry`` at the cross.

    Exits on the opposite cross, when ADX drops below ``adx_exit`` (the trend faded), or at
    the stop/target. Confidence rises with ADX at the cross.
    """

    name = "adx_sma"
    params_type = AdxSmaParams
    regimes = frozenset({Regime.TRENDING})

    def on_start(self) -> None:
        """Indicators per instrument."""
        super().on_start()
        self.state = PerInstrument(lambda: _State(self.params))

    def on_bar(self, bar: Bar) -> None:
        """Update, exit, then enter on a fresh cross."""
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
        crossed = s.prev_direction != 0 and direction != s.prev_direction
        s.prev_direction = direction
        side = self.side_of(iid)
        if side:
            if self.exit_on_plan(iid, bar.close):
                return
            if side != direction:
                self.exit(iid, "cross")
            elif adx < p.adx_exit:
                self.exit(iid, "trend_faded")
            return
        if not crossed or adx < p.adx_entry:
            return
        stop, target = bracket(bar.close, direction, p.stop_atr * atr, p.reward_ratio)
        self.enter(
            iid,
            direction,
            stop=stop,
            target=target,
            confidence=0.5 + (adx - p.adx_entry) / 40.0,
            invalidation=(
                f"adx_{p.adx_period} < {p.adx_exit:g}",
                f"sma_{p.fast} {against(direction)} sma_{p.slow}",
            ),
            tag="cross_long" if direction == LONG else "cross_short",
        )


__all__ = ["AdxSma", "AdxSmaParams"]
