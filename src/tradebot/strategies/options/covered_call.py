"""Covered calls on Deribit-style options (seed 003): hold the coin, sell calls against it.

At start the strategy buys the underlying (``buy_underlying``, a share ``underlying_fraction``
of equity) unless it already holds some. Every ``decision_every_hours`` while no call is open
it scores every call of the chain inside the DTE and |delta| ranges
(:func:`~tradebot.strategies.options.covered_call_scoring.candidates`: annualised premium
yield, delta, IV/RV, days to expiry) and sells the best one scoring at least ``min_score``,
as many contracts as the coin held covers. The open call is checked at every bar of the
underlying (:func:`~tradebot.strategies.options.covered_call_scoring.exit_reason`): bought back
for a profit when it costs at most ``(1 - take_profit)`` of the premium received, rolled
(bought back, the next one sold at once) when it is in the money within ``roll_hours`` of
expiry or its |delta| passes ``roll_delta``; otherwise expiry settles it.

Every decision is kept in ``decisions`` (candidates, features, scores, the choice), which is
what the training export reads: the strategy, its backtest and the export use one scorer.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

from tradebot.model.data import Bar
from tradebot.model.enums import OrderSide
from tradebot.model.events import OrderFilled
from tradebot.model.identifiers import InstrumentId
from tradebot.model.instruments import Option
from tradebot.model.orders import Order
from tradebot.options.synthetic.realized_vol import RealizedVol, timeframe_ns
from tradebot.strategies.base import Strategy, StrategyParams
from tradebot.strategies.options.covered_call_presets import CUSTOM, PRESET_NAMES, PRESETS
from tradebot.strategies.options.covered_call_scoring import (
    DAY_NS,
    Candidates,
    MarketContext,
    ScoreSettings,
    candidates,
    exit_reason,
    market_context,
)
from tradebot.strategies.registry import register

_HOUR_NS = 3_600 * 10**9
_SELL = OrderSide.SELL
_SHORT_RV_DAYS = 7.0
_LONG_RV_DAYS = 90.0


class CoveredCallParams(StrategyParams, frozen=True, kw_only=True):
    """Parameters of ``covered_call`` (defaults: the BALANCED preset).

    Parameters
    ----------
    preset : str
        ULTRA_SAFE, BALANCED or AGGRESSIVE (then every value below must be that preset's; set
        them with ``--preset``), or CUSTOM (default: any values).
    asset : str
        Underlying whose calls are sold and whose coin is held (default ``BTC``; ``ETH`` for
        ETH data).
    buy_underlying : bool
        Buy the underlying at the first bar when none is held (default true).
    underlying_fraction : float
        Share of equity spent on it (default 1.0).
    decision_every_hours : float
        Look for a call to sell this often while none is open (default 24).
    dte_min, dte_max, target_dte : float
        Days to expiry considered, and the score's target (defaults 3, 14, 7).
    delta_min, delta_max, target_delta : float
        |delta| considered, and the score's target (defaults 0.10, 0.30, 0.20).
    target_yield : float
        Annualised premium yield that scores 1 in the yield term (default 0.20).
    w_yield, w_delta, w_ivrv, w_dte : float
        Weights of the score's terms (defaults 1, 1, 0.5, 0.5).
    min_score : float
        Sell nothing scoring below this (default 1.5).
    min_ivrv : float
        Sell nothing whose IV / realised vol is below this (default 0.9; 0 switches it off).
    take_profit : float
        Buy back once this share of the premium is earned (default 0.70: at 30 % of it).
    roll_hours : float
        Roll an in-the-money call this close to expiry (default 24).
    roll_delta : float
        Roll when |delta| exceeds this (default 0.55).
    rv_days : float
        Realised-vol window in days (default 30); no decision is taken before half of it has
        been seen.
    """

    preset: str = CUSTOM
    asset: str = "BTC"
    buy_underlying: bool = True
    underlying_fraction: float = 1.0
    decision_every_hours: float = 24.0
    dte_min: float = 3.0
    dte_max: float = 14.0
    target_dte: float = 7.0
    delta_min: float = 0.10
    delta_max: float = 0.30
    target_delta: float = 0.20
    target_yield: float = 0.20
    w_yield: float = 1.0
    w_delta: float = 1.0
    w_ivrv: float = 0.5
    w_dte: float = 0.5
    min_score: float = 1.5
    min_ivrv: float = 0.9
    take_profit: float = 0.70
    roll_hours: float = 24.0
    roll_delta: float = 0.55
    rv_days: float = 30.0

    def validate(self) -> None:
        """Check every value; the message names the parameter, its value and what is allowed."""
        if self.preset not in PRESET_NAMES:
            raise ValueError(
                f"parameter 'preset' was '{self.preset}'; it must be one of "
                f"{', '.join(PRESET_NAMES)}"
            )
        if not self.asset.strip():
            raise ValueError(
                "parameter 'asset' was empty; it must name the underlying, e.g. BTC or ETH"
            )
        _within(
            "underlying_fraction", self.underlying_fraction, 0.0, 1.0, "in (0, 1]", low_open=True
        )
        _positive("decision_every_hours", self.decision_every_hours)
        _positive("dte_max", self.dte_max)
        _within("dte_min", self.dte_min, 0.0, self.dte_max, f"in [0, dte_max={self.dte_max:g}]")
        _within(
            "target_dte",
            self.target_dte,
            self.dte_min,
            self.dte_max,
            f"in [dte_min={self.dte_min:g}, dte_max={self.dte_max:g}]",
        )
        _within("delta_max", self.delta_max, 0.0, 1.0, "in (0, 1]", low_open=True)
        _within(
            "delta_min",
            self.delta_min,
            0.0,
            self.delta_max,
            f"in [0, delta_max={self.delta_max:g}]",
        )
        _within(
            "target_delta",
            self.target_delta,
            self.delta_min,
            self.delta_max,
            f"in [delta_min={self.delta_min:g}, delta_max={self.delta_max:g}]",
        )
        _positive("target_yield", self.target_yield)
        for name in ("w_yield", "w_delta", "w_ivrv", "w_dte", "min_ivrv", "roll_hours"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise ValueError(f"parameter '{name}' was {value}; it must be 0 or more")
        if not math.isfinite(self.min_score):
            raise ValueError(f"parameter 'min_score' was {self.min_score}; it must be a number")
        _within(
            "take_profit", self.take_profit, 0.0, 1.0, "in (0, 1)", low_open=True, high_open=True
        )
        _within("roll_delta", self.roll_delta, 0.0, 1.0, "in (0, 1]", low_open=True)
        if not self.rv_days >= 1:
            raise ValueError(f"parameter 'rv_days' was {self.rv_days}; it must be at least 1")
        fixed = PRESETS.get(self.preset)
        if fixed is not None:
            for name, expected in fixed.items():
                if getattr(self, name) != expected:
                    raise ValueError(
                        f"parameter '{name}' was {getattr(self, name)!r} but preset "
                        f"{self.preset} sets {expected!r}; use preset CUSTOM to change it"
                    )


def _positive(name: str, value: float) -> None:
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"parameter '{name}' was {value}; it must be a number greater than 0")


def _within(
    name: str,
    value: float,
    low: float,
    high: float,
    allowed: str,
    *,
    low_open: bool = False,
    high_open: bool = False,
) -> None:
    ok = math.isfinite(value) and (value > low if low_open else value >= low)
    ok = ok and (value < high if high_open else value <= high)
    if not ok:
        raise ValueError(f"parameter '{name}' was {value}; it must be {allowed}")


@dataclass(frozen=True, slots=True)
class Decision:
    """One look at the chain: what was considered, how it scored, what was sold."""

    strategy_id: str
    ts_ns: int
    asset: str
    spot: float
    context: MarketContext
    candidates: Candidates
    chosen: int | None
    """Index into ``candidates`` of the call sold, or None."""
    quantity: float
    """Contracts sold (the coin covered); 0 when nothing was sold."""
    reason: str
    """``interval`` (the decision time came) or ``roll`` (right after a buy-back)."""

    def chosen_option(self) -> Option | None:
        """The call sold at this decision."""
        if self.chosen is None:
            return None
        return self.candidates.chain.instrument_at(int(self.candidates.rows[self.chosen]))


@register
class CoveredCallStrategy(Strategy[CoveredCallParams]):
    """Hold the coin and sell scored calls against it; take profit, roll, or let expire."""

    name = "covered_call"
    params_type = CoveredCallParams

    def on_start(self) -> None:
        """Nothing held or decided yet."""
        self.settings = ScoreSettings.from_params(self.params)
        self.underlying: InstrumentId | None = None
        self._timeframe = ""
        self.asset = self.params.asset
        self.call: Option | None = None
        self.premium = math.nan
        self.last_decision_ns: int | None = None
        self.roll_next = False
        self.bought = False
        self.decisions: list[Decision] = []
        self.coin_bought = 0.0
        """Underlying bought by this strategy (its own fills, less any fee paid in it)."""
        self.quote_spent = 0.0
        """What buying it cost in its quote currency, fees included."""
        self.option_cash: dict[str, float] = {}
        """Premiums received less buy-backs, settlements and fees, per currency."""
        self._rv: RealizedVol | None = None
        self._rv_short: RealizedVol | None = None
        self._rv_long: RealizedVol | None = None
        self._closes: deque[float] = deque()
        self._trend_sum = 0.0
        self._trend_len = 0

    def option_assets(self) -> tuple[str, ...]:
        """The command line lists options on the underlying."""
        return (self.params.asset,)

    # -- bars --------------------------------------------------------------------------------
    def on_bar(self, bar: Bar) -> None:
        """Track the underlying; manage the open call, or decide when the time has come."""
        if not self._is_underlying(bar):
            return
        self._track(bar)
        iid = bar.instrument_id
        if self.params.buy_underlying and not self.bought:
            self.bought = True
            if self.is_flat(iid):
                self.buy(iid, self.params.underlying_fraction, tag="buy_underlying")
                return
        if self.call is not None:
            self._manage(self.call)
            return
        if self.ctx.open_orders(self.id, None):
            return
        now = bar.ts_event
        due = self.last_decision_ns is None or (
            now - self.last_decision_ns >= self.params.decision_every_hours * _HOUR_NS
        )
        if due or self.roll_next:
            self._decide(iid, "roll" if self.roll_next else "interval")

    def _is_underlying(self, bar: Bar) -> bool:
        if self.underlying is not None:
            return bar.instrument_id == self.underlying and bar.timeframe == self._timeframe
        inst = self.ctx.instrument(bar.instrument_id)
        if isinstance(inst, Option) or inst.base != self.asset:
            return False
        self.underlying = bar.instrument_id
        self._timeframe = bar.timeframe
        bar_ns = bar.ts_event - bar.ts_open
        if bar_ns <= 0:
            bar_ns = timeframe_ns(bar.timeframe) or DAY_NS
        per_day = DAY_NS / bar_ns

        def window(days: float) -> RealizedVol:
            n = max(2, round(days * per_day))
            return RealizedVol(n, min(n, max(2, n // 2)), bar_ns)

        self._rv = window(self.params.rv_days)
        self._rv_short = window(_SHORT_RV_DAYS)
        self._rv_long = window(_LONG_RV_DAYS)
        self._trend_len = max(2, round(self.params.rv_days * per_day))
        return True

    def _track(self, bar: Bar) -> None:
        close = bar.close
        assert self._rv is not None
        assert self._rv_short is not None
        assert self._rv_long is not None
        self._rv.update(close)
        self._rv_short.update(close)
        self._rv_long.update(close)
        closes = self._closes
        closes.append(close)
        self._trend_sum += close
        if len(closes) > self._trend_len:
            self._trend_sum -= closes.popleft()

    # -- decisions ---------------------------------------------------------------------------
    def _decide(self, underlying: InstrumentId, reason: str) -> None:
        assert self._rv is not None
        assert self._rv_short is not None
        assert self._rv_long is not None
        if not math.isfinite(self._rv.value):
            return  # IV/RV needs the realised vol: no decision while it warms up
        chain = self.option_chain(self.asset)
        if chain is None:
            return
        p = self.params
        found = candidates(chain, self._rv.value, self.settings)
        closes = self._closes
        context = market_context(
            closes[-1], self._trend_sum / len(closes), self._rv_short.value, self._rv_long.value
        )
        best = found.best(p.min_score, p.min_ivrv)
        quantity = 0.0
        if best is not None:
            option = chain.instrument_at(int(found.rows[best]))
            held = self.coin_held(underlying)
            per_contract = float(option.multiplier) / float(
                self.ctx.instrument(underlying).multiplier
            )
            quantity = option.floor_size(held / per_contract) if held > 0 else 0.0
            if quantity < float(option.min_quantity) or quantity <= 0:
                best, quantity = None, 0.0
        self.last_decision_ns = chain.ts_ns
        self.roll_next = False
        self.decisions.append(
            Decision(
                str(self.id),
                chain.ts_ns,
                self.asset,
                chain.spot,
                context,
                found,
                best,
                quantity,
                reason,
            )
        )
        if best is not None:
            option = chain.instrument_at(int(found.rows[best]))
            tag = "roll_sell" if reason == "roll" else "sell_call"
            self.trade_instrument(option, _SELL, quantity, tag=tag)

    def _manage(self, call: Option) -> None:
        if not math.isfinite(self.premium):
            return
        chain = self.option_chain(call.underlying)
        if chain is None:
            return
        try:
            quote = chain.quote(call.expiry_ns, call.strike, call.kind)
        except KeyError:  # no longer listed: expiry will settle it
            return
        p = self.params
        reason = exit_reason(
            ask=quote.ask,
            premium=self.premium,
            spot=chain.spot,
            strike=call.strike,
            hours_left=(call.expiry_ns - chain.ts_ns) / _HOUR_NS,
            delta=quote.delta,
            take_profit=p.take_profit,
            roll_hours=p.roll_hours,
            roll_delta=p.roll_delta,
        )
        if reason is not None:
            self.close(call.id, tag=reason)
            self.roll_next = reason == "roll"

    def coin_held(self, underlying: InstrumentId) -> float:
        """The coin this strategy can cover: what it holds, less what its calls cost in coin.

        Coin-settled calls are paid in the coin (``convert_option_cash`` off, as covered-call
        runs are set up): alone in the account the holding is the coin balance, which their
        premiums and losses move. Beside other strategies the holding is this strategy's book,
        which they do not move, so the coin it bought plus its own option cash in the coin
        bounds it.
        """
        held = self.holding(underlying)
        if self.coin_bought > 0:
            held = min(held, self.coin_bought + self.option_cash.get(self.asset, 0.0))
        return held

    def pnl_in_quote(self) -> float:
        """P&L in the underlying's quote currency at the last prices, with option cash kept in
        the coin: the coin (bought plus option cash) and the open call marked now, less what
        the coin cost. Alone in an account with ``convert_option_cash`` off this is the
        account's P&L; beside other strategies it is this strategy's share of it."""
        if self.underlying is None:
            return 0.0
        inst = self.ctx.instrument(self.underlying)
        price = self.ctx.last_price(self.underlying)
        if price is None:
            return math.nan
        coin = self.coin_bought + self.option_cash.get(self.asset, 0.0)
        quote_cash = self.option_cash.get(inst.quote, 0.0) - self.quote_spent
        if self.call is not None:
            mark = self.ctx.last_price(self.call.id) or 0.0
            owed = -self.holding(self.call.id) * mark * float(self.call.multiplier)
            if self.call.quote == self.asset:
                coin -= owed
            else:
                quote_cash -= owed
        return coin * price + quote_cash

    # -- fills -------------------------------------------------------------------------------
    def on_fill(self, order: Order, fill: OrderFilled) -> None:
        """Remember the call sold and its premium; forget it once bought back or settled.

        Every fill of this strategy is also booked into ``coin_bought``, ``quote_spent`` and
        ``option_cash``.
        """
        iid = fill.instrument_id
        inst = self.ctx.instrument(iid)
        sign = 1.0 if fill.side is OrderSide.BUY else -1.0
        if not isinstance(inst, Option):
            if iid == self.underlying:
                self.coin_bought += sign * fill.quantity
                self.quote_spent += sign * fill.quantity * fill.price
                if fill.fee_currency == inst.quote:
                    self.quote_spent += fill.fee
                elif fill.fee_currency == inst.base:
                    self.coin_bought -= fill.fee
            return
        cash = self.option_cash
        premium = fill.quantity * fill.price * float(inst.multiplier)
        cash[inst.quote] = cash.get(inst.quote, 0.0) - sign * premium
        cash[fill.fee_currency] = cash.get(fill.fee_currency, 0.0) - fill.fee
        if abs(self.holding(iid)) <= 1e-12:
            self.call = None
            self.premium = math.nan
        elif fill.side is _SELL:
            self.call = inst
            self.premium = self.ctx.position(iid).avg_entry_price


__all__ = ["CoveredCallParams", "CoveredCallStrategy", "Decision"]
