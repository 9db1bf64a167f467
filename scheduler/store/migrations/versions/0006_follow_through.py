"""follow-through: action items get a Japanese text, a due date, a state and note, sharing, a revision

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import scheduler.store.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # server_default: rows recorded before this migration become open, shared items.
    with op.batch_alter_table("action_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("text_ja", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("due_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("state", sa.String(length=20), nullable=False, server_default="open"))
        batch_op.add_column(sa.Column("note", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("shared", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(
            sa.Column("updated_at", scheduler.store.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("updated_by", sa.String(length=300), nullable=False, server_default=""))
        batch_op.create_index("ix_action_items_state_due", ["mission_id", "state", "due_date"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("action_items", schema=None) as batch_op:
        batch_op.drop_index("ix_action_items_state_due")
        for name in (
            "updated_by",
            "updated_at",
            "revision",
            "shared",
            "note",
            "state",
            "due_date",
            "text_ja",
        ):
            batch_op.drop_column(name)
