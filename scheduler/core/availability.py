"""When each participant can meet: hours + holidays + busy + buffer → valid meeting starts, in UTC.

Every rule reads the holder's own local date: Brown's Monday is a Toronto Monday, JETRO's
holiday is a Tokyo date (so Japan's Emperor's Birthday on Tuesday 23 February removes the
Toronto evening of Monday 22 February for a meeting with JETRO).

The central question, "may this meeting start at `s`?", becomes a set: `start_set` returns the
UTC starts `s` for which `[s, s + duration)`

* lies inside one range of the participant's hours on the local date of `s` (an override
  replaces the weekly hours that day; ranges never run past local midnight),
* touches no local date that is a public holiday of theirs (unless an override says they work),
* and does not meet any busy interval widened by the buffer on both sides.

Starts sets of several people intersect, which is how the slot finder and the planner find the
times where everyone can meet without looking at each candidate one by one.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays as holidays_lib

from scheduler.core.intervals import EMPTY, Interval, IntervalSet
from scheduler.core.models import Meeting, MinuteRange, Mission, Participant, WeeklyHours
from scheduler.core.zones import local_midnight, wall_to_utc

ONE_MICROSECOND = timedelta(microseconds=1)


# --- holidays --------------------------------------------------------------------------------
def validate_region(code: str) -> str:
    """Return `code` when the `holidays` package knows it ("CA-ON", "JP", ""), else raise ValueError."""
    if code:
        _holiday_calendar(code, 2027)
    return code


@lru_cache(maxsize=256)
def _holiday_calendar(code: str, year: int) -> Mapping[date, str]:
    country, _, subdiv = code.partition("-")
    try:
        cal = holidays_lib.country_holidays(country, subdiv=subdiv or None, years=year)
    except NotImplementedError:
        raise ValueError(
            f"unknown holiday region {code!r}: use a country code like 'JP' "
            "or country-subdivision like 'CA-ON'"
        ) from None
    return dict(cal)


def holidays_on(code: str, days: Iterable[date]) -> dict[date, str]:
    """The public holidays of region `code` among `days`, with their names."""
    if not code:
        return {}
    found: dict[date, str] = {}
    for day in days:
        name = _holiday_calendar(code, day.year).get(day)
        if name:
            found[day] = name
    return found


def is_working_holiday(p: Participant, day: date) -> bool:
    """A holiday the participant works anyway: an override that day means they chose to."""
    return day in p.overrides


# --- local dates and hours -------------------------------------------------------------------
def local_dates(window: Interval, zone_name: str) -> list[date]:
    """The holder's local dates that the window touches."""
    from scheduler.core.zones import dates_touched

    return dates_touched(window.start, window.end, zone_name)


def ranges_to_utc(day: date, ranges: Iterable[MinuteRange], zone_name: str) -> list[Interval]:
    """Wall-clock ranges of one local date as UTC intervals (the DST rule is in zones.py)."""
    out = []
    for start, end in ranges:
        s = wall_to_utc(day, start, zone_name)
        e = wall_to_utc(day, end, zone_name, closing=True)
        if s < e:
            out.append(Interval(s, e))
    return out


def hours_by_date(p: Participant, window: Interval) -> dict[date, list[Interval]]:
    """Each local date's hard hours in UTC, holidays removed (unless overridden)."""
    days = local_dates(window, p.timezone)
    off = holidays_on(p.holidays, days)
    result: dict[date, list[Interval]] = {}
    for day in days:
        if day in off and not is_working_holiday(p, day):
            result[day] = []
        else:
            result[day] = ranges_to_utc(day, p.hours_on(day), p.timezone)
    return result


def preferred_by_date(p: Participant, window: Interval) -> dict[date, list[Interval]]:
    return {
        day: ranges_to_utc(day, p.preferred.on(day), p.timezone) for day in local_dates(window, p.timezone)
    }


# --- busy and starts -------------------------------------------------------------------------
def blocked(p: Participant, buffer: timedelta, extra: IntervalSet = EMPTY) -> IntervalSet:
    """Busy time (calendars and other commitments) widened by the buffer on both sides."""
    busy = p.busy | extra if extra else p.busy
    return busy.expanded(buffer)


def erode(free: Iterable[Interval], duration: timedelta) -> IntervalSet:
    """Starts `s` with `[s, s + duration)` inside one of the given spans.

    A start may be exactly `end - duration`; datetimes count in microseconds, so the closed
    bound `s <= end - duration` is the half-open `s < end - duration + 1 µs`, exactly.
    """
    return IntervalSet((a, b - duration + ONE_MICROSECOND) for a, b in free if b - a >= duration)


def start_set(
    mission: Mission,
    p: Participant,
    duration: timedelta,
    *,
    extra_busy: IntervalSet = EMPTY,
    window: Interval | None = None,
) -> IntervalSet:
    """The UTC starts at which `p` can hold a meeting of `duration` (see the module docstring)."""
    window = window or mission.window
    hours = hours_starts(p, window, duration)
    if not hours:
        return EMPTY
    return without_busy(hours, p, mission.buffer, duration, extra_busy)


def hours_starts(
    p: Participant, window: Interval, duration: timedelta, *, with_holidays: bool = True
) -> IntervalSet:
    """Starts that fit one range of `p`'s hours on their local date, holidays removed; busy ignored.

    Cached by what it depends on (zone, hours, overrides, holiday region), so everyone who
    shares a zone and hours shares one computation: conversions grow with zones × days.
    `with_holidays=False` ignores public holidays (the slot finder uses it to name them).
    """
    region = p.holidays if with_holidays else ""
    return _hours_starts(p.timezone, p.hours, tuple(p.overrides.items()), region, window, duration)


