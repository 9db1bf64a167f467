"""Bookings, proposals and claims as values, and the rules a booking must keep when it commits.

A booking is a meeting held at one time. The store keeps every active booking's *claims*:
rows that a UNIQUE constraint forbids twice, so the database itself refuses a double booking
even if two transactions never saw each other's work:

* ``person``: one row per required participant and time *cell* of ``[start, end + buffer)``.
  Two commitments of one person closer than the buffer then share a cell and collide.
* ``resource``: one row per cell of ``[start, end)`` on one of the resource's units
  (``interpreter = 1`` has unit 0 only; ``bridge = 2`` units 0 and 1). No buffer.
* ``day``: one row per required participant with ``max_per_day``, numbered ``0..max-1`` on
  the local date of the start in their own zone.

The cell is the greatest common divisor of the grid step, the buffer, every meeting's
duration and 15 minutes (every zone's UTC offset is a multiple of 15 minutes, so a local
midnight in any zone falls on a cell boundary). Cells are counted from the Unix epoch.

`booking_problems` is the rule check run again under the mission lock at commit time:
hours, holidays, busy calendars and buffers (through `availability.feasible_starts`),
`max_per_day`, resources and `after`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from math import gcd
from typing import Literal

from scheduler.core.availability import feasible_starts
from scheduler.core.models import Contact, Meeting, Mission
from scheduler.core.zones import local_date

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ZONE_OFFSET_QUANTUM = timedelta(minutes=15)

MeetingState = Literal["unplanned", "planned", "proposed", "booked", "declined", "cancelled"]
BookingStatus = Literal["active", "moved", "cancelled"]
ProposalStatus = Literal["open", "booked", "exhausted", "declined", "expired", "superseded", "cancelled"]
OptionStatus = Literal["open", "withdrawn", "booked", "released", "suggested"]
ClaimKind = Literal["person", "resource", "day"]


@dataclass(frozen=True, kw_only=True)
class Booking:
    """A meeting held at one time. `sequence` is the iCalendar SEQUENCE of its invitations."""

    id: int
    mission_id: int
    meeting_id: str
    start: datetime
    end: datetime
    sequence: int
    status: BookingStatus
    option_id: int | None = None
    attendees: tuple[Contact, ...] = ()  # people the counterpart added when booking


@dataclass(frozen=True, kw_only=True)
class ProposalOption:
    """One time offered to a counterpart. `kind` is "plan" for the plan's slot, else "alternative"."""

    id: int
    position: int
    start: datetime
    end: datetime
    kind: Literal["plan", "alternative"]
    status: OptionStatus


@dataclass(frozen=True, kw_only=True)
class Proposal:
    """Options offered to a meeting's counterpart behind one booking link (only its hash is kept)."""

    id: int
    mission_id: int
    meeting_id: str
    status: ProposalStatus
    created_at: datetime
    expires_at: datetime
    options: tuple[ProposalOption, ...]
    needs_attention: bool = False  # no option left, or declined: the coordinator should act
    note: str = ""  # the counterpart's note when declining
    available: tuple[tuple[datetime, datetime], ...] = ()  # times they said they could do
    available_for: str = ""  # the counterpart those times are for (the link may serve several)

    @property
    def open_options(self) -> tuple[ProposalOption, ...]:
        return tuple(o for o in self.options if o.status == "open")

    def option(self, option_id: int) -> ProposalOption:
        for o in self.options:
            if o.id == option_id:
                return o
        raise KeyError(option_id)


@dataclass(frozen=True, kw_only=True)
class MeetingStatus:
    """Where a meeting stands: its state, the current plan's slot, its active booking."""

    meeting_id: str
    state: MeetingState
    sequence: int
    planned_start: datetime | None = None
    booking: Booking | None = None


@dataclass(frozen=True)
class Claim:
    """A row the store must insert for a booking. `units` > 1: any one of units 0..units-1 will do."""

    kind: ClaimKind
    subject: str
    cell: int
    units: int = 1


# --- claims ----------------------------------------------------------------------------------
def claim_cell(mission: Mission) -> timedelta:
    """The cell length for the mission's claims: gcd of step, buffer, durations and 15 minutes."""
    seconds = int(ZONE_OFFSET_QUANTUM.total_seconds())
    parts = [mission.step, mission.buffer, *(m.duration for m in mission.meetings)]
    for part in parts:
        if part > timedelta(0):
            seconds = gcd(seconds, int(part.total_seconds()))
    return timedelta(seconds=max(seconds, 1))


