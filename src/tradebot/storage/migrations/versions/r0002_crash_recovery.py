"""Crash recovery: session checkpoints, venue states and the client order ids a venue was sent.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Upgrade the schema."""
    op.create_table(
        "checkpoints",
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("events", sa.BigInteger(), nullable=False),
        sa.Column("ts_event", sa.BigInteger(), nullable=False),
        sa.Column("completed", sa.Boolean(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_checkpoints")),
    )
    op.create_table(
        "venue_states",
        sa.Column("venue", sa.String(), nullable=False),
        sa.Column("ts_event", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("venue", name=op.f("pk_venue_states")),
    )
    op.create_table(
        "venue_orders",
        sa.Column("venue", sa.String(), nullable=False),
        sa.Column("client_order_id", sa.String(), nullable=False),
        sa.Column("ts_event", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("venue", "client_order_id", name=op.f("pk_venue_orders")),
    )


def downgrade() -> None:
    """Downgrade the schema."""
    op.drop_table("venue_orders")
    op.drop_table("venue_states")
    op.drop_table("checkpoints")
