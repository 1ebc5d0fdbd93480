"""The shape of ``tradebot.yml``: every section, its defaults and what each value may be.

Validation is pydantic's; the risk, venue, manager and strategy sections are then turned into
the engine's own settings objects (``RiskConfig``, ``PaperVenueConfig``, ``ManagerConfig``,
each strategy's params), so the YAML file and the TOML file configure the very same things.
"""

from __future__ import annotations

import ipaddress
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from tradebot.app.scheduler import cron

_STRICT = ConfigDict(extra="forbid", frozen=True)

_SOURCES: ContextVar[tuple[dict[str, Any], dict[str, Any]]] = ContextVar(
    "tradebot_settings_sources", default=({}, {})
)
"""(secrets file, YAML file) contents while :func:`load_settings` validates them."""


class _MappingSource(PydanticBaseSettingsSource):
    """A settings source that hands pydantic an already-read mapping."""

    def __init__(self, settings_cls: type[BaseSettings], data: dict[str, Any]) -> None:
        super().__init__(settings_cls)
        self._data = data

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return self._data.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self._data)


class LimitsSection(BaseModel):
    """``risk.limits``: the fields of :class:`tradebot.risk.limits.RiskLimits`."""

    model_config = _STRICT

    max_risk_per_trade: float = Field(default=0.01, gt=0, le=1)
    max_position: float = Field(default=0.20, gt=0)
    min_position: float = Field(default=0.01, ge=0)
    max_symbol_exposure: float = Field(default=0.20, gt=0)
    max_open_positions: int = Field(default=10, ge=1)
    max_daily_trades: int = Field(default=20, ge=1)
    max_leverage: float = Field(default=5.0, gt=0)
    margin_buffer: float = Field(default=0.10, ge=0, lt=1)
    daily_loss_limit: float = Field(default=0.04, gt=0)
    flatten_on_daily_loss: bool = False
    symbol_daily_loss: float = Field(default=0.02, gt=0)
    position_loss_limit: float = Field(default=0.03, gt=0)
    drawdown_close_only: float = Field(default=0.15, gt=0)
    drawdown_pause: float = Field(default=0.20, gt=0)
    option_expiry_cutoff_minutes: float = Field(default=15.0, ge=0)
    max_net_delta: float | None = Field(default=None, gt=0)
    max_net_gamma: float | None = Field(default=None, gt=0)
    max_net_vega: float | None = Field(default=None, gt=0)
    stale_after_seconds: float = Field(default=5.0, gt=0)
    vol_scaling: bool = True


class RiskSection(BaseModel):
    """``risk``: limits, sizing per strategy id (``"*"`` for the rest) and exit settings."""

    model_config = _STRICT

    sizing_buffer: float = Field(default=0.002, ge=0, lt=0.5)
    max_order_fraction: float = Field(default=1.0, gt=0)
    allow_spot_short: bool = False
    exit_monitor: bool = True
    limits: LimitsSection = LimitsSection()
    sizing: dict[str, dict[str, Any]] = Field(default_factory=dict)
    exits: dict[str, Any] = Field(default_factory=dict)


class StrategyEntry(BaseModel):
    """One entry of ``strategies``; its key is the strategy id."""

    model_config = _STRICT

    strategy: str | None = None
    """Registered strategy name (``tradebot strategies``); default: the entry's key."""
    enabled: bool = True
    params: dict[str, Any] = Field(default_factory=dict)
    weight: float | None = Field(default=None, ge=0)


class VenueSection(BaseModel):
    """``venue``: where orders go. Only the paper venue exists so far."""

    model_config = _STRICT

    name: Literal["paper"] = "paper"
    maker_fee: float = Field(default=0.0002, ge=0, lt=0.1)
    taker_fee: float = Field(default=0.0006, ge=0, lt=0.1)
    slippage: float = Field(default=0.0005, ge=0, lt=0.1)
    latency_ms: float = Field(default=0.0, ge=0)
    limit_fill_on_touch: bool = True
    confirm_mainnet: bool = False
    """Third switch for real money on a real venue (with ``--live --confirm-mainnet``)."""


class StorageSection(BaseModel):
    """``storage``: the database URL, without its password (that comes from the secrets)."""

    model_config = _STRICT

    url: str | None = None


