"""Why a meeting has no slot (or only a few): which participant or rule removed which times.

The candidates are narrowed in the order a person would check them, and each step names what
it removed, counted on the mission's grid:

1. the meeting's window: the mission's dates and the meeting's own `not_before`/`not_after`
   (and the starts where everyone is free but that lie outside those dates);
2. hours, per home-zone date: a participant with no usable hours that day, or two whose hours
   do not overlap ("no overlap of brown 07:00–22:00 America/Toronto and jetro 09:00–18:00
   Asia/Tokyo on Fridays"); dates with the same reason are grouped by weekday;
3. public holidays on the holder's own local date ("jetro: Emperor's Birthday (JP) on
   Tue 2027-02-23 Tokyo");
4. busy time and meetings already booked, per person, with the buffer
   ("brown: busy 2027-02-16 19:00–21:00 EST");
5. the buffer itself, when it is what leaves few or no starts.

Every text is deterministic: participants in the meeting's order, dates and times ascending.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date, datetime, timedelta

from scheduler.core.availability import (
    distinct,
    erode,
    feasible_starts,
    grid,
    holidays_on,
    hours_starts,
    is_working_holiday,
    local_dates,
    meeting_window,
    starts_in,
    without_busy,
)
from scheduler.core.hours import format_duration
from scheduler.core.intervals import EMPTY, Interval, IntervalSet
from scheduler.core.models import Meeting, MinuteRange, Mission, Participant
from scheduler.core.zones import day_span, to_local

FEW = 3
"""Reasons are given when fewer starts than this fit."""
BUSY_PER_PERSON = 3
"""Busy periods named per person; the rest are counted."""
PEOPLE_NAMED = 10
"""People whose busy time is named; the rest are counted."""

WEEKDAY_NAMES = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")


def explain(
    mission: Mission, meeting: Meeting, booked: Mapping[str, datetime], found: list[datetime]
) -> list[str]:
    """The reasons, most basic first, why only `found` (maybe none) of the grid starts fit."""
    reasons: list[str] = []
    duration = meeting.duration
    window = meeting_window(mission, meeting)
    all_grid = grid(mission)
    candidates = starts_in(erode([window], duration), all_grid)
    if 0 < len(found) < FEW:
        reasons.append(f"only {_count(len(found), 'start')} fit{'s' if len(found) == 1 else ''}")
    if not candidates:
        reasons.append(_window_reason(mission, meeting))
        return reasons

    by_id = {p.id: p for p in mission.participants}
    people = [by_id[pid] for pid in meeting.required]
    plain = {p.id: hours_starts(p, window, duration, with_holidays=False) for p in people}
    reasons.extend(_hours_reasons(mission, meeting, people, plain, candidates))

    common = erode([window], duration)
    for hours in distinct(plain.values()):
        common &= hours
    after_hours = starts_in(common, candidates)
    reasons.extend(_holiday_reasons(people, window, duration, after_hours))

    for hours in distinct(hours_starts(p, window, duration) for p in people):
        common &= hours
    after_holidays = starts_in(common, candidates)
    commitments = _commitments(mission, booked, meeting.id)
    reasons.extend(_busy_reasons(mission, meeting, people, common, after_holidays, commitments))

    if mission.buffer and len(found) < FEW and after_holidays:
        no_buffer = feasible_starts(replace(mission, buffer=timedelta(0)), meeting, fixed=booked)
        lost = len(no_buffer) - len(found)
        if lost > 0:
            buffer = f"the {format_duration(mission.buffer)} buffer around commitments"
            if found:
                reasons.append(
                    f"max {_count(len(found), 'slot')} left after buffers: "
                    f"{buffer} removes {_count(lost, 'more start')}"
                )
            else:
                reasons.append(f"{buffer} removes the last {_count(lost, 'start')}")
    reasons.extend(_outside_dates(mission, meeting, booked, found))
    return reasons


# --- 1. the window ---------------------------------------------------------------------------
def _window_reason(mission: Mission, meeting: Meeting) -> str:
    need = format_duration(meeting.duration)
    mission_dates = f"the mission {mission.start.isoformat()}–{mission.end.isoformat()} {mission.timezone}"
    if meeting.not_before is None and meeting.not_after is None:
        return f"a {need} meeting does not fit inside {mission_dates}"
    first = meeting.not_before.isoformat() if meeting.not_before else "…"
    last = meeting.not_after.isoformat() if meeting.not_after else "…"
    return f"outside not_before/not_after: {first}–{last} leaves no {need} start inside {mission_dates}"


def _outside_dates(
    mission: Mission, meeting: Meeting, booked: Mapping[str, datetime], found: list[datetime]
) -> list[str]:
    if meeting.not_before is None and meeting.not_after is None:
        return []
    unbounded = replace(meeting, not_before=None, not_after=None)
    everywhere = feasible_starts(mission, unbounded, fixed=booked)
    inside = set(found)
    outside = [s for s in everywhere if s not in inside]
    if not outside:
        return []
    first = meeting.not_before.isoformat() if meeting.not_before else "…"
    last = meeting.not_after.isoformat() if meeting.not_after else "…"
    return [
        f"outside not_before/not_after ({first}–{last}): {_count(len(outside), 'start')} where "
        f"everyone is free, the first {_when(outside[0], mission.timezone)}"
    ]


# --- 2. hours --------------------------------------------------------------------------------
def _hours_reasons(
    mission: Mission,
    meeting: Meeting,
    people: list[Participant],
    plain: Mapping[str, IntervalSet],
    candidates: list[datetime],
) -> list[str]:
    # People with the same zone and hours share one (cached) start set: reason about each
    # such group once, so a meeting of 200 people costs what one of three zones does.
    groups: dict[int, list[Participant]] = {}
    for p in people:
        groups.setdefault(id(plain[p.id]), []).append(p)
    profiles = [(members, set(starts_in(plain[members[0].id], candidates))) for members in groups.values()]
    everyone = set.intersection(*(allowed for _, allowed in profiles))
    per_day: list[tuple[str, date]] = []
    days_seen: list[date] = []
    for day in mission.dates():
        lo, hi = day_span(day, mission.timezone)
        day_starts = candidates[bisect_left(candidates, lo) : bisect_left(candidates, hi)]
        if not day_starts:
            continue
        days_seen.append(day)
        span = Interval(lo, hi)
        lonely = [members for members, allowed in profiles if allowed.isdisjoint(day_starts)]
        for members in lonely:
            p = members[0]
            desc = _hours_text(p, span)
            if desc == "off":
                text = f"{_names(members)}: off {_local_days(p, span)} {p.timezone}"
            else:
                need = format_duration(meeting.duration)
                text = f"{_names(members)}: hours {desc} {p.timezone} leave no {need} start"
            per_day.append((text, day))
        if lonely or len(profiles) < 2:
            continue
        if not everyone.isdisjoint(day_starts):
            continue
        per_day.append((_clash_text(meeting, profiles, span, day_starts), day))
    return _grouped(per_day, days_seen)


def _clash_text(
    meeting: Meeting,
    profiles: list[tuple[list[Participant], set[datetime]]],
    span: Interval,
    day_starts: list[datetime],
) -> str:
    for i, (a, a_ok) in enumerate(profiles):
        for b, b_ok in profiles[i + 1 :]:
            if any(s in a_ok and s in b_ok for s in day_starts):
                continue
            who = f"{_who(a, span)} and {_who(b, span)}"
            reach = Interval(span.start, span.end + meeting.duration)
            shared = _hours_spans(a[0], reach) & _hours_spans(b[0], reach)
            longest = max((e - s for s, e in shared), default=timedelta(0))
            if not longest:
                return f"no overlap of {who}"
            if longest < meeting.duration:
                return (
                    f"{who} overlap only {format_duration(longest)}, "
                    f"the meeting needs {format_duration(meeting.duration)}"
                )
            return f"{who} share no start on the grid"
    return "no common hours of " + ", ".join(_who(members, span) for members, _ in profiles)


def _names(members: list[Participant]) -> str:
    """'brown', 'brown and santos', 'brown, santos and ito', 'brown, santos and 65 others'."""
    ids = [p.id for p in members]
    if len(ids) == 1:
        return ids[0]
    if len(ids) <= 3:
        return f"{', '.join(ids[:-1])} and {ids[-1]}"
    return f"{ids[0]}, {ids[1]} and {len(ids) - 2} others"


def _who(members: list[Participant], span: Interval) -> str:
    p = members[0]
    return f"{_names(members)} {_hours_text(p, span)} {p.timezone}"


def _hours_text(p: Participant, span: Interval) -> str:
    """`p`'s hours on their local dates within `span`, e.g. '07:00–22:00' (or 'off')."""
    texts: list[str] = []
    for day in local_dates(span, p.timezone):
        ranges = p.hours_on(day)
        if ranges and (text := _ranges_text(ranges)) not in texts:
            texts.append(text)
    return " / ".join(texts) or "off"


