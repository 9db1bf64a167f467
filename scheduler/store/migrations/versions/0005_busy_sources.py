"""busy sources: the last good copy and read status of each person's calendar source (issue 14)

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import scheduler.store.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "busy_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("busy", sa.JSON(), nullable=True),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        sa.Column("fetched_at", scheduler.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("checked_at", scheduler.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("failing_since", scheduler.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["mission_id", "participant_id"],
            ["participants.mission_id", "participants.pid"],
            name=op.f("fk_busy_sources_mission_id_participants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_busy_sources")),
    )
    op.create_index(
        "uq_busy_sources_slot", "busy_sources", ["mission_id", "participant_id", "position"], unique=True
    )


def downgrade() -> None:
    op.drop_index("uq_busy_sources_slot", table_name="busy_sources")
    op.drop_table("busy_sources")
