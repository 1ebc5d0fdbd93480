"""What a structure costs, risks and earns: greeks, payoff curves, max profit and loss, margin.

All amounts are in USD per unit of the structure: coin premiums (Deribit) are converted at the
chain's index price, option legs count their contract multiplier, and an underlying leg (the
coin of a covered call) gains ``S - spot`` per unit. The payoff at expiry is piecewise linear
in the underlying price with kinks at the strikes, so its extremes and breakevens are found
exactly from the values at the kinks and the slope beyond the last one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr

from tradebot.model.enums import OptionKind
from tradebot.model.instruments import Option
from tradebot.options.chain import FloatArray, OptionChain, OptionQuote
from tradebot.options.structures import Structure

_CALL = OptionKind.CALL
_NS_PER_YEAR = 365.0 * 86_400 * 1e9
_NAKED_MIN = 0.10
_NAKED_BASE = 0.15


def _black76_undiscounted(
    forward: FloatArray, strike: float, years: float, vol: float, option: Option
) -> FloatArray:
    """Black-76 value with r = 0 (how Deribit marks), intrinsic at expiry or zero vol."""
    call = option.kind is _CALL
    intrinsic = np.maximum(forward - strike, 0.0) if call else np.maximum(strike - forward, 0.0)
    width = vol * math.sqrt(years) if math.isfinite(vol) else 0.0
    if width <= 0.0:
        return intrinsic
    with np.errstate(divide="ignore"):
        d1 = (np.log(forward / strike) + 0.5 * width * width) / width
    d2 = d1 - width
    if call:
        return np.asarray(forward * ndtr(d1) - strike * ndtr(d2), dtype=np.float64)
    return np.asarray(strike * ndtr(-d2) - forward * ndtr(-d1), dtype=np.float64)


@dataclass(frozen=True, slots=True)
class StructureGreeks:
    """Net greeks per unit of the structure, USD terms (vega per 1.00 vol, theta per year)."""

    delta: float
    gamma: float
    vega: float
    theta: float


@dataclass(frozen=True, slots=True)
class PayoffCurve:
    """P&L per unit against the underlying price, at expiry and now (for charts)."""

    prices: FloatArray
    at_expiry: FloatArray
    now: FloatArray


class StructureAnalysis:
    """A structure priced against one chain.

    Parameters
    ----------
    structure : Structure
        The legs.
    chain : OptionChain
        Prices, IVs and greeks now; every option leg must be listed in it.
    fill_prices : bool
        Cost the entry at the ask for bought legs and the bid for sold ones (what a market
        order pays) instead of at the mark.
    """

    def __init__(self, structure: Structure, chain: OptionChain, *, fill_prices: bool = False):
        self.structure = structure
        self.chain = chain
        self.spot = chain.spot
        self._quotes: list[OptionQuote | None] = []
        entry = 0.0
        for leg in structure.legs:
            option = leg.option
            if option is None:
                self._quotes.append(None)
                entry += leg.ratio * float(leg.instrument.multiplier) * self.spot
                continue
            quote = chain.quote(option.expiry_ns, option.strike, option.kind)
            self._quotes.append(quote)
            price = quote.mark
            if fill_prices:
                price = quote.ask if leg.ratio > 0 else quote.bid
            if not math.isfinite(price):
                raise ValueError(f"{option.id} has no {'fill' if fill_prices else 'mark'} price")
            entry += leg.ratio * self._usd(option, price)
        self.entry_value = entry
        """USD paid per unit (negative for a credit), underlying legs at the spot."""

    def _usd(self, option: Option, premium: float) -> float:
        coin = self.chain.spec.premium_in_underlying
        return premium * (self.spot if coin else 1.0) * float(option.multiplier)

    # -- premium and greeks ------------------------------------------------------------------
    @property
    def net_premium(self) -> float:
        """Option premium paid per unit in USD (negative: a credit received)."""
        total = 0.0
        for leg, quote in zip(self.structure.legs, self._quotes, strict=True):
            if quote is not None:
                total += leg.ratio * self._usd(quote.instrument, quote.mark)
        return total

    def greeks(self) -> StructureGreeks:
        """Net greeks (NaN when a leg's greek is unknown)."""
        delta = gamma = vega = theta = 0.0
        for leg, quote in zip(self.structure.legs, self._quotes, strict=True):
            mult = leg.ratio * float(leg.instrument.multiplier)
            if quote is None:
                delta += mult
                continue
            delta += mult * quote.delta
            gamma += mult * quote.gamma
            vega += mult * quote.vega
            theta += mult * quote.theta
        return StructureGreeks(delta, gamma, vega, theta)

    # -- payoff ------------------------------------------------------------------------------
    def payoff_at_expiry(self, prices: FloatArray | float) -> FloatArray:
        """P&L per unit if the underlying settles at ``prices`` (vectorised)."""
        s = np.asarray(prices, dtype=np.float64)
        total = np.full(s.shape, -self.entry_value)
        for leg in self.structure.legs:
            option = leg.option
            mult = leg.ratio * float(leg.instrument.multiplier)
            if option is None:
                total += mult * s
            elif option.kind is _CALL:
                total += mult * np.maximum(s - option.strike, 0.0)
            else:
                total += mult * np.maximum(option.strike - s, 0.0)
        return total

    def payoff_now(self, prices: FloatArray | float, at_ns: int | None = None) -> FloatArray:
        """P&L per unit if the underlying moved to ``prices`` at ``at_ns`` (default: now),
        each leg valued with Black-76 at its current IV and r = 0."""
        s = np.asarray(prices, dtype=np.float64)
        when = self.chain.ts_ns if at_ns is None else at_ns
        total = np.full(s.shape, -self.entry_value)
        for leg, quote in zip(self.structure.legs, self._quotes, strict=True):
            mult = leg.ratio * float(leg.instrument.multiplier)
            if quote is None:
                total += mult * s
                continue
            option = quote.instrument
            t = max(option.expiry_ns - when, 0) / _NS_PER_YEAR
            total += mult * _black76_undiscounted(s, option.strike, t, quote.iv, option)
        return total

    def curve(self, low: float, high: float, points: int = 201) -> PayoffCurve:
        """Payoff at expiry and now over ``points`` prices from ``low`` to ``high``."""
        if not 0 <= low < high or points < 2:
            raise ValueError(f"curve needs 0 <= low < high and points >= 2, got {low}, {high}")
        prices = np.linspace(low, high, points)
        return PayoffCurve(prices, self.payoff_at_expiry(prices), self.payoff_now(prices))

    def _kinks(self) -> tuple[FloatArray, FloatArray, float]:
        """Prices 0 and every strike, the payoff there, and the slope above the top strike."""
        strikes = sorted({leg.option.strike for leg in self.structure.legs if leg.option})
        xs = np.array([0.0, *strikes], dtype=np.float64)
        ys = self.payoff_at_expiry(xs)
        top = xs[-1] if xs[-1] > 0 else self.spot
        slope = float(self.payoff_at_expiry(top + 1.0) - self.payoff_at_expiry(top))
        return xs, ys, slope

    def max_profit(self) -> float:
        """Largest P&L per unit at expiry (``inf`` when unbounded)."""
        _, ys, slope = self._kinks()
        return math.inf if slope > 1e-12 else float(ys.max())

    def max_loss(self) -> float:
        """Smallest P&L per unit at expiry, as a negative number (``-inf`` when unbounded)."""
        _, ys, slope = self._kinks()
        return -math.inf if slope < -1e-12 else float(ys.min())

    def breakevens(self) -> list[float]:
        """Underlying prices at which the P&L at expiry crosses zero, ascending."""
        xs, ys, slope = self._kinks()
        found: list[float] = []
        for x0, x1, y0, y1 in zip(xs, xs[1:], ys, ys[1:], strict=False):
            if y0 == 0.0:
                found.append(float(x0))
            elif y0 * y1 < 0:
                found.append(float(x0 + (x1 - x0) * y0 / (y0 - y1)))
        last_x, last_y = float(xs[-1]), float(ys[-1])
        if last_y == 0.0:
            found.append(last_x)
        elif abs(slope) > 1e-12 and last_y * slope < 0:
            found.append(last_x - last_y / slope)
        return sorted(set(found))

    # -- margin ------------------------------------------------------------------------------
    def margin(self) -> float:
        """Capital a venue would hold per unit, in USD.

        Defined risk (bounded max loss): the max loss. Otherwise each short option is margined
        like a naked one on Deribit, ``max(0.15 - OTM/S, 0.10) * S + mark`` per contract, plus
        the premium of the bought legs and the value of any underlying leg.
        """
        worst = self.max_loss()
        if math.isfinite(worst):
            return max(-worst, 0.0)
        total = 0.0
        for leg, quote in zip(self.structure.legs, self._quotes, strict=True):
            mult = abs(leg.ratio) * float(leg.instrument.multiplier)
            if quote is None:
                total += mult * self.spot
                continue
            option = quote.instrument
            mark_usd = self._usd(option, quote.mark) / float(option.multiplier)
            if leg.ratio > 0:
                total += mult * mark_usd
                continue
            otm = (
                max(option.strike - self.spot, 0.0)
                if option.kind is _CALL
                else max(self.spot - option.strike, 0.0)
            )
            rate = max(_NAKED_BASE - otm / self.spot, _NAKED_MIN)
            total += mult * (rate * self.spot + mark_usd)
        return total


__all__ = ["PayoffCurve", "StructureAnalysis", "StructureGreeks"]
