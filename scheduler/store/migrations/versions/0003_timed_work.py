"""timed work: due work (reminders, follow-ups, nudges, expiries, digests), mission timing, action items

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import scheduler.store.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "due_work",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=400), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.String(length=100), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=True),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("recipient", sa.JSON(), nullable=True),
        sa.Column("detail", sa.String(length=100), nullable=False),
        sa.Column("due_at", scheduler.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("created_at", scheduler.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", scheduler.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["mission_id"], ["missions.id"], name=op.f("fk_due_work_mission_id_missions"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_due_work")),
        sa.UniqueConstraint("key", name=op.f("uq_due_work_key")),
    )
    with op.batch_alter_table("due_work", schema=None) as batch_op:
        batch_op.create_index("ix_due_work_meeting", ["mission_id", "meeting_id", "state"], unique=False)
        batch_op.create_index("ix_due_work_state_due_at", ["state", "due_at"], unique=False)

    op.create_table(
        "mission_timing",
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column("reminder_seconds", sa.JSON(), nullable=False),
        sa.Column("nudge_after_seconds", sa.Integer(), nullable=False),
        sa.Column("follow_up_days", sa.Integer(), nullable=False),
        sa.Column("follow_up_hour", sa.Integer(), nullable=False),
        sa.Column("digest_hour", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["mission_id"],
            ["missions.id"],
            name=op.f("fk_mission_timing_mission_id_missions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("mission_id", name=op.f("pk_mission_timing")),
    )
    op.create_table(
        "action_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.String(length=100), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=300), nullable=False),
        sa.Column("created_at", scheduler.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["mission_id", "meeting_id"],
            ["meetings.mission_id", "meetings.mid"],
            name=op.f("fk_action_items_mission_id_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_items")),
    )
    with op.batch_alter_table("action_items", schema=None) as batch_op:
        batch_op.create_index("ix_action_items_meeting", ["mission_id", "meeting_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("action_items", schema=None) as batch_op:
        batch_op.drop_index("ix_action_items_meeting")

    op.drop_table("action_items")
    op.drop_table("mission_timing")
    with op.batch_alter_table("due_work", schema=None) as batch_op:
        batch_op.drop_index("ix_due_work_state_due_at")
        batch_op.drop_index("ix_due_work_meeting")

    op.drop_table("due_work")
