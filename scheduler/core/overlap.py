"""Common free windows of a group of participants, day by day: the picture before any search.

A person's free time is their hours on each of their own local dates (holidays removed unless
an override says they work), minus their busy time and meetings already booked, each widened
by the mission's buffer (so a window is where a meeting could actually be placed). A group's
common windows are the intersection of its members' free time, cut at the home zone's
midnights so that each window is listed under the home-zone date it belongs to.

By default the groups are the distinct sets of required participants of the mission's
meetings: "when could brown, santos, consulate and jetro all meet?", which is the question an
organiser asks first. Each window is then shown in every zone the group spans.

    >>> [o.participants for o in mission_overlaps(mission)]   # doctest: +SKIP
    [('brown', 'santos', 'consulate', 'jetro'), ('brown', 'jbic')]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from scheduler.core.availability import commitments_of, hours_by_date
from scheduler.core.intervals import EMPTY, Interval, IntervalSet, intersect_all
from scheduler.core.models import Mission, Participant
from scheduler.core.zones import day_span


@dataclass(frozen=True, kw_only=True)
class DayWindows:
    """The common windows whose start lies on one home-zone date (UTC; none = no overlap)."""

    day: date
    windows: tuple[Interval, ...]


@dataclass(frozen=True, kw_only=True)
class Overlap:
    """A group's common free windows for each date of the mission."""

    participants: tuple[str, ...]
    meetings: tuple[str, ...]  # the meetings that need exactly this group (may be empty)
    zones: tuple[str, ...]  # home zone first, then the members' zones in order of appearance
    days: tuple[DayWindows, ...]


def free_time(mission: Mission, p: Participant, extra_busy: IntervalSet = EMPTY) -> IntervalSet:
    """When `p` could meet during the mission: hours (holidays removed) minus busy and buffer."""
    window = mission.window
    spans = [iv for day, ivs in sorted(hours_by_date(p, window).items()) for iv in ivs]
    hours = IntervalSet(spans) & IntervalSet.of(window)
    free = hours.without(p.busy, mission.buffer, mission.buffer)
    return free.without(extra_busy, mission.buffer, mission.buffer) if extra_busy else free


def common_windows(
    mission: Mission,
    participant_ids: Iterable[str],
    *,
    fixed: Mapping[str, datetime] | None = None,
    meetings: Iterable[str] = (),
) -> Overlap:
    """The common free windows of the given participants on each home-zone date of the mission.

    `fixed` maps meeting ids to booked starts (commitments of their participants); the
    mission's own `fixed_start`s count too.
    """
    ids = tuple(dict.fromkeys(participant_ids))
    people = [mission.participant(pid) for pid in ids]
    booked = dict(fixed or {})
    for m in mission.meetings:
        if m.fixed_start is not None:
            booked.setdefault(m.id, m.fixed_start)
    commitments = commitments_of(mission, booked)
    common = intersect_all(
        (free_time(mission, p, commitments.get(p.id, EMPTY)) for p in people),
        within=IntervalSet.of(mission.window),
    )
    days = []
    for day in mission.dates():
        lo, hi = day_span(day, mission.timezone)
        days.append(DayWindows(day=day, windows=tuple(common & IntervalSet.of(Interval(lo, hi)))))
    zones = tuple(dict.fromkeys([mission.timezone, *(p.timezone for p in people)]))
    return Overlap(participants=ids, meetings=tuple(meetings), zones=zones, days=tuple(days))


def meeting_groups(mission: Mission) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """Distinct groups of required participants, each with the meetings that need it, in file order."""
    groups: dict[frozenset[str], tuple[tuple[str, ...], list[str]]] = {}
    for m in mission.meetings:
        key = frozenset(m.required)
        groups.setdefault(key, (m.required, []))[1].append(m.id)
    return [(members, tuple(mids)) for members, mids in groups.values()]


def mission_overlaps(mission: Mission, *, fixed: Mapping[str, datetime] | None = None) -> list[Overlap]:
    """`common_windows` for every group of `meeting_groups`, or for all participants if no meetings."""
    groups = meeting_groups(mission) or [(tuple(p.id for p in mission.participants), ())]
    return [common_windows(mission, members, fixed=fixed, meetings=mids) for members, mids in groups]
