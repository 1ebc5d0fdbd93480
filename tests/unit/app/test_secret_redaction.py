"""Known secret values go through the whole app — settings from the environment and a secrets
file, a paper run from the command line, a strategy that fails with the secrets in its error,
log calls that pass them as values and under secret-looking keys — and none of them appears in
any line of any log file or of the captured console."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import pytest
import structlog
from typer.testing import CliRunner

from tradebot.app.cli import app
from tradebot.app.logs import MASK, Redactor
from tradebot.model.data import Bar
from tradebot.strategies import registry
from tradebot.strategies.technical.sma_cross import SmaCross

SECRETS = {
    "TRADEBOT_SECRETS__TELEGRAM_TOKEN": "7000001:tg-SECRET-aaaa",
    "TRADEBOT_SECRETS__OPENAI_API_KEY": "sk-proj-SECRET-bbbb",
    "TRADEBOT_SECRETS__DB_PASSWORD": "pg-SECRET-cccc",
    "TRADEBOT_SECRETS__EXCHANGES__BYBIT__API_KEY": "bybit-SECRET-dddd",
    "TRADEBOT_SECRETS__EXCHANGES__BYBIT__API_SECRET": "bybit-SECRET-eeee",
}
FILE_SECRET = "deribit-SECRET-ffff"


class Leaky(SmaCross):
    """sma_cross that logs the secrets it was given and then fails with them in its error."""

    name = "leaky"
    bars = 0

    def on_bar(self, bar: Bar) -> None:
        super().on_bar(bar)
        self.bars += 1
        key = SECRETS["TRADEBOT_SECRETS__OPENAI_API_KEY"]
        url = f"postgresql://bot:{SECRETS['TRADEBOT_SECRETS__DB_PASSWORD']}@db:5432/tb"
        if self.bars == 30:
            logging.getLogger("tradebot.strategies.leaky").warning(
                "calling the exchange with key %s via %s", key, url
            )
            structlog.get_logger("tradebot.strategies.leaky").info(
                "context",
                api_key=SECRETS["TRADEBOT_SECRETS__EXCHANGES__BYBIT__API_KEY"],
                headers={"Authorization": f"Bearer {key}"},
                note=f"token={FILE_SECRET}",
            )
        if self.bars == 60:
            raise PermissionError(
                f"auth failed for {SECRETS['TRADEBOT_SECRETS__EXCHANGES__BYBIT__API_SECRET']} "
                f"token {SECRETS['TRADEBOT_SECRETS__TELEGRAM_TOKEN']} db {url} "
                f"deribit {FILE_SECRET}"
            )


@pytest.fixture
def leaky(monkeypatch: pytest.MonkeyPatch) -> None:
    registry.available()
    monkeypatch.setitem(registry._REGISTRY, "leaky", Leaky)


def test_no_secret_reaches_any_log_or_the_console(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, leaky: None
) -> None:
    for name in list(os.environ):
        if name.upper().startswith("TRADEBOT_"):
            monkeypatch.delenv(name)
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    secrets_file = tmp_path / "secrets.yml"
    secrets_file.write_text(
        f"exchanges:\n  deribit: {{api_key: {FILE_SECRET}, api_secret: {FILE_SECRET}x}}\n"
    )
    secrets_file.chmod(0o600)
    monkeypatch.setenv("TRADEBOT_SECRETS_FILE", str(secrets_file))
    logs = tmp_path / "logs"
    config = tmp_path / "bot.yml"
    config.write_text(
        f"""
logging: {{dir: {logs}, level: DEBUG, console: pretty, max_bytes: 3000, backup_count: 100}}
metrics: {{port: 0}}
storage: {{url: "sqlite:///{tmp_path / "audit.db"}"}}
strategies:
  sma_cross: {{params: {{fast: 5, slow: 20}}}}
  leaky: {{params: {{fast: 3, slow: 9}}}}
"""
    )
    result = CliRunner().invoke(
        app,
        [
            "run",
            "--config",
            str(config),
            "--speed",
            "0",
            "--json",
            str(tmp_path / "p.json"),
            "--report",
            str(tmp_path / "p.html"),
        ],
    )
    assert result.exit_code == 0, result.output
    console = result.output + (result.stderr if result.stderr_bytes is not None else "")

    files = sorted(logs.glob("*.log*"))
    assert {p.name for p in files} >= {"tradebot.log", "trades.log", "errors.log"}
    assert len(files) > 3  # small max_bytes: rotated files are checked too
    texts = {p.name: p.read_text() for p in files}
    everything = "\n".join([console, *texts.values()])
    known = [*SECRETS.values(), FILE_SECRET, FILE_SECRET + "x"]
    for secret in known:
        for where, text in [("console", console), *texts.items()]:
            for line in text.splitlines():
                assert secret not in line, f"{secret!r} leaked into {where}: {line}"
    # The paths the secrets took were really logged (masked), so the check above means something.
    assert "strategy leaky failed and was stopped" in texts["errors.log"]
    assert "PermissionError: auth failed for ***" in texts["errors.log"]
    assert "postgresql://bot:***@db:5432/tb" in everything
    assert '"api_key": "***"' in everything
    assert "calling the exchange with key ***" in everything
    assert "configuration loaded" in everything
    assert "strategy leaky failed" in console


def test_the_redactor_scrubs_keys_values_urls_and_nested_structures() -> None:
    r = Redactor(["s3cr3t-value"])
    event: dict[str, Any] = {
        "event": "x s3cr3t-value y",
        "password": "anything",
        "nested": {"token": "abc", "list": ["s3cr3t-value", 1, None]},
        "url": "postgresql+psycopg://u:pw@h:5432/d",
        "text": 'payload {"api_key": "k-123"} and secret=zzz',
        "count": 3,
    }
    out = r(None, "info", event)
    assert out == {
        "event": f"x {MASK} y",
        "password": MASK,
        "nested": {"token": MASK, "list": [MASK, 1, None]},
        "url": f"postgresql+psycopg://u:{MASK}@h:5432/d",
        "text": f'payload {{"api_key": "{MASK}"}} and secret={MASK}',
        "count": 3,
    }
