"""Short ATM straddle with a delta hedge (seed 000): sell the at-the-money call and put when
implied volatility is low, and keep the position's delta near zero in the underlying.

Entry, at a bar of the underlying with no straddle open: the ATM IV (mean IV of the call and
put at the strike nearest the forward) of the nearest expiry at least
``min_minutes_to_expiry`` away is below ``max_iv``. Both legs are sent as one structure (all or
none). Units are sized so that the loss at the stop, ``stop_loss`` x the credit, is
``risk_fraction`` of equity; the risk manager checks that planned loss, its greek limits and
the 15-minute expiry cutoff.

Hedge: a job the engine runs every ``hedge_interval_minutes`` (on its clock, so at the same
times in a backtest as live) adds the legs' deltas from the chain (delta x contracts x
multiplier) to the hedge position; when the net delta times the index exceeds
``hedge_threshold_usd`` in absolute value it trades the hedge instrument back to zero net
delta (to its lot). The hedge instrument is the one named by ``hedge_symbol``, else the first
linear perpetual on the asset whose bars the session has, else its spot pair (inverse
contracts are not used: their delta is not one coin per unit). Shrinking the hedge is sent as a
reduce (never refused by a limit); growing it is an opening order, so the risk manager may
refuse it (for instance ``min_position`` refuses orders below 1 % of NLV, and a spot pair
cannot be sold short unless the session allows it).

Exit, of the straddle and its hedge together: when buying the legs back costs at most
``1 - take_profit`` of the credit (profit target) or at least ``1 + stop_loss`` times it
(stop), or ``exit_minutes_before_expiry`` before expiry (a scheduled job). If expiry comes
first it settles the options and the hedge is closed at the next bar or job.
"""

from __future__ import annotations

import logging
import math
from collections import deque

from tradebot.model.data import Bar
from tradebot.model.enums import OrderSide
from tradebot.model.events import OrderFilled
from tradebot.model.identifiers import InstrumentId
from tradebot.model.instruments import Instrument, Option, Perpetual, Spot
from tradebot.model.orders import Order
from tradebot.model.signals import Signal, SignalIntent, SizeMode
from tradebot.options.chain import OptionChain
from tradebot.options.payoff import StructureAnalysis
from tradebot.options.structures import straddle
from tradebot.strategies.base import StrategyParams
from tradebot.strategies.options._common import atm_iv, options_delta
from tradebot.strategies.options.credit_structure import NS_PER_MINUTE, CreditStructureStrategy
from tradebot.strategies.registry import register

log = logging.getLogger("tradebot.strategies.short_straddle")

_ENTRY_TAG = "short_straddle"
_HEDGE_TAG = "delta_hedge"
_HEDGE_JOB = "delta_hedge"