@lru_cache(maxsize=4096)
def _hours_starts(
    zone_name: str,
    weekly: WeeklyHours,
    overrides: tuple[tuple[date, tuple[MinuteRange, ...]], ...],
    region: str,
    window: Interval,
    duration: timedelta,
) -> IntervalSet:
    days = local_dates(window, zone_name)
    off = holidays_on(region, days)
    worked = dict(overrides)
    spans: list[Interval] = []
    for day in days:
        if day in off and day not in worked:
            continue
        ranges = worked[day] if day in worked else weekly.on(day)
        spans.extend(ranges_to_utc(day, ranges, zone_name))
    # Each range is eroded on its own: ranges of one date never touch (they were joined), and
    # a range ending at midnight must not join the next date's range that starts there.
    return erode(spans, duration)


def without_busy(
    starts: IntervalSet,
    p: Participant,
    buffer: timedelta,
    duration: timedelta,
    extra_busy: IntervalSet = EMPTY,
) -> IntervalSet:
    """The starts `s` of `starts` whose meeting `[s, s + duration)` meets no busy time of `p`.

    A busy span `[a, b)` widened by the buffer blocks `s` exactly when `s + duration > a - buffer`
    and `s < b + buffer`, i.e. `s` in `[a - buffer - duration + 1 µs, b + buffer)`.
    """
    before = buffer + duration - ONE_MICROSECOND
    result = starts.without(p.busy, before, buffer)
    if extra_busy:
        result = result.without(extra_busy, before, buffer)
    return result


# --- the mission's grid ----------------------------------------------------------------------
def grid(mission: Mission) -> list[datetime]:
    """Every allowed start: each home date's local midnight, then every `step` of elapsed time.

    On the fall-back Sunday both 01:30s are starts; on the spring-forward Sunday the day is
    23 hours long and so has fewer starts.
    """
    return list(_grid(mission.timezone, mission.start, mission.end, mission.step))


@lru_cache(maxsize=64)
def _grid(zone_name: str, first: date, last: date, step: timedelta) -> tuple[datetime, ...]:
    starts: list[datetime] = []
    day = first
    while day <= last:
        t = local_midnight(day, zone_name)
        end = local_midnight(day + timedelta(days=1), zone_name)
        while t < end:
            starts.append(t)
            t += step
        day += timedelta(days=1)
    return tuple(starts)


def meeting_window(mission: Mission, meeting: Meeting) -> Interval:
    """The span the whole meeting must lie in: the mission window narrowed by its own dates."""
    start, end = mission.window
    if meeting.not_before is not None:
        start = max(start, local_midnight(meeting.not_before, mission.timezone))
    if meeting.not_after is not None:
        end = min(end, local_midnight(meeting.not_after + timedelta(days=1), mission.timezone))
    return Interval(start, max(start, end))


def starts_in(starts: IntervalSet, candidates: list[datetime]) -> list[datetime]:
    """The candidates (sorted) that fall inside the set."""
    found: list[datetime] = []
    for a, b in starts:
        found.extend(candidates[bisect_left(candidates, a) : bisect_left(candidates, b)])
    return found


def commitments_of(
    mission: Mission, fixed: Mapping[str, datetime], *, excluding: str | None = None
) -> dict[str, IntervalSet]:
    """Busy time each participant gets from meetings already fixed (booked) elsewhere."""
    spans: dict[str, list[Interval]] = {}
    for mid, start in fixed.items():
        if mid == excluding:
            continue
        m = mission.meeting(mid)
        for pid in m.required:
            spans.setdefault(pid, []).append(Interval(start, start + m.duration))
    return {pid: IntervalSet(s) for pid, s in spans.items()}


def distinct(sets: Iterable[IntervalSet]) -> list[IntervalSet]:
    """The sets without repeats of the same object (cached sets are shared), in order."""
    return list({id(s): s for s in sets}.values())


def feasible_starts(
    mission: Mission,
    meeting: Meeting,
    *,
    fixed: Mapping[str, datetime] | None = None,
) -> list[datetime]:
    """Grid starts where every required participant of `meeting` is free for its whole duration.

    `fixed` maps other meetings' ids to their booked starts; they are commitments (with the
    buffer) of their participants. A meeting's own `fixed_start` in the mission counts too.
    """
    return starts_in(feasible_set(mission, meeting, fixed=fixed), grid(mission))


def feasible_set(
    mission: Mission,
    meeting: Meeting,
    *,
    fixed: Mapping[str, datetime] | None = None,
) -> IntervalSet:
    """The UTC starts (on the grid or not) where every required participant is free.

    `feasible_starts` is this set's grid starts; the slot finder keeps the set to ask about
    optional attendees only where the meeting can be held, not across the whole window.
    """
    fixed = dict(fixed or {})
    for other in mission.meetings:
        if other.fixed_start is not None and other.id not in fixed:
            fixed[other.id] = other.fixed_start
    commitments = commitments_of(mission, fixed, excluding=meeting.id)
    window = meeting_window(mission, meeting)
    by_id = {p.id: p for p in mission.participants}
    people = [by_id[pid] if pid in by_id else mission.participant(pid) for pid in meeting.required]
    common = erode([window], meeting.duration)
    # Hours first (cached, few spans; people who share zone and hours share one set, so each
    # distinct set is intersected once), then busy time subtracted only where it can still
    # matter: the common set is small, so each calendar is visited by bisection, not in full.
    for hours in distinct(hours_starts(p, window, meeting.duration) for p in people):
        if not common:
            break
        common &= hours
    for p in people:
        if not common:
            break
        common = without_busy(common, p, mission.buffer, meeting.duration, commitments.get(p.id, EMPTY))
    return common
