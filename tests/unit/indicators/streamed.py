"""Feeding a streaming indicator one bar at a time, and comparing the outputs bar by bar."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .candles import Candles

RTOL = 1e-9

FIELDS = {"o": "open", "h": "high", "l": "low", "c": "close", "v": "volume"}
"""The letters a case uses to say which bar fields its ``update`` takes, in order."""


def stream(indicator: Any, fields: str, candles: Candles) -> np.ndarray:
    """Every output of ``indicator.update`` over the bars, one row per bar."""
    update = indicator.update
    bars = zip(*(getattr(candles, FIELDS[f]).tolist() for f in fields), strict=True)
    return np.array([update(*bar) for bar in bars], dtype=np.float64)


def assert_same(ours: Any, reference: Any, *, atol: float = 0.0) -> None:
    """Same NaN warm-up, same values to ``RTOL`` (plus ``atol`` near zero)."""
    ours = np.asarray(ours, dtype=np.float64)
    reference = np.asarray(reference, dtype=np.float64)
    assert ours.shape == reference.shape
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(reference), err_msg="NaN warm-up")
    np.testing.assert_allclose(ours, reference, rtol=RTOL, atol=atol, equal_nan=True)


def columns(outputs: Any) -> np.ndarray:
    """A batch result as one row per bar: a tuple of arrays becomes their columns."""
    if isinstance(outputs, tuple):
        return np.stack(outputs, axis=1)
    return np.asarray(outputs, dtype=np.float64)


Reference = Callable[[Candles], Any]
