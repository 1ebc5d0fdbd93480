"""The portfolio: balances, positions, marks and net liquidation value.

Spot holdings live in account balances (buying BTC/USDT moves USDT into BTC); derivative
positions (perpetuals, futures, options) live in ``Position`` objects and only their realized
P&L, fees and funding touch balances. Net liquidation value (NLV) is every balance valued in
the base currency plus the unrealized P&L of every derivative position.
"""

from __future__ import annotations

import msgspec

from tradebot.model.account import Account
from tradebot.model.events import FundingPaid, OrderFilled
from tradebot.model.identifiers import InstrumentId
from tradebot.model.instruments import Instrument, Option, Perpetual
from tradebot.model.positions import Position, TradeRecord

_STABLE_EQUIVALENTS = frozenset({"USD", "USDT", "USDC", "BUSD", "DAI", "FDUSD"})


class Portfolio:
    """Balances, positions and last prices of one account.

    Parameters
    ----------
    account : Account
        Starting balances and leverage.
    instruments : list[Instrument]
        Everything that may be traded or marked.
    stablecoins_at_par : bool
        Value USD, USDT, USDC … at 1:1 against each other when no market says otherwise.
    convert_option_cash : bool
        Book the realized P&L and fees of options settled in another currency (Deribit's
        coin-settled options in a USD account) into the base currency at the moment they
        happen, at that currency's last price. Without it a USD account that loses BTC
        premiums owes BTC, an unintended short of the coin (default False: coin balances).
    """

    def __init__(
        self,
        account: Account,
        instruments: list[Instrument],
        *,
        stablecoins_at_par: bool = True,
        convert_option_cash: bool = False,
    ) -> None:
        self.account = account
        self.convert_option_cash = convert_option_cash
        self.instruments: dict[InstrumentId, Instrument] = {i.id: i for i in instruments}
        self.positions: dict[InstrumentId, Position] = {i.id: Position(i) for i in instruments}
        self.last_price: dict[InstrumentId, float] = {}
        self.trades: list[TradeRecord] = []
        self.total_fees: dict[str, float] = {}
        self.total_funding: dict[str, float] = {}
        self._par = stablecoins_at_par
        self._derivatives = [p for p in self.positions.values() if p.instrument.is_derivative]
        self._plan: ValuationPlan | None = None
        self._plan_version = -1
        self._plan_instruments = 0

    def add_instrument(self, instrument: Instrument) -> bool:
        """Start tracking an instrument listed after the start (an option from a chain).

        Returns False when it was known already; a different definition under a known id is
        refused, since positions are booked against the definition.
        """
        known = self.instruments.get(instrument.id)
        if known is not None:
            if known != instrument:
                raise ValueError(f"{instrument.id} is already defined differently")
            return False
        self.instruments[instrument.id] = instrument
        position = self.positions[instrument.id] = Position(instrument)
        if instrument.is_derivative:
            self._derivatives.append(position)
        return True

    # -- marks -------------------------------------------------------------------------------
    def mark(self, instrument_id: InstrumentId, price: float) -> None:
        """Record the latest traded or mid price of an instrument."""
        self.last_price[instrument_id] = price

    def rate(self, currency: str) -> float:
        """Value of one unit of ``currency`` in the base currency (NaN when unknown)."""
        if self.is_par(currency):
            return 1.0
        for inst in self.instruments.values():
            price = self.last_price.get(inst.id)
            if price is not None and inst.base == currency and self.is_par(inst.quote):
                return price
        return float("nan")

    def is_par(self, currency: str) -> bool:
        """True when ``currency`` is worth exactly one unit of the base currency."""
        base = self.account.base_currency
        return currency == base or (
            self._par and currency in _STABLE_EQUIVALENTS and base in _STABLE_EQUIVALENTS
        )

    def pricing_pair(self, currency: str) -> InstrumentId | None:
        """The instrument whose price values ``currency`` in the base currency, if any."""
        for inst in self.instruments.values():
            if inst.base == currency and self.is_par(inst.quote):
                return inst.id
        return None

    # -- valuation ---------------------------------------------------------------------------
    def position(self, instrument_id: InstrumentId) -> Position:
        """The (possibly flat) position in ``instrument_id``."""
        return self.positions[instrument_id]

    def holding(self, instrument_id: InstrumentId) -> float:
        """Signed quantity held: the position for derivatives, the base balance for spot."""
        inst = self.instruments[instrument_id]
        if inst.is_derivative:
            return self.positions[instrument_id].quantity
        return self.account.balances.get(inst.base, 0.0)  # Account.balance, one call less

    def unrealized_pnl(self, instrument_id: InstrumentId) -> float:
        """Unrealized P&L of a position in its settlement currency."""
        price = self.last_price.get(instrument_id, 0.0)
        return self.positions[instrument_id].unrealized_pnl(price)

    def net_liquidation_value(self) -> float:
        """Balances plus unrealized derivative P&L, in the base currency."""
        total = 0.0
        for currency, amount in self.account.balances.items():
            if amount:
                total += amount * self.rate(currency)
        for pos in self._derivatives:
            if pos.quantity:
                price = self.last_price.get(pos.instrument.id, 0.0)
                upnl = pos.unrealized_pnl(price)
                if upnl:
                    total += upnl * self.rate(pos.instrument.settlement_currency)
        return total

    def valuation(self) -> tuple[float, float]:
        """(net liquidation value, gross exposure), cheap enough to call on every event.

        Between fills only prices move, so NLV and exposure are linear in the last prices.
        The coefficients are rebuilt after each balance or position change; layouts that are
        not linear in one price (a coin valued through another pair) take the general path.
        """
        if self._plan_version != self.account.version:
            self._plan = ValuationPlan.build(self)
            self._plan_version = self.account.version
            self._plan_instruments = len(self.instruments)
        plan = self._plan
        if plan is not None:
            last = self.last_price
            equity, exposure = plan.equity_const, plan.exposure_const
            for iid, eq_coef, ex_coef in plan.terms:
                price = last.get(iid)
                if price is None:
                    break
                equity += eq_coef * price
                exposure += ex_coef * price
            else:
                return equity, exposure
        return self.net_liquidation_value(), self.gross_exposure()

    def valuation_plan(self) -> ValuationPlan | None:
        """NLV and exposure as linear functions of last prices, or None when they are not.

        The plan :meth:`valuation` built for the same balances and instruments is shared (plans
        are immutable): the equity recorder asks after every fill, the risk rules too.
        """
        version = self.account.version
        if self._plan_version == version and self._plan_instruments == len(self.instruments):
            return self._plan
        plan = ValuationPlan.build(self)
        if self._plan_version != version:
            self._plan, self._plan_version = plan, version
            self._plan_instruments = len(self.instruments)
        return plan

    def gross_exposure(self) -> float:
        """Absolute value of every position (spot coins included) in the base currency."""
        total = 0.0
        for pos in self._derivatives:
            if pos.quantity:
                inst = pos.instrument
                price = self.last_price.get(inst.id, 0.0)
                if price > 0:
                    value = inst.notional(abs(pos.quantity), price)
                    total += value * self.rate(inst.settlement_currency)
        # Every coin balance counts once, valued like in NLV (and in ``ValuationPlan``): also the
        # coin collateral of inverse contracts, and a coin quoted by two loaded pairs.
        for currency, amount in self.account.balances.items():
            if amount and not self.is_par(currency):
                rate = self.rate(currency)
                if rate > 0:  # False for NaN: no price known yet
                    total += abs(amount) * rate
        return total

    def margin_used(self, currency: str) -> float:
        """Initial margin of open derivative positions settled in ``currency``."""
        leverage = max(self.account.leverage, 1e-12)
        used = 0.0
        for pos in self._derivatives:
            inst = pos.instrument
            if pos.quantity and inst.settlement_currency == currency:
                price = self.last_price.get(inst.id, pos.avg_entry_price)
                used += inst.notional(abs(pos.quantity), price) / leverage
        return used

    def maintenance_margin(self, currency: str) -> float:
        """Maintenance margin of perpetual positions settled in ``currency``."""
        total = 0.0
        for pos in self._derivatives:
            inst = pos.instrument
            if (
                pos.quantity
                and isinstance(inst, Perpetual)
                and inst.settlement_currency == currency
            ):
                price = self.last_price.get(inst.id, pos.avg_entry_price)
                total += inst.notional(abs(pos.quantity), price) * inst.maintenance_margin
        return total

    def margin_equity(self, currency: str) -> float:
        """Wallet balance plus unrealized P&L of positions settled in ``currency``."""
        equity = self.account.balance(currency)
        for pos in self._derivatives:
            inst = pos.instrument
            if pos.quantity and inst.settlement_currency == currency:
                equity += pos.unrealized_pnl(self.last_price.get(inst.id, 0.0))
        return equity

    def free_margin(self, currency: str) -> float:
        """Margin equity not tied up as initial margin, in ``currency``."""
        return self.margin_equity(currency) - self.margin_used(currency)

    # -- events ------------------------------------------------------------------------------
    def apply_fill(self, fill: OrderFilled) -> list[TradeRecord]:
        """Book a fill into balances and positions; return the trades it closed."""
        inst = self.instruments[fill.instrument_id]
        account = self.account
        if inst.is_derivative:
            realized, closed = self.positions[inst.id].apply(fill)
            currency = inst.settlement_currency
            if self.convert_option_cash and type(inst) is Option:
                rate = self._conversion_rate(currency)
                if rate is not None:
                    account.adjust(account.base_currency, realized * rate)
                    if fill.fee:
                        self._book_fee(fill.fee_currency, fill.fee)
                        account.adjust(account.base_currency, -fill.fee * rate)
                    self.last_price.setdefault(inst.id, fill.price)
                    if closed:
                        self.trades.extend(closed)
                    return closed
            account.adjust(currency, realized)
        else:
            _, closed = self.positions[inst.id].apply(fill)
            value = fill.quantity * fill.price
            sign = fill.side.sign
            account.adjust(inst.base, sign * fill.quantity)
            account.adjust(inst.quote, -sign * value)
        if fill.fee:
            account.adjust(fill.fee_currency, -fill.fee)
            self._book_fee(fill.fee_currency, fill.fee)
        self.last_price.setdefault(inst.id, fill.price)
        if closed:
            self.trades.extend(closed)
        return closed

    def _book_fee(self, currency: str, fee: float) -> None:
        self.total_fees[currency] = self.total_fees.get(currency, 0.0) + fee

    def _conversion_rate(self, currency: str) -> float | None:
        """Price of ``currency`` in the base currency, or None to keep the coin itself."""
        if currency == self.account.base_currency:
            return None
        rate = self.rate(currency)
        return rate if rate > 0 and rate != float("inf") else None

    def apply_funding(self, event: FundingPaid) -> None:
        """Book a funding payment into the balance and the position."""
        self.account.adjust(event.currency, event.amount)
        self.positions[event.instrument_id].add_funding(event.amount)
        self.total_funding[event.currency] = (
            self.total_funding.get(event.currency, 0.0) + event.amount
        )


