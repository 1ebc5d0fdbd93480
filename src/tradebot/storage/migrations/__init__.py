"""Alembic environment and revisions of the storage schema (run by ``schema_version``)."""
