"""Option strategies (seed 000 and 003); importing the package registers them."""

from tradebot.strategies.options import momentum_option

__all__ = ["momentum_option"]
