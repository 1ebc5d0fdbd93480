"""Position sizing methods, chosen per strategy in the configuration.

* ``fixed``: the signal's own size (a fraction of equity by default) — the strategy decides;
* ``risk``: the quantity whose loss at the signal's stop is ``risk_fraction`` of NLV;
* ``confidence``: seed 004's formula — ``max_fraction`` × (confidence − min_confidence) /
  (1 − min_confidence), clamped to [``min_fraction``, ``max_fraction``] of NLV;
* ``volatility``: the quantity whose loss over ``atr_multiple`` ATRs is ``risk_fraction`` of
  NLV (a calmer market gets a larger position).
"""

from __future__ import annotations

from typing import Literal

import msgspec


class SizingConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """How one strategy's opening signals are sized.

    Parameters
    ----------
    method : "fixed" | "risk" | "confidence" | "volatility"
        See the module docstring (default "fixed").
    risk_fraction : float
        NLV lost at the stop (``risk``) or over ``atr_multiple`` ATRs (``volatility``)
        (default 0.01).
    min_fraction, max_fraction : float
        Bounds of ``confidence`` sizing, fractions of NLV (defaults 0.01 and 0.20).
    min_confidence : float
        Below this confidence a signal is refused under ``confidence`` sizing (default 0.5).
    atr_period, atr_multiple : int, float
        ATR look-back and the move it is sized against (defaults 14 and 2).
    """

    method: Literal["fixed", "risk", "confidence", "volatility"] = "fixed"
    risk_fraction: float = 0.01
    min_fraction: float = 0.01
    max_fraction: float = 0.20
    min_confidence: float = 0.5
    atr_period: int = 14
    atr_multiple: float = 2.0

    def validate(self) -> None:
        """Raise ``ValueError`` naming the setting that does not fit."""
        if not 0 < self.risk_fraction <= 1:
            raise ValueError("sizing 'risk_fraction' must be in (0, 1]")
        if not 0 <= self.min_fraction <= self.max_fraction <= 1:
            raise ValueError("sizing needs 0 ≤ min_fraction ≤ max_fraction ≤ 1")
        if not 0 <= self.min_confidence < 1:
            raise ValueError("sizing 'min_confidence' must be in [0, 1)")
        if self.atr_period < 1 or not self.atr_multiple > 0:
            raise ValueError("sizing needs atr_period ≥ 1 and atr_multiple > 0")


def confidence_fraction(config: SizingConfig, confidence: float) -> float | None:
    """Seed 004's fraction of NLV for ``confidence``; None below ``min_confidence``."""
    if confidence < config.min_confidence:
        return None
    scale = (confidence - config.min_confidence) / (1.0 - config.min_confidence)
    return max(config.min_fraction, min(config.max_fraction * scale, config.max_fraction))


__all__ = ["SizingConfig", "confidence_fraction"]
