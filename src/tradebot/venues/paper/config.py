"""Settings of the simulated venue."""

from __future__ import annotations

import msgspec


class PaperVenueConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """How the paper venue fills orders.

    Parameters
    ----------
    venue : str
        Venue name the paper venue stands in for (default ``PAPER``); orders for instruments of
        any venue are accepted.
    maker_fee : float
        Fee rate on fills that added liquidity (default 0.0002 = 0.02 %).
    taker_fee : float
        Fee rate on fills that took liquidity (default 0.0006 = 0.06 %).
    slippage : float
        Adverse price move applied to taker fills against bars, where the spread is unknown
        (default 0.0005 = 0.05 %). Fills against quotes use the real bid/ask instead.
    latency_ms : float
        Time between sending an order and the venue seeing it (default 0).
    limit_fill_on_touch : bool
        Fill a resting limit when the price touches it (default True); False requires the
        price to trade through it.
    """

    venue: str = "PAPER"
    maker_fee: float = 0.0002
    taker_fee: float = 0.0006
    slippage: float = 0.0005
    latency_ms: float = 0.0
    limit_fill_on_touch: bool = True

    def __post_init__(self) -> None:
        for name in ("maker_fee", "taker_fee", "slippage", "latency_ms"):
            value = getattr(self, name)
            if value < 0 or value != value:
                raise ValueError(f"paper venue {name} was {value}; it must be 0 or more")
        if self.slippage >= 0.5:
            raise ValueError(f"paper venue slippage was {self.slippage}; it must be below 0.5")


__all__ = ["PaperVenueConfig"]
