"""The storage package lists its API in ``__all__``, and every listed name exists."""

from __future__ import annotations

import importlib

import pytest

MODULES = [
    "tradebot.storage",
    "tradebot.storage.audit",
    "tradebot.storage.batch",
    "tradebot.storage.database",
    "tradebot.storage.errors",
    "tradebot.storage.history",
    "tradebot.storage.orders",
    "tradebot.storage.records",
    "tradebot.storage.recovery",
    "tradebot.storage.schema_version",
    "tradebot.storage.sqlite",
    "tradebot.storage.strategy_configs",
    "tradebot.storage.suggestions",
    "tradebot.storage.tables",
    "tradebot.storage.types",
    "tradebot.storage.urls",
    "tradebot.storage.writer",
]


@pytest.mark.parametrize("name", MODULES)
def test_all_names_exist_and_are_public(name: str) -> None:
    module = importlib.import_module(name)
    exported = module.__all__

    assert exported, f"{name} exports nothing"
    assert [n for n in exported if not hasattr(module, n)] == []
    assert len(set(exported)) == len(exported)
    assert all(not n.startswith("_") for n in exported)
