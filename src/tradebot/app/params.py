"""Parse ``--param KEY=VALUE`` and build strategies from the command line."""

from __future__ import annotations

from typing import Any

import msgspec

from tradebot.errors import ConfigError
from tradebot.strategies import registry
from tradebot.strategies.base import Strategy


def parse_pairs(pairs: list[str]) -> dict[str, str]:
    """``["fast=5", "slow=20"]`` → ``{"fast": "5", "slow": "20"}``.

    Raises
    ------
    ConfigError
        For an item without ``=`` or with an empty key.
    """
    out: dict[str, str] = {}
    for item in pairs:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--param '{item}' is not of the form KEY=VALUE")
        out[key.strip()] = value.strip()
    return out


def build_strategy(name: str, raw_params: dict[str, str]) -> tuple[Strategy[Any], dict[str, Any]]:
    """Instantiate the strategy ``name`` with its parameters; return it and the resolved params."""
    cls = registry.get(name)
    params = registry.parse_params(cls, raw_params)
    strategy = cls(params)
    return strategy, msgspec.structs.asdict(params)


__all__ = ["build_strategy", "parse_pairs"]
