"""Due work in the database: one row per reminder, follow-up, nudge, expiry or digest, and its claim.

The database is the durable truth of what is due; APScheduler only decides when to look. A
row is written with a `key` that is unique for ever (`reminder:b12:86400:ana@example.org`),
so writing the same work twice (two processes sweeping at once, a sweep after a booking hook)
stores it once, and work done is never redone.

Claiming: `claim(now, limit)` selects due rows in the caller's transaction, and the caller
finishes each one (`finish`) in the same transaction, along with the messages it queues in
the outbox. On PostgreSQL the select is `FOR UPDATE SKIP LOCKED`, so two processes claim
disjoint rows and never wait on each other; on SQLite the writing transaction already holds
the database write lock (`BEGIN IMMEDIATE`). Either way `finish` updates only a row still
`due` and raises `Conflict` otherwise, which rolls the whole batch back: a row is finished,
and its message queued, exactly once.

Also here: each mission's timing settings (`mission_timing`; no row means the defaults of
`core.timing.Timing`) and the action items recorded on meetings (`action_items`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from scheduler.core.actions import ACTION_KINDS
from scheduler.core.timing import ActionItem, DueItem, DueSpec, Recipient, Timing, parse_offsets
from scheduler.errors import Conflict, NotFound
from scheduler.store.tables import Base, BookingRow, MissionRow, ProposalRow
from scheduler.store.types import UTCDateTime


class DueRow(Base):
    """One piece of timed work. state: due → done | dropped | cancelled | failed."""

    __tablename__ = "due_work"
    __table_args__ = (
        Index("ix_due_work_state_due_at", "state", "due_at"),
        Index("ix_due_work_meeting", "mission_id", "meeting_id", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(400), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    mission_id: Mapped[int] = mapped_column(ForeignKey("missions.id", ondelete="CASCADE"))
    meeting_id: Mapped[str] = mapped_column(String(100), default="")
    booking_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    proposal_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    recipient: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    detail: Mapped[str] = mapped_column(String(100), default="")
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(20), default="due")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    outcome: Mapped[str] = mapped_column(Text, default="")


class TimingRow(Base):
    """A mission's timed-work settings; a mission without a row uses the defaults."""

    __tablename__ = "mission_timing"

    mission_id: Mapped[int] = mapped_column(ForeignKey("missions.id", ondelete="CASCADE"), primary_key=True)
    reminder_seconds: Mapped[list[int]] = mapped_column(JSON)
    nudge_after_seconds: Mapped[int] = mapped_column(Integer)
    follow_up_days: Mapped[int] = mapped_column(Integer)
    follow_up_hour: Mapped[int] = mapped_column(Integer)
    digest_hour: Mapped[int] = mapped_column(Integer)


