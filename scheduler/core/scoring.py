"""How comfortable a time is for everyone: one scoring shared by the slot finder and the planner.

For each participant, comfort is 0..100: 100 when the meeting lies inside their preferred hours
on their local date; otherwise up to 80 by how far it sits from the edges of their hours range
(two hours or more from both edges: 80; right at the start or end of their day: 0). Fairness
across the two sides is the worst comfort among the required participants, so a slot that is
lovely in Toronto and 06:00 in Tokyo loses to one that is fair to both.

`Score.value` orders slots: first the number of optional attendees free, then the worst
comfort, then the mean comfort. The slot finder breaks ties by earlier start; the planner adds
the values of the meetings it schedules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timedelta

from scheduler.core.availability import ranges_to_utc
from scheduler.core.intervals import Interval
from scheduler.core.models import Meeting, Mission, Participant, Score
from scheduler.core.zones import holder_date

PREFERRED = 100
ACCEPTABLE_MAX = 80
EDGE_MARGIN = timedelta(hours=2)


def comfort(p: Participant, start: datetime, end: datetime) -> int:
    """0..100: how good `[start, end)` is for `p` in their own local day (see module docstring)."""
    day = holder_date(start, p.timezone)
    return _comfort_in(
        ranges_to_utc(day, p.preferred.on(day), p.timezone),
        ranges_to_utc(day, p.hours_on(day), p.timezone),
        start,
        end,
    )


def comfort_of(p: Participant) -> Callable[[datetime, datetime], int]:
    """`comfort` for one participant, each local date's ranges converted once.

    For scoring hundreds of slots: the slot finder keeps one per group of people who share a
    zone and hours. It remembers only within its own life, so nothing outlives the search.

        >>> of_brown = comfort_of(brown)   # doctest: +SKIP
        >>> of_brown(start, end) == comfort(brown, start, end)   # doctest: +SKIP
        True
    """
    days: dict[date, tuple[list[Interval], list[Interval]]] = {}

    def of(start: datetime, end: datetime) -> int:
        day = holder_date(start, p.timezone)
        ranges = days.get(day)
        if ranges is None:
            ranges = days[day] = (
                ranges_to_utc(day, p.preferred.on(day), p.timezone),
                ranges_to_utc(day, p.hours_on(day), p.timezone),
            )
        return _comfort_in(*ranges, start, end)

    return of


def _comfort_in(preferred: list[Interval], hours: list[Interval], start: datetime, end: datetime) -> int:
    for a, b in preferred:
        if a <= start and end <= b:
            return PREFERRED
    for a, b in hours:
        if a <= start and end <= b:
            margin = min(start - a, b - end, EDGE_MARGIN)
            return int(ACCEPTABLE_MAX * margin / EDGE_MARGIN)
    return 0


def score(mission: Mission, meeting: Meeting, start: datetime, optional_free: Iterable[str] = ()) -> Score:
    """The score of holding `meeting` at `start`, given which optional attendees are free then."""
    end = start + meeting.duration
    per_person = {pid: comfort(mission.participant(pid), start, end) for pid in meeting.required}
    return score_from(per_person, optional_free)


def score_from(per_person: Mapping[str, int], optional_free: Iterable[str] = ()) -> Score:
    """The score built from each required participant's comfort and the optional people free."""
    values = list(per_person.values()) or [0]
    worst = min(values)
    mean = sum(values) // len(values)
    n_optional = len(tuple(optional_free))
    return Score(
        optional_free=n_optional,
        worst_comfort=worst,
        mean_comfort=mean,
        comfort=dict(per_person),
        value=n_optional * 1_000_000 + worst * 1_000 + mean,
    )
