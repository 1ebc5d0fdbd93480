"""Read ``tradebot.yml``, apply ``TRADEBOT_…`` overrides and the secrets, check everything.

Precedence, highest first: ``TRADEBOT_SECTION__KEY`` environment variables, the secrets file
named by ``TRADEBOT_SECRETS_FILE``, the YAML file, the defaults. Secrets (exchange keys, the
Telegram token, the OpenAI key, the database password) are refused in the YAML file.

Every mistake is reported as ``file: key = value is not allowed: what is allowed`` (one line
per problem), raised as :class:`SettingsError`, a :class:`~tradebot.errors.ConfigError`.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import msgspec
import yaml
from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from tradebot.app.settings.schema import _SOURCES, Secrets, Settings
from tradebot.errors import ConfigError
from tradebot.risk.config import RiskConfig
from tradebot.risk.exits.settings import ExitSettings
from tradebot.risk.limits import RiskLimits
from tradebot.risk.sizing import SizingConfig
from tradebot.storage.urls import mask
from tradebot.strategies import registry
from tradebot.strategies.base import Strategy, StrategyParams
from tradebot.strategies.manager.config import ManagerConfig
from tradebot.venues.paper.config import PaperVenueConfig

SECRETS_FILE_ENV = "TRADEBOT_SECRETS_FILE"
ENV_PREFIX = "TRADEBOT_"
_SECRET_KEY = re.compile(
    r"(^|_)(api_?key|api_?secret|secrets?|token|password|passwd|passphrase|private_?key)$",
    re.IGNORECASE,
)


class SettingsError(ConfigError):
    """The configuration cannot be used; ``problems`` holds one line per mistake."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__("\n".join(f"{source}: {p}" for p in problems))


@dataclass(frozen=True, slots=True)
class StrategySpec:
    """An enabled strategy of the configuration."""

    strategy_id: str
    name: str
    cls: type[Strategy[Any]]
    params: StrategyParams
    weight: float | None

    def build(self) -> Strategy[Any]:
        """A new strategy object with these parameters."""
        return self.cls(self.params, strategy_id=self.strategy_id)


@dataclass(frozen=True, slots=True)
class LoadedConfig:
    """A checked configuration and the engine settings made from it."""

    path: Path
    settings: Settings
    risk: RiskConfig
    venue: PaperVenueConfig
    manager: ManagerConfig | None
    strategies: dict[str, StrategySpec] = field(default_factory=dict)
    digest: str = ""
    """SHA-256 of the YAML file's bytes as read."""

    def build_strategies(self) -> list[Strategy[Any]]:
        """New strategy objects for every enabled entry."""
        return [spec.build() for spec in self.strategies.values()]

    def resolved_params(self) -> dict[str, Any]:
        """Parameters per strategy id (flat for a single strategy), as reports show them."""
        params = {sid: msgspec.structs.asdict(s.params) for sid, s in self.strategies.items()}
        if len(params) == 1:
            return next(iter(params.values()))
        return params

    def database_url(self) -> str | None:
        """``storage.url`` with ``secrets.db_password`` put in (never log this; use ``mask``)."""
        url = self.settings.storage.url
        if url is None:
            return None
        password = self.settings.secrets.db_password
        if password is None or url.startswith("sqlite"):
            return url
        return (
            make_url(url)
            .set(password=password.get_secret_value())
            .render_as_string(hide_password=False)
        )

    def secret_values(self) -> list[str]:
        """Every secret value, for the log redactor."""
        return self.settings.secrets.values()


def _show(value: Any) -> str:
    if isinstance(value, str | int | float | bool) or value is None:
        return repr(value)
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _env_name(loc: tuple[Any, ...]) -> str:
    return ENV_PREFIX + "__".join(str(p) for p in loc).upper()


def _env_hint(loc: tuple[Any, ...]) -> str:
    name = _env_name(loc)
    present = {k.upper() for k in os.environ}
    return f" (from {name})" if name in present else ""


def _problem(loc: tuple[Any, ...], value: Any, allowed: str) -> str:
    key = ".".join(str(p) for p in loc) or "(top level)"
    shown = "'***'" if "secrets" in loc[:1] else _show(value)
    return f"{key} = {shown} is not allowed: {allowed}{_env_hint(loc)}"