class ValuationPlan(msgspec.Struct, frozen=True, gc=False):
    """NLV = equity_const + Σ eq_coef·price and exposure = exposure_const + Σ ex_coef·price.

    Immutable, and kept out of the garbage collector: the equity recorder keeps one per fill.
    """

    equity_const: float = 0.0
    exposure_const: float = 0.0
    terms: tuple[tuple[InstrumentId, float, float], ...] = ()

    @classmethod
    def build(cls, pf: Portfolio) -> ValuationPlan | None:
        """The plan of the portfolio's balances and positions now (None when not linear)."""
        equity_const = 0.0
        exposure_const = 0.0
        terms: list[tuple[InstrumentId, float, float]] = []
        for currency, amount in pf.account.balances.items():
            if not amount:
                continue
            if pf.is_par(currency):
                equity_const += amount
                continue
            pair = pf.pricing_pair(currency)
            if pair is None:
                return None
            terms.append((pair, amount, abs(amount)))
        for pos in pf.positions.values():
            inst = pos.instrument
            if not inst.is_derivative or not pos.quantity:
                continue
            qm = pos.quantity * float(inst.multiplier)
            entry = pos.avg_entry_price
            if not inst.is_inverse and pf.is_par(inst.settlement_currency):
                equity_const -= qm * entry
                terms.append((inst.id, qm, abs(qm)))
            elif inst.is_inverse and pf.pricing_pair(inst.base) == inst.id:
                equity_const -= qm
                terms.append((inst.id, qm / entry, 0.0))
                exposure_const += abs(qm)
            else:
                return None
        return cls(equity_const, exposure_const, tuple(terms))


__all__ = ["Portfolio", "ValuationPlan"]
