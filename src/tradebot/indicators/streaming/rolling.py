"""Rolling maximum and minimum in amortised O(1): a monotonic queue of candidates.

The queue holds (update number, value) for the values that can still become the window's
extreme: each newcomer evicts the ones it beats from the back (they can never win again) and
the front leaves once it is older than the window. Every value enters and leaves once.
"""

from __future__ import annotations

from collections import deque

from tradebot.indicators.streaming._checks import NAN, check_period, not_finite


class RollingMax:
    """Largest of the last ``n`` values (TA-Lib ``MAX``); NaN until ``n`` have been seen."""

    __slots__ = ("_count", "_queue", "n", "value")

    def __init__(self, n: int) -> None:
        self.n = check_period("RollingMax period", n)
        self._queue: deque[tuple[int, float]] = deque()
        self._count = 0
        self.value = NAN

    def update(self, x: float) -> float:
        """Add ``x``; return the window's maximum."""
        if x - x != 0.0:
            raise not_finite("RollingMax", x=x)
        queue = self._queue
        while queue and queue[-1][1] <= x:
            queue.pop()
        count = self._count
        queue.append((count, x))
        if queue[0][0] <= count - self.n:
            queue.popleft()
        count += 1
        self._count = count
        if count >= self.n:
            self.value = queue[0][1]
        return self.value

    @property
    def ready(self) -> bool:
        """True once ``n`` values have been seen."""
        return self._count >= self.n


class RollingMin:
    """Smallest of the last ``n`` values (TA-Lib ``MIN``); NaN until ``n`` have been seen."""

    __slots__ = ("_count", "_queue", "n", "value")

    def __init__(self, n: int) -> None:
        self.n = check_period("RollingMin period", n)
        self._queue: deque[tuple[int, float]] = deque()
        self._count = 0
        self.value = NAN

    def update(self, x: float) -> float:
        """Add ``x``; return the window's minimum."""
        if x - x != 0.0:
            raise not_finite("RollingMin", x=x)
        queue = self._queue
        while queue and queue[-1][1] >= x:
            queue.pop()
        count = self._count
        queue.append((count, x))
        if queue[0][0] <= count - self.n:
            queue.popleft()
        count += 1
        self._count = count
        if count >= self.n:
            self.value = queue[0][1]
        return self.value

    @property
    def ready(self) -> bool:
        """True once ``n`` values have been seen."""
        return self._count >= self.n


__all__ = ["RollingMax", "RollingMin"]
