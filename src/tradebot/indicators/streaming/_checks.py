"""Argument checks shared by the streaming indicators."""

from __future__ import annotations

NAN = float("nan")


def period(name: str, value: int, minimum: int = 1) -> int:
    """``value`` when it is a whole number ≥ ``minimum``, else a ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} was {value!r}; it must be a whole number ≥ {minimum}")
    return value


def positive(name: str, value: float) -> float:
    """``value`` when it is a positive finite number."""
    if not (value > 0 and value != float("inf")):
        raise ValueError(f"{name} was {value!r}; it must be a positive number")
    return float(value)
