"""negotiation: the coordinator's attention queue and each mission's negotiation policy

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import scheduler.store.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("available_for", sa.String(length=100), nullable=False, server_default="")
        )
    op.create_table(
        "attention_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("meeting_id", sa.String(length=100), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("created_at", scheduler.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("notified_at", scheduler.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", scheduler.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["mission_id"],
            ["missions.id"],
            name=op.f("fk_attention_items_mission_id_missions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attention_items")),
    )
    with op.batch_alter_table("attention_items", schema=None) as batch_op:
        batch_op.create_index("ix_attention_mission_open", ["mission_id", "resolved_at"], unique=False)
    op.create_table(
        "mission_negotiation",
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column("min_options", sa.Integer(), nullable=False),
        sa.Column("auto_recovery", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["mission_id"],
            ["missions.id"],
            name=op.f("fk_mission_negotiation_mission_id_missions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("mission_id", name=op.f("pk_mission_negotiation")),
    )


def downgrade() -> None:
    op.drop_table("mission_negotiation")
    with op.batch_alter_table("attention_items", schema=None) as batch_op:
        batch_op.drop_index("ix_attention_mission_open")
    op.drop_table("attention_items")
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.drop_column("available_for")
