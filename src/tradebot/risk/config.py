"""Settings of the risk engine."""

from __future__ import annotations

import msgspec

from tradebot.risk.exits.settings import ExitSettings
from tradebot.risk.limits import RiskLimits
from tradebot.risk.sizing import SizingConfig


class RiskConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
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
    limits : RiskLimits
        Pre-trade limits and circuit breakers (the seeds' defaults).
    exits : ExitSettings
        The exit monitor's time limit, trailing tiers and pullback.
    exit_monitor : bool
        Watch every open position for its stop, target, time limit, trailing lock and
        invalidation conditions (default True).
    sizing : dict[str, SizingConfig]
        Sizing method per strategy id; ``"*"`` applies to strategies not listed
        (default: every strategy sizes its own signals, ``fixed``).
    """

    sizing_buffer: float = 0.002
    max_order_fraction: float = 1.0
    allow_spot_short: bool = False
    limits: RiskLimits = msgspec.field(default_factory=RiskLimits)
    sizing: dict[str, SizingConfig] = msgspec.field(default_factory=dict)
    exits: ExitSettings = msgspec.field(default_factory=ExitSettings)
    exit_monitor: bool = True

    @classmethod
    def unlimited(cls) -> RiskConfig:
        """Sizing only, no limits: research runs that must trade exactly what they ask."""
        return cls(limits=RiskLimits.off(), exit_monitor=False)

    def sizing_for(self, strategy_id: str) -> SizingConfig | None:
        """The sizing of ``strategy_id`` (or the ``"*"`` default), None for ``fixed``."""
        found = self.sizing.get(strategy_id) or self.sizing.get("*")
        return None if found is None or found.method == "fixed" else found

    def validate(self) -> None:
        """Raise ``ValueError`` naming the setting that does not fit."""
        self.limits.validate()
        self.exits.validate()
        for sid, sizing in self.sizing.items():
            try:
                sizing.validate()
            except ValueError as exc:
                raise ValueError(f"strategy '{sid}': {exc}") from exc


__all__ = ["RiskConfig"]
