"""accounts that resist guessing and missions that belong to people: sessions, the login
throttle, named expiring revocable API tokens, mission members and the audit trail

Existing data: every existing account becomes an owner of every existing mission (before
this migration every coordinator could see and change every mission, so nobody loses
access; owners can then narrow it). Existing API tokens get the name "before expiry" and
expire 30 days after the migration runs; nobody is logged out by it except that old
signed session cookies are no longer accepted (sessions now live in the database).

Revision ID: 0008
Revises: 0006
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

import scheduler.store.types

revision = "0008"
down_revision = "0006"
branch_labels = None
depends_on = None

UTC_DT = scheduler.store.types.UTCDateTime


def upgrade() -> None:
    now = datetime.now(UTC)
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name", sa.String(length=100), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("expires_at", UTC_DT(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("revoked_at", UTC_DT(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("last_used_at", UTC_DT(timezone=True), nullable=True))
    tokens = sa.table(
        "api_tokens", sa.column("name", sa.String()), sa.column("expires_at", UTC_DT(timezone=True))
    )
    op.execute(tokens.update().values(name="before expiry", expires_at=now + timedelta(days=30)))
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.alter_column("expires_at", existing_type=UTC_DT(timezone=True), nullable=False)

    op.create_table(
        "sessions",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC_DT(timezone=True), nullable=False),
        sa.Column("last_seen_at", UTC_DT(timezone=True), nullable=False),
        sa.Column("expires_at", UTC_DT(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_sessions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_sessions")),
    )
    op.create_index(op.f("ix_sessions_user_id"), "sessions", ["user_id"], unique=False)
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(length=400), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", UTC_DT(timezone=True), nullable=True),
        sa.Column("locked_until", UTC_DT(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_throttle")),
    )
    op.create_table(
        "mission_members",
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("added_at", UTC_DT(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["mission_id"],
            ["missions.id"],
            name=op.f("fk_mission_members_mission_id_missions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_mission_members_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("mission_id", "user_id", name=op.f("pk_mission_members")),
    )
    op.create_index(op.f("ix_mission_members_user_id"), "mission_members", ["user_id"], unique=False)
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", UTC_DT(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=320), nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("entity", sa.String(length=30), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_mission_meeting", "audit_log", ["mission_id", "meeting_id"], unique=False)
    # Nobody is locked out: every existing account owns every existing mission.
    op.execute(
        sa.text(
            "INSERT INTO mission_members (mission_id, user_id, role, added_at) "
            "SELECT missions.id, users.id, 'owner', :now FROM missions CROSS JOIN users"
        ).bindparams(sa.bindparam("now", now, type_=UTC_DT(timezone=True)))
    )


def downgrade() -> None:
    op.drop_index("ix_audit_log_mission_meeting", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index(op.f("ix_mission_members_user_id"), table_name="mission_members")
    op.drop_table("mission_members")
    op.drop_table("login_throttle")
    op.drop_index(op.f("ix_sessions_user_id"), table_name="sessions")
    op.drop_table("sessions")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        for name in ("last_used_at", "revoked_at", "expires_at", "name"):
            batch_op.drop_column(name)
