"""The YAML configuration: validation errors name key, value and what is allowed; environment
overrides; secrets only from the environment or the secrets file, refused in the YAML."""

from __future__ import annotations

import os
from pathlib import Path

import msgspec
import pytest

from tradebot.app.config_file import load_config
from tradebot.app.settings import SettingsError, load_settings
from tradebot.app.settings.schema import LimitsSection, VenueSection
from tradebot.risk.limits import RiskLimits
from tradebot.strategies.technical.sma_cross import SmaCrossParams
from tradebot.venues.paper.config import PaperVenueConfig

EXAMPLE = Path(__file__).resolve().parents[3] / "config" / "tradebot.example.yml"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.upper().startswith("TRADEBOT_"):
            monkeypatch.delenv(name)


def _write(tmp_path: Path, text: str, name: str = "bot.yml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def _error(path: Path) -> SettingsError:
    with pytest.raises(SettingsError) as info:
        load_settings(path)
    return info.value


def test_the_documented_example_loads_and_matches_the_engine_defaults() -> None:
    loaded = load_settings(EXAMPLE)
    assert loaded.risk.limits == RiskLimits()
    assert loaded.venue == PaperVenueConfig()
    assert list(loaded.strategies) == ["sma_cross"]
    assert loaded.strategies["sma_cross"].params == SmaCrossParams(fast=10, slow=30)
    assert loaded.settings.metrics.host == "127.0.0.1"


def test_the_yaml_limits_section_has_exactly_the_risk_limits_fields_and_defaults() -> None:
    fields = {f.name: f.default for f in msgspec.structs.fields(RiskLimits)}
    assert set(LimitsSection.model_fields) == set(fields)
    assert LimitsSection().model_dump() == fields
    venue = {f.name: f.default for f in msgspec.structs.fields(PaperVenueConfig)}
    venue.pop("venue")
    paper_keys = VenueSection().model_dump().items()  # confirm_mainnet is for real venues
    assert {k: v for k, v in paper_keys if k not in ("name", "confirm_mainnet")} == venue


@pytest.mark.parametrize(
    ("text", "key", "value", "allowed"),
    [
        (
            "risk:\n  limits:\n    max_position: -0.5\n",
            "risk.limits.max_position",
            "-0.5",
            "greater than 0",
        ),
        (
            "risk:\n  limits:\n    max_open_positions: lots\n",
            "risk.limits.max_open_positions",
            "'lots'",
            "valid integer",
        ),
        (
            "risk:\n  sizing:\n    '*': {method: kelly}\n",
            "risk.sizing.*.method",
            "'kelly'",
            "'fixed', 'risk', 'confidence', 'volatility'",
        ),
        (
            "strategies:\n  sma_cross:\n    params: {fast: 5, slw: 9}\n",
            "strategies.sma_cross.params.slw",
            "9",
            "parameters: fast, long_only, size, slow",
        ),
        (
            "strategies:\n  sma_cross:\n    params: {fast: 0}\n",
            "strategies.sma_cross.params",
            "{'fast': 0}",
            "parameter 'fast' was 0; it must be at least 1",
        ),
        (
            "strategies:\n  x:\n    strategy: nope\n",
            "strategies.x.strategy",
            "'nope'",
            "available: ",
        ),
        ("metrics:\n  host: 0.0.0.0\n", "metrics.host", "'0.0.0.0'", "loopback"),
        ("metrics:\n  port: 70000\n", "metrics.port", "70000", "less than or equal to 65535"),
        ("logging:\n  level: LOUD\n", "logging.level", "'LOUD'", "'DEBUG', 'INFO'"),
        (
            "scheduler:\n  daily_reset: 'every day'\n",
            "scheduler.daily_reset",
            "'every day'",
            "crontab",
        ),
        ("loging: {}\n", "loging", "{}", "unknown key; known keys: risk, strategies"),
    ],
)
def test_a_bad_value_names_the_key_the_value_and_what_is_allowed(
    tmp_path: Path, text: str, key: str, value: str, allowed: str
) -> None:
    path = _write(tmp_path, text)
    message = str(_error(path))
    assert message.startswith(f"{path}: {key} = {value} is not allowed: "), message
    assert allowed in message
    assert len(message.splitlines()) == 1


def test_cross_field_limits_are_checked_too(tmp_path: Path) -> None:
    path = _write(tmp_path, "risk:\n  limits: {drawdown_close_only: 0.3, drawdown_pause: 0.2}\n")
    message = str(_error(path))
    assert "risk.limits = " in message
    assert "'drawdown_close_only' must not exceed 'drawdown_pause'" in message


def test_malformed_yaml_names_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "risk:\n  limits: [\n")
    assert "not valid YAML at line" in str(_error(path))


