"""Momentum long option (seed 000): buy a call on an oversold touch of the lower Bollinger
band, a put on an overbought touch of the upper one; exit at +100 % or -50 % of the premium.

The signal comes from the underlying's bars (RSI over 5 bars and Bollinger Bands); the option
is the nearest expiry at least ``min_minutes_to_expiry`` away, at the strike nearest the
chosen delta. The premium spent is a fraction of equity, so the loss at the stop is half of
it. Expiry settles whatever is still held.
"""

from __future__ import annotations

import math

from tradebot.indicators.streaming import RSI, BollingerBands
from tradebot.model.data import Bar
from tradebot.model.enums import OptionKind, OrderSide
from tradebot.model.events import OrderFilled
from tradebot.model.identifiers import InstrumentId
from tradebot.model.instruments import Option
from tradebot.model.orders import Order
from tradebot.strategies.base import Strategy, StrategyParams
from tradebot.strategies.registry import register


class MomentumOptionParams(StrategyParams, frozen=True, kw_only=True):
    """Parameters of ``momentum_option``.

    Parameters
    ----------
    asset : str
        Underlying whose options are bought (default ``BTC``).
    rsi_period, rsi_low, rsi_high : int, float, float
        RSI look-back and thresholds (defaults 5, 30, 70).
    bb_period, bb_width : int, float
        Bollinger period and width in standard deviations (defaults 20, 2).
    delta : float
        |delta| of the option bought (default 0.5: at the money).
    min_minutes_to_expiry : float
        Skip expiries closer than this (default 60).
    premium_fraction : float
        Share of equity spent on premium per trade (default 0.02, so the -50 % stop loses 1 %).
    take_profit, stop_loss : float
        Exit when the mark reaches (1 + take_profit) or (1 - stop_loss) times the entry
        premium (defaults 1.0 and 0.5: +100 % and -50 %).
    """

    asset: str = "BTC"
    rsi_period: int = 5
    rsi_low: float = 30.0
    rsi_high: float = 70.0
    bb_period: int = 20
    bb_width: float = 2.0
    delta: float = 0.5
    min_minutes_to_expiry: float = 60.0
    premium_fraction: float = 0.02
    take_profit: float = 1.0
    stop_loss: float = 0.5

    def validate(self) -> None:
        """Check the thresholds, the delta and the exits."""
        if self.rsi_period < 2 or self.bb_period < 2:
            raise ValueError("parameters 'rsi_period' and 'bb_period' must be at least 2")
        if not 0 < self.rsi_low < self.rsi_high < 100:
            raise ValueError("parameters 'rsi_low' < 'rsi_high' must lie in (0, 100)")
        if not 0 < self.delta < 1:
            raise ValueError(f"parameter 'delta' was {self.delta}; it must be in (0, 1)")
        if not 0 < self.premium_fraction <= 1:
            raise ValueError("parameter 'premium_fraction' must be in (0, 1]")
        if not (self.take_profit > 0 and 0 < self.stop_loss < 1):
            raise ValueError("'take_profit' must be > 0 and 'stop_loss' in (0, 1)")


@register
class MomentumOptionStrategy(Strategy[MomentumOptionParams]):
    """Long calls or puts on RSI + Bollinger extremes of the underlying."""

    name = "momentum_option"
    params_type = MomentumOptionParams

    def option_assets(self) -> tuple[str, ...]:  # the command line lists options on these
        return (self.params.asset,)

    def on_start(self) -> None:
        """Indicators on the underlying; no option held yet."""
        p = self.params
        self.rsi = RSI(p.rsi_period)
        self.bands = BollingerBands(p.bb_period, p.bb_width)
        self.held: Option | None = None
        self.entry_premium = math.nan

    def on_bar(self, bar: Bar) -> None:
        """Manage the open option, else look for a touch of a band at an RSI extreme."""
        rsi = self.rsi.update(bar.close)
        upper, _, lower = self.bands.update(bar.close)
        if self.held is not None:
            self._manage(self.held)
            return
        if not (math.isfinite(rsi) and math.isfinite(lower)):
            return
        p = self.params
        if rsi < p.rsi_low and bar.low <= lower:
            self._buy(OptionKind.CALL)
        elif rsi > p.rsi_high and bar.high >= upper:
            self._buy(OptionKind.PUT)

    def _buy(self, kind: OptionKind) -> None:
        p = self.params
        chain = self.option_chain(p.asset)
        if chain is None:
            return
        expiry = chain.next_expiry(p.min_minutes_to_expiry)
        if expiry is None:
            return
        strike = chain.by_delta(expiry, p.delta, kind)
        quote = chain.quote(expiry, strike, kind)
        premium = quote.ask
        if not (premium > 0 and math.isfinite(premium)):
            return
        option = quote.instrument
        unit_cost = (
            premium
            * float(option.multiplier)
            * (chain.spot if chain.spec.premium_in_underlying else 1.0)
        )
        contracts = option.floor_size(p.premium_fraction * self.ctx.equity() / unit_cost)
        if contracts <= 0 or contracts < float(option.min_quantity):
            return
        self.trade_instrument(option, OrderSide.BUY, contracts, tag=f"momentum_{kind.value}")

    def _manage(self, option: Option) -> None:
        mark = self.ctx.last_price(option.id)
        if mark is None or not math.isfinite(self.entry_premium):
            return
        p = self.params
        if mark >= self.entry_premium * (1.0 + p.take_profit):
            self.close(option.id, tag="take_profit")
        elif mark <= self.entry_premium * (1.0 - p.stop_loss):
            self.close(option.id, tag="stop")

    def on_fill(self, order: Order, fill: OrderFilled) -> None:
        """Remember the option and its premium; forget it once flat (exit or expiry)."""
        iid: InstrumentId = fill.instrument_id
        inst = self.ctx.instrument(iid)
        if not isinstance(inst, Option):
            return
        if abs(self.holding(iid)) <= 1e-12:
            self.held = None
            self.entry_premium = math.nan
        elif fill.side is OrderSide.BUY:
            self.held = inst
            self.entry_premium = self.ctx.position(iid).avg_entry_price


__all__ = ["MomentumOptionParams", "MomentumOptionStrategy"]
