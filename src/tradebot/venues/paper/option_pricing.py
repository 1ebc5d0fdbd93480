"""The paper venue's option desk: fill prices, fees and margin for options priced by a model.

Options in a backtest have no tape, so their orders fill against the option market's quote at
the moment they arrive (the bid for a sale, the ask for a purchase). Funds are checked across
the account's currencies: a USD account may trade BTC-premium options, as on a multi-currency
venue, with every currency valued at its last price.
"""

from __future__ import annotations

import math

from tradebot.model.enums import OrderSide
from tradebot.model.instruments import Option
from tradebot.model.orders import Order
from tradebot.options import economics
from tradebot.options.market import OptionMarket
from tradebot.options.payoff import StructureAnalysis
from tradebot.options.structures import Leg, Structure
from tradebot.portfolio.portfolio import Portfolio

_SIDE_BUY = OrderSide.BUY


class OptionFills:
    """Prices and funds checks for option orders on the paper venue."""

    def __init__(self, market: OptionMarket, portfolio: Portfolio) -> None:
        self.market = market
        self._portfolio = portfolio

    def index_price(self, option: Option) -> float | None:
        """The underlying's index at expiry (or now, for an option still alive)."""
        return self.market.index_price(option.underlying, option.expiry_ns)

    def fill_price(self, order: Order, option: Option, now: int) -> tuple[float, str]:
        """The price ``order`` would trade at now, or a reason it cannot."""
        quote = self.market.quote(option, now)
        if quote is None:
            return math.nan, f"no quote for {option.id}"
        price = quote.ask if order.side is _SIDE_BUY else quote.bid
        if not (price > 0 and math.isfinite(price)):
            side = "ask" if order.side is _SIDE_BUY else "bid"
            return math.nan, f"no {side} for {option.id}"
        return price, ""

    def fee(self, option: Option, quantity: float, price: float, rate: float) -> float:
        """Deribit-style fee: a share of the underlying, capped at 12.5 % of the premium."""
        # The index at or before expiry: for a live option that is the latest index price.
        index = self.market.index_price(option.underlying, option.expiry_ns)
        return economics.trading_fee(option, quantity, price, index or math.nan, rate)

    def free_value(self) -> float:
        """Free margin over every currency, in the account currency."""
        pf = self._portfolio
        currencies = set(pf.account.balances)
        currencies.update(
            p.instrument.settlement_currency for p in pf.positions.values() if p.quantity
        )
        total = 0.0
        for currency in currencies:
            free = pf.free_margin(currency)
            if free:
                rate = pf.rate(currency)
                if math.isfinite(rate):
                    total += free * rate
        return total

    def funds_problem(
        self, option: Option, side: OrderSide, quantity: float, price: float, fee: float
    ) -> str:
        """Why the account cannot take this option fill, or an empty string."""
        pf = self._portfolio
        held = pf.positions[option.id].quantity
        opening = abs(held + quantity * side.sign) - abs(held)
        if opening <= 0:
            return ""
        currency = option.settlement_currency
        if side is _SIDE_BUY:
            needed = opening * float(option.multiplier) * price + fee
        else:
            index = self.market.index_price(option.underlying, option.expiry_ns)
            if index is None:
                return f"no index price for {option.underlying}"
            needed = economics.naked_margin(option, opening, price, index) + fee
        rate = pf.rate(currency)
        if not math.isfinite(rate):
            return f"no price to value {currency}"
        free = self.free_value()
        if needed * rate > free * (1 + 1e-12):
            return (
                f"insufficient margin: needed {needed:.8g} {currency} "
                f"({needed * rate:.2f} {pf.account.base_currency}), free "
                f"{free:.2f} {pf.account.base_currency}"
            )
        return ""

    def structure_prices(
        self, orders: list[Order], now: int, slippage: float
    ) -> tuple[list[float], str]:
        """Fill price of every leg, or the first reason one cannot fill."""
        pf = self._portfolio
        prices: list[float] = []
        for order in orders:
            inst = pf.instruments.get(order.instrument_id)
            if inst is None:
                return [], f"unknown instrument {order.instrument_id}"
            if order.quantity < float(inst.min_quantity) or order.quantity <= 0:
                return [], f"leg {inst.id} quantity {order.quantity:g} is below the minimum"
            if isinstance(inst, Option):
                if inst.expiry_ns <= now:
                    return [], f"leg {inst.id} has expired"
                price, problem = self.fill_price(order, inst, now)
                if problem:
                    return [], f"leg {problem}"
            else:
                last = pf.last_price.get(inst.id)
                if last is None:
                    return [], f"no price for leg {inst.id}"
                price = last * ((1 + slippage) if order.side is _SIDE_BUY else (1 - slippage))
            prices.append(price)
        return prices, ""

    def structure_funds_problem(self, orders: list[Order], prices: list[float], now: int) -> str:
        """Whether the account can carry the structure's margin (its max loss when bounded)."""
        pf = self._portfolio
        legs = []
        asset = ""
        for order in orders:
            inst = pf.instruments[order.instrument_id]
            legs.append(Leg(inst, order.quantity * order.side.sign))
            if isinstance(inst, Option):
                asset = inst.underlying
        chain = self.market.chain(asset, now) if asset else None
        if chain is None:
            return f"no option chain for {asset or 'the legs'}"
        try:
            analysis = StructureAnalysis(Structure("order", tuple(legs)), chain, fill_prices=True)
        except (KeyError, ValueError) as exc:
            return str(exc)
        usd_rate = pf.rate("USD")
        if not math.isfinite(usd_rate):
            return "no price to value USD in the account currency"
        fees = 0.0
        for order, price in zip(orders, prices, strict=True):
            inst = pf.instruments[order.instrument_id]
            if isinstance(inst, Option):
                fee = self.fee(inst, order.quantity, price, inst.taker_fee)
                fees += fee * pf.rate(inst.settlement_currency)
        needed = analysis.margin() * usd_rate + fees
        free = self.free_value()
        if needed > free * (1 + 1e-12):
            base = pf.account.base_currency
            return f"insufficient margin: needed {needed:.2f} {base}, free {free:.2f} {base}"
        return ""


__all__ = ["OptionFills"]