def _ranges_text(ranges: Iterable[MinuteRange]) -> str:
    return ", ".join(f"{a // 60:02d}:{a % 60:02d}–{b // 60:02d}:{b % 60:02d}" for a, b in ranges)


def _hours_spans(p: Participant, span: Interval) -> IntervalSet:
    from scheduler.core.availability import ranges_to_utc

    spans: list[Interval] = []
    for day in local_dates(span, p.timezone):
        spans.extend(ranges_to_utc(day, p.hours_on(day), p.timezone))
    return IntervalSet(spans) & IntervalSet.of(span)


def _local_days(p: Participant, span: Interval) -> str:
    days = local_dates(span, p.timezone)
    names = [d.strftime("%a") for d in days]
    return names[0] if len(names) == 1 else f"{names[0]}–{names[-1]}"


def _grouped(per_day: list[tuple[str, date]], days_seen: list[date]) -> list[str]:
    """One line per text; its dates become 'on Fridays' when they are every Friday seen."""
    by_text: dict[str, list[date]] = {}
    for text, day in per_day:
        by_text.setdefault(text, []).append(day)
    lines = []
    for text, days in sorted(by_text.items(), key=lambda kv: (kv[1][0], kv[0])):
        parts: list[str] = []
        weekdays = list(dict.fromkeys(d.weekday() for d in days))  # in date order
        for weekday in weekdays:
            mine = [d for d in days if d.weekday() == weekday]
            every = [d for d in days_seen if d.weekday() == weekday]
            if mine == every and len(every) > 1:
                parts.append(WEEKDAY_NAMES[weekday])
            else:
                parts.extend(f"{d.strftime('%a')} {d.isoformat()}" for d in mine)
        lines.append(f"{text} on {', '.join(parts)}")
    return lines


