"""The plain way to decide a start: check every rule for every grid start, one by one.

Slow and obviously right; the fast interval-set code must agree with it exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from scheduler.core.availability import grid, holidays_on, meeting_window
from scheduler.core.models import Meeting, Mission, Participant
from scheduler.core.zones import dates_touched, local_date, wall_to_utc


def free_at(
    p: Participant, start: datetime, end: datetime, buffer: timedelta, others: list[tuple[datetime, datetime]]
) -> bool:
    day = local_date(start, p.timezone)
    for d in dates_touched(start, end, p.timezone):
        if holidays_on(p.holidays, [d]) and d not in p.overrides:
            return False
    if not any(
        wall_to_utc(day, a, p.timezone) <= start and end <= wall_to_utc(day, b, p.timezone, closing=True)
        for a, b in p.hours_on(day)
    ):
        return False
    return all(not (start < b + buffer and a - buffer < end) for a, b in [*p.busy, *others])


def naive_starts(
    mission: Mission, meeting: Meeting, fixed: Mapping[str, datetime] | None = None
) -> list[datetime]:
    booked = dict(fixed or {})
    for m in mission.meetings:
        if m.fixed_start is not None:
            booked.setdefault(m.id, m.fixed_start)
    window = meeting_window(mission, meeting)
    found = []
    for s in grid(mission):
        e = s + meeting.duration
        if s < window.start or e > window.end:
            continue
        ok = True
        for pid in meeting.required:
            p = mission.participant(pid)
            others = [
                (t, t + mission.meeting(mid).duration)
                for mid, t in booked.items()
                if mid != meeting.id and pid in mission.meeting(mid).required
            ]
            if not free_at(p, s, e, mission.buffer, others):
                ok = False
                break
        if ok:
            found.append(s)
    return found
