"""Where along a bar a price level is first reached.

Intrabar path assumption (documented in the README): a bar moves open → the extreme nearer to
the open → the other extreme → close, in straight lines. With only OHLC known this is the
least biased guess, and it decides which of a stop-loss and a take-profit inside the same bar
fills first. Positions are measured along the path: 0 is the open, 1 the first extreme, 2 the
second extreme, 3 the close.
"""

from __future__ import annotations

from tradebot.model.data import Bar


def bar_path(bar: Bar) -> tuple[float, float, float, float]:
    """The four path points of ``bar``."""
    o, h, lo = bar.open, bar.high, bar.low
    if h - o <= o - lo:
        return (o, h, lo, bar.close)
    return (o, lo, h, bar.close)


def first_at_or_below(
    path: tuple[float, float, float, float], level: float, start: float = 0.0, strict: bool = False
) -> float | None:
    """Earliest path position ≥ ``start`` where the price is ≤ ``level`` (< when strict)."""
    return _first(path, level, start, strict, below=True)


def first_at_or_above(
    path: tuple[float, float, float, float], level: float, start: float = 0.0, strict: bool = False
) -> float | None:
    """Earliest path position ≥ ``start`` where the price is ≥ ``level`` (> when strict)."""
    return _first(path, level, start, strict, below=False)


def _hit(price: float, level: float, strict: bool, below: bool) -> bool:
    if below:
        return price < level if strict else price <= level
    return price > level if strict else price >= level


def _first(
    path: tuple[float, float, float, float], level: float, start: float, strict: bool, below: bool
) -> float | None:
    segment = int(start)
    if segment >= 3:
        return 3.0 if _hit(path[3], level, strict, below) else None
    a = price_at(path, start)
    if _hit(a, level, strict, below):
        return start
    for seg in range(segment, 3):
        b = path[seg + 1]
        if _hit(b, level, strict, below):
            # Linear crossing inside the segment from a to b.
            frac = 1.0 if b == a else (level - a) / (b - a)
            frac = min(max(frac, 0.0), 1.0)
            seg_start = max(start, float(seg))
            return seg_start + (seg + 1 - seg_start) * frac
        a = b
    return None


def price_at(path: tuple[float, float, float, float], position: float) -> float:
    """Price at a path position (linear between the points)."""
    if position >= 3:
        return path[3]
    seg = int(position)
    frac = position - seg
    return path[seg] + (path[seg + 1] - path[seg]) * frac


__all__ = ["bar_path", "first_at_or_above", "first_at_or_below", "price_at"]
