"""The audit log: every command a person gave, who gave it, where, and what came of it.

Rows are only ever added. The database itself refuses ``UPDATE`` and ``DELETE`` on
``audit_log`` (triggers created by the initial migration), so history cannot be rewritten by
a bug or by someone holding the application's credentials.

Never put a secret in ``arguments``: mask API keys and passwords before recording a command.
"""

from __future__ import annotations

import time
from typing import Any, Literal, get_args

import msgspec
from sqlalchemy import select

from tradebot.storage.database import Database
from tradebot.storage.tables import AuditLogRow

Channel = Literal["cli", "api", "telegram"]
CHANNELS: frozenset[str] = frozenset(get_args(Channel))


class AuditEntry(msgspec.Struct, frozen=True, kw_only=True):
    """One command as it was recorded; ``ts`` is wall-clock UTC nanoseconds."""

    id: int
    ts: int
    actor: str
    channel: str
    command: str
    arguments: dict[str, Any]
    result: str
    ok: bool


def _entry(row: AuditLogRow) -> AuditEntry:
    return AuditEntry(
        id=row.id,
        ts=row.ts,
        actor=row.actor,
        channel=row.channel,
        command=row.command,
        arguments=row.arguments,
        result=row.result,
        ok=row.ok,
    )


def record_command(
    db: Database,
    *,
    actor: str,
    channel: Channel,
    command: str,
    arguments: dict[str, Any] | None = None,
    result: str = "",
    ok: bool = True,
    ts: int | None = None,
) -> AuditEntry:
    """Append a command to the audit log and commit before returning.

    Parameters
    ----------
    actor : str
        Who gave it (user name, Telegram user id, API key name).
    channel : {"cli", "api", "telegram"}
        Where it came from.
    command : str
        What was asked (``pause``, ``approve``, ``close_position``).
    arguments : dict, optional
        Its arguments, JSON-serialisable, secrets masked.
    result : str
        What happened, in one line.
    ok : bool
        Whether it succeeded.
    ts : int, optional
        When, UTC ns; default now (wall clock, also in backtests: a person acts in real time).

    Raises
    ------
    ValueError
        If ``channel`` is not one of cli, api, telegram.
    StorageUnavailableError
        If the database cannot take the write.
    """
    if channel not in CHANNELS:
        raise ValueError(f"audit channel was {channel!r}; it must be one of {sorted(CHANNELS)}")
    row = AuditLogRow(
        ts=time.time_ns() if ts is None else ts,
        actor=actor,
        channel=channel,
        command=command,
        arguments=dict(arguments or {}),
        result=result,
        ok=ok,
    )
    with db.unavailable_as(f"recording command {command!r}"), db.writing() as session:
        session.add(row)
        session.flush()
        return _entry(row)


def audit_log(
    db: Database,
    *,
    actor: str | None = None,
    channel: Channel | None = None,
    since: int | None = None,
    until: int | None = None,
    limit: int = 100,
) -> list[AuditEntry]:
    """The most recent commands first, optionally for one actor or channel, in [since, until)."""
    query = select(AuditLogRow)
    if actor is not None:
        query = query.where(AuditLogRow.actor == actor)
    if channel is not None:
        query = query.where(AuditLogRow.channel == channel)
    if since is not None:
        query = query.where(AuditLogRow.ts >= since)
    if until is not None:
        query = query.where(AuditLogRow.ts < until)
    query = query.order_by(AuditLogRow.ts.desc(), AuditLogRow.id.desc()).limit(limit)
    with db.unavailable_as("reading the audit log"), db.reading() as session:
        return [_entry(row) for row in session.scalars(query)]


__all__ = ["CHANNELS", "AuditEntry", "Channel", "audit_log", "record_command"]
