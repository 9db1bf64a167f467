"""The structure of a calendar file: VEVENTs, VTIMEZONEs, VFREEBUSY periods, X-WR-TIMEZONE, checked strictly.

Only the properties the busy-time import needs are kept from each VEVENT, and properties of
components nested in it (VALARM's DURATION, for one) are never mistaken for the event's own.
Every BEGIN must be closed by the matching END; anything else is a CalendarError with the line.

Unless `strict`, three harmless faults are skipped the way Google and Outlook skip them, each
recorded in `RawCalendar.skipped` (the caller logs it; `scheduler check --strict` refuses it):
text after the last END:VCALENDAR, a VTIMEZONE without a TZID (nothing can refer to it), and
a malformed content line inside a VEVENT (that event is dropped, the rest imported).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from scheduler.errors import CalendarError
from scheduler.ical.contentlines import ContentLine, line_name, logical_lines, parse_line, unescape_text

EVENT_PROPERTIES = frozenset(
    {
        "DTSTART",
        "DTEND",
        "DURATION",
        "RRULE",
        "RDATE",
        "EXDATE",
        "RECURRENCE-ID",
        "UID",
        "STATUS",
        "TRANSP",
        "SUMMARY",
        "SEQUENCE",
        "DTSTAMP",
    }
)


class Skipped(NamedTuple):
    """A part of a calendar left out of the import: where, which event (UID, or ""), and why."""

    line: int | None
    uid: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line is not None else "the file"
        return f"{where}, event {self.uid!r}: {self.message}" if self.uid else f"{where}: {self.message}"


_STRUCTURE = frozenset({"BEGIN", "END"})


@dataclass(slots=True)
class RawEvent:
    """One VEVENT: its line and the kept properties by name (each a list: EXDATE may repeat)."""

    line: int
    props: dict[str, list[ContentLine]] = field(default_factory=dict)
    broken: CalendarError | None = None  # a malformed line inside it (read leniently: skip it)

    def one(self, name: str) -> ContentLine | None:
        found = self.props.get(name)
        return found[0] if found else None


@dataclass(slots=True)
class RawCalendar:
    events: list[RawEvent]
    vtimezones: dict[str, list[ContentLine]]
    x_wr_timezone: ContentLine | None
    freebusy: list[ContentLine] = field(default_factory=list)  # FREEBUSY lines of VFREEBUSY objects
    skipped: list[Skipped] = field(default_factory=list)


def read_calendar(data: str | bytes, source: str, *, strict: bool = True) -> RawCalendar:
    """Read the component structure of a calendar (one or more VCALENDAR objects)."""
    skipped: list[Skipped] = []
    trailing = False
    if not strict and isinstance(data, bytes):
        raw = data
        try:
            data = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            # Old Outlook and Lotus exports are Windows-1252: read them as such, and say so.
            line = raw.count(b"\n", 0, exc.start) + 1
            skipped.append(Skipped(line, "", "not UTF-8 text: read as Windows-1252"))
            data = raw.decode("cp1252", errors="replace")
    events: list[RawEvent] = []
    vtimezones: dict[str, list[ContentLine]] = {}
    x_wr: ContentLine | None = None
    stack: list[tuple[str, int]] = []
    event: RawEvent | None = None
    vtz: list[ContentLine] | None = None
    freebusy: list[ContentLine] = []
    in_freebusy = False
    seen_calendar = False
    keep = EVENT_PROPERTIES
    for number, text in logical_lines(data, source):
        if not strict and not stack and seen_calendar and not text.upper().startswith("BEGIN:VCALENDAR"):
            if not trailing:
                skipped.append(Skipped(number, "", "text after END:VCALENDAR (ignored)"))
                trailing = True
            continue
        try:
            name = line_name(text, number, source)
        except CalendarError as exc:
            if strict or not stack:
                raise
            # A line that is not even a content line (Apple's "X-APPLE-RADIUS=49.9") carries
            # nothing anyone reads: clients drop it and keep the component.
            skipped.append(Skipped(number, "", f"{exc.problems[0].message} (line ignored)"))
            continue
        # Only the lines read below are fully parsed (about half of a typical export).
        wanted = (
            name in _STRUCTURE
            or vtz is not None
            or in_freebusy
            or (event is not None and len(stack) == 2 and name in keep)
            or (len(stack) == 1 and name == "X-WR-TIMEZONE")
        )
        try:
            c = parse_line(text, number, source) if wanted else None
        except CalendarError as exc:
            if strict or event is None:
                raise
            event.broken = event.broken or exc  # a property the import needs: drop the event
            continue
        if c is None:
            if not stack:
                raise CalendarError(source, f"{name} outside BEGIN:VCALENDAR … END:VCALENDAR", number)
            continue
        if name == "BEGIN":
            comp = c.value.strip().upper()
            if not stack:
                if comp != "VCALENDAR":
                    raise CalendarError(source, f"expected BEGIN:VCALENDAR, found BEGIN:{c.value}", c.line)
                seen_calendar = True
            elif len(stack) == 1:
                if comp == "VEVENT":
                    event = RawEvent(c.line)
                elif comp == "VTIMEZONE":
                    vtz = []
                elif comp == "VFREEBUSY":
                    in_freebusy = True
            stack.append((comp, c.line))
            if vtz is not None:
                vtz.append(c)
            continue
        if name == "END":
            comp = c.value.strip().upper()
            if not stack:
                raise CalendarError(source, f"END:{c.value} with no BEGIN before it", c.line)
            opened, opened_at = stack[-1]
            if comp != opened and not strict:
                # A misspelt END (END:VTOOD, END:VCALENDARD): ignore it when nothing open has
                # that name; when something deeper does, close what is open down to it.
                if comp not in (n for n, _ in stack):
                    skipped.append(Skipped(c.line, "", f"END:{c.value} closes nothing open (ignored)"))
                    continue
                while stack[-1][0] != comp:
                    dropped, dropped_at = stack.pop()
                    skipped.append(Skipped(dropped_at, "", f"BEGIN:{dropped} is never closed (dropped)"))
                    if len(stack) == 1:
                        event, vtz, in_freebusy = None, None, False
                opened, opened_at = stack[-1]
            stack.pop()
            if comp != opened:
                raise CalendarError(
                    source, f"END:{c.value} does not close BEGIN:{opened} of line {opened_at}", c.line
                )
            if len(stack) == 1:
                in_freebusy = False
                if event is not None and comp == "VEVENT":
                    events.append(event)
                    event = None
                elif vtz is not None and comp == "VTIMEZONE":
                    vtz.append(c)
                    tzid = next((p.value.strip() for p in vtz if p.name == "TZID"), "")
                    if not tzid:
                        if strict:
                            raise CalendarError(source, "a VTIMEZONE without a TZID", vtz[0].line)
                        skipped.append(Skipped(vtz[0].line, "", "a VTIMEZONE without a TZID (ignored)"))
                        vtz = None
                        continue
                    vtimezones[unescape_text(tzid)] = vtz  # looked up unescaped (Outlook writes "\\,")
                    vtz = None
                    continue
            if vtz is not None:
                vtz.append(c)
            continue
        if not stack:
            raise CalendarError(source, f"{name} outside BEGIN:VCALENDAR … END:VCALENDAR", c.line)
        if event is not None:
            if len(stack) == 2 and name in keep:
                props = event.props
                if name in props:
                    props[name].append(c)
                else:
                    props[name] = [c]
        elif vtz is not None:
            vtz.append(c)
        elif in_freebusy:
            if len(stack) == 2 and name == "FREEBUSY":
                freebusy.append(c)
        elif len(stack) == 1 and name == "X-WR-TIMEZONE" and x_wr is None:
            x_wr = c
    if not strict and stack and stack[0][0] == "VCALENDAR":
        for opened, opened_at in reversed(stack[1:]):  # an unclosed event is dropped with the rest
            skipped.append(Skipped(opened_at, "", f"BEGIN:{opened} is never closed (dropped)"))
        if len(stack) == 1:
            skipped.append(Skipped(stack[0][1], "", "END:VCALENDAR is missing (read to the end)"))
        stack.clear()
    if stack:
        opened, opened_at = stack[-1]
        raise CalendarError(source, f"BEGIN:{opened} is never closed (END:{opened} missing)", opened_at)
    if not seen_calendar:
        raise CalendarError(source, "no calendar data: expected BEGIN:VCALENDAR", 1)
    return RawCalendar(events, vtimezones, x_wr, freebusy, skipped)
