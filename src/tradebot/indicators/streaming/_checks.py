"""Argument and input checks shared by the streaming indicators.

Inputs are checked on the hot path with one expression per bar, ``x - x != 0.0`` (0 for any
finite number, NaN for NaN and ±inf); only when it fails is :func:`not_finite` called to name
the culprit. Each ``update`` checks before it changes anything, so a refused bar leaves the
indicator exactly as it was and the caller may skip or repair the bar and carry on.
"""

from __future__ import annotations

import math
from numbers import Integral, Real

NAN = float("nan")

RESUM_MASK = 1023
"""Sliding sums are rebuilt exactly (``math.fsum`` over the window) when the update count
``& RESUM_MASK`` is 0, i.e. every 1,024 updates: rounding cannot pile up over a long run."""


def check_period(name: str, value: int, minimum: int = 1) -> int:
    """``value`` as an int when it is a whole number ≥ ``minimum``, else a ValueError."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise ValueError(f"{name} was {value!r}; it must be a whole number of bars")
    if value < minimum:
        raise ValueError(f"{name} was {value}; it must be at least {minimum}")
    return int(value)


def check_multiplier(name: str, value: float, *, zero_ok: bool) -> float:
    """``value`` as a float when it is finite and > 0 (or ≥ 0 with ``zero_ok``)."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(f"{name} was {value!r}; it must be a number")
    number = float(value)
    if not math.isfinite(number) or number < 0 or (number == 0 and not zero_ok):
        need = "0 or more" if zero_ok else "more than 0"
        raise ValueError(f"{name} was {value!r}; it must be a finite number {need}")
    return number


def not_finite(indicator: str, **inputs: float) -> ValueError:
    """The error for a bar with a NaN or infinite input, naming the first such input."""
    for name, value in inputs.items():
        if not math.isfinite(value):
            return ValueError(
                f"{indicator} got {name}={value!r}; streaming indicators take finite numbers "
                "only (the bar was not applied)"
            )
    return ValueError(f"{indicator} inputs {inputs!r} overflow float arithmetic")
