"""Read models of the coordinator's pages: the mission overview and the meeting page.

Pure functions of what the repository answers (the mission, its meetings' statuses, its
proposals) and the current time; nothing here writes or formats. The overlap and itinerary
views have their own modules (`overlap_view`, `itinerary_view`).

A meeting's *shown* state is its stored state, except that a booked meeting whose time has
passed is "done".

    lines = meeting_lines(mission, statuses, proposals, now, state="booked", delegate="brown")
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from scheduler.core.bookings import Booking, MeetingStatus, Proposal
from scheduler.core.models import Meeting, Mission, Participant

STATES = ("unplanned", "planned", "proposed", "booked", "declined", "cancelled", "done")

# What the coordinator may do with a meeting in each shown state (the pages' buttons).
ACTIONS: Mapping[str, tuple[str, ...]] = {
    "unplanned": ("plan", "propose"),
    "planned": ("propose", "plan"),
    "proposed": ("cancel",),
    "booked": ("reschedule", "cancel", "action_items"),
    "declined": ("propose", "plan"),
    "cancelled": ("propose", "plan"),
    "done": ("action_items",),
}


@dataclass(frozen=True, kw_only=True)
class MeetingLine:
    """One meeting as the overview lists it."""

    meeting: Meeting
    state: str
    start: datetime | None  # booked start, else planned start, else None
    end: datetime | None
    booking: Booking | None
    delegates: tuple[Participant, ...]
    counterparts: tuple[Participant, ...]
    optional: tuple[Participant, ...]
    zones: tuple[str, ...]  # the mission's zone first, then the counterparts' zones
    proposal: Proposal | None  # the newest proposal of the meeting
    actions: tuple[str, ...]

    @property
    def needs_attention(self) -> bool:
        return self.proposal is not None and self.proposal.needs_attention


def shown_state(status: MeetingStatus, now: datetime) -> str:
    """The stored state, or "done" for a booked meeting that has ended."""
    if status.state == "booked" and status.booking is not None and status.booking.end <= now:
        return "done"
    return status.state


def meeting_line(
    mission: Mission, meeting: Meeting, status: MeetingStatus, proposals: Sequence[Proposal], now: datetime
) -> MeetingLine:
    """The overview's line for one meeting; `proposals` may be the whole mission's."""
    state = shown_state(status, now)
    start: datetime | None = None
    if status.booking is not None and state in ("booked", "done"):
        start = status.booking.start
    elif status.planned_start is not None and state in ("planned", "proposed"):
        start = status.planned_start
    own = [p for p in proposals if p.meeting_id == meeting.id]
    counterparts = tuple(mission.participant(pid) for pid in meeting.counterparts)
    zones = tuple(dict.fromkeys([mission.timezone, *(p.timezone for p in counterparts)]))
    return MeetingLine(
        meeting=meeting,
        state=state,
        start=start,
        end=None if start is None else start + meeting.duration,
        booking=status.booking,
        delegates=tuple(mission.participant(pid) for pid in meeting.delegates),
        counterparts=counterparts,
        optional=tuple(mission.participant(pid) for pid in meeting.optional),
        zones=zones,
        proposal=max(own, key=lambda p: (p.created_at, p.id)) if own else None,
        actions=ACTIONS.get(state, ()),
    )


def meeting_lines(
    mission: Mission,
    statuses: Mapping[str, MeetingStatus],
    proposals: Sequence[Proposal],
    now: datetime,
    *,
    state: str | None = None,
    delegate: str | None = None,
    counterpart: str | None = None,
) -> list[MeetingLine]:
    """The overview's lines in mission order, filtered by shown state, delegate and counterpart.

    A delegate filter keeps the meetings they are invited to (required or optional).
    """
    lines = []
    for m in mission.meetings:
        if m.id not in statuses:
            continue
        if delegate and delegate not in m.delegates and delegate not in m.optional:
            continue
        if counterpart and counterpart not in m.counterparts:
            continue
        line = meeting_line(mission, m, statuses[m.id], proposals, now)
        if state and line.state != state:
            continue
        lines.append(line)
    return lines


def state_counts(mission: Mission, statuses: Mapping[str, MeetingStatus], now: datetime) -> dict[str, int]:
    """How many meetings are in each shown state (every state listed, zeros included)."""
    counts = dict.fromkeys(STATES, 0)
    for m in mission.meetings:
        if m.id in statuses:
            counts[shown_state(statuses[m.id], now)] += 1
    return counts


def meeting_proposals(proposals: Sequence[Proposal], meeting_id: str) -> list[Proposal]:
    """The meeting's proposals, newest first."""
    return sorted(
        (p for p in proposals if p.meeting_id == meeting_id), key=lambda p: (p.created_at, p.id), reverse=True
    )


__all__ = [
    "ACTIONS",
    "STATES",
    "MeetingLine",
    "meeting_line",
    "meeting_lines",
    "meeting_proposals",
    "shown_state",
    "state_counts",
]
