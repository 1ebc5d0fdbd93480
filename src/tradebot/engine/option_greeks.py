"""Greeks per unit of any instrument, for the risk manager's portfolio greek limits.

Options take theirs from the option market (times the contract multiplier); linear spot and
perpetuals on an option underlying count as delta one per unit, so that a delta hedge in the
perpetual offsets the options' delta in the net figure.
"""

from __future__ import annotations

from collections.abc import Callable

from tradebot.model.identifiers import InstrumentId
from tradebot.model.instruments import Option
from tradebot.options.market import OptionMarket
from tradebot.portfolio.portfolio import Portfolio
from tradebot.risk.rules import Greeks, GreeksProvider


def option_greeks(
    market: OptionMarket, portfolio: Portfolio, clock: Callable[[], int]
) -> GreeksProvider:
    """A provider reading the option market at the engine's current time."""
    assets = set(market.underlyings())

    def provider(instrument_id: InstrumentId) -> Greeks | None:
        inst = portfolio.instruments.get(instrument_id)
        if inst is None:
            return None
        mult = float(inst.multiplier)
        if isinstance(inst, Option):
            quote = market.quote(inst, clock())
            if quote is None:
                return None
            return Greeks(quote.delta * mult, quote.gamma * mult, quote.vega * mult)
        if inst.base in assets and not inst.is_inverse:
            return Greeks(delta=mult)
        return None

    return provider


__all__ = ["option_greeks"]
