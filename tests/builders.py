"""Small constructors for test missions, written the way the mission file reads.

mission(delegates=[delegate("brown")], counterparts=[counterpart("jetro")],
        meetings=[meeting("m1", ["brown"], ["jetro"])])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta

from scheduler.core.hours import parse_duration, parse_ranges, parse_weekly
from scheduler.core.intervals import Interval, IntervalSet
from scheduler.core.models import Contact, Meeting, Mission, Participant

TORONTO = "America/Toronto"
TOKYO = "Asia/Tokyo"


def busy(*spans: tuple[datetime, datetime]) -> IntervalSet:
    return IntervalSet(Interval.checked(a, b) for a, b in spans)


def _participant(
    pid: str,
    kind: str,
    *,
    timezone: str,
    hours: Mapping[str, str],
    preferred: Mapping[str, str] | None = None,
    holidays: str = "",
    overrides: Mapping[date, str] | None = None,
    busy: IntervalSet | None = None,
    max_per_day: int | None = None,
    email: str = "",
    language: str = "en",
    contacts: Iterable[Contact] = (),
) -> Participant:
    return Participant(
        id=pid,
        name=pid.title(),
        kind=kind,  # type: ignore[arg-type]
        timezone=timezone,
        language=language,
        email=email,
        holidays=holidays,
        hours=parse_weekly(hours),
        preferred=parse_weekly(preferred or {}),
        overrides={d: parse_ranges(v) for d, v in (overrides or {}).items()},
        busy=busy or IntervalSet(),
        max_per_day=max_per_day,
        contacts=tuple(contacts),
    )


def delegate(
    pid: str, *, timezone: str = TORONTO, hours: Mapping[str, str] | None = None, **kw
) -> Participant:
    kw.setdefault("email", f"{pid}@brampton.example.org")
    return _participant(pid, "delegate", timezone=timezone, hours=hours or {"mon-fri": "07:00-22:00"}, **kw)


def counterpart(
    pid: str, *, timezone: str = TOKYO, hours: Mapping[str, str] | None = None, **kw
) -> Participant:
    kw.setdefault("language", "ja")
    kw.setdefault("contacts", [Contact(name=f"{pid} contact", email=f"{pid}@example.jp", language="ja")])
    return _participant(
        pid, "counterpart", timezone=timezone, hours=hours or {"mon-fri": "09:00-18:00"}, **kw
    )


def meeting(
    mid: str,
    delegates: Iterable[str],
    counterparts: Iterable[str] = (),
    *,
    duration: str = "60m",
    optional: Iterable[str] = (),
    priority: int = 1,
    after: Iterable[str] = (),
    resources: Iterable[str] = (),
    not_before: date | None = None,
    not_after: date | None = None,
    fixed_start: datetime | None = None,
) -> Meeting:
    return Meeting(
        id=mid,
        title=mid.replace("-", " ").title(),
        delegates=tuple(delegates),
        counterparts=tuple(counterparts),
        optional=tuple(optional),
        duration=parse_duration(duration),
        priority=priority,
        after=tuple(after),
        resources=tuple(resources),
        not_before=not_before,
        not_after=not_after,
        fixed_start=fixed_start,
    )


def mission(
    *,
    delegates: Iterable[Participant],
    counterparts: Iterable[Participant] = (),
    meetings: Iterable[Meeting] = (),
    start: date = date(2027, 2, 15),
    end: date = date(2027, 2, 26),
    timezone: str = TORONTO,
    step: str = "15m",
    buffer: str = "15m",
    resources: Mapping[str, int] | None = None,
) -> Mission:
    return Mission(
        name="Test mission",
        timezone=timezone,
        start=start,
        end=end,
        step=parse_duration(step),
        buffer=parse_duration(buffer) if buffer != "0m" else timedelta(0),
        organizer=Contact(name="Economic Development Office", email="edo@brampton.example.org"),
        resources=dict(resources or {}),
        delegates=tuple(delegates),
        counterparts=tuple(counterparts),
        meetings=tuple(meetings),
    )
