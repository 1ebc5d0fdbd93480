"""The Strategy interface that every strategy implements: technical, options and the LLM agent.

A strategy reacts to market events and emits *signals*. It never talks to a venue, never
builds orders and never reads the clock of the machine: the engine gives it a
``StrategyContext``, and the same object runs unchanged in backtest, paper and live trading.

Write one like this::

    class MyParams(StrategyParams):
        period: int = 20            # documented in the class docstring

    @register
    class MyStrategy(Strategy[MyParams]):
        name = "my_strategy"
        params_type = MyParams

        def on_start(self) -> None:
            self.sma = SMA(self.params.period)

        def on_bar(self, bar: Bar) -> None:
            if self.sma.update(bar.close) < bar.close and self.is_flat(bar.instrument_id):
                self.buy(bar.instrument_id, confidence=0.8)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Generic, TypeVar

import msgspec

from tradebot.model.data import Bar, FundingRate, QuoteTick, TradeTick
from tradebot.model.enums import OrderSide, OrderType, TimeInForce
from tradebot.model.events import OrderFilled, OrderUpdated
from tradebot.model.identifiers import InstrumentId, StrategyId
from tradebot.model.instruments import Instrument
from tradebot.model.orders import Order
from tradebot.model.regime import ALL_REGIMES, Regime
from tradebot.model.signals import Signal, SignalIntent, SizeMode, StructureSignal
from tradebot.options.chain import OptionChain
from tradebot.options.structures import Structure
from tradebot.strategies.context import StrategyContext

# Enum members bound once: attribute access on an Enum class is slow on Python 3.11.
_OT_MARKET = OrderType.MARKET
_SIDE_BUY = OrderSide.BUY
_SIDE_SELL = OrderSide.SELL
_TIF_GTC = TimeInForce.GTC
_INTENT_CLOSE = SignalIntent.CLOSE
_SIZE_EQUITY_FRACTION = SizeMode.EQUITY_FRACTION
_SIZE_QUANTITY = SizeMode.QUANTITY
_INTENT_OPEN = SignalIntent.OPEN


class StrategyParams(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Base of every strategy's parameters: typed, immutable, with defaults."""

    def validate(self) -> None:
        """Raise ``ValueError`` naming the parameter when values do not fit together."""


P = TypeVar("P", bound=StrategyParams)