# --- 3. holidays -----------------------------------------------------------------------------
def _holiday_reasons(
    people: list[Participant], window: Interval, duration: timedelta, starts: list[datetime]
) -> list[str]:
    groups: dict[tuple[object, ...], list[Participant]] = {}
    for p in people:
        if p.holidays:
            groups.setdefault((p.timezone, p.holidays, tuple(p.overrides)), []).append(p)
    lines = []
    for members in groups.values():
        p = members[0]
        for day, name in holidays_on(p.holidays, local_dates(window, p.timezone)).items():
            if is_working_holiday(p, day):
                continue
            lo, hi = day_span(day, p.timezone)
            # A meeting touches the date when it starts before its end and ends after its start.
            if bisect_left(starts, hi) > bisect_right(starts, lo - duration):
                city = p.timezone.rsplit("/", 1)[-1].replace("_", " ")
                on = f"{day.strftime('%a')} {day.isoformat()}"
                lines.append(f"{_names(members)}: {name} ({p.holidays}) on {on} {city}")
    return lines


# --- 4. busy time and booked meetings --------------------------------------------------------
def _commitments(
    mission: Mission, booked: Mapping[str, datetime], excluding: str
) -> dict[str, list[tuple[str, Interval]]]:
    out: dict[str, list[tuple[str, Interval]]] = {}
    for mid, start in sorted(booked.items(), key=lambda kv: (kv[1], kv[0])):
        if mid == excluding:
            continue
        m = mission.meeting(mid)
        for pid in m.required:
            out.setdefault(pid, []).append((mid, Interval(start, start + m.duration)))
    return out