def _pydantic_problems(exc: ValidationError) -> list[str]:
    out = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        allowed = str(err["msg"]).removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            allowed = "unknown key" + _known_keys(loc)
        elif err["type"] == "missing":
            out.append(f"{'.'.join(str(p) for p in loc)} is missing: it is required")
            continue
        out.append(_problem(loc, err.get("input"), allowed))
    return out


def _known_keys(loc: tuple[Any, ...]) -> str:
    model: Any = Settings
    for part in loc[:-1]:
        fields = getattr(model, "model_fields", None)
        if fields is None or part not in fields:
            return ""
        model = fields[part].annotation
    fields = getattr(model, "model_fields", None)
    return f"; known keys: {', '.join(fields)}" if fields else ""


def _find_secrets(node: Any, loc: tuple[str, ...]) -> list[str]:
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            here = (*loc, str(key))
            if _SECRET_KEY.search(str(key)):
                found.append(
                    f"{'.'.join(here)}: secrets are not read from the YAML file; remove it and "
                    "set it in the environment (e.g. TRADEBOT_SECRETS__TELEGRAM_TOKEN, "
                    "TRADEBOT_SECRETS__EXCHANGES__BYBIT__API_KEY) or in the file named by "
                    f"{SECRETS_FILE_ENV}"
                )
            else:
                found += _find_secrets(value, here)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _find_secrets(value, (*loc, str(i)))
    return found


def _url_password(yaml_data: dict[str, Any]) -> list[str]:
    storage = yaml_data.get("storage")
    url = storage.get("url") if isinstance(storage, dict) else None
    if not isinstance(url, str):
        return []
    try:
        has_password = make_url(url).password is not None
    except (ArgumentError, ValueError):
        has_password = bool(re.search(r"://[^:/@]*:[^@]*@", url))
    if not has_password:
        return []
    return [
        f"storage.url = {mask(url)!r} is not allowed: the URL must not hold the password; "
        "set TRADEBOT_SECRETS__DB_PASSWORD (or db_password in the secrets file)"
    ]


