"""The paper venue: a simulated exchange that fills orders against bars, quotes and trades.

It stands where a live venue adapter stands, behind the same ``ExecutionClient`` interface, so
the engine, strategies, risk manager and order manager cannot tell the difference.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

from tradebot.execution.interfaces import ExecutionEvents
from tradebot.model.data import Bar, FundingRate, MarketEvent, QuoteTick, TradeTick
from tradebot.model.enums import LiquiditySide, OrderSide, OrderType, TimeInForce
from tradebot.model.events import FundingPaid, OrderFilled, PositionLiquidated
from tradebot.model.identifiers import ClientOrderId, InstrumentId, StrategyId
from tradebot.model.instruments import Instrument, Option, Perpetual
from tradebot.model.orders import Order
from tradebot.options import economics
from tradebot.options.market import OptionMarket
from tradebot.portfolio.portfolio import Portfolio
from tradebot.venues.paper.bar_path import bar_path, first_at_or_above, first_at_or_below
from tradebot.venues.paper.config import PaperVenueConfig
from tradebot.venues.paper.option_pricing import OptionFills
from tradebot.venues.paper.working_order import WorkingOrder

# Enum members bound once: attribute access on an Enum class is slow on Python 3.11.
_OT_MARKET = OrderType.MARKET
_OT_STOP_MARKET = OrderType.STOP_MARKET
_OT_STOP_LIMIT = OrderType.STOP_LIMIT
_SIDE_BUY = OrderSide.BUY
_SIDE_SELL = OrderSide.SELL
_TIF_GTC = TimeInForce.GTC
_TIF_IOC = TimeInForce.IOC
_TIF_FOK = TimeInForce.FOK
_LIQ_MAKER = LiquiditySide.MAKER
_LIQ_TAKER = LiquiditySide.TAKER

_MARKETS = (_OT_MARKET, _OT_STOP_MARKET)


class PaperVenue:
    """Matches orders against market data and checks balances and margin like an exchange.

    Quotes are the best data: while quotes arrive for an instrument, its orders fill against
    the bid/ask (with sizes); a bar with no quote since its open fills orders along its
    intrabar path instead.

    Parameters
    ----------
    config : PaperVenueConfig
        Fees, slippage, latency and fill rules.
    portfolio : Portfolio
        The account the venue checks funds against (in paper mode the venue's books and the
        engine's portfolio are the same ledger).
    clock : callable
        Returns the current time in UTC ns.
    options : OptionMarket | None
        Prices option orders when no real quotes arrive for them: they fill at once at the
        market's bid or ask (a resting limit is checked again at every later event), expired
        options settle at their intrinsic value, and structures fill all legs or none.
    """

    def __init__(
        self,
        config: PaperVenueConfig,
        portfolio: Portfolio,
        clock: Callable[[], int],
        options: OptionMarket | None = None,
    ) -> None:
        self.venue = config.venue
        self.config = config
        self._portfolio = portfolio
        self._now = clock
        self._events: ExecutionEvents | None = None
        self._working: dict[InstrumentId, list[WorkingOrder]] = {}
        self._last_quote_ts: dict[InstrumentId, int] = {}
        self._perpetuals = {
            iid for iid, inst in portfolio.instruments.items() if isinstance(inst, Perpetual)
        }
        self._seq = itertools.count()
        self._trade_ids = itertools.count(1)
        self._latency_ns = int(config.latency_ms * 1_000_000)
        self._options = OptionFills(options, portfolio) if options is not None else None
        self._resting_options: list[WorkingOrder] = []
        self.known_ids: set[ClientOrderId] = set()
        """Every client order id this venue was sent: a re-sent id is ignored, never doubled
        (idempotent client order ids, as real venues deduplicate)."""

    # -- ExecutionClient ---------------------------------------------------------------------
    def connect(self, events: ExecutionEvents) -> None:
        """Report order and account events to ``events``."""
        self._events = events

    @property
    def events(self) -> ExecutionEvents:
        """The sink events go to."""
        if self._events is None:
            raise RuntimeError("the paper venue was used before connect() was called")
        return self._events

    def submit_order(self, order: Order) -> None:
        """Accept or reject ``order``; matching happens on the next market event.

        An order whose client order id this venue already has is ignored (idempotent).
        """
        known = self.known_ids
        if order.client_order_id in known:
            return
        known.add(order.client_order_id)
        now = self._now()
        instrument = self._portfolio.instruments.get(order.instrument_id)
        if instrument is None:
            self.events.on_order_rejected(order, f"unknown instrument {order.instrument_id}", now)
            return
        if order.quantity and order.quantity < float(instrument.min_quantity):
            self.events.on_order_rejected(
                order,
                f"quantity {order.quantity:g} is below the minimum {instrument.min_quantity}",
                now,
            )
            return
        if (
            self._options is not None
            and isinstance(instrument, Option)
            and instrument.id not in self._last_quote_ts
        ):
            self._submit_option(order, instrument, now)
            return
        self.events.on_order_accepted(order, now)
        working = WorkingOrder(order, next(self._seq), now + self._latency_ns, order.quantity)
        self._working.setdefault(order.instrument_id, []).append(working)

    # -- options priced by the option market ---------------------------------------------------
    def _submit_option(self, order: Order, option: Option, now: int) -> None:
        desk = self._options
        assert desk is not None
        if order.order_type in (_OT_STOP_MARKET, _OT_STOP_LIMIT):
            self.events.on_order_rejected(order, "stop orders on options are not supported", now)
            return
        if option.expiry_ns <= now:
            if not order.reduce_only:
                self.events.on_order_rejected(order, f"{option.id} has expired", now)
                return
            self.events.on_order_accepted(order, now)
            self._settle(order, option, now)
            return
        price, problem = desk.fill_price(order, option, now)
        if problem:
            self.events.on_order_rejected(order, problem, now)
            return
        self.events.on_order_accepted(order, now)
        working = WorkingOrder(order, next(self._seq), now, order.quantity)
        working.arrived = True
        limit = order.price
        buy = order.side is _SIDE_BUY
        if limit is not None and ((price > limit) if buy else (price < limit)):
            if order.time_in_force is not _TIF_GTC or order.post_only:
                self.events.on_order_canceled(order, "option limit order not marketable", now)
                return
            self._working.setdefault(option.id, []).append(working)
            self._resting_options.append(working)
            return
        self._fill(working, working.leaves, price, True, now)

    def _settle(self, order: Order, option: Option, now: int) -> None:
        """Close a position in an expired option at its settlement value."""
        desk = self._options
        assert desk is not None
        index = desk.index_price(option)
        if index is None:
            self.events.on_order_rejected(order, f"no settlement index for {option.id}", now)
            return
        held = self._portfolio.holding(option.id)
        closable = -held if order.side is _SIDE_BUY else held
        quantity = min(order.quantity, max(closable, 0.0))
        if quantity <= 1e-12:
            self.events.on_order_canceled(order, "reduce-only order found no position", now)
            return
        value = economics.settlement_value(option, index)
        fee = economics.settlement_fee(option, quantity, value, index)
        fill = OrderFilled(
            client_order_id=order.client_order_id,
            instrument_id=option.id,
            strategy_id=order.strategy_id,
            side=order.side,
            quantity=quantity,
            price=value,
            fee=fee,
            fee_currency=option.settlement_currency,
            liquidity=_LIQ_TAKER,
            ts_event=now,
            trade_id=f"P-{next(self._trade_ids)}",
            tag=order.tag,
        )
        self.events.on_order_filled(order, fill)

    def submit_structure(self, orders: list[Order]) -> None:
        """Fill every leg at once at the option market's prices, or reject them all."""
        if any(o.client_order_id in self.known_ids for o in orders):
            return  # re-sent: the venue already has (some of) these legs
        self.known_ids.update(o.client_order_id for o in orders)
        now = self._now()
        desk = self._options
        problem = "no option market is attached" if desk is None else ""
        prices: list[float] = []
        if desk is not None:
            prices, problem = desk.structure_prices(orders, now, self.config.slippage)
            if not problem and not all(o.reduce_only for o in orders):
                problem = desk.structure_funds_problem(orders, prices, now)
        if problem:
            for order in orders:
                self.events.on_order_rejected(order, f"structure: {problem}", now)
            return
        for order in orders:
            self.events.on_order_accepted(order, now)
        for order, price in zip(orders, prices, strict=True):
            working = WorkingOrder(order, next(self._seq), now, order.quantity)
            working.arrived = True
            self._fill(working, working.leaves, price, True, now, check_funds=False)

    def _recheck_resting_options(self) -> None:
        desk = self._options
        assert desk is not None
        now = self._now()
        for w in list(self._resting_options):
            book = self._working.get(w.order.instrument_id, [])
            if w not in book:
                self._resting_options.remove(w)
                continue
            option = self._portfolio.instruments[w.order.instrument_id]
            assert isinstance(option, Option)
            if option.expiry_ns <= now:
                self._remove(w)
                self._resting_options.remove(w)
                self.events.on_order_canceled(w.order, f"{option.id} expired", now)
                continue
            price, problem = desk.fill_price(w.order, option, now)
            limit = w.order.price
            assert limit is not None
            buy = w.order.side is _SIDE_BUY
            if problem or ((price > limit) if buy else (price < limit)):
                continue
            self._resting_options.remove(w)
            self._fill(w, w.leaves, limit, False, now)

    def cancel_order(self, order: Order) -> None:
        """Remove ``order`` from the book if it is still working."""
        book = self._working.get(order.instrument_id, [])
        for working in book:
            if working.order is order:
                book.remove(working)
                self.events.on_order_canceled(order, "canceled by request", self._now())
                return

    def open_orders(self, instrument_id: InstrumentId | None = None) -> list[Order]:
        """Orders still working, optionally for one instrument."""
        books = [self._working.get(instrument_id, [])] if instrument_id else self._working.values()
        return [w.order for book in books for w in book]

    # -- market data -------------------------------------------------------------------------
    def on_market(self, event: MarketEvent) -> None:
        """Match working orders and apply funding or liquidation for ``event``."""
        iid = event.instrument_id
        if self._resting_options:
            self._recheck_resting_options()
        if type(event) is Bar:
            if self._working.get(iid) and self._last_quote_ts.get(iid, -1) < event.ts_open:
                self._match_bar(event)  # no quote during this bar: the bar is the best data
            self._portfolio.last_price[iid] = event.close
            if iid in self._perpetuals:
                self._check_liquidation(iid, event.low, event.high)
        elif type(event) is QuoteTick:
            self._last_quote_ts[iid] = event.ts_event
            self._portfolio.mark(event.instrument_id, event.mid)
            if self._working.get(event.instrument_id):
                self._match_quote(event)
            if iid in self._perpetuals:
                self._check_liquidation(iid, event.bid, event.ask)
        elif type(event) is TradeTick:
            self._portfolio.mark(event.instrument_id, event.price)
            if self._working.get(event.instrument_id):
                self._match_trade(event)
            if iid in self._perpetuals:
                self._check_liquidation(iid, event.price, event.price)
        elif type(event) is FundingRate:
            self._apply_funding(event)

    # -- bars --------------------------------------------------------------------------------
    def _match_bar(self, bar: Bar) -> None:
        path = bar_path(bar)
        strict = not self.config.limit_fill_on_touch
        candidates: list[tuple[float, int, WorkingOrder, float, bool]] = []
        for working in list(self._working[bar.instrument_id]):
            if working.ts_active > bar.ts_event:
                continue  # still in flight (latency longer than the bar)
            hit = self._bar_fill(working, path, strict)
            if hit is None:
                if not working.arrived:
                    self._after_unfilled_arrival(working, path[0])
            else:
                position, price, taker = hit
                candidates.append((position, working.seq, working, price, taker))
            working.arrived = True
        duration = bar.ts_event - bar.ts_open
        if len(candidates) > 1:  # most bars that match at all fill one order: no sort
            candidates.sort(key=lambda c: (c[0], c[1]))
        book = self._working[bar.instrument_id]
        for position, _, working, price, taker in candidates:
            if working in book:
                # The fill happened inside the bar: date it at its place along the path.
                ts = max(working.ts_active, bar.ts_open + int(duration * position / 3.0))
                self._fill(working, working.leaves, price, taker, ts)

    def _bar_fill(
        self, w: WorkingOrder, path: tuple[float, float, float, float], strict: bool
    ) -> tuple[float, float, bool] | None:
        """Position on the path, price and taker flag of a fill, or None."""
        order = w.order
        buy = order.side is _SIDE_BUY
        slip = self.config.slippage
        adverse = (1.0 + slip) if buy else (1.0 - slip)
        if order.order_type is _OT_MARKET or (w.triggered and order.order_type is _OT_STOP_MARKET):
            return (0.0, path[0] * adverse, True)
        start = 0.0
        if order.order_type in (_OT_STOP_MARKET, _OT_STOP_LIMIT) and not w.triggered:
            trig = order.trigger_price
            assert trig is not None
            at = first_at_or_above(path, trig) if buy else first_at_or_below(path, trig)
            if at is None:
                return None
            if order.order_type is _OT_STOP_MARKET:
                base = path[0] if at == 0.0 else trig
                return (at, base * adverse, True)
            w.triggered = True
            self.events.on_order_triggered(order, self._now())
            start = at
            level = order.price
            assert level is not None
            trigger_px = path[0] if at == 0.0 else trig
            marketable = trigger_px <= level if buy else trigger_px >= level
            if marketable:
                px = min(trigger_px * adverse, level) if buy else max(trigger_px * adverse, level)
                return (at, px, True)
        limit = order.price
        assert limit is not None
        if not w.arrived and start == 0.0:
            marketable = path[0] <= limit if buy else path[0] >= limit
            if marketable:
                if order.post_only:
                    return None  # rejected in _after_unfilled_arrival
                px = min(path[0] * adverse, limit) if buy else max(path[0] * adverse, limit)
                return (0.0, px, True)
        at = (
            first_at_or_below(path, limit, start, strict)
            if buy
            else first_at_or_above(path, limit, start, strict)
        )
        if at is None:
            return None
        return (at, limit, False)

    def _after_unfilled_arrival(self, w: WorkingOrder, arrival_price: float) -> None:
        """Handle IOC/FOK expiry and post-only rejection for an order that did not fill on arrival.

        ``arrival_price`` is what the order met: the bar's open, or the quote's touch.
        """
        order = w.order
        if order.post_only:
            limit = order.price
            if limit is not None:
                buy = order.side is _SIDE_BUY
                crosses = arrival_price <= limit if buy else arrival_price >= limit
                if crosses:
                    self._remove(w)
                    self.events.on_order_canceled(
                        order, "post-only order would have taken liquidity", self._now()
                    )
                    return
        if order.time_in_force is not _TIF_GTC:
            self._remove(w)
            self.events.on_order_canceled(
                order, f"{order.time_in_force.value} order found nothing to fill", self._now()
            )

    # -- quotes and trades -------------------------------------------------------------------
    def _match_quote(self, quote: QuoteTick) -> None:
        book = self._working[quote.instrument_id]
        for w in list(book):
            if w.ts_active > quote.ts_event or w not in book:
                continue  # in flight, or canceled by a fill callback earlier in this loop
            order = w.order
            buy = order.side is _SIDE_BUY
            touch = quote.ask if buy else quote.bid
            size = quote.ask_size if buy else quote.bid_size
            available = size if size > 0 else float("inf")
            first = not w.arrived
            w.arrived = True
            if order.order_type in (_OT_STOP_MARKET, _OT_STOP_LIMIT) and (not w.triggered):
                trig = order.trigger_price
                assert trig is not None
                if (touch < trig) if buy else (touch > trig):
                    continue
                w.triggered = True
                self.events.on_order_triggered(order, quote.ts_event)
                first = True
            if order.order_type in _MARKETS:
                self._fill_sized(w, touch, True, quote.ts_event, available)
                continue
            limit = order.price
            assert limit is not None
            crosses = touch <= limit if buy else touch >= limit
            if not crosses:
                if first:
                    self._after_unfilled_arrival(w, touch)
                continue
            if first:
                if order.post_only:
                    self._remove(w)
                    self.events.on_order_canceled(
                        order, "post-only order would have taken liquidity", quote.ts_event
                    )
                    continue
                self._fill_sized(w, touch, True, quote.ts_event, available)
            else:
                self._fill_sized(w, limit, False, quote.ts_event, available)

    def _match_trade(self, trade: TradeTick) -> None:
        strict = not self.config.limit_fill_on_touch
        book = self._working[trade.instrument_id]
        for w in list(book):
            if w.ts_active > trade.ts_event or w not in book:
                continue  # in flight, or canceled by a fill callback earlier in this loop
            order = w.order
            buy = order.side is _SIDE_BUY
            first = not w.arrived
            w.arrived = True
            if order.order_type in (_OT_STOP_MARKET, _OT_STOP_LIMIT) and not w.triggered:
                trig = order.trigger_price
                assert trig is not None
                if (trade.price < trig) if buy else (trade.price > trig):
                    continue
                w.triggered = True
                self.events.on_order_triggered(order, trade.ts_event)
                first = True
            slip = self.config.slippage
            px = trade.price * ((1 + slip) if buy else (1 - slip))
            if order.order_type in _MARKETS:
                self._fill_sized(w, px, True, trade.ts_event, float("inf"))
                continue
            limit = order.price
            assert limit is not None
            if first:
                # Meeting the market: marketable takes liquidity (like a bar's open), else rests.
                marketable = trade.price <= limit if buy else trade.price >= limit
                if not marketable or order.post_only:
                    self._after_unfilled_arrival(w, trade.price)
                else:
                    px = min(px, limit) if buy else max(px, limit)
                    self._fill_sized(w, px, True, trade.ts_event, float("inf"))
                continue
            if buy:
                through = trade.price < limit if strict else trade.price <= limit
            else:
                through = trade.price > limit if strict else trade.price >= limit
            if through:
                self._fill_sized(w, limit, False, trade.ts_event, trade.size or float("inf"))

    # -- fills -------------------------------------------------------------------------------
    def _fill_sized(
        self, w: WorkingOrder, price: float, taker: bool, ts: int, available: float
    ) -> None:
        order = w.order
        if w.quantity == 0:
            self._fill(w, 0.0, price, taker, ts, available)
            return
        quantity = min(w.leaves, available)
        if order.time_in_force is _TIF_FOK and quantity < w.leaves:
            self._remove(w)
            self.events.on_order_canceled(order, "fok order could not fill in full", ts)
            return
        self._fill(w, quantity, price, taker, ts)
        if w in self._working.get(order.instrument_id, []) and (order.time_in_force is _TIF_IOC):
            self._remove(w)
            self.events.on_order_canceled(order, "ioc remainder canceled", ts)

    def _fill(
        self,
        w: WorkingOrder,
        quantity: float,
        price: float,
        taker: bool,
        ts: int,
        available: float = float("inf"),
        *,
        check_funds: bool = True,
    ) -> None:
        order = w.order
        inst = self._portfolio.instruments[order.instrument_id]
        price = inst.round_price(price) if not taker else price
        fee_rate = self.config.taker_fee if taker else self.config.maker_fee
        if type(inst) is Option and self._options is not None:
            fee_rate = inst.taker_fee if taker else inst.maker_fee
        if w.quantity == 0:  # sized in quote currency
            quantity = inst.floor_size(
                min(order.quote_quantity / (price * (1.0 + fee_rate)), available)
            )
            if quantity <= 0 or quantity < float(inst.min_quantity):
                self._reject(w, f"quote amount {order.quote_quantity:g} buys less than one lot", ts)
                return
            w.quantity = quantity
        capped = False
        if order.reduce_only:
            held = self._portfolio.holding(order.instrument_id)
            closable = -held if order.side is _SIDE_BUY else held
            if closable <= 1e-12:
                self._remove(w)
                self.events.on_order_canceled(order, "reduce-only order found no position", ts)
                return
            capped = quantity > closable + 1e-12
            quantity = min(quantity, closable)
        if type(inst) is Option and self._options is not None:
            fee = self._options.fee(inst, quantity, price, fee_rate)
            problem = (
                self._options.funds_problem(inst, order.side, quantity, price, fee)
                if check_funds
                else ""
            )
        else:
            fee = inst.notional(quantity, price) * fee_rate
            problem = (
                self._funds_problem(inst, order.side, quantity, price, fee_rate)
                if check_funds
                else ""
            )
        if problem:
            self._reject(w, problem, ts)
            return
        fill = OrderFilled(
            client_order_id=order.client_order_id,
            instrument_id=order.instrument_id,
            strategy_id=order.strategy_id,
            side=order.side,
            quantity=quantity,
            price=price,
            fee=fee,
            fee_currency=inst.settlement_currency,
            liquidity=_LIQ_TAKER if taker else _LIQ_MAKER,
            ts_event=ts,
            trade_id=f"P-{next(self._trade_ids)}",
            tag=order.tag,
        )
        w.filled += quantity
        if capped or w.filled >= w.quantity * (1 - 1e-12):
            self._remove(w)
        self.events.on_order_filled(order, fill)
        if capped:
            self.events.on_order_canceled(
                order, "reduce-only remainder canceled: position closed", ts
            )

    def _funds_problem(
        self, inst: Instrument, side: OrderSide, quantity: float, price: float, fee_rate: float
    ) -> str:
        """Why the account cannot pay for this fill, or an empty string."""
        pf = self._portfolio
        if not inst.is_derivative:
            if side is _SIDE_BUY:
                cost = quantity * price * (1.0 + fee_rate)
                have = pf.account.balance(inst.quote)
                if cost > have * (1 + 1e-12):
                    return f"insufficient {inst.quote}: needed {cost:.8g}, available {have:.8g}"
            else:
                have = pf.account.balance(inst.base)
                if quantity > have * (1 + 1e-12):
                    return f"insufficient {inst.base}: needed {quantity:.8g}, available {have:.8g}"
            return ""
        held = pf.positions[inst.id].quantity
        signed = quantity * side.sign
        opening = abs(held + signed) - abs(held)
        if opening <= 0:
            return ""
        currency = inst.settlement_currency
        needed = inst.notional(opening, price) / max(pf.account.leverage, 1e-12)
        needed += inst.notional(quantity, price) * fee_rate
        free = pf.free_margin(currency)
        if needed > free * (1 + 1e-12):
            return f"insufficient margin in {currency}: needed {needed:.8g}, free {free:.8g}"
        return ""

    def _reject(self, w: WorkingOrder, reason: str, ts: int) -> None:
        self._remove(w)
        if w.filled or w.triggered:
            # Past acceptance (triggered or partly filled) an order can only be canceled.
            self.events.on_order_canceled(w.order, reason, ts)
        else:
            self.events.on_order_rejected(w.order, reason, ts)

    def _remove(self, w: WorkingOrder) -> None:
        book = self._working.get(w.order.instrument_id)
        if book and w in book:
            book.remove(w)

    # -- funding and liquidation -------------------------------------------------------------
    def _apply_funding(self, event: FundingRate) -> None:
        pf = self._portfolio
        inst = pf.instruments.get(event.instrument_id)
        if not isinstance(inst, Perpetual):
            return
        qty = pf.positions[inst.id].quantity
        mark = pf.last_price.get(inst.id)
        if not qty or mark is None:
            return
        amount = (
            -inst.notional(qty, mark) * event.rate
            if not inst.is_inverse
            else (-qty * float(inst.multiplier) / mark * event.rate)
        )
        self.events.on_funding(
            FundingPaid(inst.id, event.rate, amount, inst.settlement_currency, event.ts_event)
        )

    def _check_liquidation(self, instrument_id: InstrumentId, low: float, high: float) -> None:
        pf = self._portfolio
        inst = pf.instruments.get(instrument_id)
        if not isinstance(inst, Perpetual):
            return
        pos = pf.positions[instrument_id]
        if pos.is_flat:
            return
        price = self._liquidation_price(inst, pos.quantity, pos.avg_entry_price)
        if price is None:
            return
        breached = low <= price if pos.quantity > 0 else high >= price
        if not breached:
            return
        ts = self._now()
        quantity = abs(pos.quantity)
        side = _SIDE_SELL if pos.quantity > 0 else _SIDE_BUY
        fill_price = inst.round_price(price)
        order = Order(
            ClientOrderId(f"LIQ-{next(self._seq)}"),
            instrument_id,
            side,
            _OT_MARKET,
            quantity,
            reduce_only=True,
            strategy_id=StrategyId("venue"),
            tag="liquidation",
            ts_init=ts,
        )
        self.events.on_liquidation(PositionLiquidated(instrument_id, pos.quantity, fill_price, ts))
        fee = inst.notional(quantity, fill_price) * self.config.taker_fee
        fill = OrderFilled(
            client_order_id=order.client_order_id,
            instrument_id=instrument_id,
            strategy_id=order.strategy_id,
            side=side,
            quantity=quantity,
            price=fill_price,
            fee=fee,
            fee_currency=inst.settlement_currency,
            liquidity=_LIQ_TAKER,
            ts_event=ts,
            trade_id=f"P-{next(self._trade_ids)}",
            tag="liquidation",
        )
        self.events.on_order_filled(order, fill)

    def _liquidation_price(self, inst: Perpetual, qty: float, entry: float) -> float | None:
        """Price at which margin equity equals maintenance margin (cross margin, one position)."""
        pf = self._portfolio
        currency = inst.settlement_currency
        others = pf.margin_equity(currency) - pf.unrealized_pnl(inst.id)
        m = inst.maintenance_margin
        mult = float(inst.multiplier)
        if inst.is_inverse:
            denom = others + qty * mult / entry
            numer = qty * mult + abs(qty) * mult * m
        else:
            denom = (qty - abs(qty) * m) * mult
            numer = qty * mult * entry - others
        if denom == 0:
            return None
        price = numer / denom
        return price if price > 0 else None


__all__ = ["PaperVenue"]