class ActionItemRow(Base):
    """An action item recorded on a meeting."""

    __tablename__ = "action_items"
    __table_args__ = (
        ForeignKeyConstraint(
            ["mission_id", "meeting_id"], ["meetings.mission_id", "meetings.mid"], ondelete="CASCADE"
        ),
        Index("ix_action_items_meeting", "mission_id", "meeting_id"),
        Index("ix_action_items_state_due", "mission_id", "state", "due_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mission_id: Mapped[int] = mapped_column(Integer)
    meeting_id: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Migration 0006 (follow-through): the item gets a Japanese text, a due date on the
    # owner's calendar, a state with a note, whether the counterpart sees it, and a revision.
    text_ja: Mapped[str] = mapped_column(Text, default="")
    due_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    state: Mapped[str] = mapped_column(String(20), default="open")
    note: Mapped[str] = mapped_column(Text, default="")
    shared: Mapped[bool] = mapped_column(Boolean, default=True)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_by: Mapped[str] = mapped_column(String(300), default="")


def _recipient_json(r: Recipient | None) -> dict[str, Any] | None:
    if r is None:
        return None
    return {"name": r.name, "email": r.email, "language": r.language, "timezone": r.timezone, "kind": r.kind}


def _item(row: DueRow) -> DueItem:
    r = row.recipient
    return DueItem(
        id=row.id,
        key=row.key,
        kind=row.kind,  # type: ignore[arg-type]
        due_at=row.due_at,
        state=row.state,  # type: ignore[arg-type]
        mission_id=row.mission_id,
        meeting_id=row.meeting_id,
        booking_id=row.booking_id,
        proposal_id=row.proposal_id,
        recipient=Recipient(**r) if r else None,
        detail=row.detail,
        finished_at=row.finished_at,
        outcome=row.outcome,
    )


class SqlDueWork:
    """Due-work, timing and action-item methods over one session (`uow.due`)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # --- due work ----------------------------------------------------------------------------
    def add(self, specs: Sequence[DueSpec], *, now: datetime) -> int:
        """Store each spec whose key is new; the number stored. Safe against concurrent writers."""
        if not specs:
            return 0
        values = [
            {
                "key": s.key,
                "kind": s.kind,
                "mission_id": s.mission_id,
                "meeting_id": s.meeting_id,
                "booking_id": s.booking_id,
                "proposal_id": s.proposal_id,
                "recipient": _recipient_json(s.recipient),
                "detail": s.detail,
                "due_at": s.due_at,
                "state": "due",
                "created_at": now,
                "outcome": "",
            }
            for s in specs
        ]
        insert = pg_insert if self.session.get_bind().dialect.name == "postgresql" else sqlite_insert
        stored = 0
        for chunk in range(0, len(values), 500):
            stmt = (
                insert(DueRow)
                .values(values[chunk : chunk + 500])
                .on_conflict_do_nothing(index_elements=["key"])
                .returning(DueRow.id)  # rowcount is not reliable for multi-row inserts
            )
            stored += len(self.session.execute(stmt).all())
        return stored

    def claim(
        self,
        now: datetime,
        limit: int,
        *,
        kinds: Sequence[str] | None = None,
        skip_kinds: Sequence[str] = (),
        mission_id: int | None = None,
    ) -> list[DueItem]:
        """Up to `limit` rows due at `now`, earliest first, locked for this transaction (see the module)."""
        query = (
            select(DueRow)
            .where(DueRow.state == "due", DueRow.due_at <= now)
            .order_by(DueRow.due_at, DueRow.id)
            .limit(limit)
        )
        if kinds is not None:
            query = query.where(DueRow.kind.in_(list(kinds)))
        if skip_kinds:
            query = query.where(DueRow.kind.not_in(list(skip_kinds)))
        if mission_id is not None:
            query = query.where(DueRow.mission_id == mission_id)
        if self.session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        return [_item(r) for r in self.session.scalars(query)]

    def later_reminder(self, item: DueItem, now: datetime) -> DueItem | None:
        """The latest other reminder of `item`'s booking and recipient also due at `now`, if any.

        Read without locking: a later row that another process is sending right now still
        counts (it is `due` until that process commits, `done` after), so of several overdue
        reminders exactly the latest is sent whichever batch or process holds each one.
        """
        if item.booking_id is None or item.recipient is None:
            return None
        query = (
            select(DueRow)
            .where(
                DueRow.kind == "reminder",
                DueRow.booking_id == item.booking_id,
                DueRow.mission_id == item.mission_id,
                DueRow.id != item.id,
                DueRow.state.in_(("due", "done")),
                DueRow.due_at > item.due_at,
                DueRow.due_at <= now,
            )
            .order_by(DueRow.due_at.desc(), DueRow.id.desc())
        )
        email = item.recipient.email.lower()
        for row in self.session.scalars(query):
            if row.recipient and str(row.recipient.get("email", "")).lower() == email:
                return _item(row)
        return None

    def due_missions(self, now: datetime, kind: str) -> list[int]:
        """The missions with work of `kind` due at `now` (read without locking anything)."""
        query = (
            select(DueRow.mission_id)
            .where(DueRow.state == "due", DueRow.due_at <= now, DueRow.kind == kind)
            .distinct()
            .order_by(DueRow.mission_id)
        )
        return list(self.session.scalars(query))

    def finish(self, item_id: int, state: str, outcome: str, *, now: datetime) -> None:
        """Mark a claimed row done, dropped or cancelled; `Conflict` when it is no longer due."""
        result = self.session.execute(
            update(DueRow)
            .where(DueRow.id == item_id, DueRow.state == "due")
            .values(state=state, outcome=outcome[:2000], finished_at=now)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict(f"due work {item_id} was finished by someone else")

    def cancel(
        self,
        mission_id: int,
        meeting_id: str,
        *,
        kinds: Sequence[str],
        keep_booking: int | None,
        now: datetime,
        outcome: str,
    ) -> int:
        """Cancel the meeting's pending work of `kinds` except that of booking `keep_booking`."""
        query = update(DueRow).where(
            DueRow.mission_id == mission_id,
            DueRow.meeting_id == meeting_id,
            DueRow.state == "due",
            DueRow.kind.in_(list(kinds)),
        )
        if keep_booking is not None:
            query = query.where((DueRow.booking_id.is_(None)) | (DueRow.booking_id != keep_booking))
        result = self.session.execute(query.values(state="cancelled", outcome=outcome, finished_at=now))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def pending(
        self,
        *,
        mission_id: int | None = None,
        meeting_id: str | None = None,
        kind: str | None = None,
        limit: int = 100,
    ) -> list[DueItem]:
        """Work still due, earliest first."""
        query = select(DueRow).where(DueRow.state == "due").order_by(DueRow.due_at, DueRow.id).limit(limit)
        return [_item(r) for r in self.session.scalars(self._filter(query, mission_id, meeting_id, kind))]

    def finished(
        self,
        *,
        mission_id: int | None = None,
        meeting_id: str | None = None,
        kind: str | None = None,
        limit: int = 100,
    ) -> list[DueItem]:
        """Work done, dropped or cancelled, latest first."""
        query = (
            select(DueRow)
            .where(DueRow.state != "due")
            .order_by(DueRow.finished_at.desc(), DueRow.id.desc())
            .limit(limit)
        )
        return [_item(r) for r in self.session.scalars(self._filter(query, mission_id, meeting_id, kind))]

    @staticmethod
    def _filter(query: Any, mission_id: int | None, meeting_id: str | None, kind: str | None) -> Any:
        if mission_id is not None:
            query = query.where(DueRow.mission_id == mission_id)
        if meeting_id is not None:
            query = query.where(DueRow.meeting_id == meeting_id)
        if kind is not None:
            query = query.where(DueRow.kind == kind)
        return query

    def count(self, state: str) -> int:
        return int(
            self.session.scalar(select(func.count()).select_from(DueRow).where(DueRow.state == state)) or 0
        )

    # --- what changed (for the digest) -------------------------------------------------------
    def changes_since(
        self, mission_id: int, since: datetime
    ) -> list[tuple[datetime, str, str, datetime | None]]:
        """(when, what, meeting id, meeting start) of bookings and proposals that changed since `since`."""
        out: list[tuple[datetime, str, str, datetime | None]] = []
        for b in self.session.scalars(
            select(BookingRow).where(BookingRow.mission_id == mission_id, BookingRow.created_at > since)
        ):
            out.append((b.created_at, "booked", b.meeting_id, b.start))
        for b in self.session.scalars(
            select(BookingRow).where(
                BookingRow.mission_id == mission_id,
                BookingRow.ended_at.is_not(None),
                BookingRow.ended_at > since,
            )
        ):
            assert b.ended_at is not None
            out.append((b.ended_at, b.status, b.meeting_id, b.start))
        for p in self.session.scalars(
            select(ProposalRow).where(ProposalRow.mission_id == mission_id, ProposalRow.created_at > since)
        ):
            out.append((p.created_at, "proposed", p.meeting_id, None))
        for r in self.session.scalars(
            select(DueRow).where(
                DueRow.mission_id == mission_id,
                DueRow.kind == "expiry",
                DueRow.state == "done",
                DueRow.finished_at > since,
            )
        ):
            assert r.finished_at is not None
            out.append((r.finished_at, "proposal expired", r.meeting_id, None))
        return sorted(out, key=lambda t: (t[0], t[2]))

    def mission_ids(self) -> list[int]:
        return list(self.session.scalars(select(MissionRow.id).order_by(MissionRow.id)))

    # --- timing ------------------------------------------------------------------------------
    def timing(self, mission_id: int) -> Timing:
        """The mission's timing settings (the defaults when none were set)."""
        row = self.session.get(TimingRow, mission_id)
        if row is None:
            return Timing()
        return Timing(
            reminders=parse_offsets(row.reminder_seconds),
            nudge_after=timedelta(seconds=row.nudge_after_seconds),
            follow_up_days=row.follow_up_days,
            follow_up_hour=row.follow_up_hour,
            digest_hour=row.digest_hour,
        )

    def set_timing(self, mission_id: int, timing: Timing) -> None:
        row = self.session.get(TimingRow, mission_id)
        if row is None:
            row = TimingRow(mission_id=mission_id)
            self.session.add(row)
        row.reminder_seconds = [int(r.total_seconds()) for r in timing.reminders]
        row.nudge_after_seconds = int(timing.nudge_after.total_seconds())
        row.follow_up_days = timing.follow_up_days
        row.follow_up_hour = timing.follow_up_hour
        row.digest_hour = timing.digest_hour
        self.session.flush()

    # --- action items ------------------------------------------------------------------------
    def add_action_item(
        self,
        mission_id: int,
        meeting_id: str,
        text: str,
        owner: str,
        *,
        now: datetime,
        text_ja: str = "",
        due: date | None = None,
        shared: bool = True,
        by: str = "",
    ) -> ActionItem:
        row = ActionItemRow(
            mission_id=mission_id,
            meeting_id=meeting_id,
            text=text,
            owner=owner,
            created_at=now,
            text_ja=text_ja,
            due_date=due,
            state="open",
            note="",
            shared=shared,
            revision=0,
            updated_at=now,
            updated_by=by,
        )
        self.session.add(row)
        self.session.flush()
        return _action(row)

    def action_items(self, mission_id: int, meeting_id: str | None = None) -> list[ActionItem]:
        """The meeting's items (every item of the mission when `meeting_id` is None), oldest first."""
        query = select(ActionItemRow).where(ActionItemRow.mission_id == mission_id).order_by(ActionItemRow.id)
        if meeting_id is not None:
            query = query.where(ActionItemRow.meeting_id == meeting_id)
        return [_action(r) for r in self.session.scalars(query)]

    def action_item(self, item_id: int, *, lock: bool = False) -> ActionItem:
        """One item; `NotFound` when there is none. `lock`: held for this transaction (PostgreSQL)."""
        query = select(ActionItemRow).where(ActionItemRow.id == item_id)
        if lock and self.session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update()
        row = self.session.scalars(query).first()
        if row is None:
            raise NotFound(f"no action item {item_id}")
        return _action(row)

    def update_action_item(
        self, item_id: int, changes: dict[str, Any], *, now: datetime, by: str
    ) -> ActionItem:
        """Apply `changes` (ActionItem field names; `due` is the due date) and stamp who and when."""
        row = self.session.get(ActionItemRow, item_id)
        if row is None:
            raise NotFound(f"no action item {item_id}")
        for name, value in changes.items():
            setattr(row, "due_date" if name == "due" else name, value)
        row.updated_at, row.updated_by = now, by
        self.session.flush()
        return _action(row)

    def cancel_action_work(self, item_id: int, *, now: datetime, outcome: str) -> int:
        """Cancel the item's reminders still due (it was edited, done or dropped)."""
        prefixes = [DueRow.key.startswith(f"{k}:a{item_id}:", autoescape=True) for k in ACTION_KINDS]
        result = self.session.execute(
            update(DueRow)
            .where(DueRow.state == "due", or_(*prefixes))
            .values(state="cancelled", outcome=outcome, finished_at=now)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _action(row: ActionItemRow) -> ActionItem:
    return ActionItem(
        id=row.id,
        mission_id=row.mission_id,
        meeting_id=row.meeting_id,
        text=row.text,
        owner=row.owner,
        created_at=row.created_at,
        text_ja=row.text_ja or "",
        due=row.due_date,
        state=row.state,  # type: ignore[arg-type]
        note=row.note or "",
        shared=bool(row.shared),
        revision=row.revision or 0,
        updated_at=row.updated_at,
        updated_by=row.updated_by or "",
    )


__all__ = ["ActionItemRow", "DueRow", "SqlDueWork", "TimingRow"]
