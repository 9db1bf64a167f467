"""Core models ↔ rows. The only place that knows how a `Mission` is spread over tables."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from scheduler.core.intervals import Interval, IntervalSet
from scheduler.core.models import Contact, Meeting, MinuteRange, Mission, Participant, WeeklyHours
from scheduler.store.tables import (
    BusyRow,
    ContactRow,
    MeetingRow,
    MissionRow,
    ParticipantRow,
    ResourceRow,
)


def _contact(c: Contact) -> dict[str, str]:
    return {"name": c.name, "email": c.email, "language": c.language, "title": c.title}


def _weekly(hours: WeeklyHours) -> list[list[list[int]]]:
    return [[[a, b] for a, b in day] for day in hours.days]


def _ranges(raw: Iterable[Sequence[int]]) -> tuple[MinuteRange, ...]:
    return tuple((int(a), int(b)) for a, b in raw)


def mission_rows(mission: Mission, *, source: str, now: datetime, cell: timedelta) -> list[Any]:
    """Every row for a new mission; the `MissionRow` first (its id is filled in on flush)."""
    row = MissionRow(
        name=mission.name,
        timezone=mission.timezone,
        start=mission.start,
        end=mission.end,
        step_seconds=int(mission.step.total_seconds()),
        buffer_seconds=int(mission.buffer.total_seconds()),
        organizer=_contact(mission.organizer),
        video_url=mission.video_url,
        source=source,
        claim_cell_seconds=int(cell.total_seconds()),
        created_at=now,
    )
    return [row]


def child_rows(mission_id: int, mission: Mission) -> list[list[Any]]:
    """Resources, participants (with contacts and busy time) and meetings of a stored mission,
    in groups to insert one after the other (a later group refers to an earlier one)."""
    first: list[Any] = [
        ResourceRow(mission_id=mission_id, name=name, capacity=cap, position=i)
        for i, (name, cap) in enumerate(mission.resources.items())
    ]
    first += [participant_row(mission_id, p, i) for i, p in enumerate(mission.participants)]
    second: list[Any] = [meeting_row(mission_id, m, i) for i, m in enumerate(mission.meetings)]
    for p in mission.participants:
        second.extend(contact_rows(mission_id, p))
        second.extend(BusyRow(mission_id=mission_id, participant_id=p.id, start=s, end=e) for s, e in p.busy)
    return [first, second]


def participant_row(mission_id: int, p: Participant, position: int) -> ParticipantRow:
    return ParticipantRow(
        mission_id=mission_id,
        pid=p.id,
        position=position,
        kind=p.kind,
        name=p.name,
        timezone=p.timezone,
        language=p.language,
        email=p.email,
        role=p.role,
        holidays=p.holidays,
        hours=_weekly(p.hours),
        preferred=_weekly(p.preferred),
        overrides=overrides_json(p.overrides),
        busy_sources=list(p.busy_sources),
        max_per_day=p.max_per_day,
    )


def overrides_json(overrides: Mapping[date, tuple[MinuteRange, ...]]) -> dict[str, list[list[int]]]:
    return {d.isoformat(): [[a, b] for a, b in r] for d, r in sorted(overrides.items())}


def contact_rows(mission_id: int, p: Participant) -> list[ContactRow]:
    return [
        ContactRow(
            mission_id=mission_id,
            participant_id=p.id,
            position=i,
            name=c.name,
            email=c.email,
            language=c.language,
            title=c.title,
        )
        for i, c in enumerate(p.contacts)
    ]


def meeting_row(mission_id: int, m: Meeting, position: int) -> MeetingRow:
    return MeetingRow(
        mission_id=mission_id,
        mid=m.id,
        position=position,
        title=m.title,
        delegates=list(m.delegates),
        counterparts=list(m.counterparts),
        optional=list(m.optional),
        duration_seconds=int(m.duration.total_seconds()),
        priority=m.priority,
        after=list(m.after),
        resources=list(m.resources),
        not_before=m.not_before,
        not_after=m.not_after,
        purpose=m.purpose,
        agenda=list(m.agenda),
        notes=m.notes,
        video_url=m.video_url,
        state="unplanned",
        sequence=0,
    )


def contact_of(raw: Mapping[str, str]) -> Contact:
    return Contact(
        name=raw["name"], email=raw["email"], language=raw.get("language", "en"), title=raw.get("title", "")
    )


def to_mission(
    row: MissionRow,
    resources: Sequence[ResourceRow],
    participants: Sequence[ParticipantRow],
    contacts: Sequence[ContactRow],
    busy: Sequence[BusyRow],
    meetings: Sequence[MeetingRow],
    booked: Mapping[str, datetime],
) -> Mission:
    """The core `Mission`, each meeting's `fixed_start` its active booking's start when it has one."""
    contacts_of: dict[str, list[ContactRow]] = {}
    for c in sorted(contacts, key=lambda c: c.position):
        contacts_of.setdefault(c.participant_id, []).append(c)
    busy_of: dict[str, list[Interval]] = {}
    for b in busy:
        busy_of.setdefault(b.participant_id, []).append(Interval(b.start, b.end))
    people = [_participant(p, contacts_of.get(p.pid, []), busy_of.get(p.pid, [])) for p in participants]
    people.sort(key=lambda p: p[0])
    return Mission(
        name=row.name,
        timezone=row.timezone,
        start=row.start,
        end=row.end,
        step=timedelta(seconds=row.step_seconds),
        buffer=timedelta(seconds=row.buffer_seconds),
        organizer=contact_of(row.organizer),
        resources={r.name: r.capacity for r in sorted(resources, key=lambda r: r.position)},
        delegates=tuple(p for _, p in people if p.kind == "delegate"),
        counterparts=tuple(p for _, p in people if p.kind == "counterpart"),
        meetings=tuple(_meeting(m, booked.get(m.mid)) for m in sorted(meetings, key=lambda m: m.position)),
        video_url=row.video_url,
    )


def _participant(
    row: ParticipantRow, contacts: Sequence[ContactRow], busy: Sequence[Interval]
) -> tuple[int, Participant]:
    return row.position, Participant(
        id=row.pid,
        name=row.name,
        kind=row.kind,  # type: ignore[arg-type]
        timezone=row.timezone,
        language=row.language,
        email=row.email,
        role=row.role,
        holidays=row.holidays,
        hours=WeeklyHours(days=tuple(_ranges(d) for d in row.hours)),
        preferred=WeeklyHours(days=tuple(_ranges(d) for d in row.preferred)),
        overrides={date.fromisoformat(k): _ranges(v) for k, v in row.overrides.items()},
        busy=IntervalSet(busy),
        busy_sources=tuple(row.busy_sources),
        max_per_day=row.max_per_day,
        contacts=tuple(
            Contact(name=c.name, email=c.email, language=c.language, title=c.title) for c in contacts
        ),
    )


def _meeting(row: MeetingRow, booked: datetime | None) -> Meeting:
    return Meeting(
        id=row.mid,
        title=row.title,
        delegates=tuple(row.delegates),
        counterparts=tuple(row.counterparts),
        optional=tuple(row.optional),
        duration=timedelta(seconds=row.duration_seconds),
        priority=row.priority,
        after=tuple(row.after),
        resources=tuple(row.resources),
        not_before=row.not_before,
        not_after=row.not_after,
        fixed_start=booked,
        purpose=row.purpose,
        agenda=tuple(row.agenda),
        notes=row.notes,
        video_url=row.video_url,
    )


def spans_json(spans: Iterable[tuple[datetime, datetime]]) -> list[list[str]]:
    return [[s.astimezone(UTC).isoformat(), e.astimezone(UTC).isoformat()] for s, e in spans]


def spans_of(raw: Iterable[Sequence[str]]) -> tuple[tuple[datetime, datetime], ...]:
    return tuple((datetime.fromisoformat(s), datetime.fromisoformat(e)) for s, e in raw)
