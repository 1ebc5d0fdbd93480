"""The YAML configuration (``tradebot.yml``): sections, environment overrides, secrets."""

from tradebot.app.settings.loader import (
    SECRETS_FILE_ENV,
    LoadedConfig,
    SettingsError,
    StrategySpec,
    load_settings,
)
from tradebot.app.settings.schema import Secrets, Settings

__all__ = [
    "SECRETS_FILE_ENV",
    "LoadedConfig",
    "Secrets",
    "Settings",
    "SettingsError",
    "StrategySpec",
    "load_settings",
]
