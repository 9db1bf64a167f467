"""Who belongs to a mission (owner, editor, viewer) and the audit trail of its changes.

`mission_members` ties accounts to missions; `audit_log` is written by `store.audit` in the
same transaction as each change. The audit rows keep the mission's id without a foreign key,
so the record of a mission's removal outlives the mission.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from scheduler.core.access import AuditEntry, Member, Role
from scheduler.store.accounts import UserRow
from scheduler.store.tables import Base
from scheduler.store.types import UTCDateTime


class MemberRow(Base):
    __tablename__ = "mission_members"

    mission_id: Mapped[int] = mapped_column(ForeignKey("missions.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(10))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuditRow(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_mission_meeting", "mission_id", "meeting_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(320), default="")
    mission_id: Mapped[int] = mapped_column(Integer)
    meeting_id: Mapped[str] = mapped_column(String(100), default="")
    action: Mapped[str] = mapped_column(String(20))
    entity: Mapped[str] = mapped_column(String(30))
    key: Mapped[str] = mapped_column(String(300), default="")
    detail: Mapped[str] = mapped_column(Text, default="")


class MemberRepository:
    """Membership and audit methods of the unit of work (mixed into `SqlUnitOfWork`)."""

    session: Session

    def set_member(self, mission_id: int, user_id: int, role: Role, *, now: datetime) -> None:
        """Make the user a member with `role` (a member already keeps the row, with the new role)."""
        row = self.session.get(MemberRow, (mission_id, user_id))
        if row is None:
            self.session.add(MemberRow(mission_id=mission_id, user_id=user_id, role=role, added_at=now))
        else:
            row.role = role
        self.session.flush()

    def remove_member(self, mission_id: int, user_id: int) -> bool:
        row = self.session.get(MemberRow, (mission_id, user_id))
        if row is None:
            return False
        self.session.delete(row)
        self.session.flush()
        return True

    def role_of(self, mission_id: int, user_id: int) -> str | None:
        row = self.session.get(MemberRow, (mission_id, user_id))
        return None if row is None else row.role

    def members(self, mission_id: int) -> list[Member]:
        rows = self.session.execute(
            select(MemberRow.user_id, UserRow.email, MemberRow.role)
            .join(UserRow, UserRow.id == MemberRow.user_id)
            .where(MemberRow.mission_id == mission_id)
            .order_by(UserRow.email)
        )
        return [Member(user_id=u, email=e, role=r) for u, e, r in rows]  # type: ignore[arg-type]

    def missions_of(self, user_id: int) -> list[int]:
        """Ids of the missions the user is a member of, oldest first."""
        return list(
            self.session.scalars(
                select(MemberRow.mission_id)
                .where(MemberRow.user_id == user_id)
                .order_by(MemberRow.mission_id)
            )
        )

    def audit(self, mission_id: int, meeting_id: str | None = None) -> list[AuditEntry]:
        """The mission's audit trail (one meeting's when `meeting_id` is given), oldest first."""
        query = select(AuditRow).where(AuditRow.mission_id == mission_id)
        if meeting_id is not None:
            query = query.where(AuditRow.meeting_id == meeting_id)
        return [
            AuditEntry(
                at=r.at,
                actor=r.actor,
                mission_id=r.mission_id,
                meeting_id=r.meeting_id,
                action=r.action,
                entity=r.entity,
                key=r.key,
                detail=r.detail,
            )
            for r in self.session.scalars(query.order_by(AuditRow.id))
        ]

    def forget_audit(self, mission_id: int) -> None:
        self.session.execute(delete(AuditRow).where(AuditRow.mission_id == mission_id))


__all__ = ["AuditRow", "MemberRepository", "MemberRow"]
