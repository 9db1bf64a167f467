"""The unit of work on SQLAlchemy: the repository methods of `services.ports.UnitOfWork`.

One `SqlUnitOfWork` wraps one session (one transaction); `Store.unit_of_work()` opens, commits
and closes it. A UNIQUE constraint that refuses a row becomes `Conflict`; an unknown id
becomes `NotFound`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scheduler.core.bookings import Booking, Claim, MeetingState, MeetingStatus, Proposal, ProposalOption
from scheduler.core.models import Contact, MinuteRange, Mission
from scheduler.errors import Conflict, NotFound
from scheduler.store.attention import SqlAttention
from scheduler.store.busy_sources import SqlBusySources
from scheduler.store.convert import (
    child_rows,
    mission_rows,
    overrides_json,
    spans_json,
    spans_of,
    to_mission,
)
from scheduler.store.due import SqlDueWork
from scheduler.store.members import MemberRepository
from scheduler.store.outbox import SessionOutbox
from scheduler.store.tables import (
    BookingAttendeeRow,
    BookingRow,
    BusyRow,
    ClaimRow,
    ContactRow,
    MeetingRow,
    MissionRow,
    ParticipantRow,
    ProposalOptionRow,
    ProposalRow,
    ResourceRow,
)
from scheduler.store.webhooks import SqlWebhooks

OptionSpec = tuple[datetime, datetime, str]


class SqlUnitOfWork(MemberRepository):
    """Repository methods over one session; see `scheduler.services.ports.UnitOfWork`."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._outbox = SessionOutbox(session)

    @property
    def outbox(self) -> SessionOutbox:
        return self._outbox

    @property
    def webhooks(self) -> SqlWebhooks:
        """Webhook endpoints, and events recorded with the change (issue 16), in this transaction."""
        return SqlWebhooks(self.session)

    @property
    def attention(self) -> SqlAttention:
        """The coordinator's attention queue and the negotiation policy in this transaction."""
        return SqlAttention(self.session)

    def add_options(self, proposal_id: int, options: Sequence[OptionSpec], *, status: str = "open") -> None:
        """Append options to a proposal (after its last position): the same link shows them."""
        last = self.session.scalar(
            select(func.max(ProposalOptionRow.position)).where(ProposalOptionRow.proposal_id == proposal_id)
        )
        start = -1 if last is None else last
        self.session.add_all(
            ProposalOptionRow(
                proposal_id=proposal_id, position=start + 1 + i, start=s, end=e, kind=k, status=status
            )
            for i, (s, e, k) in enumerate(options)
        )
        self.session.flush()

    @property
    def busy_sources(self) -> SqlBusySources:
        """Busy sources' last good copies and read status, in this transaction (issue 14)."""
        return SqlBusySources(self.session)

    @property
    def due(self) -> SqlDueWork:
        """Timed work (reminders, follow-ups, …), timing settings and action items in this transaction."""
        return SqlDueWork(self.session)

    # --- missions ----------------------------------------------------------------------------
    def add_mission(self, mission: Mission, *, source: str, now: datetime, cell: timedelta) -> int:
        (row,) = mission_rows(mission, source=source, now=now, cell=cell)
        self.session.add(row)
        self.session.flush()
        mission_id: int = row.id
        # Flushed in dependency order: the composite foreign keys carry no ORM relationships.
        for group in child_rows(mission_id, mission):
            self.session.add_all(group)
            self.session.flush()
        return mission_id

    def mission_ids(self) -> list[int]:
        return list(self.session.scalars(select(MissionRow.id).order_by(MissionRow.id)))

    def _mission_row(self, mission_id: int, *, lock: bool = False) -> MissionRow:
        query = select(MissionRow).where(MissionRow.id == mission_id)
        if lock:
            query = query.with_for_update()
        row = self.session.scalars(query).first()
        if row is None:
            raise NotFound(f"no mission with id {mission_id}")
        return row

    def lock_mission(self, mission_id: int) -> None:
        # PostgreSQL: SELECT … FOR UPDATE; SQLite already holds the write lock (BEGIN IMMEDIATE).
        self._mission_row(mission_id, lock=True)
        # Rows read before the lock may have changed since (READ COMMITTED): read them again.
        self.session.expire_all()

    def mission(self, mission_id: int) -> Mission:
        row = self._mission_row(mission_id)

        def rows(table: Any) -> list[Any]:
            return list(self.session.scalars(select(table).where(table.mission_id == mission_id)))

        booked = {
            b.meeting_id: b.start
            for b in self.session.scalars(
                select(BookingRow).where(BookingRow.mission_id == mission_id, BookingRow.status == "active")
            )
        }
        return to_mission(
            row,
            rows(ResourceRow),
            rows(ParticipantRow),
            rows(ContactRow),
            rows(BusyRow),
            rows(MeetingRow),
            booked,
        )

    def mission_source(self, mission_id: int) -> str:
        return self._mission_row(mission_id).source

    def set_overrides(
        self, mission_id: int, participant_id: str, overrides: Mapping[date, tuple[MinuteRange, ...]]
    ) -> None:
        row = self.session.get(ParticipantRow, (mission_id, participant_id))
        if row is None:
            raise NotFound(f"no participant {participant_id!r} in mission {mission_id}")
        row.overrides = overrides_json(overrides)
        self.session.flush()

    # --- meetings ----------------------------------------------------------------------------
    def _meeting_row(self, mission_id: int, meeting_id: str) -> MeetingRow:
        row = self.session.get(MeetingRow, (mission_id, meeting_id))
        if row is None:
            raise NotFound(f"no meeting {meeting_id!r} in mission {mission_id}")
        return row

    def meeting_statuses(self, mission_id: int) -> dict[str, MeetingStatus]:
        bookings = {
            b.meeting_id: b
            for b in self.session.scalars(
                select(BookingRow).where(BookingRow.mission_id == mission_id, BookingRow.status == "active")
            )
        }
        out: dict[str, MeetingStatus] = {}
        for m in self.session.scalars(
            select(MeetingRow).where(MeetingRow.mission_id == mission_id).order_by(MeetingRow.position)
        ):
            b = bookings.get(m.mid)
            out[m.mid] = MeetingStatus(
                meeting_id=m.mid,
                state=m.state,  # type: ignore[arg-type]
                sequence=m.sequence,
                planned_start=m.planned_start,
                booking=self._booking(b) if b is not None else None,
            )
        return out

    def set_meeting_state(
        self, mission_id: int, meeting_id: str, state: MeetingState, *, sequence: int | None = None
    ) -> None:
        row = self._meeting_row(mission_id, meeting_id)
        row.state = state
        if sequence is not None:
            row.sequence = sequence
        self.session.flush()

    def set_planned_starts(self, mission_id: int, starts: Mapping[str, datetime | None]) -> None:
        for mid, start in starts.items():
            self._meeting_row(mission_id, mid).planned_start = start
        self.session.flush()

    # --- bookings and claims -----------------------------------------------------------------
    def _booking(self, row: BookingRow) -> Booking:
        attendees = self.session.scalars(
            select(BookingAttendeeRow)
            .where(BookingAttendeeRow.booking_id == row.id)
            .order_by(BookingAttendeeRow.position)
        )
        return Booking(
            id=row.id,
            mission_id=row.mission_id,
            meeting_id=row.meeting_id,
            start=row.start,
            end=row.end,
            sequence=row.sequence,
            status=row.status,  # type: ignore[arg-type]
            option_id=row.option_id,
            attendees=tuple(Contact(name=a.name, email=a.email, language=a.language) for a in attendees),
        )

    def add_booking(
        self,
        mission_id: int,
        meeting_id: str,
        *,
        start: datetime,
        end: datetime,
        sequence: int,
        now: datetime,
        claims: Sequence[Claim],
        option_id: int | None = None,
        attendees: Sequence[Contact] = (),
    ) -> Booking:
        row = BookingRow(
            mission_id=mission_id,
            meeting_id=meeting_id,
            start=start,
            end=end,
            sequence=sequence,
            status="active",
            option_id=option_id,
            created_at=now,
        )
        try:
            # A savepoint, so a refused claim leaves the outer transaction usable on PostgreSQL.
            with self.session.begin_nested():
                self.session.add(row)
                self.session.flush()
                self.session.add_all(
                    BookingAttendeeRow(
                        booking_id=row.id, position=i, name=a.name, email=a.email, language=a.language
                    )
                    for i, a in enumerate(attendees)
                )
                self._insert_claims(mission_id, row.id, claims)
        except IntegrityError as exc:
            raise Conflict(
                f"{meeting_id} at {start.isoformat()} collides with a booking made meanwhile"
            ) from exc
        return self._booking(row)

    def _insert_claims(self, mission_id: int, booking_id: int, claims: Sequence[Claim]) -> None:
        rows: list[ClaimRow] = []
        for c in claims:
            unit = 0
            if c.units > 1:
                unit = self._free_unit(mission_id, c)
            elif c.units < 1:
                raise Conflict(f"{c.kind} {c.subject} has no capacity")
            rows.append(
                ClaimRow(
                    mission_id=mission_id,
                    booking_id=booking_id,
                    kind=c.kind,
                    subject=c.subject,
                    unit=unit,
                    cell=c.cell,
                )
            )
        self.session.add_all(rows)
        self.session.flush()

    def _free_unit(self, mission_id: int, c: Claim) -> int:
        used = set(
            self.session.scalars(
                select(ClaimRow.unit).where(
                    ClaimRow.mission_id == mission_id,
                    ClaimRow.kind == c.kind,
                    ClaimRow.subject == c.subject,
                    ClaimRow.cell == c.cell,
                )
            )
        )
        for unit in range(c.units):
            if unit not in used:
                return unit
        what = "meetings that day" if c.kind == "day" else "units in use"
        raise Conflict(f"{c.kind} {c.subject}: all {c.units} {what}")

    def end_booking(self, booking_id: int, *, status: str, now: datetime) -> None:
        row = self.session.get(BookingRow, booking_id)
        if row is None:
            raise NotFound(f"no booking {booking_id}")
        row.status, row.ended_at = status, now
        self.session.execute(delete(ClaimRow).where(ClaimRow.booking_id == booking_id))
        self.session.flush()

    def claim_cell(self, mission_id: int) -> timedelta:
        return timedelta(seconds=self._mission_row(mission_id).claim_cell_seconds)

    def rebuild_claims(self, mission_id: int, cell: timedelta, claims: Mapping[int, Sequence[Claim]]) -> None:
        """Replace every claim of the mission (after its cell length changed)."""
        self.session.execute(delete(ClaimRow).where(ClaimRow.mission_id == mission_id))
        self._mission_row(mission_id).claim_cell_seconds = int(cell.total_seconds())
        for booking_id, rows in claims.items():
            self._insert_claims(mission_id, booking_id, rows)

    def claim_count(self, mission_id: int) -> int:
        return int(
            self.session.scalar(
                select(func.count()).select_from(ClaimRow).where(ClaimRow.mission_id == mission_id)
            )
            or 0
        )

    # --- proposals ---------------------------------------------------------------------------
    def _proposal(self, row: ProposalRow) -> Proposal:
        options = self.session.scalars(
            select(ProposalOptionRow)
            .where(ProposalOptionRow.proposal_id == row.id)
            .order_by(ProposalOptionRow.position)
        )
        return Proposal(
            id=row.id,
            mission_id=row.mission_id,
            meeting_id=row.meeting_id,
            status=row.status,  # type: ignore[arg-type]
            created_at=row.created_at,
            expires_at=row.expires_at,
            needs_attention=row.needs_attention,
            note=row.note,
            available=spans_of(row.available),
            available_for=row.available_for or "",
            options=tuple(
                ProposalOption(
                    id=o.id,
                    position=o.position,
                    start=o.start,
                    end=o.end,
                    kind=o.kind,  # type: ignore[arg-type]
                    status=o.status,  # type: ignore[arg-type]
                )
                for o in options
            ),
        )

    def add_proposal(
        self,
        mission_id: int,
        meeting_id: str,
        *,
        token_hash: str,
        now: datetime,
        expires_at: datetime,
        options: Sequence[OptionSpec],
    ) -> Proposal:
        self._meeting_row(mission_id, meeting_id)
        row = ProposalRow(
            mission_id=mission_id,
            meeting_id=meeting_id,
            token_hash=token_hash,
            status="open",
            created_at=now,
            expires_at=expires_at,
            needs_attention=False,
            note="",
            available=[],
            available_for="",
        )
        self.session.add(row)
        self.session.flush()
        self.session.add_all(
            ProposalOptionRow(proposal_id=row.id, position=i, start=s, end=e, kind=k, status="open")
            for i, (s, e, k) in enumerate(options)
        )
        self.session.flush()
        return self._proposal(row)

    def proposal(self, proposal_id: int) -> Proposal:
        row = self.session.get(ProposalRow, proposal_id)
        if row is None:
            raise NotFound(f"no proposal {proposal_id}")
        return self._proposal(row)

    def proposal_by_token_hash(self, token_hash: str) -> Proposal | None:
        row = self.session.scalars(select(ProposalRow).where(ProposalRow.token_hash == token_hash)).first()
        return None if row is None else self._proposal(row)

    def proposals(
        self, mission_id: int, *, status: str | None = None, meeting_id: str | None = None
    ) -> list[Proposal]:
        query = select(ProposalRow).where(ProposalRow.mission_id == mission_id).order_by(ProposalRow.id)
        if status is not None:
            query = query.where(ProposalRow.status == status)
        if meeting_id is not None:
            query = query.where(ProposalRow.meeting_id == meeting_id)
        return [self._proposal(r) for r in self.session.scalars(query)]

    def update_proposal(
        self,
        proposal_id: int,
        *,
        status: str | None = None,
        needs_attention: bool | None = None,
        note: str | None = None,
        available: Sequence[tuple[datetime, datetime]] | None = None,
        available_for: str | None = None,
    ) -> None:
        row = self.session.get(ProposalRow, proposal_id)
        if row is None:
            raise NotFound(f"no proposal {proposal_id}")
        if status is not None:
            row.status = status
        if needs_attention is not None:
            row.needs_attention = needs_attention
        if note is not None:
            row.note = note
        if available is not None:
            row.available = spans_json(available)
        if available_for is not None:
            row.available_for = available_for
        self.session.flush()

    def set_option_status(self, option_ids: Sequence[int], status: str) -> None:
        if option_ids:
            self.session.execute(
                update(ProposalOptionRow)
                .where(ProposalOptionRow.id.in_(list(option_ids)))
                .values(status=status)
            )
            self.session.flush()
