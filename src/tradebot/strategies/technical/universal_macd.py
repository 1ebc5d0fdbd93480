"""Universal MACD: MACD as a percentage of price, so one set of thresholds fits any market."""

from __future__ import annotations

from tradebot.indicators.streaming import ATR, EMA, MACD
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


class UniversalMacdParams(TechnicalParams, frozen=True, kw_only=True):
    """Parameters of ``universal_macd``.

    Parameters
    ----------
    fast, slow, signal : int
        MACD periods (defaults 12, 26, 9).
    min_depth : float
        A turn counts only when the normalised MACD is at least this far on the other side of
        zero, in percent of price: a turn out of a real move, not noise (default 0.2).
    entry_band : float
        ... and at most this far: an early turn, not a blow-off (default 4.0).
    min_hist : float
        Histogram, in percent of price, that the cross must reach (default 0.0).
    stop_atr, reward_ratio : float
        Stop in ATR(14)s and target as a multiple of it (defaults 2 and 2).
    size, long_only
        See the shared parameters.
    """

    fast: int = 12
    slow: int = 26
    signal: int = 9
    min_depth: float = 0.2
    entry_band: float = 4.0
    min_hist: float = 0.0
    stop_atr: float = 2.0
    reward_ratio: float = 2.0

    def validate(self) -> None:
        """Check periods and thresholds."""
        super().validate()
        check_period("fast", self.fast)
        check_order("fast", self.fast, "slow", self.slow)
        check_period("signal", self.signal, 1)
        check_positive("min_depth", self.min_depth)
        check_order("min_depth", self.min_depth, "entry_band", self.entry_band)
        if self.min_hist < 0:
            raise ValueError(f"parameter 'min_hist' was {self.min_hist}; it must be ≥ 0")
        check_positive("stop_atr", self.stop_atr)
        check_positive("reward_ratio", self.reward_ratio)


class _State:
    __slots__ = ("atr", "macd", "prev_hist", "slow")

    def __init__(self, p: UniversalMacdParams) -> None:
        self.macd = MACD(p.fast, p.slow, p.signal)
        self.slow = EMA(p.slow)
        self.atr = ATR(14)
        self.prev_hist = float("nan")


@register
class UniversalMacd(TechnicalStrategy[UniversalMacdParams]):
    """Normalised MACD (100 × MACD / EMA(slow), in percent of price).

    Long when the normalised histogram turns positive while the normalised MACD is between
    ``min_depth`` and ``entry_band`` below zero (a turn up out of a fall); short mirrored.
    Exits on the opposite turn or at the stop/target; invalidated when the normalised MACD
    runs beyond the band after all. Confidence grows with the depth of the turn relative to
    the band and with the histogram's size.
    """

    name = "universal_macd"
    params_type = UniversalMacdParams
    regimes = frozenset({Regime.TRENDING})

    def on_start(self) -> None:
        """Indicators per instrument."""
        super().on_start()
        self.state = PerInstrument(lambda: _State(self.params))

    def on_bar(self, bar: Bar) -> None:
        """Update, exit, then enter on a turn of the normalised histogram."""
        iid = bar.instrument_id
        s = self.state[iid]
        p = self.params
        line, _, hist = s.macd.update(bar.close)
        slow = s.slow.update(bar.close)
        atr = s.atr.update(bar.high, bar.low, bar.close)
        if hist != hist or slow <= 0 or atr != atr or atr <= 0:
            return
        norm_line = 100.0 * line / slow
        norm_hist = 100.0 * hist / slow
        prev, s.prev_hist = s.prev_hist, norm_hist
        if prev != prev:
            return
        turn = 0
        if prev <= 0 < norm_hist and norm_hist > p.min_hist:
            turn = LONG
        elif prev >= 0 > norm_hist and -norm_hist > p.min_hist:
            turn = SHORT
        side = self.side_of(iid)
        if side:
            if not self.exit_on_plan(iid, bar.close) and turn == -side:
                self.exit(iid, "macd_turn")
            return
        depth = -turn * norm_line
        if not turn or not p.min_depth <= depth <= p.entry_band:
            return
        stop, target = bracket(bar.close, turn, p.stop_atr * atr, p.reward_ratio)
        self.enter(
            iid,
            turn,
            stop=stop,
            target=target,
            confidence=0.4 + depth / p.entry_band * 0.3 + min(abs(norm_hist) * 5, 0.3),
            invalidation=self._invalidation(turn),
            tag="macd_turn_up" if turn == LONG else "macd_turn_down",
        )

    def _invalidation(self, side: int) -> tuple[str, ...]:
        """The move the turn came out of resumes past the band; with the standard periods
        (those of the exit monitor's ``macd_hist``) also the histogram turning back."""
        p = self.params
        norm = f"(ema_{p.fast} - ema_{p.slow}) / ema_{p.slow} * 100"
        beyond = f"{norm} < {-p.entry_band:g}" if side == LONG else f"{norm} > {p.entry_band:g}"
        if (p.fast, p.slow, p.signal) != (12, 26, 9):
            return (beyond,)
        return (f"macd_hist {against(side)} 0", beyond)


__all__ = ["UniversalMacd", "UniversalMacdParams"]
