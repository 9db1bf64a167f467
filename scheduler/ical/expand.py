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

* Several RRULEs in one VEVENT all count (as in the major clients). A floating EXDATE, RDATE
  or RECURRENCE-ID of a series with a TZID is on the series' clock.
* Several masters with one UID are versions of one event: the highest SEQUENCE, then the latest
  DTSTAMP, is kept (RFC 5546 §2.1.5); likewise for overrides of one RECURRENCE-ID.
* RECURRENCE-ID;RANGE=THISANDFUTURE: the named instance and every later one move by the
  override's shift (its DTSTART minus the RECURRENCE-ID) and take its length and status.

Refused with a CalendarError rather than misread: rules producing more than
`recurrence.MAX_STEPS` instances before the window ends. When not strict, an event that cannot
be read (DTEND before DTSTART, a bad RRULE) is skipped and recorded in `RawCalendar.skipped`.
Ignored: VTODO, VJOURNAL, EXRULE (deprecated by RFC 5545), VALARM.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal, NamedTuple

from scheduler.core.intervals import Interval
from scheduler.core.zones import local_midnight
from scheduler.errors import CalendarError
from scheduler.ical.calendar import RawCalendar, RawEvent, Skipped
from scheduler.ical.contentlines import ContentLine, unescape_text
from scheduler.ical.recurrence import build_rule, starts_between
from scheduler.ical.tzids import known_zone, resolve_tzid
from scheduler.ical.values import UTC_ANCHOR, Stamp, parse_duration, parse_stamp, parse_stamp_list
from scheduler.ical.wallclock import to_utc, wall_of

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
    strict: bool = True
    skipped: list[Skipped] = field(default_factory=list)

    def fault(self, exc: CalendarError, uid: str, skips: str = "event skipped") -> None:
        """A broken part of one event: refused when strict, else recorded and skipped."""
        if self.strict:
            raise exc
        message = "; ".join(p.message for p in exc.problems) + f" ({skips})"
        self.skipped.append(Skipped(exc.line, "" if uid.startswith("\0") else uid, message))

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


def occurrences(
    cal: RawCalendar, *, source: str, owner_zone: str, window: Interval, strict: bool = True
) -> list[Occurrence]:
    """Every busy instance of the calendar that may touch `window` (the caller clips).

    Unless `strict`, an event that cannot be read is left out and recorded in `cal.skipped`
    (its UID, line and why); strict, it raises CalendarError as before.
    """
    floating = owner_zone
    if cal.x_wr_timezone is not None:
        x = cal.x_wr_timezone
        named = known_zone(x.value)
        if named is None:
            raise CalendarError(source, f"X-WR-TIMEZONE {x.value!r} is not a known time zone", x.line)
        floating = named
    ctx = _Context(source, owner_zone, floating, window, cal.vtimezones, {}, strict, cal.skipped)
    masters: dict[str, list[RawEvent]] = {}
    overrides: dict[str, list[RawEvent]] = {}
    for n, ev in enumerate(cal.events):
        uid_line = ev.one("UID")
        # RFC 5545 requires a UID; without one an event can only stand alone.
        uid = unescape_text(uid_line.value) if uid_line else f"\0line-{ev.line}-{n}"
        if ev.broken is not None:
            ctx.fault(ev.broken, uid)
            continue
        group = overrides if "RECURRENCE-ID" in ev.props else masters
        group.setdefault(uid, []).append(ev)
    out: list[Occurrence] = []
    for uid, evs in masters.items():
        moved = _latest_overrides(overrides.pop(uid, []))
        # Several masters with one UID are versions of one event: clients keep the highest
        # SEQUENCE, then the latest DTSTAMP (RFC 5546 §2.1.5), so only that one is expanded.
        master = max(evs, key=_version)
        if _status(master) == "CANCELLED":
            continue  # the whole series is cancelled, its moved instances with it
        try:
            found: list[Occurrence] = []
            outdated: set[int] = set()
            end = _expand_series(ctx, uid, master, moved, found, outdated)
            found.extend(
                _single(ctx, uid, m, end)
                for m in moved
                if _blocks(m) and not _future(m) and id(m) not in outdated
            )
        except CalendarError as exc:
            ctx.fault(exc, uid)
            continue
        out.extend(found)
    for uid, evs in overrides.items():  # moved instances whose series is not in the file
        for ev in _latest_overrides(evs):
            if _blocks(ev):
                try:
                    out.append(_single(ctx, uid, ev, None))
                except CalendarError as exc:
                    ctx.fault(exc, uid)
    for c in cal.freebusy:
        # Published free/busy (RFC 5545 §3.8.2.6): every type but FREE is time taken.
        if c.params.get("FBTYPE", "BUSY").upper() != "FREE":
            out.extend(Occurrence(s, e, "", "busy") for s, e in _periods(ctx, c))
    return out


