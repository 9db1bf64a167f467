"""iCalendar DATE, DATE-TIME and DURATION values (RFC 5545 §3.3), read strictly.

A DATE-TIME is kept as its wall-clock reading plus where it is anchored, because recurrences
are computed on the wall clock (a weekly 10:00 Toronto meeting stays at 10:00 across DST):

* `Stamp(wall, "UTC")` for `...Z`,
* `Stamp(wall, tzid)` for `TZID=...` (the raw TZID, resolved to an IANA zone later),
* `Stamp(wall, None)` for a floating time (the owner's zone, or X-WR-TIMEZONE),
* `Stamp(date, None)` for a DATE.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import NamedTuple

from scheduler.errors import CalendarError

UTC_ANCHOR = "UTC"


class Stamp(NamedTuple):
    """A DATE or DATE-TIME as written: wall-clock reading and its anchor (see the module docstring)."""

    wall: datetime | date
    anchor: str | None

    @property
    def is_date(self) -> bool:
        return not isinstance(self.wall, datetime)


def parse_stamp(value: str, params: dict[str, str], source: str, line: int) -> Stamp:
    """One DATE or DATE-TIME value with its VALUE and TZID parameters."""
    kind = params.get("VALUE", "").upper()
    try:
        if len(value) == 8 and kind in ("", "DATE"):
            return Stamp(date(int(value[:4]), int(value[4:6]), int(value[6:8])), None)
        if kind not in ("", "DATE-TIME") or value[8:9] != "T" or len(value) not in (15, 16):
            raise ValueError
        # A wall-clock reading: naive on purpose, anchored by the Stamp's zone.
        wall = datetime(  # noqa: DTZ001
            int(value[:4]),
            int(value[4:6]),
            int(value[6:8]),
            int(value[9:11]),
            int(value[11:13]),
            # 60 is a leap second, which Python cannot hold: read it as the next instant's :59.
            min(int(value[13:15]), 59),
        )
    except ValueError:
        raise CalendarError(source, f"bad date or date-time {value!r}", line) from None
    if len(value) == 16:
        if value[15] not in "Zz":
            raise CalendarError(source, f"bad date-time {value!r}", line)
        return Stamp(wall, UTC_ANCHOR)
    tzid = params.get("TZID")
    return Stamp(wall, tzid.strip() if tzid else None)


def parse_stamp_list(value: str, params: dict[str, str], source: str, line: int) -> list[Stamp]:
    """A comma-separated list of DATE or DATE-TIME values (EXDATE, RDATE)."""
    return [parse_stamp(v.strip(), params, source, line) for v in value.split(",") if v.strip()]


_DURATION = re.compile(
    r"([+-]?)P(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?",
    re.IGNORECASE,
)


class Duration(NamedTuple):
    """A DURATION split as RFC 5545 reads it: nominal days (wall clock) and an exact part."""

    days: int
    exact: timedelta

    @property
    def total(self) -> timedelta:
        return timedelta(days=self.days) + self.exact


def parse_duration(value: str, source: str, line: int) -> Duration:
    """`P1D`, `PT1H30M`, `P2W`, `-PT15M` → Duration."""
    m = _DURATION.fullmatch(value.strip())
    if not m or value.strip().upper() in ("P", "-P", "+P", "PT"):
        raise CalendarError(source, f"bad duration {value!r} (expected e.g. PT1H30M or P1D)", line)
    sign = -1 if m.group(1) == "-" else 1
    weeks, days, hours, minutes, seconds = (int(g) if g else 0 for g in m.groups()[1:])
    try:
        exact = timedelta(hours=hours, minutes=minutes, seconds=seconds)
        found = Duration(sign * (weeks * 7 + days), sign * exact)
        found.total  # noqa: B018 (it must be computable: reject what timedelta cannot hold)
    except OverflowError:
        raise CalendarError(source, f"duration {value!r} is too long", line) from None
    return found
