"""How the report writes times, states and people: shared by the HTML page and the tables."""

from __future__ import annotations

from datetime import datetime

from scheduler.core.report import Attendee, ReportMeeting

CITY = {"America/Toronto": "Toronto", "Asia/Tokyo": "Tokyo"}


def city(zone: str) -> str:
    """`Toronto`, `Tokyo`; other zones by the last part of their name."""
    return CITY.get(zone, zone.rsplit("/", 1)[-1].replace("_", " "))


def when(start: datetime, end: datetime) -> str:
    """`Tue 16 Feb 2027 19:00–20:00 EST` (an aware local start and end)."""
    tail = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%a %d %b %Y %H:%M}"
    return f"{start:%a %d %b %Y %H:%M}–{tail} {end.tzname()}"


def times(m: ReportMeeting) -> list[tuple[str, str]]:
    """(city, time) for each zone of the report; empty when the meeting has no time."""
    return [(city(z), when(s, e)) for z, s, e in m.local]


def person(a: Attendee, *, with_org: bool = False) -> str:
    """`Watanabe Kenta (国際部 部長, JEITA)`."""
    extra = [x for x in (a.role, a.organisation if with_org else "") if x]
    return f"{a.name} ({', '.join(extra)})" if extra else a.name


__all__ = ["city", "person", "times", "when"]
