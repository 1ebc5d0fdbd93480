"""Scalping on the top of the book: order-book imbalance with short-term momentum of the mid."""

from __future__ import annotations

from tradebot.indicators.streaming import EMA, RollingMax, RollingMin
from tradebot.model.data import QuoteTick
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


class ScalpingParams(TechnicalParams, frozen=True, kw_only=True):
    """Parameters of ``scalping``.

    Parameters
    ----------
    imbalance : float
        (bid size − ask size) / (bid size + ask size) needed to enter, in (0, 1) (default 0.3).
    fast, slow : int
        EMAs of the mid price over quotes for short-term momentum (defaults 5 and 20).
    range_quotes : int
        Quotes over which the recent high–low range sets the stop (default 20).
    stop_range : float
        Stop distance as a fraction of that range, at least two spreads (default 0.5).
    reward_ratio : float
        Target as a multiple of the stop distance (default 1.5).
    max_hold : int
        Quotes after which an open scalp is closed whatever happens (default 300).
    size, long_only
        See the shared parameters (default size 0.2).
    """

    size: float = 0.2
    imbalance: float = 0.3
    fast: int = 5
    slow: int = 20
    range_quotes: int = 20
    stop_range: float = 0.5
    reward_ratio: float = 1.5
    max_hold: int = 300

    def validate(self) -> None:
        """Check thresholds and look-backs."""
        super().validate()
        if not 0 < self.imbalance < 1:
            raise ValueError(f"parameter 'imbalance' was {self.imbalance}; it must be in (0, 1)")
        check_period("fast", self.fast)
        check_order("fast", self.fast, "slow", self.slow)
        check_period("range_quotes", self.range_quotes)
        check_positive("stop_range", self.stop_range)
        check_positive("reward_ratio", self.reward_ratio)
        check_period("max_hold", self.max_hold, 1)


class _State:
    __slots__ = ("fast", "held_for", "high", "low", "slow")

    def __init__(self, p: ScalpingParams) -> None:
        self.fast, self.slow = EMA(p.fast), EMA(p.slow)
        self.high, self.low = RollingMax(p.range_quotes), RollingMin(p.range_quotes)
        self.held_for = 0


@register
class Scalping(TechnicalStrategy[ScalpingParams]):
    """Quotes only (bars are ignored): long when bids outweigh asks by ``imbalance`` while the
    mid rises (mid > EMA(fast) > EMA(slow)); short mirrored.

    Exits at a tight stop (part of the recent range, never under two spreads) and target, when
    the imbalance flips hard against the position, or after ``max_hold`` quotes; a bar closing
    beyond the recent range against the scalp invalidates it. Confidence is the size of the
    imbalance. Without a book there is no imbalance to read, hence no trading on bars.
    """

    name = "scalping"
    params_type = ScalpingParams

    def on_start(self) -> None:
        """Indicators per instrument."""
        super().on_start()
        self.state = PerInstrument(lambda: _State(self.params))

    def on_quote(self, quote: QuoteTick) -> None:
        """Update, exit, then enter."""
        iid = quote.instrument_id
        s = self.state[iid]
        p = self.params
        mid = quote.mid
        fast = s.fast.update(mid)
        slow = s.slow.update(mid)
        high = s.high.update(mid)
        low = s.low.update(mid)
        depth = quote.bid_size + quote.ask_size
        if slow != slow or high != high or depth <= 0:
            return
        tilt = (quote.bid_size - quote.ask_size) / depth
        side = self.side_of(iid)
        if side:
            s.held_for += 1
            if self.exit_on_plan(iid, mid):
                return
            if tilt * side <= -p.imbalance:
                self.exit(iid, "imbalance_flip")
            elif s.held_for >= p.max_hold:
                self.exit(iid, "time")
            return
        if tilt >= p.imbalance and mid > fast > slow:
            direction = LONG
        elif tilt <= -p.imbalance and mid < fast < slow:
            direction = SHORT
        else:
            return
        risk = max((high - low) * p.stop_range, 2 * (quote.ask - quote.bid))
        s.held_for = 0
        self.enter(
            iid,
            direction,
            stop=mid - direction * risk,
            target=mid + direction * risk * p.reward_ratio,
            confidence=abs(tilt),
            # A bar closing beyond the recent range of the mid, against the scalp.
            invalidation=(
                f"close {against(direction)} {price_text(low if direction == LONG else high)}",
            ),
            tag="bid_heavy" if direction == LONG else "ask_heavy",
        )


__all__ = ["Scalping", "ScalpingParams"]
