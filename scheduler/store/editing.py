"""The web service's unit of work: the store's repository plus accounts and definition edits.

`AppUnitOfWork` adds to `SqlUnitOfWork` what the coordinator API needs and the use cases of
`scheduler.services` do not: replacing a mission's definition (people, meetings, resources)
while keeping every meeting's state, bookings and proposals, deleting a mission, and the
account tables. `app_units(store)` is the `Services.uow` factory that hands it out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.core.bookings import rule_problems
from scheduler.core.models import Mission
from scheduler.errors import Conflict
from scheduler.ports import Clock
from scheduler.store.accounts import AccountRepository
from scheduler.store.audit import record_changes
from scheduler.store.convert import contact_rows, meeting_row, participant_row
from scheduler.store.engine import Store
from scheduler.store.repository import SqlUnitOfWork
from scheduler.store.tables import BookingRow, ContactRow, MeetingRow, MissionRow, ParticipantRow, ResourceRow

# Columns that describe a meeting or a participant; state, sequence and planned start are kept.
_MEETING_FIELDS = (
    "position", "title", "delegates", "counterparts", "optional", "duration_seconds", "priority", "after",
    "resources", "not_before", "not_after", "purpose", "agenda", "notes", "video_url",
)  # fmt: skip
# What a booking holds (its claims, its end, who was invited): fixed while the meeting is booked.
_BOOKED_FIELDS = ("delegates", "counterparts", "optional", "duration_seconds", "resources")
_BOOKED_FIELD_NAMES = {"duration_seconds": "duration"}
_PARTICIPANT_FIELDS = (
    "position", "kind", "name", "timezone", "language", "email", "role", "holidays", "hours", "preferred",
    "overrides", "busy_sources", "max_per_day",
)  # fmt: skip


def _upsert(
    s: Session, new: ParticipantRow | MeetingRow, key: tuple[int, str], fields: tuple[str, ...]
) -> None:
    """Add `new`, or copy its `fields` onto the stored row with that key (its other columns are kept)."""
    old = s.get(type(new), key)
    if old is None:
        s.add(new)
    else:
        for f in fields:
            setattr(old, f, getattr(new, f))


class AppUnitOfWork(SqlUnitOfWork, AccountRepository):
    """One transaction with the repository, the account methods and the definition edits."""

    def replace_definition(self, mission_id: int, mission: Mission) -> None:
        """Make the stored definition equal `mission` (already validated); busy time is kept.

        Meetings keep their state, sequence, planned start, bookings and proposals; a meeting
        that is booked cannot be removed (`Conflict`: cancel it first).
        """
        row = self._mission_row(mission_id)
        row.name, row.timezone, row.start, row.end = (
            mission.name,
            mission.timezone,
            mission.start,
            mission.end,
        )
        row.step_seconds = int(mission.step.total_seconds())
        row.buffer_seconds = int(mission.buffer.total_seconds())
        o = mission.organizer
        row.organizer = {"name": o.name, "email": o.email, "language": o.language, "title": o.title}
        row.video_url = mission.video_url
        s = self.session
        wanted_meetings = {m.id for m in mission.meetings}
        booked = set(
            s.scalars(
                select(BookingRow.meeting_id).where(
                    BookingRow.mission_id == mission_id, BookingRow.status == "active"
                )
            )
        )
        gone = sorted(booked - wanted_meetings)
        if gone:
            raise Conflict(f"meeting {', '.join(gone)} is booked: cancel it before removing it")
        self._refuse_booked_changes(mission_id, mission, booked)
        # Row by row (not one DELETE statement), so that the audit trail sees each removal.
        for gone_row in s.scalars(
            select(MeetingRow).where(
                MeetingRow.mission_id == mission_id, MeetingRow.mid.not_in(wanted_meetings)
            )
        ):
            s.delete(gone_row)
        wanted_people = {p.id for p in mission.participants}
        for gone_person in s.scalars(
            select(ParticipantRow).where(
                ParticipantRow.mission_id == mission_id, ParticipantRow.pid.not_in(wanted_people)
            )
        ):
            s.delete(gone_person)
        s.execute(delete(ResourceRow).where(ResourceRow.mission_id == mission_id))
        s.execute(delete(ContactRow).where(ContactRow.mission_id == mission_id))
        s.flush()
        s.add_all(
            ResourceRow(mission_id=mission_id, name=n, capacity=c, position=i)
            for i, (n, c) in enumerate(mission.resources.items())
        )
        for i, p in enumerate(mission.participants):
            _upsert(s, participant_row(mission_id, p, i), (mission_id, p.id), _PARTICIPANT_FIELDS)
        s.flush()
        for p in mission.participants:
            s.add_all(contact_rows(mission_id, p))
        for i, m in enumerate(mission.meetings):
            _upsert(s, meeting_row(mission_id, m, i), (mission_id, m.id), _MEETING_FIELDS)
        s.flush()
        # Booked meetings must still keep the rules the edit can break (a resource's capacity,
        # `max_per_day`, `after`): the whole edit is refused otherwise.
        stored = self.mission(mission_id)
        for mid in sorted(booked):
            start = stored.meeting(mid).fixed_start
            problems = rule_problems(stored, mid, start) if start is not None else []
            if problems:
                raise Conflict(f"booked meeting {mid} would break a rule: {'; '.join(problems)}")

    def _refuse_booked_changes(self, mission_id: int, mission: Mission, booked: set[str]) -> None:
        """`Conflict` when an edit would change what a booked meeting holds.

        A booking's claims (the rows the database guards), its end and the invitations sent
        follow from the meeting's duration, people and resources: changing those in place
        would leave claims and invitations that no longer match. Move or cancel it instead.
        """
        for m in mission.meetings:
            if m.id not in booked:
                continue
            old = self.session.get(MeetingRow, (mission_id, m.id))
            if old is None:
                continue
            new = meeting_row(mission_id, m, 0)
            changed = [f for f in _BOOKED_FIELDS if getattr(old, f) != getattr(new, f)]
            if changed:
                names = ", ".join(_BOOKED_FIELD_NAMES.get(f, f) for f in changed)
                raise Conflict(
                    f"meeting {m.id} is booked: its {names} cannot change; "
                    "cancel it (or reschedule it) and book it again"
                )

    def delete_mission(self, mission_id: int) -> None:
        """Delete the mission and everything of it (the foreign keys cascade)."""
        row = self._mission_row(mission_id)
        self.session.delete(row)
        self.session.flush()

    def mission_names(self) -> list[tuple[int, str]]:
        return [(r.id, r.name) for r in self.session.scalars(select(MissionRow).order_by(MissionRow.id))]


def app_units(
    store: Store, clock: Clock | None = None
) -> Callable[..., AbstractContextManager[AppUnitOfWork]]:
    """The `Services.uow` factory over `store`: each call is one transaction (commit or roll back).

    `unit(actor=...)` names who the audit trail records for the changes (`store.audit`), at the
    time `clock` tells.
    """
    write = sessionmaker(
        bind=store.engine.execution_options(sqlite_begin="IMMEDIATE"), expire_on_commit=False
    )
    record_changes(write)

    @contextmanager
    def unit(actor: str = "") -> Iterator[AppUnitOfWork]:
        session: Session = write()
        session.info["actor"] = actor
        if clock is not None:
            session.info["clock"] = clock.now
        try:
            yield AppUnitOfWork(session)
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    return unit


__all__ = ["AppUnitOfWork", "app_units"]
