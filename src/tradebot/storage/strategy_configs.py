"""Strategy configurations, versioned: a change adds a version and never edits an old one, so
every past trade can be traced to the parameters that produced it."""

from __future__ import annotations

import time
from typing import Any

import msgspec
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tradebot.storage.database import Database
from tradebot.storage.errors import StorageUnavailableError
from tradebot.storage.tables import StrategyConfigRow


class StrategyConfig(msgspec.Struct, frozen=True, kw_only=True):
    """One version of a strategy's parameters, capital weight and on/off switch."""

    name: str
    version: int
    params: dict[str, Any]
    weight: float
    enabled: bool
    changed_by: str
    ts_created: int


def _config(row: StrategyConfigRow) -> StrategyConfig:
    return StrategyConfig(
        name=row.name,
        version=row.version,
        params=row.params,
        weight=row.weight,
        enabled=row.enabled,
        changed_by=row.changed_by,
        ts_created=row.ts_created,
    )


def save_strategy_config(
    db: Database,
    name: str,
    params: dict[str, Any],
    *,
    weight: float = 1.0,
    enabled: bool = True,
    changed_by: str = "system",
    ts: int | None = None,
) -> StrategyConfig:
    """Store a new version of ``name``'s configuration (1 for the first) and return it.

    Raises
    ------
    StorageUnavailableError
        If the database cannot take the write, or another process saved a version of the
        same strategy at the same moment (try again).
    """
    try:
        with db.unavailable_as(f"saving strategy config {name!r}"), db.writing() as session:
            latest = session.scalar(
                select(func.max(StrategyConfigRow.version)).where(StrategyConfigRow.name == name)
            )
            row = StrategyConfigRow(
                name=name,
                version=(latest or 0) + 1,
                params=dict(params),
                weight=weight,
                enabled=enabled,
                changed_by=changed_by,
                ts_created=time.time_ns() if ts is None else ts,
            )
            session.add(row)
            session.flush()
            return _config(row)
    except IntegrityError:
        raise StorageUnavailableError(
            f"strategy config {name!r} was saved by someone else at the same time; try again"
        ) from None


def strategy_configs(db: Database) -> list[StrategyConfig]:
    """The newest version of every strategy's configuration, by name."""
    newest = (
        select(StrategyConfigRow.name, func.max(StrategyConfigRow.version).label("version"))
        .group_by(StrategyConfigRow.name)
        .subquery()
    )
    query = (
        select(StrategyConfigRow)
        .join(
            newest,
            (StrategyConfigRow.name == newest.c.name)
            & (StrategyConfigRow.version == newest.c.version),
        )
        .order_by(StrategyConfigRow.name)
    )
    with db.unavailable_as("reading strategy configs"), db.reading() as session:
        return [_config(row) for row in session.scalars(query)]


def strategy_config_history(db: Database, name: str) -> list[StrategyConfig]:
    """Every version of ``name``'s configuration, oldest first."""
    query = (
        select(StrategyConfigRow)
        .where(StrategyConfigRow.name == name)
        .order_by(StrategyConfigRow.version)
    )
    with db.unavailable_as("reading strategy configs"), db.reading() as session:
        return [_config(row) for row in session.scalars(query)]


__all__ = [
    "StrategyConfig",
    "save_strategy_config",
    "strategy_config_history",
    "strategy_configs",
]
