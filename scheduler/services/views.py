"""Read models of the coordinator's pages: the mission overview and the meeting page.

Pure functions of what the repository answers (the mission, its meetings' statuses, its
proposals) and the current time; nothing here writes or formats. The overlap and itinerary
views have their own modules (`overlap_view`, `itinerary_view`).

A meeting's *shown* state is its stored state, except that a booked meeting whose time has
passed is "done". A proposed meeting's shown time is the earliest option its counterpart can
still book, never the plan's slot: booking another meeting may have withdrawn that option,
and a withdrawn time shown as the headline looks booked-over. Any shown time that could not be
held beside a booking (`core.bookings.clashes`) carries the titles of those bookings.

    lines = meeting_lines(mission, statuses, proposals, now, state="booked", delegate="brown")
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from scheduler.core.bookings import Booking, MeetingStatus, Proposal, ProposalOption, clashes
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
    start: datetime | None  # booked start; a proposal's earliest open option; a planned start
    end: datetime | None
    booking: Booking | None
    delegates: tuple[Participant, ...]
    counterparts: tuple[Participant, ...]
    optional: tuple[Participant, ...]
    zones: tuple[str, ...]  # the mission's zone first, then the counterparts' zones
    proposal: Proposal | None  # the newest proposal of the meeting
    actions: tuple[str, ...]
    open_options: tuple[ProposalOption, ...] = ()  # what the counterpart can still book, by start
    clashes: tuple[str, ...] = ()  # titles of the bookings the shown time could not be held beside

    @property
    def needs_attention(self) -> bool:
        return self.proposal is not None and self.proposal.needs_attention


def shown_state(status: MeetingStatus, now: datetime) -> str:
    """The stored state, or "done" for a booked meeting that has ended."""
    if status.state == "booked" and status.booking is not None and status.booking.end <= now:
        return "done"
    return status.state


def bookable(proposal: Proposal | None, now: datetime) -> tuple[ProposalOption, ...]:
    """The options of `proposal` its counterpart can still book now, earliest first."""
    if proposal is None or proposal.status != "open" or now >= proposal.expires_at:
        return ()
    return tuple(sorted(proposal.open_options, key=lambda o: (o.start, o.id)))


def booked_clashes(
    mission: Mission, statuses: Mapping[str, MeetingStatus], meeting_id: str, start: datetime
) -> tuple[str, ...]:
    """Titles of the other meetings' bookings that `meeting_id` at `start` could not be held beside."""
    return tuple(
        mission.meeting(mid).title
        for mid, st in statuses.items()
        if mid != meeting_id
        and st.booking is not None
        and st.booking.status == "active"
        and clashes(mission, meeting_id, start, mid, st.booking.start)
    )


def meeting_line(
    mission: Mission,
    meeting: Meeting,
    status: MeetingStatus,
    proposals: Sequence[Proposal],
    now: datetime,
    *,
    statuses: Mapping[str, MeetingStatus] | None = None,
) -> MeetingLine:
    """The overview's line for one meeting; `proposals` may be the whole mission's.

    `statuses` (the mission's) lets the line say which bookings its shown time clashes with.
    """
    state = shown_state(status, now)
    own = [p for p in proposals if p.meeting_id == meeting.id]
    newest = max(own, key=lambda p: (p.created_at, p.id)) if own else None
    open_options = bookable(newest, now) if state == "proposed" else ()
    start: datetime | None = None
    if status.booking is not None and state in ("booked", "done"):
        start = status.booking.start
    elif state == "proposed":
        start = open_options[0].start if open_options else None
    elif status.planned_start is not None and state == "planned":
        start = status.planned_start
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
        proposal=newest,
        actions=ACTIONS.get(state, ()),
        open_options=open_options,
        clashes=()
        if start is None or statuses is None
        else booked_clashes(mission, statuses, meeting.id, start),
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
        line = meeting_line(mission, m, statuses[m.id], proposals, now, statuses=statuses)
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
    "bookable",
    "booked_clashes",
    "meeting_line",
    "meeting_lines",
    "meeting_proposals",
    "shown_state",
    "state_counts",
]
