"""The simulated venue used in backtests and paper trading."""

from tradebot.venues.paper.config import PaperVenueConfig
from tradebot.venues.paper.venue import PaperVenue

__all__ = ["PaperVenue", "PaperVenueConfig"]
