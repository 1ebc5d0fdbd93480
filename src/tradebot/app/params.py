"""Parse ``--strategy``, ``--param`` and ``--weight`` and build strategies from the command line.

One strategy takes ``--param KEY=VALUE``; in a set (``--strategy momentum,keltner``) each
parameter names its strategy: ``--param momentum.fast=10``.
"""

from __future__ import annotations

from typing import Any

import msgspec

from tradebot.errors import ConfigError
from tradebot.strategies import registry
from tradebot.strategies.base import Strategy


def parse_pairs(pairs: list[str], *, flag: str = "--param") -> dict[str, str]:
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
            raise ConfigError(f"{flag} '{item}' is not of the form KEY=VALUE")
        out[key.strip()] = value.strip()
    return out


def build_strategy(name: str, raw_params: dict[str, str]) -> tuple[Strategy[Any], dict[str, Any]]:
    """Instantiate the strategy ``name`` with its parameters; return it and the resolved params."""
    cls = registry.get(name)
    params = registry.parse_params(cls, raw_params)
    strategy = cls(params)
    return strategy, msgspec.structs.asdict(params)


def strategy_names(spec: str) -> list[str]:
    """``"momentum, keltner"`` → ``["momentum", "keltner"]``; each name once."""
    names = [n.strip() for n in spec.split(",")]
    if not all(names):
        raise ConfigError(f"--strategy '{spec}' has an empty name; separate names with commas")
    seen = set()
    for name in names:
        if name in seen:
            raise ConfigError(f"--strategy lists '{name}' twice")
        seen.add(name)
    return names


def build_strategies(
    spec: str, raw_params: dict[str, str]
) -> tuple[list[Strategy[Any]], dict[str, Any]]:
    """The strategies named in ``spec`` and their resolved parameters.

    For one strategy the parameters are returned flat, for a set keyed by strategy name.
    """
    names = strategy_names(spec)
    per_name: dict[str, dict[str, str]] = {n: {} for n in names}
    for key, value in raw_params.items():
        owner, dot, field = key.partition(".")
        if dot:
            if owner not in per_name:
                raise ConfigError(
                    f"--param {key}: '{owner}' is not one of the strategies run "
                    f"({', '.join(names)})"
                )
            per_name[owner][field] = value
        elif len(names) == 1:
            per_name[names[0]][key] = value
        else:
            raise ConfigError(
                f"--param {key} does not say which strategy it is for; write e.g. "
                f"{names[0]}.{key}={value}"
            )
    built = [build_strategy(n, per_name[n]) for n in names]
    strategies = [s for s, _ in built]
    if len(names) == 1:
        return strategies, built[0][1]
    return strategies, {n: p for n, (_, p) in zip(names, built, strict=True)}


def parse_weights(items: list[str], names: list[str]) -> dict[str, float]:
    """``["momentum=2"]`` → ``{"momentum": 2.0}``, checked against the strategies run."""
    weights: dict[str, float] = {}
    for key, text in parse_pairs(items, flag="--weight").items():
        if key not in names:
            raise ConfigError(
                f"--weight {key}={text}: '{key}' is not one of the strategies run "
                f"({', '.join(names)})"
            )
        try:
            value = float(text)
        except ValueError:
            raise ConfigError(f"--weight {key}={text}: the weight must be a number") from None
        if not value >= 0 or value == float("inf"):
            raise ConfigError(f"--weight {key}={text}: the weight must be 0 or more")
        weights[key] = value
    return weights


__all__ = ["build_strategies", "build_strategy", "parse_pairs", "parse_weights", "strategy_names"]
