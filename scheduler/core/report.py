"""The mission report for council, as data: every meeting with its state, its time in each of
the mission's zones, who attended on each side, purpose and outcome; the action items by
state; the organisations met. Pure; `scheduler.report` renders it (HTML/PDF, CSV, XLSX).

A meeting's report state: `held` (booked and over at `now`), `booked` (booked, still to
come), `proposed` (times offered, none taken), `cancelled`, or `not placed` (anything else:
not planned, planned but never offered, declined).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from scheduler.core.actions import open_first, owner_of
from scheduler.core.bookings import MeetingStatus
from scheduler.core.models import Mission
from scheduler.core.timing import ITEM_STATES, ActionItem, ItemState
from scheduler.core.zones import to_local

ReportState = Literal["held", "booked", "proposed", "not placed", "cancelled"]
REPORT_STATES: tuple[ReportState, ...] = ("held", "booked", "proposed", "not placed", "cancelled")


@dataclass(frozen=True, kw_only=True)
class Attendee:
    name: str
    role: str = ""  # a delegate's role, a contact's job title (often in Japanese)
    organisation: str = ""


@dataclass(frozen=True, kw_only=True)
class ReportItem:
    item: ActionItem
    meeting_title: str
    owner_name: str  # "" when nobody owns it yet


@dataclass(frozen=True, kw_only=True)
class ReportMeeting:
    id: str
    title: str
    state: ReportState
    start: datetime | None  # UTC; None unless booked or held
    end: datetime | None
    local: tuple[tuple[str, datetime, datetime], ...]  # (zone, local start, local end) per report zone
    delegates: tuple[Attendee, ...]
    counterparts: tuple[Attendee, ...]
    organisations: tuple[str, ...]
    purpose: str
    outcome: str
    items: tuple[ReportItem, ...]


@dataclass(frozen=True, kw_only=True)
class Organisation:
    id: str
    name: str
    timezone: str
    meetings: tuple[str, ...]  # titles of the meetings held or booked with it


@dataclass(frozen=True, kw_only=True)
class Report:
    mission: str
    timezone: str
    start: date
    end: date
    made_at: datetime
    zones: tuple[str, ...]  # the mission's zone first, then every other zone of its people
    meetings: tuple[ReportMeeting, ...]
    items: Mapping[ItemState, tuple[ReportItem, ...]]
    organisations: tuple[Organisation, ...]

    def count(self, state: ReportState) -> int:
        return sum(1 for m in self.meetings if m.state == state)


def report_state(status: MeetingStatus | None, now: datetime) -> ReportState:
    """Where a meeting stands for the report (see the module)."""
    if status is None:
        return "not placed"
    if status.booking is not None:
        return "held" if status.booking.end <= now else "booked"
    if status.state == "proposed":
        return "proposed"
    if status.state == "cancelled":
        return "cancelled"
    return "not placed"


def _outcome(notes: str, items: Sequence[ActionItem]) -> str:
    counts = [f"{sum(1 for a in items if a.state == s)} {s}" for s in ITEM_STATES]
    tally = f"Action items: {', '.join(counts)}." if items else ""
    return " ".join(x for x in (notes.strip(), tally) if x)


def build_report(
    mission: Mission,
    statuses: Mapping[str, MeetingStatus],
    items: Sequence[ActionItem],
    now: datetime,
) -> Report:
    """The report of `mission` as it stands at `now`: meetings in time order, unplaced ones last."""
    zones = (mission.timezone, *sorted({p.timezone for p in mission.participants} - {mission.timezone}))
    titles = {m.id: m.title for m in mission.meetings}

    def report_item(a: ActionItem) -> ReportItem:
        owner = owner_of(mission, a.owner)
        return ReportItem(
            item=a,
            meeting_title=titles.get(a.meeting_id, a.meeting_id),
            owner_name=owner.recipient.name if owner else "",
        )

    by_meeting: dict[str, list[ActionItem]] = {}
    for a in items:
        by_meeting.setdefault(a.meeting_id, []).append(a)
    meetings: list[ReportMeeting] = []
    met: dict[str, list[str]] = {}
    for m in mission.meetings:
        status = statuses.get(m.id)
        state = report_state(status, now)
        booking = status.booking if status else None
        start, end = (booking.start, booking.end) if booking else (None, None)
        local = tuple((z, to_local(start, z), to_local(end, z)) for z in zones) if start and end else ()
        counterparts = [
            Attendee(name=c.name, role=c.title, organisation=mission.participant(pid).name)
            for pid in m.counterparts
            for c in mission.participant(pid).contacts
        ]
        if booking is not None:
            known = {a.name for a in counterparts}
            counterparts += [
                Attendee(name=g.name, role=g.title) for g in booking.attendees if g.name not in known
            ]
        if state in ("held", "booked"):
            for pid in m.counterparts:
                met.setdefault(pid, []).append(m.title)
        mine = open_first(by_meeting.get(m.id, []))
        meetings.append(
            ReportMeeting(
                id=m.id,
                title=m.title,
                state=state,
                start=start,
                end=end,
                local=local,
                delegates=tuple(
                    Attendee(name=p.name, role=p.role, organisation=mission.name)
                    for p in (mission.participant(d) for d in (*m.delegates, *m.optional))
                    if p.kind == "delegate"
                ),
                counterparts=tuple(counterparts),
                organisations=tuple(mission.participant(pid).name for pid in m.counterparts),
                purpose=m.purpose,
                outcome=_outcome(m.notes, mine),
                items=tuple(report_item(a) for a in mine),
            )
        )
    far = datetime.max.replace(tzinfo=now.tzinfo)
    meetings.sort(key=lambda r: (r.start or far, REPORT_STATES.index(r.state), r.title))
    organisations = tuple(
        Organisation(id=p.id, name=p.name, timezone=p.timezone, meetings=tuple(met[p.id]))
        for p in mission.counterparts
        if p.id in met
    )
    return Report(
        mission=mission.name,
        timezone=mission.timezone,
        start=mission.start,
        end=mission.end,
        made_at=now,
        zones=zones,
        meetings=tuple(meetings),
        items={s: tuple(report_item(a) for a in open_first(items) if a.state == s) for s in ITEM_STATES},
        organisations=organisations,
    )


__all__ = [
    "REPORT_STATES",
    "Attendee",
    "Organisation",
    "Report",
    "ReportItem",
    "ReportMeeting",
    "ReportState",
    "build_report",
    "report_state",
]