def _version(ev: RawEvent) -> tuple[int, str]:
    """SEQUENCE, then DTSTAMP (UTC text sorts as time): the order clients keep versions in."""
    seq = ev.one("SEQUENCE")
    stamp = ev.one("DTSTAMP")
    try:
        number = int(seq.value.strip()) if seq else 0
    except ValueError:
        number = 0
    return number, stamp.value.strip().upper() if stamp else ""


def _latest_overrides(moved: list[RawEvent]) -> list[RawEvent]:
    """One override per RECURRENCE-ID: the latest version, as for masters."""
    if len(moved) < 2:
        return moved
    latest: dict[tuple[str, str], RawEvent] = {}
    for m in moved:
        rid = m.one("RECURRENCE-ID")
        key = (rid.value.strip(), rid.params.get("RANGE", "").upper()) if rid else ("", "")
        if key not in latest or _version(m) > _version(latest[key]):
            latest[key] = m
    return list(latest.values())


def _future(ev: RawEvent) -> bool:
    """A RECURRENCE-ID;RANGE=THISANDFUTURE override (applied by `_expand_series`)."""
    rid = ev.one("RECURRENCE-ID")
    return rid is not None and rid.params.get("RANGE", "").upper() == "THISANDFUTURE"


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
    stamp = parse_stamp(c.value, c.params, ctx.source, c.line)
    end = ev.one("DTEND")
    if stamp.anchor is None and not stamp.is_date and end is not None and end.params.get("TZID"):
        # A floating start with a zoned end is on the end's clock (as for EXDATE below).
        return Stamp(stamp.wall, end.params["TZID"].strip()), c.line
    return stamp, c.line