class ShortStraddleParams(StrategyParams, frozen=True, kw_only=True):
    """Parameters of ``short_straddle``.

    Parameters
    ----------
    asset : str
        Underlying whose options are sold (default ``BTC``).
    max_iv : float
        Sell only when the ATM IV is below this (default 0.30, 30 %).
    min_minutes_to_expiry : float
        Trade the nearest expiry at least this far away (default 60).
    take_profit : float
        Close once this share of the credit is captured (cost to close at most
        ``1 - take_profit`` of it) (default 0.5).
    stop_loss : float
        Close when the cost to close reaches ``1 + stop_loss`` times the credit (default 1.0:
        a loss of the whole credit).
    exit_minutes_before_expiry : float
        Close this long before expiry (default 20; at most ``min_minutes_to_expiry``; 0: hold
        to expiry, which settles it).
    risk_fraction : float
        Loss at the stop per trade as a share of equity (default 0.01).
    hedge_threshold_usd : float
        Hedge when |net delta| x index exceeds this many USD (default 100).
    hedge_interval_minutes : float
        How often the engine runs the hedge job (default 5).
    hedge_symbol : str
        Symbol of the hedge instrument (e.g. ``BTC/USDT:USDT``); empty: the first linear
        perpetual on ``asset`` in the data, else its spot pair (default empty).
    """

    asset: str = "BTC"
    max_iv: float = 0.30
    min_minutes_to_expiry: float = 60.0
    take_profit: float = 0.5
    stop_loss: float = 1.0
    exit_minutes_before_expiry: float = 20.0
    risk_fraction: float = 0.01
    hedge_threshold_usd: float = 100.0
    hedge_interval_minutes: float = 5.0
    hedge_symbol: str = ""

    def validate(self) -> None:
        """Check ranges."""
        if not self.asset:
            raise ValueError("parameter 'asset' is empty; name the underlying (e.g. BTC)")
        if not 0 < self.max_iv < 10:
            raise ValueError(
                f"parameter 'max_iv' was {self.max_iv}; it must be in (0, 10) (0.30 = 30 %)"
            )
        if not 0 < self.take_profit < 1:
            raise ValueError(
                f"parameter 'take_profit' was {self.take_profit}; it must be in (0, 1)"
            )
        if not self.stop_loss > 0:
            raise ValueError(f"parameter 'stop_loss' was {self.stop_loss}; it must be > 0")
        if not 0 <= self.exit_minutes_before_expiry <= self.min_minutes_to_expiry:
            raise ValueError(
                f"parameter 'exit_minutes_before_expiry' was {self.exit_minutes_before_expiry}; "
                f"it must be in [0, min_minutes_to_expiry={self.min_minutes_to_expiry}]"
            )
        if not 0 < self.risk_fraction <= 1:
            raise ValueError(
                f"parameter 'risk_fraction' was {self.risk_fraction}; it must be in (0, 1]"
            )
        if not self.hedge_threshold_usd > 0:
            raise ValueError(
                f"parameter 'hedge_threshold_usd' was {self.hedge_threshold_usd}; it must be > 0"
            )
        if not self.hedge_interval_minutes > 0:
            raise ValueError(
                f"parameter 'hedge_interval_minutes' was {self.hedge_interval_minutes}; "
                "it must be > 0"
            )


