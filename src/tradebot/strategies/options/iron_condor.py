"""Iron condor (seed 000): sell a call and a put ~5 % out of the money and buy wings at ~8 %
when implied volatility is rich against its own history and the underlying is calm.

Entry, at a bar of the underlying, when both hold:

- **IV rank** > ``iv_rank_min``. The strategy records, at every bar of the underlying, the ATM
  implied volatility of the chain (mean IV of the call and the put at the strike nearest the
  forward, on the expiry it would trade); IV rank is where the current value sits in the range
  of the last ``iv_lookback`` observations, the current one included:
  ``100 * (iv - min) / (max - min)``. It is undefined (no entry) until ``iv_lookback``
  observations exist or while the range is flat.
- **realised volatility** of the underlying < ``max_realised_vol``: the annualised standard
  deviation of the last ``rv_period`` log returns of its closes (365-day year, bars annualised
  by their own length).

The four legs are the listed strikes nearest spot ± ``short_otm`` (sold) and ± ``wing_otm``
(bought) on the nearest expiry at least ``min_minutes_to_expiry`` away, sent as one structure
(all legs or none). Units are sized so that the condor's max loss at expiry (wing width less
the credit, at fill prices) is ``risk_fraction`` of equity; the risk manager checks the same
planned loss against its own limit (1 % of NLV by default) and its greek limits, and refuses
new structures in the last 15 minutes before expiry.

Exit: the whole structure is closed when buying it back (ask of the shorts, bid of the wings)
costs at most ``1 - take_profit`` of the credit received (default: 70 % of the credit
captured), or ``exit_minutes_before_expiry`` before expiry (a scheduled job, so it happens on
time whatever the bar length). Otherwise expiry settles it. Credit and cost are in the
premium currency (the coin for Deribit), the currency the P&L is booked in.
"""

from __future__ import annotations

import logging
import math
from collections import deque

from tradebot.model.data import Bar
from tradebot.model.enums import OptionKind
from tradebot.model.identifiers import InstrumentId
from tradebot.model.instruments import Option
from tradebot.options.chain import OptionChain
from tradebot.options.payoff import StructureAnalysis
from tradebot.options.structures import iron_condor
from tradebot.options.synthetic.realized_vol import RealizedVol
from tradebot.strategies.base import StrategyParams
from tradebot.strategies.options._common import atm_iv
from tradebot.strategies.options.credit_structure import CreditStructureStrategy
from tradebot.strategies.registry import register

log = logging.getLogger("tradebot.strategies.iron_condor")

_ENTRY_TAG = "iron_condor"


class IronCondorParams(StrategyParams, frozen=True, kw_only=True):
    """Parameters of ``iron_condor``.

    Parameters
    ----------
    asset : str
        Underlying whose options are sold (default ``BTC``).
    iv_rank_min : float
        Enter only when the IV rank (0-100, see the module) is above this (default 60).
    iv_lookback : int
        Observations (bars of the underlying) the IV rank ranges over (default 48).
    rv_period : int
        Log returns in the realised volatility (default 24).
    max_realised_vol : float
        Enter only when the annualised realised volatility is below this (default 0.6, 60 %).
    short_otm : float
        Sold strikes nearest spot x (1 ± short_otm) (default 0.05).
    wing_otm : float
        Bought wings nearest spot x (1 ± wing_otm) (default 0.08; must exceed ``short_otm``).
    min_minutes_to_expiry : float
        Trade the nearest expiry at least this far away (default 60).
    take_profit : float
        Close once this share of the credit is captured, i.e. the cost to close is at most
        ``1 - take_profit`` of the credit (default 0.7).
    exit_minutes_before_expiry : float
        Close this long before expiry (default 20; at most ``min_minutes_to_expiry``; 0: hold
        to expiry, which settles it).
    risk_fraction : float
        Max loss per trade as a share of equity (default 0.01).
    """

    asset: str = "BTC"
    iv_rank_min: float = 60.0
    iv_lookback: int = 48
    rv_period: int = 24
    max_realised_vol: float = 0.6
    short_otm: float = 0.05
    wing_otm: float = 0.08
    min_minutes_to_expiry: float = 60.0
    take_profit: float = 0.7
    exit_minutes_before_expiry: float = 20.0
    risk_fraction: float = 0.01

    def validate(self) -> None:
        """Check ranges and that the wings lie beyond the short strikes."""
        if not self.asset:
            raise ValueError("parameter 'asset' is empty; name the underlying (e.g. BTC)")
        if not 0 <= self.iv_rank_min < 100:
            raise ValueError(
                f"parameter 'iv_rank_min' was {self.iv_rank_min}; it must be in [0, 100)"
            )
        if self.iv_lookback < 2:
            raise ValueError(
                f"parameter 'iv_lookback' was {self.iv_lookback}; it must be at least 2"
            )
        if self.rv_period < 2:
            raise ValueError(f"parameter 'rv_period' was {self.rv_period}; it must be at least 2")
        if not self.max_realised_vol > 0:
            raise ValueError(
                f"parameter 'max_realised_vol' was {self.max_realised_vol}; it must be > 0"
            )
        if not 0 < self.short_otm < self.wing_otm < 1:
            raise ValueError(
                f"parameters 'short_otm' ({self.short_otm}) and 'wing_otm' ({self.wing_otm}) "
                "must satisfy 0 < short_otm < wing_otm < 1"
            )
        if not 0 < self.take_profit < 1:
            raise ValueError(
                f"parameter 'take_profit' was {self.take_profit}; it must be in (0, 1)"
            )
        if not 0 <= self.exit_minutes_before_expiry <= self.min_minutes_to_expiry:
            raise ValueError(
                f"parameter 'exit_minutes_before_expiry' was {self.exit_minutes_before_expiry}; "
                f"it must be in [0, min_minutes_to_expiry={self.min_minutes_to_expiry}]"
            )
        if not 0 < self.risk_fraction <= 1:
            raise ValueError(
                f"parameter 'risk_fraction' was {self.risk_fraction}; it must be in (0, 1]"
            )