def cells(start: datetime, end: datetime, cell: timedelta) -> range:
    size = int(cell.total_seconds())
    first = int((start - EPOCH).total_seconds()) // size
    last = -(-int((end - EPOCH).total_seconds()) // size)  # ceiling: a partial cell counts
    return range(first, last)


def claims_for(mission: Mission, meeting: Meeting, start: datetime, cell: timedelta) -> list[Claim]:
    """Every claim a booking of `meeting` at `start` needs (see the module docstring)."""
    end = start + meeting.duration
    claims: list[Claim] = []
    for pid in meeting.required:
        claims.extend(Claim("person", pid, c) for c in cells(start, end + mission.buffer, cell))
        limit = mission.participant(pid).max_per_day
        if limit is not None:
            day = local_date(start, mission.participant(pid).timezone)
            claims.append(Claim("day", pid, day.toordinal(), limit))
    for name in meeting.resources:
        capacity = mission.resources.get(name, 0)
        claims.extend(Claim("resource", name, c, capacity) for c in cells(start, end, cell))
    return claims


# --- the rules at commit time ----------------------------------------------------------------
def booked_starts(mission: Mission) -> dict[str, datetime]:
    """Meeting id → fixed (booked) start, for every meeting of the mission that has one."""
    return {m.id: m.fixed_start for m in mission.meetings if m.fixed_start is not None}


def booking_problems(mission: Mission, meeting_id: str, start: datetime) -> list[str]:
    """Why `meeting_id` may not start at `start`, given the meetings fixed in `mission`; [] if it may.

    The meeting's own `fixed_start` is ignored (so a reschedule checks the new time against
    everything else). Checks hours, holidays, busy calendars, buffers and the mission grid and
    window (through `availability.feasible_starts`), then `rule_problems`.
    """
    meeting = mission.meeting(meeting_id)
    problems: list[str] = []
    if start not in set(feasible_starts(mission, meeting)):
        problems.append(_why_not_free(mission, meeting, start))
    return problems + rule_problems(mission, meeting_id, start)


def rule_problems(mission: Mission, meeting_id: str, start: datetime) -> list[str]:
    """The rules availability does not cover: `max_per_day`, resource capacity and `after`.

    `after` is checked both ways: a fixed predecessor must end by `start`, a fixed successor
    must start after this one ends. Predecessors not yet fixed do not block (they must then
    fit before it when they are booked).
    """
    meeting = mission.meeting(meeting_id)
    end = start + meeting.duration
    others = {mid: s for mid, s in booked_starts(mission).items() if mid != meeting_id}
    problems: list[str] = []
    for pid in meeting.required:
        p = mission.participant(pid)
        if p.max_per_day is None:
            continue
        day = local_date(start, p.timezone)
        count = sum(
            1
            for mid, s in others.items()
            if pid in mission.meeting(mid).required and local_date(s, p.timezone) == day
        )
        if count >= p.max_per_day:
            problems.append(f"{pid} already has {count} meetings on {day.isoformat()} (max_per_day)")
    for name in meeting.resources:
        capacity = mission.resources.get(name, 0)
        spans = [
            (s, s + mission.meeting(mid).duration)
            for mid, s in others.items()
            if name in mission.meeting(mid).resources
        ]
        if _peak(spans, start, end) >= capacity:
            problems.append(f"resource {name} is fully used then (capacity {capacity})")
    for pred in meeting.after:
        if pred in others and others[pred] + mission.meeting(pred).duration > start:
            problems.append(f"must come after {pred}, which ends later")
    for other in mission.meetings:
        if meeting_id in other.after and other.id in others and others[other.id] < end:
            problems.append(f"{other.id} must come after it but starts earlier")
    return problems


def clashes(mission: Mission, a_id: str, a_start: datetime, b_id: str, b_start: datetime) -> bool:
    """True when meetings `a` and `b` at these starts could not both be held.

    They clash when they share a required participant and come closer than the buffer, or
    share a resource of capacity 1 and overlap, or are ordered by `after` the wrong way round.
    """
    a, b = mission.meeting(a_id), mission.meeting(b_id)
    a_end, b_end = a_start + a.duration, b_start + b.duration
    if set(a.required) & set(b.required) and (
        a_start < b_end + mission.buffer and b_start < a_end + mission.buffer
    ):
        return True
    single = {r for r in set(a.resources) & set(b.resources) if mission.resources.get(r, 0) <= 1}
    if single and a_start < b_end and b_start < a_end:
        return True
    return (a_id in b.after and a_end > b_start) or (b_id in a.after and b_end > a_start)


def dependents(mission: Mission, meeting_id: str) -> tuple[str, ...]:
    """Every meeting that must come after `meeting_id`, directly or through others, in mission order."""
    found: set[str] = set()
    frontier = {meeting_id}
    while frontier:
        nxt = {m.id for m in mission.meetings if set(m.after) & frontier and m.id not in found}
        found |= nxt
        frontier = nxt
    found.discard(meeting_id)
    return tuple(m.id for m in mission.meetings if m.id in found)


def _peak(spans: list[tuple[datetime, datetime]], start: datetime, end: datetime) -> int:
    """Most spans in use at any instant of `[start, end)`."""
    events: list[tuple[datetime, int]] = []
    for s, e in spans:
        s, e = max(s, start), min(e, end)
        if s < e:
            events += [(s, 1), (e, -1)]
    peak = current = 0
    for _, delta in sorted(events, key=lambda ev: (ev[0], ev[1])):
        current += delta
        peak = max(peak, current)
    return peak


def _why_not_free(mission: Mission, meeting: Meeting, start: datetime) -> str:
    """Name the participants who cannot attend then (or say it is off the grid or window)."""
    busy = []
    for pid in meeting.required:
        alone = Meeting(
            id=meeting.id,
            title=meeting.title,
            delegates=(pid,),
            duration=meeting.duration,
            not_before=meeting.not_before,
            not_after=meeting.not_after,
        )
        shadow = _with_meeting(mission, alone)
        if start not in set(feasible_starts(shadow, alone)):
            busy.append(pid)
    if busy:
        return f"{', '.join(busy)} cannot meet at {start.isoformat()} (hours, holiday, busy or buffer)"
    return f"{start.isoformat()} is not a start on the mission's grid inside its dates"


def _with_meeting(mission: Mission, meeting: Meeting) -> Mission:
    from dataclasses import replace

    return replace(mission, meetings=tuple(meeting if m.id == meeting.id else m for m in mission.meetings))
