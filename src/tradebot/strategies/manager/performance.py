"""Recent performance of each strategy, for auto-switching."""

from __future__ import annotations

from collections import deque

from tradebot.model.identifiers import StrategyId


class PerformanceTracker:
    """Profit factor over each strategy's last ``window`` closed trades, as a weight factor.

    The factor is 1 until ``min_trades`` trades have closed, then the profit factor
    (gross wins / gross losses) clamped to ``[floor, 1]``: a strategy that has been losing
    trades less, one that wins keeps its full share. Nothing is ever switched fully off by
    performance alone, so a strategy can earn its weight back.
    """

    def __init__(self, window: int, min_trades: int, floor: float) -> None:
        self.window = window
        self.min_trades = min_trades
        self.floor = floor
        self._results: dict[StrategyId, deque[float]] = {}

    def record(self, strategy_id: StrategyId, pnl: float) -> None:
        """A trade of ``strategy_id`` closed with net ``pnl``."""
        results = self._results.get(strategy_id)
        if results is None:
            results = self._results[strategy_id] = deque(maxlen=self.window)
        results.append(pnl)

    def factor(self, strategy_id: StrategyId) -> float:
        """Multiplier in [floor, 1] applied to the strategy's share."""
        results = self._results.get(strategy_id)
        if results is None or len(results) < self.min_trades:
            return 1.0
        wins = sum(p for p in results if p > 0)
        losses = -sum(p for p in results if p < 0)
        if losses <= 0:
            return 1.0
        return max(self.floor, min(1.0, wins / losses))


__all__ = ["PerformanceTracker"]