@register
class IronCondorStrategy(CreditStructureStrategy[IronCondorParams]):
    """Short iron condor on rich IV and a calm underlying; out at 70 % of the credit or T-20m."""

    name = "iron_condor"
    params_type = IronCondorParams
    entry_tag = _ENTRY_TAG

    def option_assets(self) -> tuple[str, ...]:
        """The underlyings this strategy needs an option market on."""
        return (self.params.asset,)

    def on_start(self) -> None:
        """No observations and no condor yet."""
        p = self.params
        self.start_structure_state()
        self.ivs: deque[float] = deque(maxlen=p.iv_lookback)
        self.rv = RealizedVol(window=p.rv_period, min_returns=p.rv_period)

    # -- indicators --------------------------------------------------------------------------
    @property
    def iv_rank(self) -> float:
        """IV rank of the latest observation over the look-back (NaN until defined)."""
        ivs = self.ivs
        if len(ivs) < self.params.iv_lookback:
            return math.nan
        low, high = min(ivs), max(ivs)
        if not high > low:
            return math.nan
        return 100.0 * (ivs[-1] - low) / (high - low)

    def _is_underlying(self, bar: Bar) -> bool:
        """The data bars of the first instrument of ``asset`` seen (spot or perpetual)."""
        if self.underlying is None:
            inst = self.ctx.instrument(bar.instrument_id)
            if isinstance(inst, Option) or inst.base != self.params.asset:
                return False
            self.underlying = bar.instrument_id
            self.timeframe = bar.timeframe
        return bar.instrument_id == self.underlying and bar.timeframe == self.timeframe

    def on_bar(self, bar: Bar) -> None:
        """Observe IV and RV, manage the condor held, else look for an entry."""
        if not self._is_underlying(bar):
            return
        p = self.params
        self.rv.update_bar(bar.close, bar.ts_open, bar.ts_event, bar.timeframe)
        chain = self.option_chain(p.asset)
        if chain is None:
            return
        expiry = chain.next_expiry(p.min_minutes_to_expiry)
        if expiry is not None:
            iv = atm_iv(chain, expiry)
            if math.isfinite(iv):
                self.ivs.append(iv)
        if self.legs:
            self.manage(chain)
            if self.legs:
                return
        if expiry is not None:
            self._maybe_enter(chain, expiry)

    # -- entry -------------------------------------------------------------------------------
    def _maybe_enter(self, chain: OptionChain, expiry: int) -> None:
        p = self.params
        rank, rv = self.iv_rank, self.rv.value
        if not (rank > p.iv_rank_min and rv < p.max_realised_vol):
            return
        put, call = OptionKind.PUT, OptionKind.CALL
        strikes = (
            chain.by_otm_pct(expiry, p.wing_otm, put),
            chain.by_otm_pct(expiry, p.short_otm, put),
            chain.by_otm_pct(expiry, p.short_otm, call),
            chain.by_otm_pct(expiry, p.wing_otm, call),
        )
        try:
            structure = iron_condor(chain, expiry, *strikes)
            analysis = StructureAnalysis(structure, chain, fill_prices=True)
        except (KeyError, ValueError) as exc:  # strikes too sparse, or a leg without a price
            log.debug("no iron condor at %s: %s", chain.ts_ns, exc)
            return
        credit_usd = -analysis.entry_value
        max_loss = -analysis.max_loss()
        if not (credit_usd > 0 and 0 < max_loss < math.inf):
            return
        units = p.risk_fraction * self.ctx.equity() / max_loss
        self.legs = [leg.option for leg in structure.legs if leg.option is not None]
        self.credit = 0.0
        self.expiry_ns = expiry
        orders = self.open_structure(structure, units, max_loss=max_loss, tag=_ENTRY_TAG)
        if orders is None or not self.legs:  # refused by risk, or rejected by the venue
            self.reset_structure()
            return
        self.arm_time_exit(expiry)

    # -- exits -------------------------------------------------------------------------------
    def exit_rules(self) -> tuple[float, float | None, float]:
        """70 % of the credit captured, no stop (the wings bound the loss), T − 20 min."""
        p = self.params
        return p.take_profit, None, p.exit_minutes_before_expiry

    def closing_legs(self) -> list[InstrumentId]:
        """Buy back the short legs and sell the wings that still have a bid; a wing nobody
        bids for is worth nothing to sell and is left to expire (otherwise the venue would
        refuse the whole close for its missing bid)."""
        chain = self.option_chain(self.params.asset)
        return [leg.id for leg in self.legs if not self._unsellable(chain, leg)]

    def _unsellable(self, chain: OptionChain | None, leg: Option) -> bool:
        """A long leg with no bid now."""
        if chain is None or self.holding(leg.id) <= 1e-12:
            return False
        try:
            bid = chain.quote(leg.expiry_ns, leg.strike, leg.kind).bid
        except KeyError:
            return False
        return not bid > 0


__all__ = ["IronCondorParams", "IronCondorStrategy"]
