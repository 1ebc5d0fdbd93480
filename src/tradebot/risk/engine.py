"""The risk engine: every signal passes here before it may become an order.

It sizes the signal (equity fraction, notional or quantity → a quantity on the instrument's
lot) and applies the pre-trade checks. Its verdict is a value, never an exception, so that the
reason can be stored with the signal and shown to the user.
"""

from __future__ import annotations

import math

from tradebot.model.enums import OrderSide, OrderType
from tradebot.model.instruments import Instrument
from tradebot.model.signals import Signal, SignalIntent, SizeMode
from tradebot.portfolio.portfolio import Portfolio
from tradebot.risk.config import RiskConfig
from tradebot.risk.verdict import Approved, Denied, Verdict

# Enum members bound once: attribute access on an Enum class is slow on Python 3.11.
_OT_MARKET = OrderType.MARKET
_OT_LIMIT = OrderType.LIMIT
_OT_STOP_MARKET = OrderType.STOP_MARKET
_OT_STOP_LIMIT = OrderType.STOP_LIMIT
_SIDE_BUY = OrderSide.BUY
_SIDE_SELL = OrderSide.SELL
_INTENT_CLOSE = SignalIntent.CLOSE
_INTENT_REDUCE = SignalIntent.REDUCE
_SIZE_QUANTITY = SizeMode.QUANTITY
_SIZE_NOTIONAL = SizeMode.NOTIONAL


class RiskEngine:
    """Sizes and checks signals against the portfolio.

    Parameters
    ----------
    config : RiskConfig
        Limits and sizing settings.
    portfolio : Portfolio
        The account whose balances, positions and prices the checks read.
    """

    def __init__(self, config: RiskConfig, portfolio: Portfolio) -> None:
        self.config = config
        self._portfolio = portfolio
        self.denials: dict[str, int] = {}

    def evaluate(self, signal: Signal, *, held: float | None = None) -> Verdict:
        """Turn ``signal`` into an approved order size, or deny it.

        ``held`` is the signalling strategy's own signed position when several strategies share
        the account; a close or reduce then sizes on it instead of the net position.
        """
        verdict = self._evaluate(signal, held)
        if isinstance(verdict, Denied):
            self.denials[verdict.code] = self.denials.get(verdict.code, 0) + 1
        return verdict

    def _evaluate(self, signal: Signal, own: float | None) -> Verdict:
        pf = self._portfolio
        inst = pf.instruments.get(signal.instrument_id)
        if inst is None:
            return Denied("UNKNOWN_INSTRUMENT", f"instrument {signal.instrument_id} is not loaded")
        held = pf.holding(inst.id)
        if signal.intent is _INTENT_CLOSE or signal.intent is _INTENT_REDUCE:
            return self._closing(signal, inst, held if own is None else own, held)
        price = self._reference_price(signal, inst)
        if price is None:
            return Denied("NO_PRICE", f"no price is known yet for {inst.id}")
        if (
            not inst.is_derivative
            and signal.side is _SIDE_SELL
            and not (self.config.allow_spot_short)
        ):
            available = max(held, 0.0)
            if available <= 0:
                return Denied(
                    "SPOT_SHORT", f"{inst.id} is a spot pair and cannot be sold short (held 0)"
                )
        return self._size_opening(signal, inst, price, held)

    def _closing(self, signal: Signal, inst: Instrument, held: float, net: float) -> Verdict:
        if abs(held) <= 1e-12:
            return Denied("NO_POSITION", f"no position in {inst.id} to {signal.intent.value}")
        side = _SIDE_SELL if held > 0 else _SIDE_BUY
        quantity = abs(held)
        if signal.intent is _INTENT_REDUCE:
            quantity = min(quantity, self._quantity(signal, inst, self._last(inst) or 0.0))
        quantity = inst.floor_size(quantity) if inst.is_derivative else quantity
        if quantity <= 0:
            return Denied("ZERO_SIZE", f"reduce size for {inst.id} rounds to 0")
        # Reduce-only only when the order shrinks the net position too: another strategy's
        # opposite position may have turned the net the other way.
        reduces_net = (net > 0) == (held > 0) and quantity <= abs(net) + 1e-12
        return Approved(side, quantity, reduce_only=reduces_net)

    def _size_opening(self, signal: Signal, inst: Instrument, price: float, held: float) -> Verdict:
        pf = self._portfolio
        cfg = self.config
        spot_market_buy = (
            not inst.is_derivative
            and signal.side is _SIDE_BUY
            and signal.order_type is _OT_MARKET
            and signal.size_mode is not _SIZE_QUANTITY
        )
        if spot_market_buy:
            budget = self._budget(signal, inst)
            cash = pf.account.balance(inst.quote)
            quote_qty = min(budget, cash)
            if inst.floor_size(quote_qty / price) <= 0:
                return Denied(
                    "NO_FUNDS",
                    f"{quote_qty:.8g} {inst.quote} available buys less than one lot of {inst.id} "
                    f"({inst.size_increment}) at {price:g}",
                )
            return Approved(signal.side, 0.0, quote_quantity=quote_qty)
        quantity = self._quantity(signal, inst, price)
        if math.isnan(quantity):  # the settlement coin or the account cannot be valued yet
            return Denied(
                "NO_PRICE",
                f"no price is known yet to value {inst.settlement_currency} in "
                f"{pf.account.base_currency}",
            )
        if not inst.is_derivative and signal.side is _SIDE_SELL and not cfg.allow_spot_short:
            quantity = min(quantity, max(held, 0.0))
        quantity = inst.floor_size(quantity)
        if quantity <= 0 or quantity < float(inst.min_quantity):
            return Denied(
                "ZERO_SIZE",
                f"size for {inst.id} rounds to {quantity:g}, below the minimum "
                f"{inst.min_quantity} at price {price:g}",
            )
        return Approved(signal.side, quantity)

    def _quantity(self, signal: Signal, inst: Instrument, price: float) -> float:
        if signal.size_mode is _SIZE_QUANTITY:
            return signal.size
        if price <= 0:
            return 0.0
        budget = self._budget(signal, inst) * (1.0 - self.config.sizing_buffer)
        settle_value = budget / self._portfolio.rate(inst.settlement_currency)
        unit = inst.notional(1.0, price)
        return settle_value / unit if unit > 0 else 0.0

    def _budget(self, signal: Signal, inst: Instrument) -> float:
        """Order value in the base currency the signal asks for, capped by the config."""
        pf = self._portfolio
        nlv = pf.valuation()[0]
        leverage = pf.account.leverage if inst.is_derivative else 1.0
        cap = nlv * leverage * self.config.max_order_fraction
        wanted = signal.size if signal.size_mode is _SIZE_NOTIONAL else signal.size * nlv * leverage
        return max(0.0, min(wanted, cap))

    def _reference_price(self, signal: Signal, inst: Instrument) -> float | None:
        if signal.order_type in (_OT_LIMIT, _OT_STOP_LIMIT) and signal.price:
            return signal.price
        if signal.order_type is _OT_STOP_MARKET and signal.trigger_price:
            return signal.trigger_price
        return self._last(inst)

    def _last(self, inst: Instrument) -> float | None:
        return self._portfolio.last_price.get(inst.id)


__all__ = ["RiskEngine"]
