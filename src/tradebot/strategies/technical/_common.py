"""Pieces the technical strategies share: per-instrument state, confidence, exit plans."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from tradebot.model.identifiers import InstrumentId
from tradebot.strategies.base import Strategy, StrategyParams

T = TypeVar("T")

LONG = 1
SHORT = -1


def clamp01(x: float) -> float:
    """``x`` limited to [0, 1] (NaN becomes 0: no evidence, no confidence)."""
    if not x > 0:
        return 0.0
    return 1.0 if x > 1 else x


class PerInstrument(Generic[T]):
    """Lazily created state per instrument, so one strategy object can trade several."""

    __slots__ = ("_factory", "_items")

    def __init__(self, factory: Callable[[], T]) -> None:
        self._factory = factory
        self._items: dict[InstrumentId, T] = {}

    def __getitem__(self, instrument_id: InstrumentId) -> T:
        item = self._items.get(instrument_id)
        if item is None:
            item = self._items[instrument_id] = self._factory()
        return item


class ExitPlan:
    """The stop and target a strategy proposed at entry, checked on each close.

    Strategies exit on their own rules too; this makes the proposed stop and target hold in
    every mode even before (or without) a separate exit monitor.
    """

    __slots__ = ("side", "stop", "target")

    def __init__(self) -> None:
        self.side = 0
        self.stop = 0.0
        self.target = 0.0

    def open(self, side: int, stop: float, target: float) -> None:
        """Remember the plan of a new position (``side`` is LONG or SHORT)."""
        self.side, self.stop, self.target = side, stop, target

    def clear(self) -> None:
        """The position is closed."""
        self.side = 0

    def hit(self, close: float) -> str | None:
        """``"stop"`` or ``"take_profit"`` when ``close`` has reached one, else None."""
        if self.side == LONG:
            if close <= self.stop:
                return "stop"
            if close >= self.target:
                return "take_profit"
        elif self.side == SHORT:
            if close >= self.stop:
                return "stop"
            if close <= self.target:
                return "take_profit"
        return None


def against(side: int) -> str:
    """The comparison meaning "went against ``side``": ``<`` for a long, ``>`` for a short."""
    return "<" if side == LONG else ">"


def price_text(price: float) -> str:
    """A price written into a condition, precise enough to compare with closes."""
    return f"{price:.10g}"


def bb_width_above(period: int, sd: float, middle: float, expansion: float) -> str:
    """Condition: the Bollinger band has widened ``expansion`` times from now.

    The exit monitor's ``bb_width_N`` is (upper − lower) / middle of the k = 2 band, that is
    4 σ / middle whatever ``k`` the strategy trades with, so it is derived here from σ.
    """
    return f"bb_width_{period} > {expansion * 4.0 * sd / middle:.6g}"


def bracket(entry: float, side: int, risk: float, reward_ratio: float) -> tuple[float, float]:
    """(stop, target) ``risk`` away from ``entry`` against the position and ``reward_ratio``
    times that in its favour."""
    return entry - side * risk, entry + side * risk * reward_ratio


def check_fraction(name: str, value: float) -> None:
    """Raise unless ``value`` is in (0, 1] (a fraction of equity)."""
    if not 0 < value <= 1:
        raise ValueError(f"parameter '{name}' was {value}; it must be in (0, 1]")


def check_positive(name: str, value: float) -> None:
    """Raise unless ``value`` > 0."""
    if not value > 0:
        raise ValueError(f"parameter '{name}' was {value}; it must be greater than 0")


def check_period(name: str, value: int, minimum: int = 2) -> None:
    """Raise unless ``value`` is a look-back of at least ``minimum`` bars."""
    if value < minimum:
        raise ValueError(f"parameter '{name}' was {value}; it must be at least {minimum}")


def check_order(low_name: str, low: float, high_name: str, high: float) -> None:
    """Raise unless ``low`` < ``high``."""
    if not low < high:
        raise ValueError(
            f"parameters '{low_name}' ({low}) and '{high_name}' ({high}) must satisfy "
            f"{low_name} < {high_name}"
        )


class TechnicalParams(StrategyParams, frozen=True, kw_only=True):
    """Parameters every technical strategy has.

    Parameters
    ----------
    size : float
        Fraction of equity per entry (default 0.5).
    long_only : bool
        Never open shorts (default False; spot pairs cannot be shorted anyway).
    """

    size: float = 0.5
    long_only: bool = False

    def validate(self) -> None:
        """Check the shared parameters."""
        check_fraction("size", self.size)


P = TypeVar("P", bound=TechnicalParams)


class TechnicalStrategy(Strategy[P]):
    """A strategy on bars with one position per instrument, an exit plan and tagged exits."""

    def on_start(self) -> None:
        """Exit plans are kept per instrument."""
        self.plans: PerInstrument[ExitPlan] = PerInstrument(ExitPlan)

    def side_of(self, instrument_id: InstrumentId) -> int:
        """LONG, SHORT or 0 for this strategy's position."""
        held = self.holding(instrument_id)
        if held > 1e-12:
            return LONG
        if held < -1e-12:
            return SHORT
        return 0

    def enter(
        self,
        instrument_id: InstrumentId,
        side: int,
        *,
        stop: float,
        target: float,
        confidence: float,
        invalidation: tuple[str, ...],
        tag: str,
        size: float | None = None,
    ) -> None:
        """Open (or add to) a position with its exit plan; shorts are skipped when long-only."""
        if side == SHORT and self.params.long_only:
            return
        send = self.buy if side == LONG else self.sell
        send(
            instrument_id,
            self.params.size if size is None else size,
            confidence=clamp01(confidence),
            stop_loss=stop,
            take_profit=target,
            invalidation=invalidation,
            tag=tag,
        )
        self.plans[instrument_id].open(side, stop, target)

    def exit(self, instrument_id: InstrumentId, reason: str) -> None:
        """Close the position with ``reason`` as the exit tag."""
        self.close(instrument_id, tag=reason)
        self.plans[instrument_id].clear()

    def exit_on_plan(self, instrument_id: InstrumentId, close: float) -> bool:
        """Close when the stop or target is reached; True when an exit was sent."""
        plan = self.plans[instrument_id]
        if self.side_of(instrument_id) == 0:
            plan.clear()
            return False
        reason = plan.hit(close)
        if reason is None:
            return False
        self.exit(instrument_id, reason)
        return True
