"""Settings of the risk engine."""

from __future__ import annotations

import msgspec


class RiskConfig(msgspec.Struct, frozen=True, kw_only=True):
    """Pre-trade limits and sizing.

    Parameters
    ----------
    sizing_buffer : float
        Fraction held back when an equity-fraction or notional size is turned into a quantity
        at the last price, so that fees and the move to the fill price do not push the order
        past the funds available (default 0.002). Market buys of spot pairs are sized in quote
        currency by the venue instead and need no buffer.
    max_order_fraction : float
        Largest order allowed as a fraction of net liquidation value times leverage
        (default 1.0 = all in).
    allow_spot_short : bool
        Spot pairs cannot be sold short on a cash account (default False).
    """

    sizing_buffer: float = 0.002
    max_order_fraction: float = 1.0
    allow_spot_short: bool = False


__all__ = ["RiskConfig"]