def _read_yaml(path: Path, what: str) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SettingsError(str(path), [f"{what} cannot be read ({exc.strerror})"]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise SettingsError(str(path), [f"not valid YAML{where}: {problem}"]) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SettingsError(
            str(path), [f"must be a mapping of sections, not {type(data).__name__}"]
        )
    return data


def _read_secrets_file() -> dict[str, Any]:
    name = os.environ.get(SECRETS_FILE_ENV)
    if not name:
        return {}
    path = Path(name)
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise SettingsError(name, [f"{SECRETS_FILE_ENV} cannot be read ({exc.strerror})"]) from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SettingsError(
            name,
            [f"the secrets file is readable by others (mode {stat.S_IMODE(mode):o}); chmod 600 it"],
        )
    data = _read_yaml(path, "the secrets file")
    if "secrets" not in data:
        data = {"secrets": data}
    if set(data) != {"secrets"}:
        raise SettingsError(name, ["the secrets file may hold only secrets"])
    return data


def _msgspec_loc(exc: msgspec.ValidationError) -> tuple[str, str]:
    text = str(exc)
    match = re.search(r" - at `\$(.*)`$", text)
    if match is None:
        return "", text
    path = match.group(1)
    parts = re.findall(r"\.(\w+)|\[(?:'|\")?([^\]'\"]+)", path)
    return ".".join(a or b for a, b in parts), text[: match.start()]


def _lookup(data: Any, dotted: str) -> Any:
    for part in dotted.split(".") if dotted else []:
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return None
    return data


def _convert(value: dict[str, Any], kind: type[Any], loc: tuple[str, ...]) -> Any:
    try:
        out = msgspec.convert(value, kind, strict=False)
        validate = getattr(out, "validate", None)
        if callable(validate):
            validate()
        return out
    except msgspec.ValidationError as exc:
        sub, message = _msgspec_loc(exc)
        full = (*loc, *sub.split(".")) if sub else loc
        if message.startswith("Object contains unknown field"):
            known = ", ".join(f.name for f in msgspec.structs.fields(kind))
            raise _single(full, _lookup(value, sub), f"unknown key; known keys: {known}") from None
        raise _single(full, _lookup(value, sub), _allowed(kind, sub, message)) from None
    except (ValueError, TypeError) as exc:
        raise _single(loc, value, str(exc)) from None


def _allowed(kind: type[Any], sub: str, message: str) -> str:
    """msgspec's message, with the allowed values of a Literal field spelled out."""
    if not message.startswith("Invalid enum value") or "." in sub:
        return message
    for f in msgspec.structs.fields(kind):
        if f.name == sub and get_origin(f.type) is Literal:
            return f"must be one of {', '.join(repr(a) for a in get_args(f.type))}"
    return message


class _Problem(Exception):
    def __init__(self, line: str) -> None:
        super().__init__(line)
        self.line = line


def _single(loc: tuple[str, ...], value: Any, allowed: str) -> _Problem:
    return _Problem(_problem(loc, value, allowed))


def _risk(settings: Settings) -> RiskConfig:
    section = settings.risk
    sizing = {
        sid: _convert(raw, SizingConfig, ("risk", "sizing", sid))
        for sid, raw in section.sizing.items()
    }
    exits = _convert(section.exits, ExitSettings, ("risk", "exits"))
    limits = RiskLimits(**section.limits.model_dump())
    try:
        limits.validate()
    except ValueError as exc:
        raise _single(("risk", "limits"), section.limits.model_dump(), str(exc)) from None
    return RiskConfig(
        sizing_buffer=section.sizing_buffer,
        max_order_fraction=section.max_order_fraction,
        allow_spot_short=section.allow_spot_short,
        exit_monitor=section.exit_monitor,
        limits=limits,
        sizing=sizing,
        exits=exits,
    )


def _strategies(settings: Settings) -> dict[str, StrategySpec]:
    specs: dict[str, StrategySpec] = {}
    available = registry.available()
    for sid, entry in settings.active_strategies().items():
        name = entry.strategy or sid
        if name not in available:
            loc = ("strategies", sid, "strategy") if entry.strategy else ("strategies", sid)
            raise _single(loc, name, f"unknown strategy; available: {', '.join(available)}")
        cls = available[name]
        fields = {f.name for f in msgspec.structs.fields(cls.params_type)}
        for key, value in entry.params.items():
            if key not in fields:
                raise _single(
                    ("strategies", sid, "params", key),
                    value,
                    f"'{name}' has no such parameter; parameters: {', '.join(sorted(fields))}",
                )
        params = _convert(entry.params, cls.params_type, ("strategies", sid, "params"))
        specs[sid] = StrategySpec(sid, name, cls, params, entry.weight)
    return specs


def _manager(settings: Settings, specs: dict[str, StrategySpec]) -> ManagerConfig | None:
    weights = {sid: s.weight for sid, s in specs.items() if s.weight is not None}
    if settings.manager is None and not weights:
        return None
    raw = dict(settings.manager or {})
    raw["weights"] = {**raw.get("weights", {}), **weights}
    manager: ManagerConfig = _convert(raw, ManagerConfig, ("manager",))
    return manager


def _venue(settings: Settings) -> PaperVenueConfig:
    v = settings.venue
    return PaperVenueConfig(
        maker_fee=v.maker_fee,
        taker_fee=v.taker_fee,
        slippage=v.slippage,
        latency_ms=v.latency_ms,
        limit_fill_on_touch=v.limit_fill_on_touch,
    )


def load_settings(path: Path | str) -> LoadedConfig:
    """Read, override and check the YAML configuration at ``path``.

    Raises
    ------
    SettingsError
        Naming the file, the key, the value and what is allowed, one line per problem.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SettingsError(str(path), [f"cannot be read ({exc.strerror})"]) from None
    yaml_data = _read_yaml(path, "the configuration file")
    problems = _find_secrets(yaml_data, ()) + _url_password(yaml_data)
    if problems:
        raise SettingsError(str(path), problems)
    secrets_file = _read_secrets_file()
    token = _SOURCES.set((secrets_file, yaml_data))
    try:
        settings = Settings()
    except ValidationError as exc:
        raise SettingsError(str(path), _pydantic_problems(exc)) from None
    finally:
        _SOURCES.reset(token)
    try:
        specs = _strategies(settings)
        return LoadedConfig(
            path=path,
            settings=settings,
            risk=_risk(settings),
            venue=_venue(settings),
            manager=_manager(settings, specs),
            strategies=specs,
            digest=hashlib.sha256(raw).hexdigest(),
        )
    except _Problem as exc:
        raise SettingsError(str(path), [exc.line]) from None


__all__ = [
    "SECRETS_FILE_ENV",
    "LoadedConfig",
    "Secrets",
    "SettingsError",
    "StrategySpec",
    "load_settings",
]
