"""Rolling maximum and minimum in amortised O(1): a monotonic queue of candidates."""

from __future__ import annotations

from collections import deque

from tradebot.indicators.streaming._checks import NAN, period


class RollingMax:
    """Largest of the last ``n`` values (NaN until ``n`` have been seen)."""

    __slots__ = ("_count", "_queue", "n", "value")

    def __init__(self, n: int) -> None:
        self.n = period("RollingMax period", n)
        self._queue: deque[tuple[int, float]] = deque()
        self._count = 0
        self.value = NAN

    def update(self, x: float) -> float:
        """Add ``x``; return the window's maximum."""
        queue = self._queue
        while queue and queue[-1][1] <= x:
            queue.pop()
        count = self._count
        queue.append((count, x))
        if queue[0][0] <= count - self.n:
            queue.popleft()
        self._count = count + 1
        if count + 1 >= self.n:
            self.value = queue[0][1]
        return self.value

    @property
    def ready(self) -> bool:
        """True once ``n`` values have been seen."""
        return self._count >= self.n


class RollingMin:
    """Smallest of the last ``n`` values (NaN until ``n`` have been seen)."""

    __slots__ = ("_count", "_queue", "n", "value")

    def __init__(self, n: int) -> None:
        self.n = period("RollingMin period", n)
        self._queue: deque[tuple[int, float]] = deque()
        self._count = 0
        self.value = NAN

    def update(self, x: float) -> float:
        """Add ``x``; return the window's minimum."""
        queue = self._queue
        while queue and queue[-1][1] >= x:
            queue.pop()
        count = self._count
        queue.append((count, x))
        if queue[0][0] <= count - self.n:
            queue.popleft()
        self._count = count + 1
        if count + 1 >= self.n:
            self.value = queue[0][1]
        return self.value

    @property
    def ready(self) -> bool:
        """True once ``n`` values have been seen."""
        return self._count >= self.n


__all__ = ["RollingMax", "RollingMin"]
