"""Run the Alembic migrations shipped in ``tradebot/storage/migrations``, without an ini file.

Users never run ``alembic``: opening a database upgrades it to the newest schema. The upgrade
runs in one transaction (PostgreSQL and SQLite both have transactional DDL), so a failed
migration leaves the schema as it was. On PostgreSQL an advisory lock, taken in ``env.py``,
makes two processes that start together migrate one after the other; on SQLite the
``BEGIN IMMEDIATE`` write lock does the same.
"""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

SCRIPT_LOCATION = "tradebot.storage:migrations"


def alembic_config() -> Config:
    """An Alembic configuration pointing at the packaged migrations."""
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    return config


def head_revision() -> str:
    """The newest revision the package ships."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the packaged migrations have no head revision"
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None when it was never migrated."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade_to_head(engine: Engine) -> str:
    """Upgrade the database behind ``engine`` to the newest revision; return it.

    Idempotent: a database already at the head is left untouched.
    """
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return head_revision()


__all__ = [
    "SCRIPT_LOCATION",
    "alembic_config",
    "current_revision",
    "head_revision",
    "upgrade_to_head",
]
