"""What a strategy may ask of the engine; the engine implements it in every mode."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from tradebot.model.identifiers import InstrumentId, StrategyId
from tradebot.model.instruments import Instrument
from tradebot.model.orders import Order
from tradebot.model.positions import Position
from tradebot.model.signals import Signal, StructureSignal
from tradebot.options.chain import OptionChain


class StrategyContext(Protocol):
    """The engine as seen from a strategy."""

    def now_ns(self) -> int:
        """Current time (simulated in backtests), UTC ns."""
        ...

    def submit_signal(self, strategy_id: StrategyId, signal: Signal) -> Order | None:
        """Send a signal through risk to the venue; return the order, or None when denied."""
        ...

    def submit_structure(
        self, strategy_id: StrategyId, signal: StructureSignal
    ) -> list[Order] | None:
        """Send a multi-leg signal through risk as one unit; its orders, or None when denied."""
        ...

    def option_chain(self, asset: str) -> OptionChain | None:
        """The option chain on ``asset`` now, or None when no options are listed or priced."""
        ...

    def register_instrument(self, instrument: Instrument) -> None:
        """Make an instrument (an option taken from a chain) tradable and valued."""
        ...

    def cancel_orders(self, strategy_id: StrategyId, instrument_id: InstrumentId | None) -> int:
        """Cancel this strategy's open orders; return how many."""
        ...

    def open_orders(
        self, strategy_id: StrategyId, instrument_id: InstrumentId | None
    ) -> list[Order]:
        """This strategy's open orders."""
        ...

    def position(self, instrument_id: InstrumentId) -> Position:
        """The net position in an instrument."""
        ...

    def holding(self, instrument_id: InstrumentId) -> float:
        """Signed quantity held (spot balance or derivative position)."""
        ...

    def equity(self) -> float:
        """Net liquidation value in the account currency."""
        ...

    def instrument(self, instrument_id: InstrumentId) -> Instrument:
        """The definition of an instrument."""
        ...

    def last_price(self, instrument_id: InstrumentId) -> float | None:
        """Last known price."""
        ...

    def set_timer(
        self,
        strategy_id: StrategyId,
        name: str,
        callback: Callable[[int], None],
        *,
        at_ns: int | None = None,
        interval_ns: int = 0,
    ) -> None:
        """Run ``callback(ts_ns)`` at ``at_ns`` and then every ``interval_ns`` (0: once) on the
        engine's clock; a timer of the same name is replaced (see ``Strategy.every``)."""
        ...

    def cancel_timer(self, strategy_id: StrategyId, name: str) -> bool:
        """Stop a timer; False when none of that name is set."""
        ...


__all__ = ["StrategyContext"]
