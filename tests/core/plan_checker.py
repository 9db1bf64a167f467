"""An independent check of every hard rule on a returned plan, straight from the mission data.

It uses neither the solver nor `availability` (no `feasible_starts`, no `start_set`): wall
clocks come from zoneinfo, holidays from the `holidays` package, busy time from the
participants' intervals. `violations(mission, plan)` lists every broken rule; empty is good.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays as holidays_lib

from scheduler.core.models import Meeting, Mission, Participant, Plan

UTC = ZoneInfo("UTC")


def _wall_minutes(instant: datetime, tz: str) -> tuple[date, int]:
    local = instant.astimezone(ZoneInfo(tz))
    return local.date(), local.hour * 60 + local.minute


def _is_holiday(p: Participant, day: date) -> bool:
    if not p.holidays or day in p.overrides:
        return False
    country, _, sub = p.holidays.partition("-")
    return day in holidays_lib.country_holidays(country, subdiv=sub or None, years=day.year)


def _inside_hours(p: Participant, start: datetime, end: datetime) -> bool:
    day, a = _wall_minutes(start, p.timezone)
    end_day, b = _wall_minutes(end, p.timezone)
    if end_day == day + timedelta(days=1) and b == 0:
        b = 24 * 60  # ends at local midnight: 24:00
    elif end_day != day:
        return False
    ranges = p.overrides.get(day, p.hours.days[day.weekday()])
    return any(lo <= a and b <= hi for lo, hi in ranges)


def _dates_touched(start: datetime, end: datetime, tz: str) -> set[date]:
    first = start.astimezone(ZoneInfo(tz)).date()
    last = (end - timedelta(microseconds=1)).astimezone(ZoneInfo(tz)).date()
    return {first + timedelta(days=i) for i in range((last - first).days + 1)}


def _midnight(day: date, tz: str) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(tz)).astimezone(UTC)


def violations(mission: Mission, plan: Plan, *, fixed: dict[str, datetime] | None = None) -> list[str]:
    """Every hard rule the plan breaks (see the module docstring)."""
    out: list[str] = []
    by_id = {m.id: m for m in mission.meetings}
    people = {p.id: p for p in mission.participants}
    placed = {pm.meeting_id: pm for pm in plan.meetings}
    buffer = mission.buffer

    # Every meeting exactly once: planned, or unscheduled with a reason.
    seen = Counter([pm.meeting_id for pm in plan.meetings] + [u.meeting_id for u in plan.unscheduled])
    for mid in by_id:
        if seen[mid] != 1:
            out.append(f"{mid} appears {seen[mid]} times")
    out.extend(f"{u.meeting_id} is unscheduled without a reason" for u in plan.unscheduled if not u.reasons)

    wanted_fixed = dict(fixed or {})
    wanted_fixed.update({m.id: m.fixed_start for m in mission.meetings if m.fixed_start is not None})
    for mid, start in wanted_fixed.items():
        if mid not in placed or placed[mid].start != start:
            out.append(f"{mid} was fixed at {start} but is not there")

    window_start = _midnight(mission.start, mission.timezone)
    window_end = _midnight(mission.end + timedelta(days=1), mission.timezone)
    for mid, pm in placed.items():
        m: Meeting = by_id[mid]
        if pm.end - pm.start != m.duration:
            out.append(f"{mid} has the wrong length")
        if mid in wanted_fixed:
            continue  # kept where it was fixed, whatever it breaks
        if not (window_start <= pm.start and pm.end <= window_end):
            out.append(f"{mid} lies outside the mission")
        home_day = _midnight(pm.start.astimezone(ZoneInfo(mission.timezone)).date(), mission.timezone)
        if (pm.start - home_day) % mission.step:
            out.append(f"{mid} starts off the grid")
        if m.not_before and pm.start < _midnight(m.not_before, mission.timezone):
            out.append(f"{mid} starts before not_before")
        if m.not_after and pm.end > _midnight(m.not_after + timedelta(days=1), mission.timezone):
            out.append(f"{mid} ends after not_after")
        for pid in m.required:
            p = people[pid]
            if not _inside_hours(p, pm.start, pm.end):
                out.append(f"{mid} is outside {pid}'s hours")
            if any(_is_holiday(p, d) for d in _dates_touched(pm.start, pm.end, p.timezone)):
                out.append(f"{mid} is on a holiday of {pid}")
            for a, b in p.busy:
                if a < pm.end + buffer and pm.start - buffer < b:
                    out.append(f"{mid} meets {pid}'s busy time {a}–{b} (with buffer)")
        for a in m.after:
            if a not in placed:
                out.append(f"{mid} is scheduled but {a}, which must come first, is not")
            elif placed[a].end > pm.start:
                out.append(f"{mid} starts before {a} ends")

    # Pairs: one person in two meetings, or closer than the buffer.
    items = sorted(placed.values(), key=lambda pm: pm.start)
    for i, x in enumerate(items):
        for y in items[i + 1 :]:
            if x.meeting_id in wanted_fixed and y.meeting_id in wanted_fixed:
                continue
            shared = set(by_id[x.meeting_id].required) & set(by_id[y.meeting_id].required)
            if shared and y.start < x.end + buffer and x.start < y.end + buffer:
                out.append(f"{x.meeting_id} and {y.meeting_id} share {sorted(shared)} within the buffer")

    # Resources: capacity at every instant (the load peaks at some meeting's start).
    for r, cap in mission.resources.items():
        users = [pm for pm in items if r in by_id[pm.meeting_id].resources]
        for pm in users:
            load = sum(1 for q in users if q.start <= pm.start < q.end)
            if load > cap:
                out.append(f"{r} used by {load} meetings at {pm.start} (capacity {cap})")

    # max_per_day: required meetings by the person's local date of the start.
    for p in mission.participants:
        if p.max_per_day is None:
            continue
        per_day = Counter(
            pm.start.astimezone(ZoneInfo(p.timezone)).date()
            for pm in items
            if p.id in by_id[pm.meeting_id].required
        )
        for day, n in per_day.items():
            if n > p.max_per_day:
                out.append(f"{p.id} has {n} meetings on {day} (max {p.max_per_day})")
    return out
