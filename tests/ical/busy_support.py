"""Helpers for the busy-import tests: build small calendars, read busy time as wall-clock strings."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from scheduler.core.intervals import Interval, IntervalSet
from scheduler.core.zones import local_midnight
from scheduler.ical import parse_busy

TORONTO = "America/Toronto"
TOKYO = "Asia/Tokyo"
DATA = Path(__file__).resolve().parents[1] / "data"

# The mission's fortnight in Toronto, and the whole of 2027.
MISSION = Interval(local_midnight(date(2027, 2, 15), TORONTO), local_midnight(date(2027, 2, 27), TORONTO))
YEAR = Interval(datetime(2027, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC))


def ics(*lines: str, newline: str = "\r\n", header: tuple[str, ...] = ()) -> str:
    """A VCALENDAR holding `lines` (VEVENTs and the like)."""
    body = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//tests//busy//EN", *header, *lines, "END:VCALENDAR"]
    return newline.join(body) + newline


def event(*props: str, uid: str = "e1@test") -> list[str]:
    return ["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20270101T000000Z", *props, "END:VEVENT"]


def busy(
    text: str | bytes,
    *,
    owner: str = TORONTO,
    window: Interval = MISSION,
    zone_name: str | None = None,
    strict: bool = True,
) -> list[str]:
    """Busy spans as 'YYYY-MM-DD HH:MM-HH:MM' (or '...-YYYY-MM-DD HH:MM' across dates) in `zone_name`.

    Strict by default, so a test of an error sees it raised; lenient reading is tested with
    `strict=False`.
    """
    result = parse_busy(text, source="test.ics", owner_zone=owner, window=window, strict=strict)
    return spans(result, zone_name or owner)


def spans(result: IntervalSet, zone_name: str) -> list[str]:
    tz = ZoneInfo(zone_name)
    out = []
    for start, end in result:
        s, e = start.astimezone(tz), end.astimezone(tz)
        tail = e.strftime("%H:%M") if e.date() == s.date() else e.strftime("%Y-%m-%d %H:%M")
        out.append(f"{s:%Y-%m-%d %H:%M}-{tail}")
    return out


def utc_spans(result: IntervalSet) -> list[str]:
    return [f"{s:%Y-%m-%dT%H:%MZ}/{e:%Y-%m-%dT%H:%MZ}" for s, e in result]


def reference_spans(text: str, owner: str, window: Interval) -> IntervalSet:
    """The same busy time by `icalendar` + `recurring-ical-events`, an independent implementation."""
    import icalendar
    import recurring_ical_events

    spans = []
    for ev in recurring_ical_events.of(icalendar.Calendar.from_ical(text)).between(window.start, window.end):
        if (
            str(ev.get("STATUS", "")).upper() == "CANCELLED"
            or str(ev.get("TRANSP", "")).upper() == "TRANSPARENT"
        ):
            continue
        ends = []
        for value in (ev["DTSTART"].dt, ev["DTEND"].dt):
            ends.append(
                value.astimezone(UTC) if isinstance(value, datetime) else local_midnight(value, owner)
            )
        spans.append(Interval(*ends))
    return IntervalSet(spans).clipped(window)