def test_environment_overrides_the_file_nested_with_double_underscore(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(
        tmp_path,
        "risk:\n  limits: {max_position: 0.3, max_daily_trades: 4}\n"
        "strategies:\n  sma_cross:\n    params: {fast: 5, slow: 20}\n",
    )
    monkeypatch.setenv("TRADEBOT_RISK__LIMITS__MAX_POSITION", "0.1")
    monkeypatch.setenv("TRADEBOT_METRICS__PORT", "9333")
    monkeypatch.setenv("TRADEBOT_STRATEGIES__SMA_CROSS__PARAMS__SLOW", "40")
    loaded = load_settings(path)
    assert loaded.risk.limits.max_position == 0.1
    assert loaded.risk.limits.max_daily_trades == 4  # from the file
    assert loaded.settings.metrics.port == 9333
    assert loaded.strategies["sma_cross"].params == SmaCrossParams(fast=5, slow=40)


def test_a_bad_environment_value_names_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path, "risk: {}\n")
    monkeypatch.setenv("TRADEBOT_RISK__LIMITS__MAX_POSITION", "-1")
    message = str(_error(path))
    assert "risk.limits.max_position = '-1' is not allowed" in message
    assert "(from TRADEBOT_RISK__LIMITS__MAX_POSITION)" in message


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("secrets:\n  telegram_token: 'tg-123456:SECRET'\n", "secrets:"),
        ("venue:\n  api_key: 'AKIA-SECRET-1'\n", "venue.api_key:"),
        (
            "strategies:\n  sma_cross:\n    params: {openai_api_key: 'sk-SECRET'}\n",
            "strategies.sma_cross.params.openai_api_key:",
        ),
        ("storage:\n  password: 'SECRET-pw'\n", "storage.password:"),
    ],
)
def test_a_secret_in_the_yaml_is_refused_without_echoing_it(
    tmp_path: Path, text: str, where: str
) -> None:
    path = _write(tmp_path, text)
    message = str(_error(path))
    assert where in message
    assert "secrets are not read from the YAML file" in message
    assert "TRADEBOT_SECRETS__" in message
    assert "SECRET" not in message.replace("TRADEBOT_SECRETS", "").replace("SECRETS_FILE", "")


def test_a_database_url_with_a_password_is_refused_and_masked(tmp_path: Path) -> None:
    path = _write(tmp_path, "storage:\n  url: postgresql+psycopg://bot:hunter22@db:5432/tb\n")
    message = str(_error(path))
    assert "storage.url = 'postgresql+psycopg://bot:***@db:5432/tb' is not allowed" in message
    assert "hunter22" not in message


def test_secrets_come_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, "storage:\n  url: postgresql+psycopg://bot@db:5432/tb\n")
    monkeypatch.setenv("TRADEBOT_SECRETS__TELEGRAM_TOKEN", "tg-999:abc")
    monkeypatch.setenv("TRADEBOT_SECRETS__EXCHANGES__BYBIT__API_KEY", "bybit-key-1")
    monkeypatch.setenv("TRADEBOT_SECRETS__EXCHANGES__BYBIT__API_SECRET", "bybit-secret-1")
    monkeypatch.setenv("TRADEBOT_SECRETS__DB_PASSWORD", "pg-pass-1")
    loaded = load_settings(path)
    secrets = loaded.settings.secrets
    assert secrets.telegram_token is not None
    assert secrets.telegram_token.get_secret_value() == "tg-999:abc"
    assert secrets.exchanges["bybit"].api_secret.get_secret_value() == "bybit-secret-1"
    assert "bybit-key-1" not in repr(loaded.settings)  # SecretStr hides it
    assert set(loaded.secret_values()) == {
        "tg-999:abc",
        "bybit-key-1",
        "bybit-secret-1",
        "pg-pass-1",
    }
    assert loaded.database_url() == "postgresql+psycopg://bot:pg-pass-1@db:5432/tb"


def test_secrets_come_from_a_private_secrets_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path, "{}\n")
    secrets = _write(tmp_path, "openai_api_key: sk-file-1\ndb_password: pw-file-1\n", "s.yml")
    secrets.chmod(0o600)
    monkeypatch.setenv("TRADEBOT_SECRETS_FILE", str(secrets))
    monkeypatch.setenv("TRADEBOT_SECRETS__DB_PASSWORD", "pw-env-wins")
    loaded = load_settings(path)
    assert loaded.settings.secrets.openai_api_key is not None
    assert loaded.settings.secrets.openai_api_key.get_secret_value() == "sk-file-1"
    assert loaded.settings.secrets.db_password is not None
    assert loaded.settings.secrets.db_password.get_secret_value() == "pw-env-wins"
    secrets.chmod(0o644)
    assert "readable by others" in str(_error(path))


def test_load_config_reads_yaml_by_suffix_and_toml_otherwise(tmp_path: Path) -> None:
    yml = _write(tmp_path, "risk:\n  limits: {max_position: 0.3}\nvenue: {taker_fee: 0.001}\n")
    toml = _write(tmp_path, "[risk.limits]\nmax_position = 0.3\n", "bot.toml")
    from_yaml, from_toml = load_config(yml), load_config(toml)
    assert from_yaml.risk.limits == from_toml.risk.limits
    assert from_yaml.venue is not None
    assert from_yaml.venue.taker_fee == 0.001
