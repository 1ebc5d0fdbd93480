"""The trading engine: one event path for backtest, paper and live trading.

market event → simulated venue matches working orders (paper/backtest only) → strategies see
the event and may emit signals → the risk engine sizes or denies each signal → the order
manager sends orders → venue reports fills → the portfolio books them → strategies hear back.

Only the clock, the data source and the execution client differ between modes; this class
is the same object in all of them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from operator import attrgetter
from typing import Any

import msgspec

from tradebot.engine import reconfigure
from tradebot.engine.bar_aggregator import BarAggregator
from tradebot.engine.bus import MessageBus
from tradebot.engine.clock import SimulatedClock
from tradebot.engine.equity_recorder import EquityRecorder
from tradebot.engine.records import EquitySample, SignalRecord, StrategyFailed
from tradebot.engine.strategy_timers import StrategyTimers
from tradebot.engine.strategy_view import StrategyView
from tradebot.execution.interfaces import ExecutionClient, SimulatedVenue
from tradebot.execution.order_manager import OrderManager
from tradebot.model.data import Bar, FundingRate, MarketEvent, QuoteTick, TradeTick
from tradebot.model.enums import OrderSide, OrderType
from tradebot.model.events import FundingPaid, OrderFilled, OrderUpdated
from tradebot.model.identifiers import InstrumentId, StrategyId
from tradebot.model.instruments import Instrument, Option
from tradebot.model.orders import Order
from tradebot.model.positions import Position
from tradebot.model.signals import Signal, SignalIntent, SizeMode, StructureSignal
from tradebot.model.timeframes import timeframe_ns
from tradebot.options.chain import OptionChain
from tradebot.options.market import OptionMarket
from tradebot.portfolio.portfolio import Portfolio
from tradebot.portfolio.strategy_book import StrategyBook
from tradebot.risk.engine import RiskEngine
from tradebot.risk.exits.conditions import ConditionError, compile_condition
from tradebot.risk.exits.names import is_known_name
from tradebot.risk.structure_check import StructureApproved
from tradebot.risk.verdict import Denied
from tradebot.strategies.base import Strategy
from tradebot.strategies.manager.manager import StrategyManager

log = logging.getLogger("tradebot.engine")

_Aggregation = tuple[BarAggregator, list[Callable[[Any], None]]]
_Route = tuple[list[Callable[[Any], None]], list[int], list[float], list[_Aggregation]]
"""For one event type on one instrument: strategy handlers, mark timestamps and prices, and the
longer-timeframe aggregators with the handlers that asked for them."""

_INTENT_OPEN = SignalIntent.OPEN
_INTENT_CLOSE = SignalIntent.CLOSE
_SIDE_BUY = OrderSide.BUY
_SIDE_SELL = OrderSide.SELL
_OT_MARKET = OrderType.MARKET
_SIZE_EQUITY_FRACTION = SizeMode.EQUITY_FRACTION
_SIZE_NOTIONAL = SizeMode.NOTIONAL

_PRICE: dict[type, Callable[[Any], float]] = {
    Bar: attrgetter("close"),
    QuoteTick: attrgetter("mid"),
    TradeTick: attrgetter("price"),
    FundingRate: lambda event: 0.0,
}
"""The price an event marks its instrument at (funding marks nothing)."""

_HOOKS: dict[type, str] = {
    Bar: "on_bar",
    QuoteTick: "on_quote",
    TradeTick: "on_trade",
    FundingRate: "on_funding",
}


class TradingEngine:
    """Wires strategies, risk, orders, venue and portfolio around one clock.

    Parameters
    ----------
    clock : SimulatedClock
        Simulated (backtest, replay) or wall clock (live); alerts fire as it advances.
    portfolio : Portfolio
        The account.
    risk : RiskEngine
        Sizes and checks every signal.
    venue : ExecutionClient
        Where orders go. When it also matches orders itself (the paper venue) it sees every
        market event before the strategies do.
    strategies : list[Strategy]
        What trades.
    bus : MessageBus | None
        Observers subscribe here (reports, CLI, storage, API).
    manager : StrategyManager | None
        Reviews the opening signals of each step together (weights, vote, regimes,
        allocation). Without it every signal goes straight to risk.
    options : OptionMarket | None
        Lists and prices options on the underlyings; it hears every bar of each underlying,
        held options are marked to it at every step and closed at settlement once expired.

    When several strategies run (or a manager is given), each strategy sees its own position
    through a :class:`StrategyView`, and ``book`` keeps P&L per strategy.
    """

    def __init__(
        self,
        *,
        clock: SimulatedClock,
        portfolio: Portfolio,
        risk: RiskEngine,
        venue: ExecutionClient,
        strategies: list[Strategy[Any]],
        bus: MessageBus | None = None,
        manager: StrategyManager | None = None,
        options: OptionMarket | None = None,
    ) -> None:
        self.clock = clock
        self.portfolio = portfolio
        self.risk = risk
        self.bus = bus or MessageBus()
        self.orders = OrderManager(portfolio, self.bus.publish, clock.now_ns)
        self.orders.add_client(venue, default=True)
        self.orders.on_fill(self._route_fill)
        self.orders.on_update(self._route_update)
        on_market = getattr(venue, "on_market", None)
        self._sim: SimulatedVenue | None = venue if callable(on_market) else None  # type: ignore[assignment]
        self.strategies = list(strategies)
        self._by_id = {s.id: s for s in self.strategies}
        if len(self._by_id) != len(self.strategies):
            raise ValueError("two strategies share an id; give each a distinct strategy_id")
        self._routes: dict[type, dict[InstrumentId, _Route]] = {
            Bar: {},
            QuoteTick: {},
            TradeTick: {},
            FundingRate: {},
        }
        # Kept apart from the routes: rebuilding a route (after a strategy fails) must not lose
        # the part of a longer-timeframe bar already seen.
        self._aggregators: dict[tuple[InstrumentId, str], BarAggregator] = {}
        self.manager = manager
        self.book = StrategyBook(portfolio.instruments, portfolio.rate)
        self.bus.subscribe(FundingPaid, self.book.on_funding)
        self._shared = manager is not None or len(self.strategies) > 1
        self._pending: list[Signal] = []
        self._closing: dict[tuple[StrategyId, InstrumentId], Order] = {}
        self._entries: dict[str, Signal] = {}
        """Opening orders' signals, for the exit plan their fills start."""
        self._exits = risk.exits
        self.signals: list[SignalRecord] = []
        self.structure_signals: list[tuple[StructureSignal, StructureApproved | Denied]] = []
        self.failures: list[StrategyFailed] = []
        self.recorder = EquityRecorder(portfolio)
        risk.breakers.publish = self.bus.publish
        self._breakers = risk.breakers
        self.options = options
        self._option_feed: dict[InstrumentId, str] = {}
        """Underlying instrument → asset whose option market its bars feed."""
        if options is not None:
            for iid, inst in portfolio.instruments.items():
                asset = inst.base
                if (
                    not isinstance(inst, Option)
                    and asset in options.underlyings()
                    and asset not in self._option_feed.values()
                ):
                    self._option_feed[iid] = asset
        self._held_options: dict[InstrumentId, Option] = {}
        self._timers = StrategyTimers(lambda: self.clock, self._guard, lambda: self._last_ts)
        self.events_processed = 0
        self._last_ts = -1
        self._started = False
        self._stopped = False

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> None:
        """Bind and start every strategy."""
        if self._started:
            raise RuntimeError("the engine was already started")
        self._started = True
        for strategy in self.strategies:
            strategy.bind(StrategyView(self, strategy.id) if self._shared else self)
            self._guard(strategy, strategy.on_start)

    @property
    def started(self) -> bool:
        """True once :meth:`start` ran (a resumed session is started before its replay)."""
        return self._started

    def stop(self) -> None:
        """Cancel working orders, stop strategies and take the last equity sample."""
        if self._stopped:
            return
        self._stopped = True
        self._timers.stop()
        if self._pending:
            self._review()
        self.risk.state.close_books(self.clock.now_ns())
        self.orders.cancel_all()
        for strategy in self.strategies:
            if strategy.id in self._by_id:
                self._guard(strategy, strategy.on_stop)
        if self._last_ts >= 0:
            self._sample(self._last_ts)

    # -- hot path ----------------------------------------------------------------------------
    def on_event(self, event: MarketEvent) -> None:
        """Process one market event at its timestamp.

        A backtest calls this once per bar, where one more Python call costs about as much as
        the bar's own bookkeeping, so the new-step work (sample equity, move the clock) is
        written out here rather than in a helper.
        """
        ts = event.ts_event
        cls = type(event)
        new_step = ts != self._last_ts
        if new_step:
            if self._last_ts >= 0:
                recorder = self.recorder
                if self.portfolio.account.version == recorder.steady_version:
                    recorder.ts.append(self._last_ts)  # all that sample() does between fills
                else:
                    recorder.sample(self._last_ts)
            self._last_ts = ts
            clock = self.clock
            if clock.has_alerts:
                clock.advance_to(ts)
            elif ts > clock.now:
                clock.now = ts
        self.events_processed += 1
        if self._option_feed:
            self._feed_option_market(event)
        sim = self._sim
        if sim is not None:
            sim.on_market(event)
        route = self._routes[cls].get(event.instrument_id) or self._route(cls, event.instrument_id)
        handlers, mark_ts, mark_px, aggregators = route
        price = event.close if cls is Bar else _PRICE[cls](event)  # type: ignore[union-attr]
        if price:
            mark_ts.append(ts)
            mark_px.append(price)
            if sim is None:
                self.portfolio.mark(event.instrument_id, price)
        breakers = self._breakers
        if breakers.watch_data or (new_step and breakers.active):
            # After the venue and the marks saw the event, before any strategy acts on it.
            self._run_breakers(event, ts, new_step)
        for handler in handlers:
            try:
                handler(event)
            except Exception as exc:  # one bad strategy must not stop the others
                self._fail(getattr(handler, "__self__", None), exc)
        if aggregators:
            self._dispatch_higher(event, aggregators)  # type: ignore[arg-type]
        if self._pending:
            self._review()

    def _run_breakers(self, event: MarketEvent, ts: int, new_step: bool) -> None:
        """Data freshness on every event, the circuit breakers once per step (when armed)."""
        breakers = self._breakers
        if breakers.watch_data:
            breakers.on_event(event)
        if new_step and breakers.active:
            breakers.on_step(ts)
            if breakers.close_requests:
                self._close_requested()

    # -- options -----------------------------------------------------------------------------
    def _feed_option_market(self, event: MarketEvent) -> None:
        """A bar of an underlying moves its option market (other events do not)."""
        if type(event) is Bar:
            asset = self._option_feed.get(event.instrument_id)
            if asset is not None:
                self._on_underlying_bar(event, asset)

    def _on_underlying_bar(self, bar: Bar, asset: str) -> None:
        """Move the option market, then mark held options and settle the expired ones."""
        options = self.options
        assert options is not None
        options.on_underlying_bar(bar, asset)
        if not self._held_options:
            return
        ts = bar.ts_event
        for iid, option in list(self._held_options.items()):
            if option.underlying != asset:
                continue
            if option.expiry_ns <= ts:
                # Settlement is at this close: value the coin at it too (conversion of coin
                # option cash into the account currency reads the portfolio's mark).
                self.portfolio.mark(bar.instrument_id, bar.close)
                self._settle_expired(option)
                continue
            quote = options.quote(option, ts)
            if quote is not None and quote.mark == quote.mark:
                self.portfolio.mark(iid, quote.mark)

    def _settle_expired(self, option: Option) -> None:
        """Close every strategy's position in an expired option; the venue settles it."""
        owners = [s for s in self.strategies if abs(self.book.quantity(s.id, option.id)) > 1e-12]
        for strategy in owners:
            self.close_holding(
                strategy.id, option.id, self.book.quantity(strategy.id, option.id), "expiry"
            )
        if abs(self.portfolio.holding(option.id)) <= 1e-12:
            self._held_options.pop(option.id, None)

    def option_chain(self, asset: str) -> OptionChain | None:
        """The option chain on ``asset`` now (None without an option market or a price)."""
        if self.options is None:
            return None
        return self.options.chain(asset, self.clock.now_ns())

    def register_instrument(self, instrument: Instrument) -> None:
        """Make an instrument listed after the start tradable and valued."""
        self.portfolio.add_instrument(instrument)

    def submit_structure(
        self, strategy_id: StrategyId, signal: StructureSignal
    ) -> list[Order] | None:
        """Size and check a multi-leg signal as one unit and send its legs together."""
        ts = self.clock.now_ns()
        signal = msgspec.structs.replace(signal, strategy_id=strategy_id, ts_event=ts)
        held = {}
        for iid, _ in signal.legs:
            self._mark_option(iid)
            held[iid] = self.book.quantity(strategy_id, iid) if self._shared else self.holding(iid)
        verdict = self.risk.evaluate_structure(signal, held)
        if isinstance(verdict, Denied):
            self.structure_signals.append((signal, verdict))
            log.info("structure denied: %s %s: %s", strategy_id, verdict.code, verdict.reason)
            return None
        self.structure_signals.append((signal, verdict))
        orders = [
            Order(
                self.orders.next_id(strategy_id),
                iid,
                _SIDE_BUY if quantity > 0 else _SIDE_SELL,
                _OT_MARKET,
                abs(quantity),
                reduce_only=signal.intent is _INTENT_CLOSE,
                strategy_id=strategy_id,
                tag=signal.tag or signal.name,
                ts_init=ts,
            )
            for iid, quantity in verdict.legs
        ]
        self.orders.submit_structure(orders)
        return orders

    def advance_time(self, ts_ns: int) -> None:
        """Fire the strategy timers due by ``ts_ns`` without a market event.

        A live or paper loop calls this from its heartbeat so that jobs run on time when no
        data arrives; in a backtest the timers fire as the events move the clock.
        """
        self.clock.advance_to(ts_ns)
        if self._pending:
            self._review()

    # -- strategy timers ---------------------------------------------------------------------
    def set_timer(
        self,
        strategy_id: StrategyId,
        name: str,
        callback: Callable[[int], None],
        *,
        at_ns: int | None = None,
        interval_ns: int = 0,
    ) -> None:
        """Run ``callback(ts_ns)`` for a strategy at engine time ``at_ns``, then every
        ``interval_ns`` (0: once).

        Without ``at_ns`` the first run is at the next multiple of ``interval_ns`` after now
        (UTC epoch aligned: a 15-minute job runs at :00, :15, :30, :45); before the first
        market event of a backtest "now" is that event's time. Jobs ride on the clock's
        alerts, so they fire at the same engine times in a backtest (simulated clock: when an
        event moves the clock past them, each at its own time and before that event is
        processed) as live (wall clock). A timer of the same name is replaced; the timers of
        a stopped or failed strategy, and of a stopped engine, never fire again.

        Raises
        ------
        ValueError
            When neither a time nor a positive interval is given, or ``at_ns`` is past.
        RuntimeError
            When the strategy is not running.
        """
        strategy = self._by_id.get(strategy_id)
        if strategy is None or self._stopped:
            raise RuntimeError(f"strategy {strategy_id} is not running; it cannot set timers")
        if interval_ns < 0 or (at_ns is None and interval_ns == 0):
            raise ValueError(
                f"timer '{name}': give a time or an interval > 0 (interval_ns={interval_ns})"
            )
        now = self.clock.now_ns()
        if at_ns is not None and at_ns < now:
            raise ValueError(f"timer '{name}': time {at_ns} is before now ({now})")
        self._timers.set(strategy, name, callback, at_ns=at_ns, interval_ns=interval_ns)

    def cancel_timer(self, strategy_id: StrategyId, name: str) -> bool:
        """Stop a strategy's timer; False when it has none of that name."""
        return self._timers.cancel(strategy_id, name)

    def _close_requested(self) -> None:
        """Close the positions the circuit breakers or the kill switch asked to close."""
        requests, self.risk.breakers.close_requests = self.risk.breakers.close_requests, []
        for instrument_id, reason in requests:
            log.warning("closing %s: %s", instrument_id, reason)
            owners = [
                s for s in self.strategies if abs(self.book.quantity(s.id, instrument_id)) > 1e-12
            ]
            for strategy in owners or self.strategies[:1]:
                held = (
                    self.book.quantity(strategy.id, instrument_id)
                    if owners
                    else self.holding(instrument_id)
                )
                if abs(held) <= 1e-12:
                    continue
                self.cancel_orders(strategy.id, instrument_id)
                tag = "risk" if reason.startswith("risk") else "manual"
                self.close_holding(strategy.id, instrument_id, held, tag)

    # -- reconfiguration while running (hot reload, API) -------------------------------------
    def set_strategy_params(self, strategy_id: StrategyId, params: Any) -> None:
        """Give a running strategy new parameters (see :func:`reconfigure.set_params`)."""
        reconfigure.set_params(self, strategy_id, params)

    def add_strategy(self, strategy: Strategy[Any]) -> None:
        """Start running ``strategy`` from the next event (see :func:`reconfigure.add`)."""
        reconfigure.add(self, strategy)

    def remove_strategy(self, strategy_id: StrategyId, *, close_positions: bool = True) -> None:
        """Stop ``strategy_id`` (see :func:`reconfigure.remove`)."""
        reconfigure.remove(self, strategy_id, close_positions=close_positions)

    def close_holding(
        self, strategy_id: StrategyId, instrument_id: InstrumentId, held: float, tag: str
    ) -> Order | None:
        """Send the closing signal for ``held`` (signed) of a strategy's position."""
        side = _SIDE_SELL if held > 0 else _SIDE_BUY
        signal = Signal(instrument_id=instrument_id, side=side, intent=_INTENT_CLOSE, tag=tag)
        return self.submit_signal(strategy_id, signal)

    def _reroute(self) -> None:
        """Forget the cached event routes: the set of running strategies changed."""
        for by_instrument in self._routes.values():
            by_instrument.clear()

    # -- kill switch (callable from code, the API and Telegram) ---------------------------------
    def pause(self, reason: str = "paused by hand") -> None:
        """No new positions until :meth:`resume`; exits still work."""
        self.risk.breakers.pause(self.clock.now_ns(), reason)

    def resume(self, reason: str = "resumed by hand") -> None:
        """Lift a pause, manual or from the drawdown step."""
        self.risk.breakers.resume(self.clock.now_ns(), reason)

    def close_all(self, reason: str = "close-all by hand") -> None:
        """Close every position now (and cancel the orders on them); exits are tagged
        ``manual`` (``risk`` when ``reason`` starts with "risk")."""
        self.risk.breakers.close_all(reason)
        self._close_requested()

    def _dispatch_higher(self, bar: Bar, aggregators: list[_Aggregation]) -> None:
        """Feed longer-timeframe aggregators and deliver the bars they complete."""
        for aggregator, handlers in aggregators:
            for higher in aggregator.update(bar):
                for handler in handlers:
                    owner = getattr(handler, "__self__", None)
                    if owner is not None and owner.id not in self._by_id:
                        continue  # the strategy failed earlier in this event and was stopped
                    try:
                        handler(higher)
                    except Exception as exc:  # one bad strategy must not stop the others
                        self._fail(getattr(handler, "__self__", None), exc)

    def _subscribers(self, instrument_id: InstrumentId) -> list[Strategy[Any]]:
        return [
            s for s in self.strategies if s.id in self._by_id and s.subscribes_to(instrument_id)
        ]

    def _route(self, cls: type, instrument_id: InstrumentId) -> _Route:
        """Handlers and mark series for events of ``cls`` on ``instrument_id``."""
        hook = _HOOKS[cls]
        handlers = [
            getattr(s, hook)
            for s in self._subscribers(instrument_id)
            if getattr(type(s), hook) is not getattr(Strategy, hook)
        ]
        if cls is Bar and self.manager is not None:
            handlers.insert(0, self.manager.on_bar)  # the regime first, then the strategies
        if cls is Bar and self.risk.wants_bars:
            handlers.insert(0, self.risk.on_bar)
        if self._exits is not None and cls is not FundingRate:
            handlers.insert(0, self._watch_exits)
        marks = self.recorder.series(instrument_id)
        aggregators: list[_Aggregation] = []
        if cls is Bar:
            wanted = sorted(
                {tf for s in self._subscribers(instrument_id) for tf in s.timeframes},
                key=timeframe_ns,
            )
            for tf in wanted:
                takers: list[Callable[[Any], None]] = [
                    s.on_bar for s in self._subscribers(instrument_id) if tf in s.timeframes
                ]
                aggregator = self._aggregators.get((instrument_id, tf))
                if aggregator is None:
                    aggregator = self._aggregators[instrument_id, tf] = BarAggregator(tf)
                aggregators.append((aggregator, takers))
        route = (handlers, marks[0], marks[1], aggregators)
        self._routes[cls][instrument_id] = route
        return route

    def _sample(self, ts: int) -> None:
        self.recorder.sample(ts)

    # -- StrategyContext ---------------------------------------------------------------------
    def now_ns(self) -> int:
        """Engine time, UTC ns."""
        return self.clock.now_ns()

    def submit_signal(self, strategy_id: StrategyId, signal: Signal) -> Order | None:
        """Size and check ``signal``; send the order it becomes, or record the denial.

        Under a manager, opening signals wait for the end of the step to be reviewed together
        and this returns None; closing signals are sent at once.
        """
        ts = self.clock.now_ns()
        signal = msgspec.structs.replace(signal, strategy_id=strategy_id, ts_event=ts)
        market_exit = signal.intent is _INTENT_CLOSE and signal.order_type is _OT_MARKET
        if market_exit:
            working = self._closing.get((strategy_id, signal.instrument_id))
            if working is not None and working.is_open:
                return working  # an exit is already on its way: never close twice
            # An entry (or a bracket) still working would keep changing what is being closed.
            self.orders.cancel_all(signal.instrument_id, strategy_id)
        elif signal.invalidation:
            bad = self._bad_condition(signal)
            if bad is not None:
                self.signals.append(SignalRecord(signal, bad, None))
                self.risk.denials[bad.code] = self.risk.denials.get(bad.code, 0) + 1
                return None
        if self.manager is not None and signal.intent is _INTENT_OPEN:
            self._pending.append(signal)
            return None
        order = self._submit(signal)
        if order is not None and market_exit:
            self._closing[strategy_id, signal.instrument_id] = order
        return order

    @staticmethod
    def _bad_condition(signal: Signal) -> Denied | None:
        """Invalidation conditions are checked when the signal is sent, not when they fire."""
        for text in signal.invalidation:
            try:
                compile_condition(text, is_known_name)
            except ConditionError as exc:
                return Denied("BAD_CONDITION", str(exc))
        return None

    def _review(self) -> None:
        """Pass the step's opening signals through the manager, then on to risk."""
        pending, self._pending = self._pending, []
        assert self.manager is not None
        review = self.manager.review(pending, self)
        for signal, dropped in review.denied:
            self.signals.append(SignalRecord(signal, Denied(dropped.code, dropped.reason), None))
            log.info(
                "signal held back by the manager: %s %s: %s",
                signal.strategy_id,
                dropped.code,
                dropped.reason,
            )
        for signal in review.approved:
            self._submit(signal)

    def _mark_option(self, instrument_id: InstrumentId) -> None:
        """Price an option at the market now, so risk sizes it on a current mark."""
        inst = self.portfolio.instruments.get(instrument_id)
        if isinstance(inst, Option) and self.options is not None:
            quote = self.options.quote(inst, self.clock.now_ns())
            if quote is not None and quote.mark == quote.mark:
                self.portfolio.mark(instrument_id, quote.mark)

    def _submit(self, signal: Signal) -> Order | None:
        strategy_id = signal.strategy_id
        if self.options is not None:
            self._mark_option(signal.instrument_id)
        ts = signal.ts_event
        own = self.book.quantity(strategy_id, signal.instrument_id) if self._shared else None
        verdict = self.risk.evaluate(signal, held=own)
        order_id = self.orders.next_id(strategy_id)
        if isinstance(verdict, Denied):
            self.signals.append(SignalRecord(signal, verdict, None))
            log.info("signal denied: %s %s: %s", strategy_id, verdict.code, verdict.reason)
            return None
        order = Order(
            order_id,
            signal.instrument_id,
            verdict.side,
            signal.order_type,
            verdict.quantity,
            quote_quantity=verdict.quote_quantity,
            price=signal.price,
            trigger_price=signal.trigger_price,
            time_in_force=signal.time_in_force,
            post_only=signal.post_only,
            reduce_only=verdict.reduce_only,
            strategy_id=strategy_id,
            tag=signal.tag,
            ts_init=ts,
        )
        self.signals.append(SignalRecord(signal, verdict, order_id))
        if signal.intent is _INTENT_OPEN and self._exits is not None:
            self._entries[order_id] = signal
        self.orders.submit(order)
        return order

    def cancel_orders(self, strategy_id: StrategyId, instrument_id: InstrumentId | None) -> int:
        """Cancel a strategy's open orders."""
        return self.orders.cancel_all(instrument_id, strategy_id)

    def open_orders(
        self, strategy_id: StrategyId, instrument_id: InstrumentId | None
    ) -> list[Order]:
        """A strategy's open orders."""
        return self.orders.open_orders(instrument_id, strategy_id)

    def position(self, instrument_id: InstrumentId) -> Position:
        """Net position in ``instrument_id``."""
        return self.portfolio.position(instrument_id)

    def holding(self, instrument_id: InstrumentId) -> float:
        """Signed quantity held."""
        return self.portfolio.holding(instrument_id)

    def equity(self) -> float:
        """Net liquidation value."""
        return self.portfolio.net_liquidation_value()

    def instrument(self, instrument_id: InstrumentId) -> Instrument:
        """Definition of ``instrument_id``."""
        return self.portfolio.instruments[instrument_id]

    def last_price(self, instrument_id: InstrumentId) -> float | None:
        """Last known price of ``instrument_id``."""
        return self.portfolio.last_price.get(instrument_id)

    # -- AccountView (what the manager reads) ----------------------------------------------
    def budget(self) -> float:
        """Net liquidation value times leverage, in the base currency."""
        return self.portfolio.valuation()[0] * max(self.portfolio.account.leverage, 1.0)

    def order_value(self, signal: Signal) -> float | None:
        """Base-currency value ``signal`` asks for as written, or None without a price."""
        if signal.size_mode is _SIZE_NOTIONAL:
            return signal.size
        inst = self.portfolio.instruments.get(signal.instrument_id)
        if inst is None:
            return None
        if signal.size_mode is _SIZE_EQUITY_FRACTION:
            leverage = self.portfolio.account.leverage if inst.is_derivative else 1.0
            return signal.size * self.portfolio.valuation()[0] * leverage
        price = signal.price or self.portfolio.last_price.get(inst.id)
        if not price:
            return None
        return inst.notional(signal.size, price) * self.portfolio.rate(inst.settlement_currency)

    def strategy_exposure(self, strategy_id: StrategyId) -> float:
        """Gross value of a strategy's open positions."""
        return self.book.exposure(strategy_id, self.portfolio.last_price)

    def total_exposure(self) -> float:
        """Gross value of every strategy's open positions."""
        return self.book.total_exposure(self.portfolio.last_price)

    # -- routing back to strategies ----------------------------------------------------------
    def _watch_exits(self, event: MarketEvent) -> None:
        """Let the exit monitor check its plans on ``event``; close what it decides."""
        monitor = self._exits
        assert monitor is not None
        if type(event) is Bar:
            decisions = monitor.on_bar(event)
        else:
            price = _PRICE[type(event)](event)
            decisions = monitor.on_price(event.instrument_id, price, event.ts_event)
        for decision in decisions:
            held = self.book.quantity(decision.strategy_id, decision.instrument_id)
            if abs(held) <= 1e-12:
                continue
            log.info("exit %s %s: %s", decision.instrument_id, decision.reason, decision.detail)
            self.submit_signal(
                decision.strategy_id,
                Signal(
                    instrument_id=decision.instrument_id,
                    side=_SIDE_SELL if held > 0 else _SIDE_BUY,
                    intent=_INTENT_CLOSE,
                    tag=decision.reason.value,
                ),
            )

    def _plan_exits(self, order: Order, fill: OrderFilled) -> None:
        """Open, update or drop the exit plan of the position this fill changed."""
        monitor = self._exits
        assert monitor is not None
        sid, iid = order.strategy_id, order.instrument_id
        if isinstance(self.portfolio.instruments[iid], Option):
            return  # no tape to watch: option strategies manage their exits, expiry settles
        pos = self.book.position(sid, iid)
        if pos.is_flat:
            monitor.close(sid, iid)
            return
        entry = self._entries.get(order.client_order_id)
        if entry is None:
            return
        inst = pos.instrument
        try:
            monitor.open(
                sid,
                iid,
                1 if pos.quantity > 0 else -1,
                pos.avg_entry_price,
                fill.ts_event,
                self.portfolio.account.leverage if inst.is_derivative else 1.0,
                stop_loss=entry.stop_loss,
                take_profit=entry.take_profit,
                invalidation=entry.invalidation,
            )
        except ValueError as exc:  # a plan the monitor cannot hold: say so, keep trading
            log.error("no exit plan for %s %s: %s", sid, iid, exc)

    def _route_fill(self, order: Order, fill: OrderFilled) -> None:
        closed = self.book.on_fill(fill)
        if self.options is not None:
            inst = self.portfolio.instruments[fill.instrument_id]
            if isinstance(inst, Option):
                if abs(self.portfolio.holding(inst.id)) > 1e-12:
                    self._held_options[inst.id] = inst
                else:
                    self._held_options.pop(inst.id, None)
        if self._exits is not None:
            self._plan_exits(order, fill)
        if closed and self.manager is not None:
            for trade in closed:
                self.manager.on_trade_closed(trade, trade.pnl * self.portfolio.rate(trade.currency))
        strategy = self._by_id.get(order.strategy_id)
        if strategy is not None and type(strategy).on_fill is not Strategy.on_fill:
            self._guard(strategy, strategy.on_fill, order, fill)

    def _route_update(self, order: Order, update: OrderUpdated) -> None:
        strategy = self._by_id.get(order.strategy_id)
        if strategy is not None and type(strategy).on_order_update is not Strategy.on_order_update:
            self._guard(strategy, strategy.on_order_update, order, update)

    def _guard(self, strategy: Strategy[Any], fn: Callable[..., None], *args: Any) -> None:
        try:
            fn(*args)
        except Exception as exc:  # one bad strategy must not stop the others
            self._fail(strategy, exc)

    def _fail(self, strategy: object, exc: Exception) -> None:
        if not isinstance(strategy, Strategy):
            raise exc
        if strategy.id not in self._by_id:
            return
        del self._by_id[strategy.id]
        self._timers.drop(strategy.id)
        self._reroute()
        ts = self.clock.now_ns()
        failure = StrategyFailed(strategy.id, f"{type(exc).__name__}: {exc}", ts)
        self.failures.append(failure)
        log.error("strategy %s failed and was stopped", strategy.id, exc_info=exc)
        self.orders.cancel_all(strategy_id=strategy.id)
        self.bus.publish(failure)


__all__ = ["EquitySample", "SignalRecord", "StrategyFailed", "TradingEngine"]
