"""The risk engine: every signal passes here before it may become an order.

It sizes the signal (equity fraction, notional or quantity → a quantity on the instrument's
lot) and applies the pre-trade checks. Its verdict is a value, never an exception, so that the
reason can be stored with the signal and shown to the user.
"""

from __future__ import annotations

import math

import msgspec

from tradebot.indicators.streaming import ATR
from tradebot.model.data import Bar
from tradebot.model.enums import OrderSide, OrderType
from tradebot.model.identifiers import InstrumentId
from tradebot.model.instruments import Instrument
from tradebot.model.signals import Signal, SignalIntent, SizeMode, StructureSignal
from tradebot.portfolio.portfolio import Portfolio
from tradebot.risk.breakers import CircuitBreakers
from tradebot.risk.config import RiskConfig
from tradebot.risk.exits.monitor import ExitMonitor
from tradebot.risk.limits import RiskLimits
from tradebot.risk.rules import (
    ExpiryCutoff,
    GreekLimits,
    GreeksProvider,
    MarginAvailable,
    MaxDailyTrades,
    MaxLeverage,
    MaxOpenPositions,
    MaxPosition,
    MinPosition,
    Proposal,
    RealisedVolatility,
    Reject,
    RiskPerTrade,
    Rule,
    SymbolExposure,
    TradingState,
    VolatilityScaling,
    VolRegimeProvider,
)
from tradebot.risk.sizing import SizingConfig, confidence_fraction
from tradebot.risk.state import RiskState
from tradebot.risk.structure_check import StructureApproved, check_structure
from tradebot.risk.verdict import Approved, Denied, Verdict