def _busy_reasons(
    mission: Mission,
    meeting: Meeting,
    people: list[Participant],
    common: IntervalSet,
    starts: list[datetime],
    commitments: Mapping[str, list[tuple[str, Interval]]],
) -> list[str]:
    if not starts:
        return []
    buffer, duration = mission.buffer, meeting.duration

    lines: list[str] = []
    named_people = more = 0
    for p in people:
        booked = IntervalSet(iv for _, iv in commitments.get(p.id, ()))
        if named_people >= PEOPLE_NAMED:
            # Past the people named, only whether they remove anything: stop at the first hit.
            more += any(_blocks(p.busy, booked, s, buffer, duration) for s in starts)
            continue
        left = set(starts_in(without_busy(common, p, buffer, duration, booked or EMPTY), starts))
        removed = [s for s in starts if s not in left]
        if not removed:
            continue
        named_people += 1
        # Only spans near a removed start can be the cause: look there, not across the month.
        near = IntervalSet((s - buffer, s + duration + buffer) for s in removed)
        found = {iv for region in near for iv in p.busy.overlapping(region)}
        culprits = [("busy", iv) for iv in sorted(found)]
        mine = [(f"meeting {mid}", iv) for mid, iv in commitments.get(p.id, ()) if near.overlaps(iv)]
        if mine:
            culprits = sorted(culprits + mine, key=lambda c: (c[1].start, c[0]))
        named = [(label, iv) for label, iv in culprits if _removes(iv, removed, buffer, duration)]
        lines.extend(f"{p.id}: {label} {_span_text(iv, p.timezone)}" for label, iv in named[:BUSY_PER_PERSON])
        if len(named) > BUSY_PER_PERSON:
            lines.append(f"{p.id}: {_count(len(named) - BUSY_PER_PERSON, 'more busy period')}")
    if more:
        lines.append(f"busy time of {_count(more, 'more participant')} removes starts too")
    return lines


def _blocks(
    busy: IntervalSet, booked: IntervalSet, s: datetime, buffer: timedelta, duration: timedelta
) -> bool:
    reach = Interval(s - buffer, s + duration + buffer)
    return busy.overlaps(reach) or booked.overlaps(reach)


def _removes(iv: Interval, removed: list[datetime], buffer: timedelta, duration: timedelta) -> bool:
    # The widened span [a - buffer, b + buffer) blocks starts in (a - buffer - duration, b + buffer).
    lo = bisect_right(removed, iv.start - buffer - duration)
    return lo < bisect_left(removed, iv.end + buffer)


# --- text ------------------------------------------------------------------------------------
def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _when(instant: datetime, zone_name: str) -> str:
    local = to_local(instant, zone_name)
    return f"{local.strftime('%a')} {local.date().isoformat()} {local.strftime('%H:%M')} {local.tzname()}"


def _span_text(iv: Interval, zone_name: str) -> str:
    """'2027-02-16 19:00–21:00 EST'; both dates when the span ends on a later local date."""
    a, b = to_local(iv.start, zone_name), to_local(iv.end, zone_name)
    if a.date() == b.date():
        zone_abbr = a.tzname() if a.tzname() == b.tzname() else f"{a.tzname()}/{b.tzname()}"
        return f"{a.date().isoformat()} {a:%H:%M}–{b:%H:%M} {zone_abbr}"
    return f"{a.date().isoformat()} {a:%H:%M} {a.tzname()} – {b.date().isoformat()} {b:%H:%M} {b.tzname()}"
