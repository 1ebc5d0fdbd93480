"""Opening a database: SQLite settings, PostgreSQL for real, and errors that hide passwords."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from tradebot.errors import ConfigError, RetryableError
from tradebot.storage import (
    Database,
    DatabaseUrlError,
    StorageUnavailableError,
    default_url,
    mask,
    open_database,
)

SECRET = "s3cr3t-Pa55"


def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    with open_database(f"sqlite:///{tmp_path / 'nested' / 'dir' / 'bot.db'}") as db:
        with db.engine.connect() as connection:
            pragma = {
                name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
            }

        assert pragma == {
            "journal_mode": "wal",
            "foreign_keys": 1,
            "busy_timeout": 5000,
            "synchronous": 2,  # FULL
        }
        assert (tmp_path / "nested" / "dir" / "bot.db-wal").exists()


def test_each_backend_is_the_real_thing(db: Database) -> None:
    with db.reading() as session:
        if db.backend == "postgresql":
            version = session.execute(text("SELECT version()")).scalar_one()
            assert version.startswith("PostgreSQL")
        else:
            version = session.execute(text("SELECT sqlite_version()")).scalar_one()
            assert version.count(".") == 2


def test_the_default_url_is_a_sqlite_file_in_the_folder(tmp_path: Path) -> None:
    url = default_url(tmp_path)

    assert url == f"sqlite:///{tmp_path.resolve() / 'tradebot.db'}"
    with open_database(url) as db:
        assert db.backend == "sqlite"
    assert (tmp_path / "tradebot.db").exists()


def test_postgresql_without_a_driver_means_psycopg(postgres_server: Any) -> None:
    url = postgres_server.url()
    plain = url.replace("postgresql+psycopg://", "postgresql://")

    with open_database(plain, migrate=False) as db:
        assert db.engine.dialect.driver == "psycopg"
        assert SECRET not in repr(db)
        assert "***" in db.url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"postgresql+psycopg://trader:{SECRET}@db.example:port/bot", "is not valid"),
        (f"mysql+pymysql://trader:{SECRET}@db.example/bot", "'mysql+pymysql' is not supported"),
        (f"postgresql+psycopg2://trader:{SECRET}@db.example/bot", "is not supported"),
        ("sqlite://", "in-memory SQLite database is not supported"),
        ("not a url at all", "is not valid"),
    ],
)
def test_a_bad_url_is_one_clear_error_with_the_password_masked(url: str, expected: str) -> None:
    with pytest.raises(DatabaseUrlError) as caught:
        open_database(url)

    message = str(caught.value)
    assert expected in message
    assert SECRET not in message
    assert "\n" not in message
    assert isinstance(caught.value, ConfigError)
    if "trader" in url:
        assert "trader:***@db.example" in message


def test_an_unreachable_postgresql_names_the_url_without_its_password(
    caplog: pytest.LogCaptureFixture,
) -> None:
    url = f"postgresql+psycopg://trader:{SECRET}@127.0.0.1:1/bot"
    caplog.set_level(logging.DEBUG)

    with pytest.raises(StorageUnavailableError) as caught:
        open_database(url, connect_timeout=2)

    message = str(caught.value)
    assert message.startswith(
        "connecting failed on postgresql+psycopg://trader:***@127.0.0.1:1/bot: "
    )
    assert SECRET not in message
    assert "\n" not in message
    assert isinstance(caught.value, RetryableError)
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__
    assert SECRET not in caplog.text


def test_a_wrong_password_is_refused_without_echoing_it(postgres_server: Any) -> None:
    url = postgres_server.url().replace(postgres_server.password, SECRET)

    with pytest.raises(StorageUnavailableError) as caught:
        open_database(url)

    assert "password authentication failed" in str(caught.value)
    assert SECRET not in str(caught.value)


def test_an_unopenable_sqlite_file_is_reported_with_its_url(tmp_path: Path) -> None:
    folder = tmp_path / "a-folder"
    folder.mkdir()

    with pytest.raises(StorageUnavailableError, match="a-folder"):
        open_database(f"sqlite:///{folder}")


def test_mask_hides_passwords_even_in_urls_that_do_not_parse() -> None:
    assert mask(f"postgresql://u:{SECRET}@h:5432/d") == "postgresql://u:***@h:5432/d"
    assert mask(f"postgresql://u:{SECRET}@h:nope/d") == "postgresql://u:***@h:nope/d"
    assert mask("sqlite:///x.db") == "sqlite:///x.db"
