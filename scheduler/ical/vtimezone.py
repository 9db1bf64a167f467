"""VTIMEZONE components generated from zoneinfo, rule-based, and checked against zoneinfo.

Outlook and Thunderbird convert `DTSTART;TZID=…` with the VTIMEZONE in the file, not with their
own database, so the definition must be right. `icalendar`'s `add_missing_timezones()` writes
each observance as one RDATE with a comma list of dates, of which ical.js and vobject read only
the first (an event an hour wrong: see calendar-invites.md, rule 8). We write what every client
reads: one yearly RRULE per observance ("second Sunday of March at 02:00"), recognised from the
zone's actual transitions, and, only where no such rule fits, one RDATE property per date.

How: sample zoneinfo across the covered years, find each transition to the second, group
transitions by (offset before, offset after, DST, abbreviation), and for each group recognise
"nth (or last) weekday of a month at a wall time". The result is then evaluated independently
(the serialised RRULE expanded with dateutil) and compared with zoneinfo at every transition:
a mismatch raises instead of sending a wrong invitation.

    >>> from datetime import UTC, datetime
    >>> tz = vtimezone("America/Toronto", datetime(2027, 3, 15, 23, tzinfo=UTC),
    ...                datetime(2027, 3, 16, tzinfo=UTC))
    >>> [(c.name, c["RRULE"].to_ical().decode()) for c in tz.subcomponents]
    [('DAYLIGHT', 'FREQ=YEARLY;BYDAY=2SU;BYMONTH=3'), ('STANDARD', 'FREQ=YEARLY;BYDAY=1SU;BYMONTH=11')]
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, NamedTuple

from dateutil.rrule import rrulestr
from icalendar import Timezone, TimezoneDaylight, TimezoneStandard, vRecur

from scheduler.core.intervals import ensure_utc
from scheduler.core.zones import zone
from scheduler.errors import SchedulerError

_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_SCAN_STEP = timedelta(hours=6)  # no zone changes its offset twice within six hours
# Onset of the single observance of a zone without transitions. Naive on purpose: a VTIMEZONE's
# DTSTART is local wall time without TZID (RFC 5545 §3.6.5).
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC).replace(tzinfo=None)


class _State(NamedTuple):
    offset: timedelta
    is_dst: bool
    name: str


class _Transition(NamedTuple):
    at: datetime  # UTC instant of the change
    before: _State
    after: _State


@dataclass(frozen=True)
class _Observance:
    """One STANDARD or DAYLIGHT block, as plain values (cached; components are mutable)."""

    state: _State
    offset_from: timedelta
    dtstart: datetime  # naive local wall time, in the offset before the change
    rrule: str = ""  # "FREQ=YEARLY;BYMONTH=3;BYDAY=2SU", optionally ";UNTIL=…Z"
    rdates: tuple[datetime, ...] = ()  # naive local, one RDATE property each


def vtimezone(zone_name: str, start: datetime, end: datetime) -> Timezone:
    """A VTIMEZONE for `zone_name` that is right for every instant from `start` to `end` (aware).

    Covers the whole local years around the span (the year before `start` to the year after
    `end`); raises `SchedulerError` if the generated definition does not reproduce zoneinfo.
    """
    start, end = ensure_utc(start, "time zone start"), ensure_utc(end, "time zone end")
    if end < start:
        raise ValueError("time zone span ends before it starts")
    first_year = start.astimezone(zone(zone_name)).year - 1
    last_year = end.astimezone(zone(zone_name)).year + 1
    observances = _observances(zone_name, first_year, last_year)
    if not observances or min(o.dtstart - o.offset_from for o in observances) > start.replace(tzinfo=None):
        # No transition between the covered years' start and `start` (a zone without DST): state
        # the offset in force as one observance from long ago, so `start` has a defined offset.
        base = _state(zone_name, start)
        observances = (_Observance(base, base.offset, _EPOCH), *observances)
    component = _component(zone_name, observances)
    _verify(zone_name, component, first_year, last_year, (start, end))
    return component


# --- finding the transitions -------------------------------------------------------------------
def _state(zone_name: str, instant: datetime) -> _State:
    local = instant.astimezone(zone(zone_name))
    offset, dst = local.utcoffset(), local.dst()
    assert offset is not None  # a ZoneInfo always answers
    return _State(offset, bool(dst), local.tzname() or "")


@lru_cache(maxsize=256)
def _transitions(zone_name: str, lo: datetime, hi: datetime) -> tuple[_Transition, ...]:
    """Every change of (offset, DST, abbreviation) in `[lo, hi)`, each located to the second."""
    found: list[_Transition] = []
    t, state = lo, _state(zone_name, lo)
    while t < hi:
        nxt = min(t + _SCAN_STEP, hi)
        nxt_state = _state(zone_name, nxt)
        if nxt_state != state:
            a, b = t, nxt  # state(a) == state, state(b) != state: bisect to one second
            while b - a > timedelta(seconds=1):
                mid = (a + (b - a) / 2).replace(microsecond=0)
                if _state(zone_name, mid) == state:
                    a = mid
                else:
                    b = mid
            if b < hi:
                found.append(_Transition(b, state, _state(zone_name, b)))
        t, state = nxt, nxt_state
    return tuple(found)


# --- recognising rules -------------------------------------------------------------------------
def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> int:
    """Day of month of the `nth` (1..4, or -1 for last) `weekday` (0 = Monday)."""
    days = calendar.monthrange(year, month)[1]
    if nth == -1:
        last = days
        return last - (calendar.weekday(year, month, last) - weekday) % 7
    first = 1 + (weekday - calendar.weekday(year, month, 1)) % 7
    return first + 7 * (nth - 1)


def _rule_for(onsets: list[datetime], offset_from: timedelta, lo: datetime, hi: datetime) -> str:
    """ "FREQ=YEARLY;BYMONTH=…;BYDAY=…" when one yearly rule gives exactly `onsets`, else ""."""
    first = onsets[0]
    if any((o.month, o.weekday(), o.time()) != (first.month, first.weekday(), first.time()) for o in onsets):
        return ""
    weeks = {(o.day - 1) // 7 + 1 for o in onsets}
    if len(weeks) == 1 and next(iter(weeks)) <= 4:
        nth = next(iter(weeks))
    elif all(o.day + 7 > calendar.monthrange(o.year, o.month)[1] for o in onsets):
        nth = -1
    else:
        return ""
    predicted = []
    for year in range(first.year, hi.year + 1):
        local = first.replace(year=year, day=_nth_weekday(year, first.month, first.weekday(), nth))
        if lo <= (local - offset_from).replace(tzinfo=UTC) < hi:
            predicted.append(local)
    rule = f"FREQ=YEARLY;BYMONTH={first.month};BYDAY={nth}{_WEEKDAYS[first.weekday()]}"
    if predicted == onsets:
        return rule
    if predicted[: len(onsets)] == onsets:  # the rule held, then the zone stopped using it
        until = (onsets[-1] - offset_from).strftime("%Y%m%dT%H%M%SZ")
        return f"{rule};UNTIL={until}"
    return ""


@lru_cache(maxsize=256)
def _observances(zone_name: str, first_year: int, last_year: int) -> tuple[_Observance, ...]:
    lo = datetime(first_year, 1, 1, tzinfo=UTC)
    hi = datetime(last_year + 1, 1, 1, tzinfo=UTC)
    groups: dict[tuple[timedelta, _State], list[datetime]] = {}
    for tr in _transitions(zone_name, lo, hi):
        local_onset = (tr.at + tr.before.offset).replace(tzinfo=None)
        groups.setdefault((tr.before.offset, tr.after), []).append(local_onset)
    out = []
    for (offset_from, state), onsets in groups.items():
        rule = _rule_for(onsets, offset_from, lo, hi)
        rdates = () if rule else tuple(onsets[1:])
        out.append(_Observance(state, offset_from, onsets[0], rule, rdates))
    return tuple(sorted(out, key=lambda o: o.dtstart))


def _component(zone_name: str, observances: tuple[_Observance, ...]) -> Timezone:
    tz = Timezone()
    tz.add("TZID", zone_name)
    for o in observances:
        sub = TimezoneDaylight() if o.state.is_dst else TimezoneStandard()
        sub.add("DTSTART", o.dtstart)
        if o.rrule:
            sub.add("RRULE", vRecur.from_ical(o.rrule))
        for rdate in o.rdates:  # one property per date: parsers read only the first of a list
            sub.add("RDATE", rdate)
        sub.add("TZOFFSETFROM", o.offset_from)
        sub.add("TZOFFSETTO", o.state.offset)
        if o.state.name:
            sub.add("TZNAME", o.state.name)
        tz.add_component(sub)
    return tz


# --- checking the result against zoneinfo ------------------------------------------------------
def onsets_of(component: Timezone, until: datetime) -> list[tuple[datetime, timedelta, str]]:
    """(UTC instant, offset after, abbreviation) of every onset a VTIMEZONE defines before `until`.

    Reads the component as a client would: DTSTART, the serialised RRULE expanded by dateutil,
    and every RDATE property. Used to check our own output; works on any VTIMEZONE.
    """
    found = []
    sub: Any  # icalendar's property types are one wide union: read them as the values they are
    for sub in component.subcomponents:
        offset_from = sub["TZOFFSETFROM"].td
        offset_to = sub["TZOFFSETTO"].td
        name = str(sub.get("TZNAME", ""))
        start = sub["DTSTART"].dt
        locals_: list[datetime] = [start]
        if "RRULE" in sub:
            rule: Any = sub["RRULE"]
            limit = until.replace(tzinfo=None) + offset_from
            stop = rule.get("UNTIL")
            if stop:  # dateutil refuses a UTC UNTIL with a floating DTSTART: apply it by hand
                limit = min(limit, stop[0].replace(tzinfo=None) + offset_from)
                rule = vRecur({k: v for k, v in rule.items() if k != "UNTIL"})
            for occ in rrulestr(rule.to_ical().decode(), dtstart=start):
                if occ > limit:
                    break
                locals_.append(occ)
        for prop in sub.get("RDATE", []) if isinstance(sub.get("RDATE"), list) else [sub.get("RDATE")]:
            if prop is not None:
                locals_.extend(d.dt for d in prop.dts)
        for local in set(locals_):
            instant = (local - offset_from).replace(tzinfo=UTC)
            if instant < until:
                found.append((instant, offset_to, name))
    return sorted(found)


def offset_at(onsets: list[tuple[datetime, timedelta, str]], instant: datetime) -> timedelta | None:
    """The offset a VTIMEZONE's onsets put in force at `instant` (None before the first onset)."""
    current = None
    for at, offset, _name in onsets:
        if at > instant:
            break
        current = offset
    return current


def _verify(
    zone_name: str, component: Timezone, first_year: int, last_year: int, instants: tuple[datetime, ...]
) -> None:
    lo = datetime(first_year, 1, 1, tzinfo=UTC)
    hi = datetime(last_year + 1, 1, 1, tzinfo=UTC)
    onsets = onsets_of(component, hi)
    expected = [(t.at, t.after.offset, t.after.name) for t in _transitions(zone_name, lo, hi)]
    got = [o for o in onsets if o[0] >= lo]
    problems = []
    if got != expected:
        problems.append(f"transitions {got} differ from zoneinfo's {expected}")
    checks = list(instants)
    for at, _, _ in expected:
        checks += [at - timedelta(seconds=1), at]
    for instant in checks:
        want = _state(zone_name, instant).offset
        have = offset_at(onsets, instant)
        if have is None and instant < instants[0]:
            continue  # before the first onset and before anything we were asked to cover
        if have != want:
            problems.append(f"at {instant.isoformat()} the definition gives {have}, zoneinfo {want}")
    if problems:
        raise SchedulerError(
            f"generated VTIMEZONE for {zone_name} does not match zoneinfo: " + "; ".join(problems[:3])
        )


__all__ = ["offset_at", "onsets_of", "vtimezone"]
