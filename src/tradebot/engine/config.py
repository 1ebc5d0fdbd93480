"""Settings of one trading session (backtest or paper)."""

from __future__ import annotations

import msgspec

from tradebot.risk.config import RiskConfig
from tradebot.strategies.manager.config import ManagerConfig
from tradebot.venues.paper.config import PaperVenueConfig


class SessionConfig(msgspec.Struct, frozen=True, kw_only=True):
    """Account and venue settings of a backtest or paper session.

    Parameters
    ----------
    cash : float
        Starting balance in ``currency`` (default 10,000).
    currency : str | None
        Account currency; None takes the quote currency of the first instrument.
    leverage : float
        Leverage for derivative positions (default 1; spot is always 1).
    venue : PaperVenueConfig
        Fees, slippage, latency and fill rules of the simulated venue.
    risk : RiskConfig
        Pre-trade limits and sizing.
    manager : ManagerConfig | None
        How several strategies share the account; None uses the defaults when more than one
        strategy runs, and no manager for a single strategy.
    convert_option_cash : bool
        Convert the realized P&L and fees of coin-settled options into the account currency
        when they happen (default True). False keeps them in the coin, as a coin-margined
        Deribit account does; then a USD account that loses coin premiums owes the coin.
    """

    cash: float = 10_000.0
    currency: str | None = None
    leverage: float = 1.0
    venue: PaperVenueConfig = msgspec.field(default_factory=PaperVenueConfig)
    risk: RiskConfig = msgspec.field(default_factory=RiskConfig)
    manager: ManagerConfig | None = None
    convert_option_cash: bool = True

    def __post_init__(self) -> None:
        if not self.cash > 0:
            raise ValueError(f"cash was {self.cash}; it must be greater than 0")
        if not self.leverage > 0:
            raise ValueError(f"leverage was {self.leverage}; it must be greater than 0")


__all__ = ["SessionConfig"]
