"""The session configuration file (TOML): risk limits, sizing, the strategy manager, the venue.

A ``.yml``/``.yaml`` file is read as the YAML configuration instead (:mod:`tradebot.app.settings`,
``config/tradebot.example.yml``), which also sets strategies, storage, logging and metrics.

Every section is optional; what a file leaves out keeps its default, and command-line flags
given explicitly win over the file. Example::

    [risk.limits]
    max_position = 0.25          # of net liquidation value
    daily_loss_limit = 0.05

    [risk.sizing."*"]            # every strategy; or [risk.sizing.momentum]
    method = "confidence"

    [manager]
    min_confidence = 0.3
    weights = { momentum = 2.0 }

    [venue]
    taker_fee = 0.0004
"""

from __future__ import annotations

from pathlib import Path

import msgspec

from tradebot.errors import ConfigError
from tradebot.risk.config import RiskConfig
from tradebot.strategies.manager.config import ManagerConfig
from tradebot.venues.paper.config import PaperVenueConfig

YAML_SUFFIXES = (".yml", ".yaml")
"""A ``--config`` with one of these suffixes is the YAML configuration; anything else TOML."""


class FileConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What a configuration file may set."""

    risk: RiskConfig = msgspec.field(default_factory=RiskConfig)
    manager: ManagerConfig | None = None
    venue: PaperVenueConfig | None = None


def load_config(path: Path) -> FileConfig:
    """Read and check ``path``.

    Raises
    ------
    ConfigError
        Naming the file and the setting (``$.risk.limits.max_position``) that is wrong.
    """
    if path.suffix.lower() in YAML_SUFFIXES:  # the YAML configuration (tradebot.app.settings)
        from tradebot.app.settings import load_settings

        loaded = load_settings(path)
        return FileConfig(risk=loaded.risk, manager=loaded.manager, venue=loaded.venue)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"--config {path}: cannot be read ({exc.strerror})") from None
    try:
        config = msgspec.toml.decode(raw, type=FileConfig)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise ConfigError(f"--config {path}: {exc}") from None
    try:
        config.risk.validate()
        if config.manager is not None:
            config.manager.validate()
    except ValueError as exc:
        raise ConfigError(f"--config {path}: {exc}") from None
    return config


__all__ = ["YAML_SUFFIXES", "FileConfig", "load_config"]
