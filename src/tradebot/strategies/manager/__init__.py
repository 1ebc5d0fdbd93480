"""Several strategies on one account: weights, signal review, regimes, allocation."""

from tradebot.strategies.manager.config import ManagerConfig, RegimeConfig
from tradebot.strategies.manager.manager import AccountView, Dropped, Review, StrategyManager
from tradebot.strategies.manager.performance import PerformanceTracker
from tradebot.strategies.manager.regime import RegimeDetector, RollingRank

__all__ = [
    "AccountView",
    "Dropped",
    "ManagerConfig",
    "PerformanceTracker",
    "RegimeConfig",
    "RegimeDetector",
    "Review",
    "RollingRank",
    "StrategyManager",
]
