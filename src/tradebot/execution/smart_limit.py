"""Smart-limit orders: work a marketable order as a limit that walks from the mid to the touch.

At arrival the order is sent as a limit at the mid. Every ``step_every_s`` seconds of the
engine's clock it is moved a further ``1 / steps`` of the way from the *current* mid toward
the *current* touch (the ask for a buy, the bid for a sell), so step ``k`` (0 … steps-1) sits at
``mid + k/steps × (ask − mid)`` for a buy and ``mid − k/steps × (mid − bid)`` for a sell: passive
the whole time. The price never goes past ``max_slippage_bps`` from the arrival mid. After the
last step's interval the remainder is canceled (``at_end="cancel"``) or crossed
(``at_end="cross"``: moved to the far touch, still within the slippage cap, so it takes
liquidity when the cap allows).

Prices are rounded to ``tick_size`` away from the touch (buys down, sells up), so rounding
never adds slippage. The clock is the engine's, so the path is the same in simulated time.
"""

from __future__ import annotations

import math
from typing import Literal

import msgspec

from tradebot.model.enums import OrderSide

_BUY = OrderSide.BUY


class SmartLimitParams(msgspec.Struct, frozen=True, kw_only=True):
    """How a smart-limit order is worked."""

    step_every_s: float = 5.0
    steps: int = 5
    max_slippage_bps: float = 10.0
    at_end: Literal["cancel", "cross"] = "cancel"
    tick_size: float = 0.0

    def __post_init__(self) -> None:
        if self.steps < 1:
            raise ValueError("a smart-limit order needs at least one step")
        if not self.step_every_s > 0:
            raise ValueError("smart-limit step_every_s must be positive")
        if self.max_slippage_bps < 0 or self.tick_size < 0:
            raise ValueError("smart-limit slippage cap and tick size must not be negative")

    @property
    def step_ns(self) -> int:
        """The step interval in nanoseconds."""
        return round(self.step_every_s * 1e9)


def slippage_cap(side: OrderSide, arrival_mid: float, params: SmartLimitParams) -> float:
    """The worst price allowed: above the arrival mid for a buy, below it for a sell."""
    move = arrival_mid * params.max_slippage_bps / 1e4
    return arrival_mid + move if side is _BUY else arrival_mid - move


def _round(side: OrderSide, price: float, tick: float) -> float:
    if tick <= 0:
        return price
    ticks = price / tick
    # A tiny tolerance keeps a price already on the grid where it is despite float error.
    n = math.floor(ticks + 1e-9) if side is _BUY else math.ceil(ticks - 1e-9)
    return n * tick


def step_price(
    side: OrderSide,
    step: int,
    bid: float,
    ask: float,
    arrival_mid: float,
    params: SmartLimitParams,
) -> float:
    """The limit price at ``step`` (0 = arrival) given the current ``bid`` and ``ask``."""
    mid = (bid + ask) / 2
    frac = min(max(step, 0), params.steps) / params.steps
    cap = slippage_cap(side, arrival_mid, params)
    if side is _BUY:
        price = min(mid + frac * (ask - mid), cap)
    else:
        price = max(mid - frac * (mid - bid), cap)
    return _round(side, price, params.tick_size)


def cross_price(
    side: OrderSide, bid: float, ask: float, arrival_mid: float, params: SmartLimitParams
) -> float:
    """The end price when crossing: the far touch, within the slippage cap."""
    return step_price(side, params.steps, bid, ask, arrival_mid, params)


__all__ = ["SmartLimitParams", "cross_price", "slippage_cap", "step_price"]
