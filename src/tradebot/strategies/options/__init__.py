"""Option strategies (seed 000 and 003); importing the package registers them."""

from tradebot.strategies.options import (
    covered_call,
    iron_condor,
    momentum_option,
    short_straddle,
)

__all__ = ["covered_call", "iron_condor", "momentum_option", "short_straddle"]
