"""The engine as one strategy sees it when several strategies share the account.

Each strategy must size its exits on its own position, not on the net position that the
other strategies also move. This view answers ``holding`` and ``position`` from the
strategy's own book and passes everything else to the engine.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from tradebot.model.identifiers import InstrumentId, StrategyId
from tradebot.model.instruments import Instrument
from tradebot.model.orders import Order
from tradebot.model.positions import Position
from tradebot.model.signals import Signal, StructureSignal
from tradebot.options.chain import OptionChain

if TYPE_CHECKING:
    from tradebot.engine.trading_engine import TradingEngine


class StrategyView:
    """A :class:`~tradebot.strategies.context.StrategyContext` scoped to one strategy."""

    __slots__ = ("_engine", "_id")

    def __init__(self, engine: TradingEngine, strategy_id: StrategyId) -> None:
        self._engine = engine
        self._id = strategy_id

    def now_ns(self) -> int:
        """Engine time, UTC ns."""
        return self._engine.clock.now_ns()

    def submit_signal(self, strategy_id: StrategyId, signal: Signal) -> Order | None:
        """Send a signal through the manager and risk; None while it awaits review or if denied."""
        return self._engine.submit_signal(strategy_id, signal)

    def submit_structure(
        self, strategy_id: StrategyId, signal: StructureSignal
    ) -> list[Order] | None:
        """Send a multi-leg signal through risk as one unit."""
        return self._engine.submit_structure(strategy_id, signal)

    def option_chain(self, asset: str) -> OptionChain | None:
        """The option chain on ``asset`` now."""
        return self._engine.option_chain(asset)

    def register_instrument(self, instrument: Instrument) -> None:
        """Make an instrument tradable and valued."""
        self._engine.register_instrument(instrument)

    def cancel_orders(self, strategy_id: StrategyId, instrument_id: InstrumentId | None) -> int:
        """Cancel this strategy's open orders."""
        return self._engine.cancel_orders(strategy_id, instrument_id)

    def open_orders(
        self, strategy_id: StrategyId, instrument_id: InstrumentId | None
    ) -> list[Order]:
        """This strategy's open orders."""
        return self._engine.open_orders(strategy_id, instrument_id)

    def position(self, instrument_id: InstrumentId) -> Position:
        """This strategy's own position in ``instrument_id``."""
        return self._engine.book.position(self._id, instrument_id)

    def holding(self, instrument_id: InstrumentId) -> float:
        """Signed quantity this strategy holds."""
        return self._engine.book.quantity(self._id, instrument_id)

    def equity(self) -> float:
        """Net liquidation value of the whole account."""
        return self._engine.equity()

    def instrument(self, instrument_id: InstrumentId) -> Instrument:
        """Definition of ``instrument_id``."""
        return self._engine.instrument(instrument_id)

    def last_price(self, instrument_id: InstrumentId) -> float | None:
        """Last known price."""
        return self._engine.last_price(instrument_id)

    def set_timer(
        self,
        strategy_id: StrategyId,
        name: str,
        callback: Callable[[int], None],
        *,
        at_ns: int | None = None,
        interval_ns: int = 0,
    ) -> None:
        """Schedule a job of this strategy on the engine's clock."""
        self._engine.set_timer(strategy_id, name, callback, at_ns=at_ns, interval_ns=interval_ns)

    def cancel_timer(self, strategy_id: StrategyId, name: str) -> bool:
        """Stop one of this strategy's timers."""
        return self._engine.cancel_timer(strategy_id, name)


__all__ = ["StrategyView"]