@register
class ShortStraddleStrategy(CreditStructureStrategy[ShortStraddleParams]):
    """Short ATM straddle on low IV, delta-hedged by a scheduled job."""

    name = "short_straddle"
    params_type = ShortStraddleParams
    entry_tag = _ENTRY_TAG

    def option_assets(self) -> tuple[str, ...]:
        """The underlyings this strategy needs an option market on."""
        return (self.params.asset,)

    def on_start(self) -> None:
        """No straddle and no hedge yet."""
        self.start_structure_state()
        self.candidates: dict[InstrumentId, Instrument] = {}
        """Instruments of ``asset`` seen in the data (hedge candidates)."""
        self.hedge: Instrument | None = None
        self.hedge_checks: deque[tuple[int, float]] = deque(maxlen=10_000)
        """(time, net delta in USD) of the last 10,000 hedge checks with a straddle held."""

    # -- market ------------------------------------------------------------------------------
    def on_bar(self, bar: Bar) -> None:
        """Note hedge candidates; manage the straddle, else look for an entry."""
        iid = bar.instrument_id
        if iid not in self.candidates:
            inst = self.ctx.instrument(iid)
            if not isinstance(inst, Option) and inst.base == self.params.asset:
                self.candidates[iid] = inst
                if self.underlying is None:
                    self.underlying, self.timeframe = iid, bar.timeframe
        if iid != self.underlying or bar.timeframe != self.timeframe:
            return
        chain = self.option_chain(self.params.asset)
        if chain is None:
            return
        if self.legs:
            self.manage(chain)
            if self.legs:
                return
        if self._hedge_held():
            self._close_hedge()
            return
        self._maybe_enter(chain)

    def _maybe_enter(self, chain: OptionChain) -> None:
        p = self.params
        expiry = chain.next_expiry(p.min_minutes_to_expiry)
        if expiry is None:
            return
        iv = atm_iv(chain, expiry)
        if not iv < p.max_iv:
            return
        try:
            structure = straddle(chain, expiry, chain.atm_strike(expiry), short=True)
            analysis = StructureAnalysis(structure, chain, fill_prices=True)
        except (KeyError, ValueError) as exc:
            log.debug("no straddle at %s: %s", chain.ts_ns, exc)
            return
        credit_usd = -analysis.entry_value
        if not credit_usd > 0:
            return
        planned_loss = p.stop_loss * credit_usd
        units = p.risk_fraction * self.ctx.equity() / planned_loss
        self.legs = [leg.option for leg in structure.legs if leg.option is not None]
        self.credit = 0.0
        self.expiry_ns = expiry
        orders = self.open_structure(structure, units, max_loss=planned_loss, tag=_ENTRY_TAG)
        if orders is None or not self.legs:
            self.reset_structure()
            return
        self.every(int(p.hedge_interval_minutes * NS_PER_MINUTE), self._hedge_job, _HEDGE_JOB)
        self.arm_time_exit(expiry)

    # -- hedge -------------------------------------------------------------------------------
    def _pick_hedge(self) -> Instrument | None:
        """The hedge instrument: kept while a hedge is held, else chosen from the data."""
        if self.hedge is not None:
            return self.hedge
        wanted = self.params.hedge_symbol
        usable = [
            i
            for i in self.candidates.values()
            if not i.is_inverse and (not wanted or i.id.symbol == wanted)
        ]
        usable.sort(
            key=lambda i: 0 if isinstance(i, Perpetual) else 1 if isinstance(i, Spot) else 2
        )
        self.hedge = usable[0] if usable else None
        return self.hedge

    def _hedge_held(self) -> bool:
        return self.hedge is not None and abs(self.holding(self.hedge.id)) > 1e-12

    def _hedge_job(self, ts_ns: int) -> None:
        """The scheduled check: hedge the net delta, or close the hedge once the straddle is
        gone (and stop the job when nothing is left)."""
        if not self.legs or all(abs(q) <= 1e-12 for q in self.held().values()):
            if self._hedge_held():
                self._close_hedge()
            elif not self.legs:
                self.cancel_timer(_HEDGE_JOB)
            return
        hedge = self._pick_hedge()
        chain = self.option_chain(self.params.asset)
        if hedge is None or chain is None:
            return  # nothing to hedge with, or no prices yet
        options = options_delta(chain, self.held())
        if not math.isfinite(options):
            return
        held = self.holding(hedge.id)
        mult = float(hedge.multiplier)
        net = options + held * mult
        net_usd = net * chain.spot
        self.hedge_checks.append((ts_ns, net_usd))
        if abs(net_usd) <= self.params.hedge_threshold_usd:
            return
        if self.ctx.open_orders(self.id, hedge.id):
            return  # the last hedge is still working: never stack a second one on it
        self._trade_hedge(hedge, held, held - net / mult)

    def _trade_hedge(self, hedge: Instrument, held: float, target: float) -> None:
        if isinstance(hedge, Spot):
            # Spot cannot be sold short: with no perpetual in the session only the upside
            # (negative delta) is hedged, and the hedge is unwound as the delta comes back.
            target = max(target, 0.0)
        change = target - held
        if abs(change) <= 1e-12:
            return
        if held * change < 0:  # against the hedge held: shrink it first
            shrink = min(abs(change), abs(held))
            self.signal(
                Signal(
                    instrument_id=hedge.id,
                    side=OrderSide.BUY if change > 0 else OrderSide.SELL,
                    intent=SignalIntent.REDUCE,
                    size=shrink,
                    size_mode=SizeMode.QUANTITY,
                    tag=_HEDGE_TAG,
                )
            )
            change = math.copysign(abs(change) - shrink, change)
            if abs(change) <= 1e-12:
                return
        side = OrderSide.BUY if change > 0 else OrderSide.SELL
        self._open(hedge.id, side, abs(change), SizeMode.QUANTITY, tag=_HEDGE_TAG)

    def _close_hedge(self) -> None:
        """Flatten the hedge (the engine sends one market exit and cancels working hedges);
        with no hedge held yet, cancel the one still working."""
        hedge = self.hedge
        if hedge is None:
            return
        if self._hedge_held():
            self.close(hedge.id, tag="hedge_exit")
        else:
            self.cancel_all(hedge.id)

    # -- exits -------------------------------------------------------------------------------
    def exit_rules(self) -> tuple[float, float | None, float]:
        """Target and stop as shares of the credit, and the time exit before expiry."""
        p = self.params
        return p.take_profit, p.stop_loss, p.exit_minutes_before_expiry

    def after_exit(self) -> None:
        """The hedge goes with the straddle."""
        self._close_hedge()

    def on_fill(self, order: Order, fill: OrderFilled) -> None:
        """The credit and the straddle's end as for any sold structure; forget the hedge
        instrument once the hedge is flat with no straddle."""
        super().on_fill(order, fill)
        if not self.legs and self.hedge is not None and not self._hedge_held():
            self.hedge = None


__all__ = ["ShortStraddleParams", "ShortStraddleStrategy"]
