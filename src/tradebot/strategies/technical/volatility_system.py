"""Volatility system: an ATR-sized jump starts a position; further jumps add to it."""

from __future__ import annotations

from tradebot.indicators.streaming import ATR
from tradebot.model.data import Bar
from tradebot.model.identifiers import InstrumentId
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
    check_period,
    check_positive,
    price_text,
)


class VolatilitySystemParams(TechnicalParams, frozen=True, kw_only=True):
    """Parameters of ``volatility_system``.

    Parameters
    ----------
    atr_period : int
        ATR look-back (default 14).
    mult : float
        A close-to-close move beyond ``mult`` × ATR is a breakout (default 1.5).
    max_adds : int
        Further entries allowed on top of the first (default 2).
    add_step : float
        Each add needs the price another ``add_step`` × ATR in favour of the last entry
        (default 1).
    stop_atr, reward_ratio : float
        Stop in ATRs from the latest entry and target as a multiple of it (defaults 2 and 3).
    size : float
        Fraction of equity per entry (default 0.25, so a full pyramid stays within 75 %).
    long_only
        See the shared parameters.
    """

    size: float = 0.25
    atr_period: int = 14
    mult: float = 1.5
    max_adds: int = 2
    add_step: float = 1.0
    stop_atr: float = 2.0
    reward_ratio: float = 3.0

    def validate(self) -> None:
        """Check periods and multipliers."""
        super().validate()
        check_period("atr_period", self.atr_period)
        check_positive("mult", self.mult)
        check_positive("add_step", self.add_step)
        check_positive("stop_atr", self.stop_atr)
        check_positive("reward_ratio", self.reward_ratio)
        if self.max_adds < 0:
            raise ValueError(f"parameter 'max_adds' was {self.max_adds}; it must be ≥ 0")


class _State:
    __slots__ = ("adds", "atr", "confidence", "last_entry", "origin", "prev_atr", "prev_close")

    def __init__(self, p: VolatilitySystemParams) -> None:
        self.atr = ATR(p.atr_period)
        self.prev_close = float("nan")
        self.prev_atr = float("nan")
        self.last_entry = 0.0
        self.adds = 0
        self.origin = 0.0
        """The close the breakout started from: back there, the breakout has failed."""
        self.confidence = 0.0
        """Confidence of the breakout, carried by its adds."""


@register
class VolatilitySystem(TechnicalStrategy[VolatilitySystemParams]):
    """A close more than ``mult`` × ATR beyond the previous close opens a position in that
    direction; each further ``add_step`` × ATR in favour adds one more entry (pyramiding, at
    most ``max_adds``), moving the stop and target up with it.

    An opposite breakout closes the position, as do the stop and target; a close back at the
    level the breakout started from invalidates it. Confidence grows with the size of the
    breakout in ATRs; adds carry the breakout's confidence.
    """

    name = "volatility_system"
    params_type = VolatilitySystemParams
    regimes = frozenset({Regime.TRENDING, Regime.HIGH_VOLATILITY})

    def on_start(self) -> None:
        """Indicators per instrument."""
        super().on_start()
        self.state = PerInstrument(lambda: _State(self.params))

    def on_bar(self, bar: Bar) -> None:
        """Update, exit on an opposite breakout, pyramid, or enter on a breakout."""
        iid = bar.instrument_id
        s = self.state[iid]
        p = self.params
        close = bar.close
        atr_before = s.prev_atr
        prev_close = s.prev_close
        s.prev_atr = s.atr.update(bar.high, bar.low, close)
        s.prev_close = close
        if atr_before != atr_before or atr_before <= 0:
            return
        move = (close - prev_close) / atr_before
        breakout = LONG if move > p.mult else SHORT if move < -p.mult else 0
        side = self.side_of(iid)
        if side:
            if self.exit_on_plan(iid, close):
                return
            if breakout == -side:
                self.exit(iid, "reverse_breakout")
                return
            if s.adds < p.max_adds and side * (close - s.last_entry) >= p.add_step * atr_before:
                s.adds += 1
                s.last_entry = close
                self._entry(iid, side, close, atr_before, f"add_{s.adds}")
            return
        if breakout:
            s.adds = 0
            s.last_entry = close
            s.origin = prev_close
            s.confidence = 0.3 + (abs(move) - p.mult) / (2 * p.mult)
            self._entry(iid, breakout, close, atr_before, "breakout")

    def _entry(self, iid: InstrumentId, side: int, close: float, atr: float, tag: str) -> None:
        p = self.params
        s = self.state[iid]
        stop, target = bracket(close, side, p.stop_atr * atr, p.reward_ratio)
        self.enter(
            iid,
            side,
            stop=stop,
            target=target,
            confidence=s.confidence,
            invalidation=(f"close {against(side)} {price_text(s.origin)}",),
            tag=tag,
        )


__all__ = ["VolatilitySystem", "VolatilitySystemParams"]
