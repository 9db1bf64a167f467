"""VEVENTs → busy occurrences in UTC inside a window: recurrences, exceptions, overrides, zones.

The rules (RFC 5545, with the choices the busy import makes):

* An event blocks `[DTSTART, DTEND)`; with DURATION instead, days are wall-clock days and
  hours/minutes/seconds exact time; with neither, a DATE event lasts one day and a DATE-TIME
  event has no length (so blocks nothing).
* STATUS:CANCELLED and TRANSP:TRANSPARENT events block nothing; TENTATIVE and CONFIRMED block.
* All-day (DATE) events block the OWNER's local dates, from local midnight to local midnight.
* Timed values: `Z` is UTC; TZID is resolved by `tzids.resolve_tzid`; a floating time is in the
  calendar's X-WR-TIMEZONE when it has one (Google), else in the owner's zone.
* Recurrence: DTSTART is always the first instance; RRULE and RDATE add instances, EXDATE
  removes them (matched by instant, so an EXDATE may use another TZID or UTC). Instances are
  computed on the series' wall clock and then converted, so they keep their local time across
  DST changes. A RECURRENCE-ID override replaces the instance it names (its own times, or the
  master's length when it gives none); a cancelled or transparent override just removes it.
* Wall times in a DST gap or fold follow `core.zones.wall_to_utc`: a start takes the first
  occurrence of an ambiguous time, an end the second, and a time in a gap means the gap's end.
  Seconds are kept (added after the minute is converted).

Published free/busy (VFREEBUSY with FREEBUSY periods) counts too, except FBTYPE=FREE.

Not supported, and refused with a CalendarError rather than misread: RECURRENCE-ID with
RANGE=THISANDFUTURE, and rules producing more than `recurrence.MAX_STEPS` instances before
the window ends. Ignored: VTODO, VJOURNAL, EXRULE (deprecated by RFC 5545), VALARM.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Literal, NamedTuple

from scheduler.core.intervals import Interval
from scheduler.core.zones import local_midnight, wall_to_utc, zone
from scheduler.errors import CalendarError
from scheduler.ical.calendar import RawCalendar, RawEvent
from scheduler.ical.contentlines import ContentLine, unescape_text
from scheduler.ical.recurrence import build_rule, starts_between
from scheduler.ical.tzids import known_zone, resolve_tzid
from scheduler.ical.values import UTC_ANCHOR, Stamp, parse_duration, parse_stamp, parse_stamp_list

ONE_DAY = timedelta(days=1)
MARGIN = timedelta(days=2)  # wall clocks are at most ~1 day from UTC; 2 leaves room


class Occurrence(NamedTuple):
    """One busy instance of an event, in UTC (before merging and clipping)."""

    start: datetime
    end: datetime
    uid: str
    summary: str


class End(NamedTuple):
    """How an instance's end follows from its start.

    kind "wall": DTEND in the start's zone, `delta` later on the wall clock; "exact": DTEND in
    another zone, `delta` later in elapsed time; "nominal": a DURATION, `days` wall-clock days
    then `delta` elapsed; "days": an all-day event lasting `days` local dates.
    """

    kind: Literal["wall", "exact", "nominal", "days"]
    delta: timedelta = timedelta(0)
    days: int = 0

    @property
    def span(self) -> timedelta:
        """The length, roughly (a wall day may be 23 or 25 hours): used only to bound searches."""
        return self.days * ONE_DAY + self.delta


def _dt(value: date) -> datetime:
    # A DATE-TIME Stamp's wall is a datetime; the type only says date (its base class).
    assert isinstance(value, datetime)
    return value


def _day(value: date) -> date:
    """The date of a DATE or DATE-TIME wall value."""
    return value.date() if isinstance(value, datetime) else value


@dataclass(slots=True)
class _Context:
    source: str
    owner_zone: str
    floating_zone: str
    window: Interval
    vtimezones: dict[str, list[ContentLine]]
    tz_cache: dict[str, str]

    def zone_of(self, stamp: Stamp, line: int) -> str:
        anchor = stamp.anchor
        if anchor is None:
            return self.floating_zone
        if anchor == UTC_ANCHOR:
            return UTC_ANCHOR
        found = self.tz_cache.get(anchor)
        if found is None:
            found = resolve_tzid(anchor, self.vtimezones, self.window, self.source, line)
            self.tz_cache[anchor] = found
        return found

    def utc(self, stamp: Stamp, line: int, *, closing: bool = False) -> datetime:
        """The instant of a DATE-TIME (a DATE: the owner's local midnight)."""
        if stamp.is_date:
            return local_midnight(stamp.wall, self.owner_zone)
        return to_utc(_dt(stamp.wall), self.zone_of(stamp, line), closing=closing)


def to_utc(wall: datetime, zone_name: str, *, closing: bool = False) -> datetime:
    """A wall-clock time of the zone as a UTC instant, with the gap/fold rule of `core.zones`."""
    if zone_name == UTC_ANCHOR:
        return wall.replace(tzinfo=UTC)
    offset = steady_offset(wall.date(), zone_name)
    if offset is not None:
        # No clock change that day, so no gap or fold: the rule reduces to one subtraction.
        return (wall - offset).replace(tzinfo=UTC)
    instant = wall_to_utc(wall.date(), wall.hour * 60 + wall.minute, zone_name, closing=closing)
    if wall.second or wall.microsecond:
        instant += timedelta(seconds=wall.second, microseconds=wall.microsecond)
    return instant


@lru_cache(maxsize=65536)
def steady_offset(day: date, zone_name: str) -> timedelta | None:
    """The zone's UTC offset all through the local date, or None when its clocks change that day."""
    start, end = local_midnight(day, zone_name), local_midnight(day + ONE_DAY, zone_name)
    tz = zone(zone_name)
    first = start.astimezone(tz).utcoffset()
    if end - start != ONE_DAY or first != (end - _TICK).astimezone(tz).utcoffset():
        return None
    return first


_TICK = timedelta(microseconds=1)


def occurrences(cal: RawCalendar, *, source: str, owner_zone: str, window: Interval) -> list[Occurrence]:
    """Every busy instance of the calendar that may touch `window` (the caller clips)."""
    floating = owner_zone
    if cal.x_wr_timezone is not None:
        x = cal.x_wr_timezone
        named = known_zone(x.value)
        if named is None:
            raise CalendarError(source, f"X-WR-TIMEZONE {x.value!r} is not a known time zone", x.line)
        floating = named
    ctx = _Context(source, owner_zone, floating, window, cal.vtimezones, {})
    masters: dict[str, list[RawEvent]] = {}
    overrides: dict[str, list[RawEvent]] = {}
    for n, ev in enumerate(cal.events):
        uid_line = ev.one("UID")
        # RFC 5545 requires a UID; without one an event can only stand alone.
        uid = unescape_text(uid_line.value) if uid_line else f"\0line-{ev.line}-{n}"
        group = overrides if "RECURRENCE-ID" in ev.props else masters
        group.setdefault(uid, []).append(ev)
    out: list[Occurrence] = []
    for uid, evs in masters.items():
        moved = overrides.pop(uid, [])
        if any(_status(ev) == "CANCELLED" for ev in evs):
            continue  # the whole series is cancelled, its moved instances with it
        ends = [_expand_series(ctx, uid, ev, moved, out) for ev in evs]
        # Each moved instance counts once, even when a UID has several masters (bad exports).
        out.extend(_single(ctx, uid, m, ends[0]) for m in moved if _blocks(m))
    for uid, evs in overrides.items():  # moved instances whose series is not in the file
        for ev in evs:
            if _blocks(ev):
                out.append(_single(ctx, uid, ev, None))
    for c in cal.freebusy:
        # Published free/busy (RFC 5545 §3.8.2.6): every type but FREE is time taken.
        if c.params.get("FBTYPE", "BUSY").upper() != "FREE":
            out.extend(Occurrence(s, e, "", "busy") for s, e in _periods(ctx, c))
    return out


def _status(ev: RawEvent) -> str:
    c = ev.one("STATUS")
    return c.value.strip().upper() if c else ""


def _blocks(ev: RawEvent) -> bool:
    if _status(ev) == "CANCELLED":
        return False
    t = ev.one("TRANSP")
    return not (t and t.value.strip().upper() == "TRANSPARENT")


def _summary(ev: RawEvent) -> str:
    c = ev.one("SUMMARY")
    return unescape_text(c.value) if c else ""


def _start(ctx: _Context, ev: RawEvent) -> tuple[Stamp, int]:
    c = ev.one("DTSTART") or ev.one("RECURRENCE-ID")
    if c is None:
        raise CalendarError(ctx.source, "a VEVENT without DTSTART", ev.line)
    return parse_stamp(c.value, c.params, ctx.source, c.line), c.line


def _end_rule(ctx: _Context, ev: RawEvent, start: Stamp, start_line: int, default: End | None) -> End:
    c = ev.one("DTEND")
    if c is not None:
        end = parse_stamp(c.value, c.params, ctx.source, c.line)
        if end.is_date != start.is_date:
            raise CalendarError(ctx.source, "DTEND and DTSTART must both be dates or both date-times", c.line)
        if start.is_date:
            days = (end.wall - start.wall).days
            if days < 0:
                raise CalendarError(ctx.source, "DTEND is before DTSTART", c.line)
            return End("days", days=days)
        if ctx.zone_of(start, start_line) == ctx.zone_of(end, c.line):
            rule = End("wall", _dt(end.wall) - _dt(start.wall))
        else:
            rule = End("exact", ctx.utc(end, c.line, closing=True) - ctx.utc(start, start_line))
        if rule.delta < timedelta(0):
            raise CalendarError(ctx.source, "DTEND is before DTSTART", c.line)
        return rule
    c = ev.one("DURATION")
    if c is not None:
        d = parse_duration(c.value, ctx.source, c.line)
        if d.total < timedelta(0):
            raise CalendarError(ctx.source, f"negative DURATION {c.value!r}", c.line)
        if start.is_date:
            total = d.total
            return End("days", days=total.days + (1 if total % ONE_DAY else 0))
        return End("nominal", d.exact, d.days)
    if default is not None:
        return default
    # Neither: a date lasts one day; a date-time is an instant and blocks nothing.
    return End("days", days=1) if start.is_date else End("exact")


def _timed(wall: datetime, zone_name: str, end: End) -> tuple[datetime, datetime]:
    start = to_utc(wall, zone_name)
    kind = end.kind
    if kind == "wall":
        return start, to_utc(wall + end.delta, zone_name, closing=True)
    if kind == "exact" or not end.days:
        return start, start + end.delta
    # "nominal" (or an all-day length borrowed by a timed override): wall-clock days, then exact time.
    return start, to_utc(wall + end.days * ONE_DAY, zone_name, closing=not end.delta) + end.delta


def _all_day(ctx: _Context, day: date, end: End) -> tuple[datetime, datetime]:
    days = end.days if end.kind == "days" else max(1, end.span.days)
    owner = ctx.owner_zone
    return local_midnight(day, owner), local_midnight(day + timedelta(days=days), owner)


def _single(ctx: _Context, uid: str, ev: RawEvent, default: End | None) -> Occurrence:
    start, line = _start(ctx, ev)
    end = _end_rule(ctx, ev, start, line, default)
    if start.is_date:
        s, e = _all_day(ctx, start.wall, end)
    else:
        s, e = _timed(_dt(start.wall), ctx.zone_of(start, line), end)
    return Occurrence(s, e, uid, _summary(ev))


def _expand_series(
    ctx: _Context, uid: str, ev: RawEvent, moved: list[RawEvent], out: list[Occurrence]
) -> End:
    """Add the series' own instances to `out`, less those `moved` replaces; return its End rule."""
    start, line = _start(ctx, ev)
    end = _end_rule(ctx, ev, start, line, None)
    is_date = start.is_date
    zone_name = UTC_ANCHOR if is_date else ctx.zone_of(start, line)
    # Wall-clock starts (midnight for all-day series) on the series' own clock.
    first = _dt(start.wall) if not is_date else datetime.combine(start.wall, datetime.min.time())
    walls = [first]
    rule_line = ev.one("RRULE")
    if rule_line is not None:
        lo, hi = _wall_bounds(ctx.window, zone_name, end.span)
        rule = build_rule(rule_line.value, first, zone_name, ctx.source, rule_line.line)
        walls.extend(starts_between(rule, lo, hi, ctx.source, rule_line.line))
    explicit: list[tuple[datetime, datetime]] = []
    for c in ev.props.get("RDATE", ()):
        if c.params.get("VALUE", "").upper() == "PERIOD":
            explicit.extend(_periods(ctx, c))
            continue
        for stamp in parse_stamp_list(c.value, c.params, ctx.source, c.line):
            if stamp.is_date != is_date:
                raise CalendarError(ctx.source, "RDATE must be of the same type as DTSTART", c.line)
            if is_date:
                walls.append(datetime.combine(stamp.wall, datetime.min.time()))
            elif ctx.zone_of(stamp, c.line) == zone_name:
                walls.append(_dt(stamp.wall))
            else:  # another zone: read it on the series' wall clock
                walls.append(_wall_of(ctx.utc(stamp, c.line), zone_name))
    # EXDATE and RECURRENCE-ID name instances by instant (timed series) or by date (all-day).
    ex_instants: set[datetime] = set()
    ex_dates: set[date] = set()
    for c in ev.props.get("EXDATE", ()):
        for stamp in parse_stamp_list(c.value, c.params, ctx.source, c.line):
            if is_date or stamp.is_date:
                ex_dates.add(_day(stamp.wall))
            else:
                ex_instants.add(ctx.utc(stamp, c.line))
    instances: dict[datetime | date, tuple[datetime, datetime]] = {}
    for wall in walls:
        if ex_dates and wall.date() in ex_dates:
            continue
        if is_date:
            day = wall.date()
            if day not in instances:
                instances[day] = _all_day(ctx, day, end)
            continue
        span = _timed(wall, zone_name, end)
        if span[0] not in ex_instants and span[0] not in instances:
            instances[span[0]] = span
    for m in moved:
        rid_line = m.one("RECURRENCE-ID")
        if rid_line is None:  # grouped as moved only because it has one
            continue
        if rid_line.params.get("RANGE", "").upper() == "THISANDFUTURE":
            raise CalendarError(
                ctx.source, "RECURRENCE-ID;RANGE=THISANDFUTURE is not supported", rid_line.line
            )
        rid = parse_stamp(rid_line.value, rid_line.params, ctx.source, rid_line.line)
        if is_date:
            instances.pop(_day(rid.wall), None)
        elif not rid.is_date:
            instances.pop(ctx.utc(rid, rid_line.line), None)
    if _blocks(ev):
        summary = _summary(ev)
        out.extend(Occurrence(s, e, uid, summary) for s, e in instances.values())
        out.extend(Occurrence(s, e, uid, summary) for s, e in explicit)
    return end


def _wall_of(instant: datetime, zone_name: str) -> datetime:
    if zone_name == UTC_ANCHOR:
        return instant.replace(tzinfo=None)
    return instant.astimezone(zone(zone_name)).replace(tzinfo=None)


def _wall_bounds(window: Interval, zone_name: str, span: timedelta) -> tuple[datetime, datetime]:
    """Wall-clock starts that can reach the window: from (window start − length) to window end."""
    lo = _wall_of(window.start, zone_name) - span - MARGIN
    hi = _wall_of(window.end, zone_name) + MARGIN
    return lo, hi


def _periods(ctx: _Context, c: ContentLine) -> list[tuple[datetime, datetime]]:
    out = []
    for part in c.value.split(","):
        first, slash, second = part.strip().partition("/")
        if not slash:
            raise CalendarError(
                ctx.source, f"bad PERIOD {part!r} (expected start/end or start/duration)", c.line
            )
        params = {k: v for k, v in c.params.items() if k != "VALUE"}
        s = ctx.utc(parse_stamp(first, params, ctx.source, c.line), c.line)
        if second[:1] in ("P", "+", "-"):
            e = s + parse_duration(second, ctx.source, c.line).total
        else:
            e = ctx.utc(parse_stamp(second, params, ctx.source, c.line), c.line, closing=True)
        out.append((s, e))
    return out