def _end_rule(ctx: _Context, ev: RawEvent, start: Stamp, start_line: int, default: End | None) -> End:
    c = ev.one("DTEND")
    if c is not None:
        end = parse_stamp(c.value, c.params, ctx.source, c.line)
        if end.anchor is None and not end.is_date and start.anchor is not None:
            end = Stamp(end.wall, start.anchor)  # a floating end is on the start's clock
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
    ctx: _Context, uid: str, ev: RawEvent, moved: list[RawEvent], out: list[Occurrence], outdated: set[int]
) -> End:
    """Add the series' own instances to `out`, less those `moved` replaces; return its End rule.

    Overrides found outdated (see below) are added to `outdated` by id.
    """
    start, line = _start(ctx, ev)
    end = _end_rule(ctx, ev, start, line, None)
    is_date = start.is_date
    zone_name = UTC_ANCHOR if is_date else ctx.zone_of(start, line)

    def instant(stamp: Stamp, at: int) -> datetime:
        # A floating EXDATE/RDATE/RECURRENCE-ID of a zoned series is on the series' clock, as
        # the clients read it, not on the calendar owner's.
        if stamp.anchor is None and not stamp.is_date:
            return to_utc(_dt(stamp.wall), zone_name)
        return ctx.utc(stamp, at)

    # Wall-clock starts (midnight for all-day series) on the series' own clock.
    first = _dt(start.wall) if not is_date else datetime.combine(start.wall, datetime.min.time())
    walls = [first]
    for rule_line in ev.props.get("RRULE", ()):  # RFC 5545 says one; clients honour every one
        if not rule_line.value.strip():
            empty = CalendarError(ctx.source, "an empty RRULE", rule_line.line)
            ctx.fault(empty, uid, "ignored: read as one instance")
            continue
        lo, hi = wall_bounds(ctx.window, zone_name, end.span)
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
            elif stamp.anchor is None or ctx.zone_of(stamp, c.line) == zone_name:
                walls.append(_dt(stamp.wall))
            else:  # another zone: read it on the series' wall clock
                walls.append(wall_of(ctx.utc(stamp, c.line), zone_name))
    # EXDATE and RECURRENCE-ID name instances by instant (timed series) or by date (all-day).
    ex_instants: set[datetime] = set()
    ex_dates: set[date] = set()
    for c in ev.props.get("EXDATE", ()):
        for stamp in parse_stamp_list(c.value, c.params, ctx.source, c.line):
            if is_date or stamp.is_date:
                ex_dates.add(_day(stamp.wall))
            else:
                ex_instants.add(instant(stamp, c.line))
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
    summary = _summary(ev)
    blocks = {key: _blocks(ev) for key in instances}
    futures = sorted((m for m in moved if _future(m)), key=lambda m: _rid_key(ctx, m, is_date, instant))
    for m in futures:  # RANGE=THISANDFUTURE: this instance and every later one take its shift
        key = _rid_key(ctx, m, is_date, instant)
        shifted = _single(ctx, uid, m, end)
        rid_start = instances[key][0] if key in instances else _rid_start(ctx, key, end)
        delta, length = shifted.start - rid_start, shifted.end - shifted.start
        for k, (s, _e) in instances.items():
            if _after(k, key):
                instances[k] = (s + delta, s + delta + length)
                blocks[k] = _blocks(m)
        summary = shifted.summary
    version = _version(ev)[0]
    for m in moved:
        if not _future(m):
            key = _rid_key(ctx, m, is_date, instant)
            seq = _version(m)[0]
            if (seq <= version and (key in ex_instants or key in ex_dates)) or (
                seq < version and key not in instances and _in_range(ctx, key, end)
            ):
                # An override of an instance the master (as new or newer) deletes with EXDATE,
                # or an older one of an instance the newer rule no longer has: outdated.
                outdated.add(id(m))
            instances.pop(key, None)
    out.extend(Occurrence(s, e, uid, summary) for k, (s, e) in instances.items() if blocks.get(k))
    if _blocks(ev):
        out.extend(Occurrence(s, e, uid, summary) for s, e in explicit)
    return end


def _rid_key(
    ctx: _Context, m: RawEvent, is_date: bool, instant: Callable[[Stamp, int], datetime]
) -> datetime | date:
    """The key of the instance a RECURRENCE-ID names: its date (all-day series) or UTC start."""
    c = m.one("RECURRENCE-ID")
    assert c is not None  # only overrides get here
    rid = parse_stamp(c.value, c.params, ctx.source, c.line)
    if is_date or rid.is_date:
        return _day(rid.wall)
    return instant(rid, c.line)


def _after(key: datetime | date, first: datetime | date) -> bool:
    """`key` is the instance `first` names or a later one (keys of one series share a type)."""
    if isinstance(key, datetime) != isinstance(first, datetime):
        return _day(key) >= _day(first)
    return key >= first


def _in_range(ctx: _Context, key: datetime | date, end: End) -> bool:
    """Whether the series' instances were computed around `key` (so its absence means something)."""
    at = _rid_start(ctx, key, end)
    return ctx.window.start - end.span - MARGIN <= at <= ctx.window.end + MARGIN


def _rid_start(ctx: _Context, key: datetime | date, end: End) -> datetime:
    if isinstance(key, datetime):
        return key
    return _all_day(ctx, key, end)[0]


def wall_bounds(window: Interval, zone_name: str, span: timedelta) -> tuple[datetime, datetime]:
    """Wall-clock starts that can reach the window: from (window start − length) to window end."""
    lo = wall_of(window.start, zone_name) - span - MARGIN
    hi = wall_of(window.end, zone_name) + MARGIN
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
