"""Multi-leg option structures: which contracts, how many of each, built from a chain.

A structure is a list of legs with signed ratios per unit (``+1`` bought, ``-1`` sold). It is
traded as one unit (all legs or none) and analysed as one position by
:mod:`tradebot.options.payoff`. The constructors check the strikes are listed and ordered, so
a strategy cannot ask for a condor whose wings sit inside its short strikes.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from tradebot.model.enums import OptionKind
from tradebot.model.instruments import Instrument, Option
from tradebot.options.chain import OptionChain

_CALL = OptionKind.CALL
_PUT = OptionKind.PUT


@dataclass(frozen=True, slots=True)
class Leg:
    """One instrument of a structure and its signed quantity per unit of the structure."""

    instrument: Instrument
    ratio: float

    def __post_init__(self) -> None:
        if self.ratio == 0:
            raise ValueError(f"leg {self.instrument.id} has a zero ratio")

    @property
    def option(self) -> Option | None:
        """The leg's option, or None for an underlying leg (covered call)."""
        return self.instrument if isinstance(self.instrument, Option) else None


@dataclass(frozen=True, slots=True)
class Structure:
    """Named legs traded together."""

    name: str
    legs: tuple[Leg, ...]

    def __post_init__(self) -> None:
        if not self.legs:
            raise ValueError(f"structure {self.name} has no legs")
        ids = [leg.instrument.id for leg in self.legs]
        if len(set(ids)) != len(ids):
            raise ValueError(f"structure {self.name} lists an instrument twice")

    @property
    def expiry_ns(self) -> int | None:
        """The first expiry among the option legs."""
        expiries = [leg.option.expiry_ns for leg in self.legs if leg.option is not None]
        return min(expiries) if expiries else None

    def scaled(self, factor: float) -> Structure:
        """The same legs with every ratio multiplied by ``factor`` (negative reverses it)."""
        return Structure(
            self.name, tuple(Leg(leg.instrument, leg.ratio * factor) for leg in self.legs)
        )


def _leg(chain: OptionChain, expiry_ns: int, strike: float, kind: OptionKind, ratio: float) -> Leg:
    return Leg(chain.instrument(expiry_ns, strike, kind), ratio)


def _ascending(name: str, *strikes: float) -> None:
    if any(b <= a for a, b in itertools.pairwise(strikes)):
        shown = ", ".join(f"{s:g}" for s in strikes)
        raise ValueError(f"{name}: strikes must be strictly ascending, got {shown}")


def vertical(
    chain: OptionChain, expiry_ns: int, long_strike: float, short_strike: float, kind: OptionKind
) -> Structure:
    """Buy one strike and sell another of the same kind (debit or credit spread)."""
    if long_strike == short_strike:
        raise ValueError("vertical spread: the two strikes must differ")
    return Structure(
        f"{kind.value}_vertical",
        (
            _leg(chain, expiry_ns, long_strike, kind, 1.0),
            _leg(chain, expiry_ns, short_strike, kind, -1.0),
        ),
    )


def straddle(
    chain: OptionChain, expiry_ns: int, strike: float, *, short: bool = False
) -> Structure:
    """Call and put at one strike; ``short=True`` sells both."""
    ratio = -1.0 if short else 1.0
    return Structure(
        "short_straddle" if short else "long_straddle",
        (
            _leg(chain, expiry_ns, strike, _CALL, ratio),
            _leg(chain, expiry_ns, strike, _PUT, ratio),
        ),
    )


def strangle(
    chain: OptionChain,
    expiry_ns: int,
    put_strike: float,
    call_strike: float,
    *,
    short: bool = False,
) -> Structure:
    """Out-of-the-money put and call; ``short=True`` sells both."""
    _ascending("strangle", put_strike, call_strike)
    ratio = -1.0 if short else 1.0
    return Structure(
        "short_strangle" if short else "long_strangle",
        (
            _leg(chain, expiry_ns, put_strike, _PUT, ratio),
            _leg(chain, expiry_ns, call_strike, _CALL, ratio),
        ),
    )


def iron_condor(
    chain: OptionChain,
    expiry_ns: int,
    put_wing: float,
    put_short: float,
    call_short: float,
    call_wing: float,
) -> Structure:
    """Sell a put and a call, buy the wings beyond them: a credit with capped loss."""
    _ascending("iron condor", put_wing, put_short, call_short, call_wing)
    return Structure(
        "iron_condor",
        (
            _leg(chain, expiry_ns, put_wing, _PUT, 1.0),
            _leg(chain, expiry_ns, put_short, _PUT, -1.0),
            _leg(chain, expiry_ns, call_short, _CALL, -1.0),
            _leg(chain, expiry_ns, call_wing, _CALL, 1.0),
        ),
    )


def butterfly(
    chain: OptionChain, expiry_ns: int, low: float, mid: float, high: float, kind: OptionKind
) -> Structure:
    """Buy the outer strikes, sell two of the middle one (long butterfly)."""
    _ascending("butterfly", low, mid, high)
    return Structure(
        f"{kind.value}_butterfly",
        (
            _leg(chain, expiry_ns, low, kind, 1.0),
            _leg(chain, expiry_ns, mid, kind, -2.0),
            _leg(chain, expiry_ns, high, kind, 1.0),
        ),
    )


def covered_call(
    chain: OptionChain, expiry_ns: int, strike: float, underlying: Instrument
) -> Structure:
    """Hold the underlying and sell a call against it, one contract per unit held."""
    call = chain.instrument(expiry_ns, strike, _CALL)
    per_contract = float(call.multiplier) / float(underlying.multiplier)
    return Structure("covered_call", (Leg(underlying, per_contract), Leg(call, -1.0)))


__all__ = [
    "Leg",
    "Structure",
    "butterfly",
    "covered_call",
    "iron_condor",
    "straddle",
    "strangle",
    "vertical",
]