class Strategy(Generic[P]):
    """Base class of every strategy.

    Class attributes
    ----------------
    name : str
        Registry name used on the command line (``--strategy NAME``).
    params_type : type[StrategyParams]
        Parameter class; its fields and defaults are listed by ``tradebot strategies``.

    Hooks (override what you need; all default to doing nothing)
    -----------------------------------------------------------
    on_start, on_bar, on_quote, on_trade, on_funding, on_fill, on_order_update, on_stop.

    Scheduled jobs: ``every(interval_ns, callback)``, ``at(ts_ns, callback)``,
    ``cancel_timer(name)``, run by the engine on its clock (simulated or wall).
    """

    name: ClassVar[str] = ""
    params_type: ClassVar[type[StrategyParams]] = StrategyParams
    default_timeframes: ClassVar[tuple[str, ...]] = ()
    """Longer timeframes this strategy wants besides the bars of the data (e.g. ``("1h",)``)."""
    regimes: ClassVar[frozenset[Regime]] = ALL_REGIMES
    """Market regimes the strategy is built for; under a strategy manager with regime switching
    it opens positions only in these (its exits always go through)."""

    def __init__(
        self,
        params: P | None = None,
        *,
        instruments: list[InstrumentId] | None = None,
        strategy_id: str | None = None,
        timeframes: list[str] | None = None,
    ) -> None:
        self.params: P = params if params is not None else self.params_type()  # type: ignore[assignment]
        self.params.validate()
        self.instruments = instruments
        self.timeframes: tuple[str, ...] = tuple(
            timeframes if timeframes is not None else self.default_timeframes
        )
        self.id = StrategyId(strategy_id or self.name or type(self).__name__)
        self._ctx: StrategyContext | None = None
        self._timer_seq = 0

    # -- wiring ------------------------------------------------------------------------------
    def bind(self, context: StrategyContext) -> None:
        """Called by the engine before ``on_start``."""
        self._ctx = context

    @property
    def ctx(self) -> StrategyContext:
        """The engine, as far as this strategy may see it."""
        if self._ctx is None:
            raise RuntimeError(f"strategy {self.id} was used before the engine started it")
        return self._ctx

    def subscribes_to(self, instrument_id: InstrumentId) -> bool:
        """Whether market events of ``instrument_id`` are delivered to this strategy."""
        return self.instruments is None or instrument_id in self.instruments

    def option_assets(self) -> tuple[str, ...]:
        """Underlyings whose options this strategy trades (``("BTC",)``); none by default.

        The command line builds an option market for these assets, so a strategy that trades
        options gets chains without the user wiring one.
        """
        return ()

    # -- hooks -------------------------------------------------------------------------------
    def on_start(self) -> None:
        """Set up indicators and state."""

    def on_bar(self, bar: Bar) -> None:
        """A bar closed: a bar of the data, or of one of ``timeframes`` (see ``bar.timeframe``).

        A longer-timeframe bar arrives right after the data bar that completes it, never before
        it has closed.
        """

    def on_quote(self, quote: QuoteTick) -> None:
        """The top of the book changed."""

    def on_trade(self, trade: TradeTick) -> None:
        """A public trade printed."""

    def on_funding(self, funding: FundingRate) -> None:
        """A funding rate was published."""

    def on_fill(self, order: Order, fill: OrderFilled) -> None:
        """One of this strategy's orders (partly) filled."""

    def on_order_update(self, order: Order, update: OrderUpdated) -> None:
        """One of this strategy's orders was accepted, denied, rejected or canceled."""

    def on_stop(self) -> None:
        """The run is ending."""

    # -- helpers -----------------------------------------------------------------------------
    def now_ns(self) -> int:
        """Engine time, UTC ns."""
        return self.ctx.now_ns()

    def holding(self, instrument_id: InstrumentId) -> float:
        """Signed quantity held."""
        ctx = self._ctx  # not the ``ctx`` property: this runs on every bar of most strategies
        return (ctx if ctx is not None else self.ctx).holding(instrument_id)

    def is_flat(self, instrument_id: InstrumentId) -> bool:
        """True when nothing is held in ``instrument_id``."""
        return abs(self.ctx.holding(instrument_id)) <= 1e-12

    def signal(self, signal: Signal) -> Order | None:
        """Send any signal; return the resulting order, or None when risk denied it."""
        ctx = self._ctx
        return (ctx if ctx is not None else self.ctx).submit_signal(self.id, signal)

    def buy(
        self,
        instrument_id: InstrumentId,
        size: float = 1.0,
        *,
        size_mode: SizeMode = _SIZE_EQUITY_FRACTION,
        **kwargs: Any,
    ) -> Order | None:
        """Open or add to a long position (default: all of equity at market)."""
        return self._open(instrument_id, _SIDE_BUY, size, size_mode, **kwargs)

    def sell(
        self,
        instrument_id: InstrumentId,
        size: float = 1.0,
        *,
        size_mode: SizeMode = _SIZE_EQUITY_FRACTION,
        **kwargs: Any,
    ) -> Order | None:
        """Open or add to a short position (default: all of equity at market)."""
        return self._open(instrument_id, _SIDE_SELL, size, size_mode, **kwargs)

    def close(self, instrument_id: InstrumentId, *, tag: str = "exit") -> Order | None:
        """Flatten the position at market (reduce-only); None when flat."""
        held = self.ctx.holding(instrument_id)
        if abs(held) <= 1e-12:
            return None
        side = _SIDE_SELL if held > 0 else _SIDE_BUY
        return self.signal(
            Signal(instrument_id=instrument_id, side=side, intent=_INTENT_CLOSE, tag=tag)
        )

    # -- options -----------------------------------------------------------------------------
    def option_chain(self, asset: str) -> OptionChain | None:
        """The option chain on ``asset`` now (None without an option market or a price)."""
        return self.ctx.option_chain(asset)

    def trade_instrument(
        self, instrument: Instrument, side: OrderSide, quantity: float, **kwargs: Any
    ) -> Order | None:
        """Open ``quantity`` contracts of an instrument taken from a chain (registers it)."""
        self.ctx.register_instrument(instrument)
        return self._open(instrument.id, side, quantity, _SIZE_QUANTITY, **kwargs)

    def open_structure(
        self,
        structure: Structure,
        units: float,
        *,
        max_loss: float | None = None,
        confidence: float = 1.0,
        tag: str = "entry",
    ) -> list[Order] | None:
        """Trade every leg of ``structure`` as one unit; None when risk denied it.

        ``max_loss`` is the planned loss per unit in the account currency (see
        :class:`~tradebot.model.signals.StructureSignal`).
        """
        for leg in structure.legs:
            self.ctx.register_instrument(leg.instrument)
        signal = StructureSignal(
            name=structure.name,
            legs=tuple((leg.instrument.id, leg.ratio) for leg in structure.legs),
            units=units,
            intent=_INTENT_OPEN,
            max_loss=max_loss,
            confidence=confidence,
            tag=tag,
        )
        return self.ctx.submit_structure(self.id, signal)

    def close_structure(
        self, name: str, instruments: list[InstrumentId], *, tag: str = "exit"
    ) -> list[Order] | None:
        """Close what this strategy holds in ``instruments`` as one unit (all or none)."""
        legs = tuple(
            (iid, -held) for iid in instruments if abs(held := self.ctx.holding(iid)) > 1e-12
        )
        if not legs:
            return None
        signal = StructureSignal(name=name, legs=legs, units=1.0, intent=_INTENT_CLOSE, tag=tag)
        return self.ctx.submit_structure(self.id, signal)

    def cancel_all(self, instrument_id: InstrumentId | None = None) -> int:
        """Cancel this strategy's open orders."""
        return self.ctx.cancel_orders(self.id, instrument_id)

    # -- timers ------------------------------------------------------------------------------
    def every(
        self,
        interval_ns: int,
        callback: Callable[[int], None],
        name: str | None = None,
        *,
        start_ns: int | None = None,
    ) -> str:
        """Run ``callback(ts_ns)`` every ``interval_ns`` of engine time; return the job's name.

        The first run is at ``start_ns``, else at the next multiple of ``interval_ns`` after
        now (a 15-minute job runs at :00, :15, :30, :45 UTC; set in ``on_start`` of a backtest,
        "now" is the first event's time). Jobs fire on the engine's clock, at the same times in
        a backtest as live, before the market event that moves the clock past them. A job of
        the same name is replaced; without a name each job gets a new one. The jobs of a
        strategy stop when it stops or fails.
        """
        if interval_ns <= 0:
            raise ValueError(f"timer interval must be positive, got {interval_ns} ns")
        job = name or self._timer_name(callback)
        self.ctx.set_timer(self.id, job, callback, at_ns=start_ns, interval_ns=interval_ns)
        return job

    def at(self, ts_ns: int, callback: Callable[[int], None], name: str | None = None) -> str:
        """Run ``callback(ts_ns)`` once at engine time ``ts_ns`` (not in the past)."""
        job = name or self._timer_name(callback)
        self.ctx.set_timer(self.id, job, callback, at_ns=ts_ns)
        return job

    def _timer_name(self, callback: Callable[[int], None]) -> str:
        self._timer_seq += 1
        return f"{getattr(callback, '__name__', 'timer')}#{self._timer_seq}"

    def cancel_timer(self, name: str) -> bool:
        """Stop a job set by :meth:`every` or :meth:`at`; False when none has that name."""
        return self.ctx.cancel_timer(self.id, name)

    def _open(
        self,
        instrument_id: InstrumentId,
        side: OrderSide,
        size: float,
        size_mode: SizeMode,
        *,
        order_type: OrderType = _OT_MARKET,
        price: float | None = None,
        trigger_price: float | None = None,
        time_in_force: TimeInForce = _TIF_GTC,
        post_only: bool = False,
        confidence: float = 1.0,
        stop_loss: float | None = None,
        take_profit: float | None = None,
        invalidation: tuple[str, ...] = (),
        tag: str = "entry",
    ) -> Order | None:
        return self.signal(
            Signal(
                instrument_id=instrument_id,
                side=side,
                size=size,
                size_mode=size_mode,
                order_type=order_type,
                price=price,
                trigger_price=trigger_price,
                time_in_force=time_in_force,
                post_only=post_only,
                confidence=confidence,
                stop_loss=stop_loss,
                take_profit=take_profit,
                invalidation=invalidation,
                tag=tag,
            )
        )


__all__ = ["P", "Strategy", "StrategyParams"]