class LoggingSection(BaseModel):
    """``logging``: JSON lines to rotating files plus readable console output."""

    model_config = _STRICT

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    dir: Path = Path("logs")
    console: Literal["pretty", "json", "off"] = "pretty"
    max_bytes: int = Field(default=10_000_000, ge=1_000)
    backup_count: int = Field(default=5, ge=0, le=100)

    @field_validator("level", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value


class MetricsSection(BaseModel):
    """``metrics``: the /metrics, /healthz and /readyz server."""

    model_config = _STRICT

    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = Field(default=9108, ge=0, le=65535)
    stale_after_seconds: float = Field(default=5.0, gt=0)
    """Readiness turns false when a traded symbol's data is older than this."""

    @field_validator("host")
    @classmethod
    def _loopback(cls, value: str) -> str:
        if value == "localhost":
            return value
        try:
            if ipaddress.ip_address(value).is_loopback:
                return value
        except ValueError:
            pass
        raise ValueError("must be a loopback address (127.0.0.1, ::1 or localhost)")


class SchedulerSection(BaseModel):
    """``scheduler``: jobs that run on the engine's clock (the same in backtests)."""

    model_config = _STRICT

    heartbeat_seconds: float = Field(default=60.0, gt=0)
    daily_reset: str = "0 0 * * *"
    """Cron (minute hour day month weekday), UTC: daily P&L reset."""
    hourly_report: str = "0 * * * *"
    daily_report: str = "5 0 * * *"
    eod_close: str | None = None
    """Cron at which every position is closed (None: never, the crypto default)."""
    timezone: str = "UTC"

    @field_validator("daily_reset", "hourly_report", "daily_report", "eod_close")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                cron(value)
            except ValueError as exc:
                raise ValueError(
                    f"must be a crontab line 'minute hour day month weekday' ({exc})"
                ) from None
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("must be an IANA time zone such as UTC or America/New_York") from None
        return value


class WatchdogSection(BaseModel):
    """``watchdog``: background tasks that miss their heartbeat are restarted."""

    model_config = _STRICT

    timeout_seconds: float = Field(default=30.0, gt=0)
    check_seconds: float = Field(default=5.0, gt=0)


class ExchangeCredentials(BaseModel):
    """API key of one exchange account."""

    model_config = _STRICT

    api_key: SecretStr
    api_secret: SecretStr
    passphrase: SecretStr | None = None


class Secrets(BaseModel):
    """Secrets: only from the environment or the secrets file, never from the YAML."""

    model_config = _STRICT

    exchanges: dict[str, ExchangeCredentials] = Field(default_factory=dict)
    telegram_token: SecretStr | None = None
    openai_api_key: SecretStr | None = None
    db_password: SecretStr | None = None

    def values(self) -> list[str]:
        """Every secret value set, for the log redactor."""
        found = [self.telegram_token, self.openai_api_key, self.db_password]
        for creds in self.exchanges.values():
            found += [creds.api_key, creds.api_secret, creds.passphrase]
        return [s.get_secret_value() for s in found if s is not None and s.get_secret_value()]


class Settings(BaseSettings):
    """The whole configuration; see ``config/tradebot.example.yml``."""

    model_config = SettingsConfigDict(
        env_prefix="TRADEBOT_",
        env_nested_delimiter="__",
        extra="forbid",
        frozen=True,
        case_sensitive=False,
    )

    risk: RiskSection = RiskSection()
    strategies: dict[str, StrategyEntry] = Field(default_factory=dict)
    manager: dict[str, Any] | None = None
    venue: VenueSection = VenueSection()
    storage: StorageSection = StorageSection()
    logging: LoggingSection = LoggingSection()
    metrics: MetricsSection = MetricsSection()
    scheduler: SchedulerSection = SchedulerSection()
    watchdog: WatchdogSection = WatchdogSection()
    secrets: Secrets = Secrets()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Priority: arguments, then ``TRADEBOT_…`` variables, the secrets file, the YAML."""
        secrets_file, yaml_file = _SOURCES.get()
        return (
            init_settings,
            env_settings,
            _MappingSource(settings_cls, secrets_file),
            _MappingSource(settings_cls, yaml_file),
        )

    def active_strategies(self) -> dict[str, StrategyEntry]:
        """The enabled entries, by strategy id."""
        return {sid: e for sid, e in self.strategies.items() if e.enabled}


__all__ = [
    "ExchangeCredentials",
    "LimitsSection",
    "LoggingSection",
    "MetricsSection",
    "RiskSection",
    "SchedulerSection",
    "Secrets",
    "Settings",
    "StorageSection",
    "StrategyEntry",
    "VenueSection",
    "WatchdogSection",
]
