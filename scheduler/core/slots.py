"""The slot finder: every time one meeting can be held, ranked, and why there are none (or few).

Candidates are the grid starts where every required participant is free for the whole meeting
(`availability.feasible_starts`: hours on their own local date, holidays, busy time and other
fixed meetings with the buffer around them). They are ranked by

1. the number of optional attendees free then (free = the start is in their own start set),
2. fairness: the worst comfort among the required participants (`scoring.comfort`), then the
   mean comfort,
3. the earlier start.

When nothing fits, or only a few starts do, `reasons` says which participant or rule removed
which part of the window (see `reasons.explain`).

    >>> search = find_slots(mission, "jetro-briefing", top=3)   # doctest: +SKIP
    >>> [s.local["jetro"].strftime("%a %H:%M") for s in search.slots]   # doctest: +SKIP
    ['Tue 09:00', 'Tue 09:15', 'Wed 09:00']
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping
from datetime import datetime

from scheduler.core.availability import (
    commitments_of,
    feasible_set,
    grid,
    hours_starts,
    meeting_window,
    starts_in,
    without_busy,
)
from scheduler.core.intervals import EMPTY, IntervalSet
from scheduler.core.models import Meeting, Mission, Participant, Slot, SlotSearch
from scheduler.core.reasons import FEW
from scheduler.core.reasons import explain as explain_search
from scheduler.core.scoring import comfort_of, score_from
from scheduler.core.zones import zone
from scheduler.errors import NotFound


def find_slots(
    mission: Mission,
    meeting_id: str,
    *,
    fixed: Mapping[str, datetime] | None = None,
    top: int | None = None,
    explain: bool = True,
) -> SlotSearch:
    """Ranked slots for one meeting, best first; `top` None or 0 means all.

    `fixed` maps other meetings' ids to booked starts (their participants are busy then, with
    the buffer); meetings with a `fixed_start` in the mission count as well. Reasons are given
    when fewer than `reasons.FEW` starts fit, unless `explain=False` (a caller that only
    needs the slots, such as a planner trying many fixings, skips that work).
    """
    meeting = meeting_of(mission, meeting_id)
    booked = booked_starts(mission, fixed)
    common = feasible_set(mission, meeting, fixed=booked)
    starts = starts_in(common, grid(mission))
    free_at = _optional_free(mission, meeting, booked, common, starts)

    # People with the same zone and hours feel a slot the same way: score each profile once.
    people = [_person(mission, pid) for pid in meeting.required]
    profiles: dict[tuple[object, ...], list[str]] = {}
    for p in people:
        profiles.setdefault(_profile(p), []).append(p.id)
    comfort_for = {key: comfort_of(mission.participant(ids[0])) for key, ids in profiles.items()}

    ranked = []
    for s, free in zip(starts, free_at, strict=True):
        e = s + meeting.duration
        per_person: dict[str, int] = {}
        for key, ids in profiles.items():
            value = comfort_for[key](s, e)
            for pid in ids:
                per_person[pid] = value
        sc = score_from({pid: per_person[pid] for pid in meeting.required}, free)
        ranked.append(((-sc.optional_free, -sc.worst_comfort, -sc.mean_comfort, s), s, free, sc))
    ranked.sort(key=lambda r: r[0])
    if top:
        ranked = ranked[:top]

    zones = {pid: _person(mission, pid).timezone for pid in meeting.invited}
    slots = []
    for _, s, free, sc in ranked:
        # One conversion per zone and slot, shared by everyone in that zone.
        by_zone = {z: s.astimezone(zone(z)) for z in sorted(set(zones.values()))}
        slots.append(
            Slot(
                meeting_id=meeting.id,
                start=s,
                end=s + meeting.duration,
                local={pid: by_zone[z] for pid, z in zones.items()},
                optional_free=free,
                score=sc,
            )
        )
    reasons: tuple[str, ...] = ()
    if explain and len(starts) < FEW:
        reasons = tuple(explain_search(mission, meeting, booked, starts))
    return SlotSearch(meeting_id=meeting.id, slots=tuple(slots), reasons=reasons)


def meeting_of(mission: Mission, meeting_id: str) -> Meeting:
    """The meeting with this id, or `NotFound` listing the ids there are."""
    try:
        return mission.meeting(meeting_id)
    except KeyError:
        known = ", ".join(m.id for m in mission.meetings) or "none"
        raise NotFound(f"no meeting {meeting_id!r} in mission {mission.name!r} (meetings: {known})") from None


def booked_starts(mission: Mission, fixed: Mapping[str, datetime] | None) -> dict[str, datetime]:
    """`fixed` plus every meeting of the mission with a `fixed_start` (the argument wins)."""
    booked = dict(fixed or {})
    for other in mission.meetings:
        if other.fixed_start is not None and other.id not in booked:
            booked[other.id] = other.fixed_start
    return booked


def _person(mission: Mission, pid: str) -> Participant:
    try:
        return mission.participant(pid)
    except KeyError:
        raise NotFound(f"no delegate or counterpart {pid!r} in mission {mission.name!r}") from None


def _profile(p: Participant) -> tuple[object, ...]:
    return (p.timezone, p.hours, p.preferred, tuple(p.overrides.items()))


def _optional_free(
    mission: Mission,
    meeting: Meeting,
    booked: Mapping[str, datetime],
    common: IntervalSet,
    starts: list[datetime],
) -> list[tuple[str, ...]]:
    """For each start, the optional attendees free then (in the meeting's order).

    An optional person is free at `s` when `s` is in their own start set (`start_set`). Only
    the starts where the required people can meet matter, so each person's hours are first
    narrowed to `common` and their calendar is then visited only there: with many optional
    people and long calendars this is most of the finder's work.
    """
    if not meeting.optional or not starts:
        return [() for _ in starts]
    commitments = commitments_of(mission, booked, excluding=meeting.id)
    window = meeting_window(mission, meeting)
    free_at: list[list[str]] = [[] for _ in starts]
    for oid in meeting.optional:
        p = _person(mission, oid)
        allowed = hours_starts(p, window, meeting.duration) & common
        if allowed:
            allowed = without_busy(allowed, p, mission.buffer, meeting.duration, commitments.get(oid, EMPTY))
        for a, b in allowed:
            for i in range(bisect_left(starts, a), bisect_left(starts, b)):
                free_at[i].append(oid)
    return [tuple(ids) for ids in free_at]
