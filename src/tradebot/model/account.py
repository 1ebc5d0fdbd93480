"""Multi-currency account balances."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Account:
    """Cash balances per currency, valued in ``base_currency`` for reporting.

    Parameters
    ----------
    base_currency : str
        Currency of net liquidation value and of every report figure.
    balances : dict[str, float]
        Wallet balance per currency (spot coins, settlement currencies).
    leverage : float
        Leverage used for the initial margin of derivative positions.
    """

    base_currency: str = "USDT"
    balances: dict[str, float] = field(default_factory=dict)
    leverage: float = 1.0
    version: int = 0
    """Incremented on every balance change, so valuations can be cached between changes."""

    def balance(self, currency: str) -> float:
        """Wallet balance in ``currency`` (0 when none is held)."""
        return self.balances.get(currency, 0.0)

    def adjust(self, currency: str, amount: float) -> None:
        """Add ``amount`` (negative to remove) to the ``currency`` balance."""
        self.balances[currency] = self.balances.get(currency, 0.0) + amount
        self.version += 1


__all__ = ["Account"]
