"""Multi-SuperTrend: three SuperTrends of different speed must agree."""

from __future__ import annotations

from tradebot.indicators.streaming import ADX, SuperTrend
from tradebot.model.data import Bar
from tradebot.model.regime import Regime
from tradebot.strategies.registry import register
from tradebot.strategies.technical._common import (
    PerInstrument,
    TechnicalParams,
    TechnicalStrategy,
    against,
    check_period,
    check_positive,
    price_text,
)


class MultiSuperTrendParams(TechnicalParams, frozen=True, kw_only=True):
    """Parameters of ``multi_supertrend``.

    Parameters
    ----------
    periods : tuple of three ints
        ATR look-backs of the fast, middle and slow SuperTrend (default 10, 11, 12).
    mults : tuple of three floats
        Their band multipliers (default 1, 2, 3).
    reward_ratio : float
        Target as a multiple of the distance to the slow line, the stop (default 2).
    size, long_only
        See the shared parameters.
    """

    periods: tuple[int, int, int] = (10, 11, 12)
    mults: tuple[float, float, float] = (1.0, 2.0, 3.0)
    reward_ratio: float = 2.0

    def validate(self) -> None:
        """Check the three SuperTrends."""
        super().validate()
        for i, (n, m) in enumerate(zip(self.periods, self.mults, strict=True)):
            check_period(f"periods[{i}]", n)
            check_positive(f"mults[{i}]", m)
        check_positive("reward_ratio", self.reward_ratio)


class _State:
    __slots__ = ("adx", "agreed", "lines")

    def __init__(self, p: MultiSuperTrendParams) -> None:
        self.lines = [SuperTrend(n, m) for n, m in zip(p.periods, p.mults, strict=True)]
        self.adx = ADX(14)
        self.agreed: int | None = None
        """Direction all three shared on the last bar (0: they disagreed; None: warming up)."""


@register
class MultiSuperTrend(TechnicalStrategy[MultiSuperTrendParams]):
    """Enter when all three SuperTrends turn to the same direction (a change of agreement,
    not merely agreement on the first bar seen).

    The stop is the slow SuperTrend's line; the fast one flipping against the position exits
    it; the target is ``reward_ratio`` times the stop distance. Confidence grows with ADX(14),
    the strength of the trend the three lines agree on (0.3 at ADX 15 or less, 1 at 43).
    """

    name = "multi_supertrend"
    params_type = MultiSuperTrendParams
    regimes = frozenset({Regime.TRENDING})

    def on_start(self) -> None:
        """Three SuperTrends per instrument."""
        super().on_start()
        self.state = PerInstrument(lambda: _State(self.params))

    def on_bar(self, bar: Bar) -> None:
        """Update, exit on the fast flip, enter on a new agreement."""
        iid = bar.instrument_id
        s = self.state[iid]
        p = self.params
        outputs = [st.update(bar.high, bar.low, bar.close) for st in s.lines]
        adx = s.adx.update(bar.high, bar.low, bar.close)
        directions = [int(d) if d == d else 0 for _, d in outputs]
        if 0 in directions or adx != adx:
            return
        agreed = directions[0] if len(set(directions)) == 1 else 0
        previous, s.agreed = s.agreed, agreed
        side = self.side_of(iid)
        if side:
            if not self.exit_on_plan(iid, bar.close) and directions[0] == -side:
                self.exit(iid, "fast_flip")
            return
        if previous is None or not agreed or agreed == previous:
            return
        stop = outputs[2][0]
        risk = agreed * (bar.close - stop)
        if risk <= 0:
            return
        self.enter(
            iid,
            agreed,
            stop=stop,
            target=bar.close + agreed * risk * p.reward_ratio,
            confidence=0.3 + max(adx - 15.0, 0.0) / 40.0,
            invalidation=(self._invalidation(agreed, stop),),
            tag="all_up" if agreed > 0 else "all_down",
        )

    def _invalidation(self, side: int, slow_line: float) -> str:
        """The exit monitor's ``supertrend_dir`` is SuperTrend(10, 3): used when it is one of the
        three; otherwise the close crossing the slow line as it stood at entry."""
        p = self.params
        if any(n == 10 and m == 3.0 for n, m in zip(p.periods, p.mults, strict=True)):
            return f"supertrend_dir {against(side)} 0"
        return f"close {against(side)} {price_text(slow_line)}"


__all__ = ["MultiSuperTrend", "MultiSuperTrendParams"]
