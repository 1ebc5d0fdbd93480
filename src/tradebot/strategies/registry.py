"""Strategy registry: names on the command line → strategy classes and their parameters."""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec

from tradebot.errors import ConfigError
from tradebot.strategies.base import Strategy, StrategyParams

_REGISTRY: dict[str, type[Strategy[Any]]] = {}
S = TypeVar("S", bound=type[Strategy[Any]])


def register(cls: S) -> S:
    """Class decorator: make a strategy available under ``cls.name``."""
    if not cls.name:
        raise ValueError(f"{cls.__name__} has no name to register under")
    if cls.name in _REGISTRY and _REGISTRY[cls.name] is not cls:
        raise ValueError(f"strategy name '{cls.name}' is already registered")
    _REGISTRY[cls.name] = cls
    return cls


def _load_builtins() -> None:
    # Importing the package registers the built-in strategies.
    import tradebot.strategies.options
    import tradebot.strategies.technical  # noqa: F401


def available() -> dict[str, type[Strategy[Any]]]:
    """Every registered strategy by name, sorted."""
    _load_builtins()
    return dict(sorted(_REGISTRY.items()))


def get(name: str) -> type[Strategy[Any]]:
    """The strategy class registered as ``name``.

    Raises
    ------
    ConfigError
        If no strategy has that name (the message lists the names that exist).
    """
    strategies = available()
    if name not in strategies:
        raise ConfigError(f"unknown strategy '{name}'; available: {', '.join(strategies)}")
    return strategies[name]


def parse_params(cls: type[Strategy[Any]], raw: dict[str, str]) -> StrategyParams:
    """Build ``cls``'s parameters from ``KEY=VALUE`` text, converting to the declared types.

    Raises
    ------
    ConfigError
        If a key is unknown or a value does not fit its type or range.
    """
    params_type = cls.params_type
    fields = {f.name: f for f in msgspec.structs.fields(params_type)}
    values: dict[str, Any] = {}
    for key, text in raw.items():
        if key not in fields:
            known = ", ".join(fields) or "none"
            raise ConfigError(
                f"strategy '{cls.name}' has no parameter '{key}'; parameters: {known}"
            )
        values[key] = _convert(text)
    for key, value in values.items():
        expected = fields[key].type
        if isinstance(expected, type) and not _fits(value, expected):
            raise ConfigError(
                f"strategy '{cls.name}': parameter '{key}' was '{raw[key]}'; it must be "
                f"{_TYPE_WORDS.get(expected, expected.__name__)}"
            )
    try:
        params = msgspec.convert(values, params_type, strict=False)
        params.validate()
    except (msgspec.ValidationError, ValueError) as exc:
        raise ConfigError(f"strategy '{cls.name}': {exc}") from exc
    return params


_TYPE_WORDS = {int: "a whole number", float: "a number", bool: "true or false", str: "text"}


def _fits(value: Any, expected: type) -> bool:
    if expected is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, expected)


def _convert(text: str) -> Any:
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def describe(cls: type[Strategy[Any]]) -> list[tuple[str, str, Any]]:
    """(name, type, default) of each parameter of ``cls``."""
    rows = []
    for f in msgspec.structs.fields(cls.params_type):
        type_name = getattr(f.type, "__name__", str(f.type))
        rows.append((f.name, type_name, f.default))
    return rows


__all__ = ["available", "describe", "get", "parse_params", "register"]