# Enum members bound once: attribute access on an Enum class is slow on Python 3.11.
_OT_MARKET = OrderType.MARKET
_OT_LIMIT = OrderType.LIMIT
_OT_STOP_MARKET = OrderType.STOP_MARKET
_OT_STOP_LIMIT = OrderType.STOP_LIMIT
_SIDE_BUY = OrderSide.BUY
_SIDE_SELL = OrderSide.SELL
_INTENT_CLOSE = SignalIntent.CLOSE
_INTENT_OPEN = SignalIntent.OPEN
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
    greeks : GreeksProvider | None
        Greeks per unit of an instrument, for the portfolio greek limits.
    vol_regime : VolRegimeProvider | None
        Volatility regime per instrument; realised volatility of the closes by default.

    Opening signals are sized (per strategy: fixed, risk, confidence or volatility), then
    every rule in ``rules`` may shrink or refuse them; the first refusal wins and names its
    rule. Closing signals are never refused by a limit: an exit must always be possible.
    """

    def __init__(
        self,
        config: RiskConfig,
        portfolio: Portfolio,
        *,
        greeks: GreeksProvider | None = None,
        vol_regime: VolRegimeProvider | None = None,
    ) -> None:
        config.validate()
        self.config = config
        self.limits = config.limits
        self.portfolio = self._portfolio = portfolio
        self.state = RiskState()
        self.breakers = CircuitBreakers(config.limits, portfolio, self.state)
        self.realised_vol = RealisedVolatility()
        self.exits: ExitMonitor | None = ExitMonitor(config.exits) if config.exit_monitor else None
        """Watches open positions; the engine carries out the exits it decides."""
        self.rules: list[Rule] = [
            TradingState(),
            ExpiryCutoff(),
            MaxDailyTrades(),
            MaxOpenPositions(),
            VolatilityScaling(vol_regime or self.realised_vol),
            RiskPerTrade(),
            MaxPosition(),
            SymbolExposure(),
            MaxLeverage(),
            MarginAvailable(),
            GreekLimits(greeks),
            MinPosition(),
        ]
        self.greeks = greeks
        """Greeks per unit of an instrument (structures' net greeks are checked with it)."""
        self.denials: dict[str, int] = {}
        self.resizes: dict[str, int] = {}
        self._feed_vol = vol_regime is None and config.limits.vol_scaling
        periods = [s.atr_period for s in config.sizing.values() if s.method == "volatility"]
        self._atr: dict[InstrumentId, ATR] = (
            {iid: ATR(periods[0]) for iid in portfolio.instruments} if periods else {}
        )
        self.wants_bars = self._feed_vol or bool(periods)
        """Whether :meth:`on_bar` needs to see the bars."""

    def update_limits(self, limits: RiskLimits) -> None:
        """Apply new limits from the next signal on (hot reload).

        Raises ``ValueError`` (and keeps the old limits) when ``limits`` do not validate.
        Positions and blocks already in place are untouched; a limit lowered below a current
        position only stops it from growing. Turning ``vol_scaling`` on mid-run scales only
        if realised volatility was being fed (it was on at the start).
        """
        limits.validate()
        self.config = msgspec.structs.replace(self.config, limits=limits)
        self.limits = limits
        self.breakers.update_limits(limits)

    # -- market and account hooks ------------------------------------------------------------
    def on_bar(self, bar: Bar) -> None:
        """Closes feed the realised-volatility regime and the ATR of volatility sizing."""
        if self._feed_vol:
            self.realised_vol.update(bar.instrument_id, bar.close)
        atr = self._atr.get(bar.instrument_id)
        if atr is not None:
            atr.update(bar.high, bar.low, bar.close)

    def symbol_exposure(self, underlying: str) -> float:
        """Gross value of every position on ``underlying`` in the base currency."""
        pf = self._portfolio
        total = 0.0
        for iid, inst in pf.instruments.items():
            if inst.exposure_asset() != underlying:
                continue
            held = pf.holding(iid)
            price = pf.last_price.get(iid, 0.0)
            if held and price > 0:
                total += inst.notional(abs(held), price) * pf.rate(inst.settlement_currency)
        return total

    def open_positions(self) -> int:
        """Instruments with a non-zero position (spot balances included)."""
        pf = self._portfolio
        count = 0
        for iid in pf.instruments:
            if abs(pf.holding(iid)) > 1e-12:
                count += 1
        return count

    def evaluate(self, signal: Signal, *, held: float | None = None) -> Verdict:
        """Turn ``signal`` into an approved order size, or deny it.

        ``held`` is the signalling strategy's own signed position when several strategies share
        the account; a close or reduce then sizes on it instead of the net position.
        """
        verdict = self._evaluate(signal, held)
        if isinstance(verdict, Denied):
            self.denials[verdict.code] = self.denials.get(verdict.code, 0) + 1
        elif signal.intent is _INTENT_OPEN:
            verdict = self._apply_rules(signal, verdict)
            if isinstance(verdict, Denied):
                self.denials[verdict.code] = self.denials.get(verdict.code, 0) + 1
            else:
                self.state.trades_today += 1
        return verdict

    def evaluate_structure(
        self, signal: StructureSignal, held: dict[InstrumentId, float]
    ) -> StructureApproved | Denied:
        """Size and check a multi-leg signal as one trade (see :mod:`structure_check`)."""
        verdict = check_structure(self, signal, held)
        if isinstance(verdict, Denied):
            self.denials[verdict.code] = self.denials.get(verdict.code, 0) + 1
        elif verdict.note:
            self.resizes["risk_per_trade"] = self.resizes.get("risk_per_trade", 0) + 1
        return verdict

    def _apply_rules(self, signal: Signal, approved: Approved) -> Verdict:
        pf = self._portfolio
        inst = pf.instruments[signal.instrument_id]
        price = self._reference_price(signal, inst) or 0.0
        quantity = approved.quantity
        if approved.quote_quantity and price > 0:
            quantity = approved.quote_quantity / price
        unit_value = inst.notional(1.0, price) * pf.rate(inst.settlement_currency)
        nlv = pf.valuation()[0]
        proposal = Proposal(
            signal, inst, signal.side.sign, quantity, price, unit_value, nlv, signal.ts_event
        )
        notes = []
        for rule in self.rules:
            outcome = rule.check(proposal, self)
            if outcome is None:
                continue
            if isinstance(outcome, Reject):
                return Denied(rule.name.upper(), outcome.reason)
            proposal.quantity = min(proposal.quantity, outcome.quantity)
            self.resizes[rule.name] = self.resizes.get(rule.name, 0) + 1
            notes.append(f"{rule.name}: {outcome.reason}")
        if not notes:
            return approved
        if approved.quote_quantity:
            return Approved(
                approved.side,
                0.0,
                quote_quantity=proposal.quantity * price,
                note="; ".join(notes),
            )
        quantity = inst.floor_size(proposal.quantity)
        if quantity <= 0 or quantity < float(inst.min_quantity):
            return Denied(
                "ZERO_SIZE", f"after the risk limits the size rounds to 0 ({'; '.join(notes)})"
            )
        return Approved(approved.side, quantity, note="; ".join(notes))

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
        # Most sessions configure no sizing method: skip the lookup (it formats the id).
        sizing = self.config.sizing_for(str(signal.strategy_id)) if self.config.sizing else None
        if sizing is not None:
            resized = self._apply_sizing(sizing, signal, inst, price)
            if isinstance(resized, Denied):
                return resized
            signal = resized
        return self._size_opening(signal, inst, price, held)

    def _apply_sizing(
        self, sizing: SizingConfig, signal: Signal, inst: Instrument, price: float
    ) -> Signal | Denied:
        """The signal re-sized by its strategy's method (a quantity or a notional value)."""
        pf = self._portfolio
        nlv = pf.valuation()[0]
        rate = pf.rate(inst.settlement_currency)
        if sizing.method == "confidence":
            fraction = confidence_fraction(sizing, signal.confidence)
            if fraction is None:
                return Denied(
                    "LOW_CONFIDENCE",
                    f"confidence {signal.confidence:.2f} is below the sizing minimum "
                    f"{sizing.min_confidence:.2f}",
                )
            return msgspec.structs.replace(signal, size=fraction * nlv, size_mode=_SIZE_NOTIONAL)
        if sizing.method == "risk":
            if signal.stop_loss is None or signal.stop_loss <= 0:
                return signal  # nothing to size against: the signal's own size stands
            exit_price = signal.stop_loss
        else:  # volatility
            atr = self._atr.get(inst.id)
            if atr is None or not atr.ready:
                return signal
            exit_price = price - signal.side.sign * sizing.atr_multiple * atr.value
        loss = abs(inst.pnl(signal.side.sign * 1.0, price, exit_price)) * rate
        if not loss > 0:
            return signal
        return msgspec.structs.replace(
            signal, size=sizing.risk_fraction * nlv / loss, size_mode=_SIZE_QUANTITY
        )

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
