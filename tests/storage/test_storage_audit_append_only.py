"""The database itself refuses to change or remove audit log rows, on both backends."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.exc import IntegrityError

from tradebot.storage import Database, audit_log, open_database, record_command
from tradebot.storage.tables import AuditLogRow


@pytest.fixture
def entry_id(db: Database) -> int:
    return record_command(db, actor="alice", channel="telegram", command="kill", ts=1).id


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_log SET actor = 'mallory'",
        "UPDATE audit_log SET result = 'nothing happened' WHERE command = 'kill'",
        "DELETE FROM audit_log",
        "DELETE FROM audit_log WHERE actor = 'alice'",
    ],
)
def test_raw_sql_cannot_update_or_delete_audit_rows(
    db: Database, entry_id: int, statement: str
) -> None:
    with pytest.raises(IntegrityError, match="audit_log is append-only"), db.writing() as session:
        session.execute(text(statement))

    [entry] = audit_log(db)
    assert (entry.id, entry.actor, entry.result) == (entry_id, "alice", "")


def test_the_orm_cannot_update_or_delete_audit_rows_either(db: Database, entry_id: int) -> None:
    with db.reading() as session:
        row = session.get(AuditLogRow, entry_id)
    assert row is not None
    row.ok = False
    with pytest.raises(IntegrityError, match="UPDATE refused"), db.writing() as session:
        session.merge(row)

    with pytest.raises(IntegrityError, match="DELETE refused"), db.writing() as session:
        session.execute(delete(AuditLogRow).where(AuditLogRow.id == entry_id))

    with pytest.raises(IntegrityError), db.writing() as session:
        session.execute(update(AuditLogRow).values(command="resume"))

    assert [e.command for e in audit_log(db)] == ["kill"]


def test_appending_still_works_after_a_refusal(db: Database, entry_id: int) -> None:
    with pytest.raises(IntegrityError), db.writing() as session:
        session.execute(text("DELETE FROM audit_log"))

    record_command(db, actor="bob", channel="api", command="resume", ts=2)

    assert [e.actor for e in audit_log(db)] == ["bob", "alice"]


def test_postgresql_refuses_truncate_too(postgres_server: Any) -> None:
    with open_database(postgres_server.new_database()) as db:
        record_command(db, actor="alice", channel="telegram", command="kill")

        with pytest.raises(IntegrityError, match="TRUNCATE refused"), db.writing() as session:
            session.execute(text("TRUNCATE audit_log"))

        assert len(audit_log(db)) == 1
