"""Every public package lists its API in ``__all__`` and every listed name exists."""

from __future__ import annotations

import importlib

import pytest

PACKAGES = [
    "tradebot.model",
    "tradebot.engine",
    "tradebot.portfolio",
    "tradebot.risk",
    "tradebot.indicators",
    "tradebot.venues.paper",
    "tradebot.backtest",
    "tradebot.venues.files",
    "tradebot.venues.feed",
    "tradebot.indicators.streaming",
    "tradebot.strategies.manager",
    "tradebot.strategies.technical",
    "tradebot.risk.exits",
    "tradebot.options.synthetic",
    "tradebot.options.recorded",
    "tradebot.options.calibration",
]


@pytest.mark.parametrize("name", PACKAGES)
def test_all_names_exist_and_are_public(name: str) -> None:
    module = importlib.import_module(name)
    exported = module.__all__
    assert exported, f"{name} exports nothing"
    missing = [n for n in exported if not hasattr(module, n)]
    assert missing == []
    assert len(set(exported)) == len(exported)
    assert all(not n.startswith("_") for n in exported)
