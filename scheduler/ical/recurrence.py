"""RRULE → wall-clock start times inside a bounded range, with `dateutil.rrule`.

Recurrences are computed on naive wall-clock datetimes of the series' own zone, so a weekly
10:00 Toronto meeting stays at 10:00 when Toronto changes its clocks; each wall time is turned
into UTC afterwards (with `core.zones.wall_to_utc`). The range is bounded by the query window,
so a rule with neither COUNT nor UNTIL is fine.

UNTIL is handled here rather than by dateutil, because dateutil refuses a UTC UNTIL with a
naive DTSTART: a UTC UNTIL (the RFC's form whenever DTSTART has a TZID) is converted to the
series' wall clock; a DATE UNTIL on a timed series includes that whole date.

The plainest rules (DAILY or WEEKLY with only INTERVAL, COUNT, UNTIL, and for WEEKLY at most
the start's own weekday in BYDAY) are most of what real calendars hold; they are stepped by
arithmetic from the first instance in range instead of iterating from DTSTART. Tests check
both paths against `dateutil` and `recurring-ical-events`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from dateutil.rrule import rrule, rrulestr

from scheduler.core.zones import zone
from scheduler.errors import CalendarError

_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True, slots=True)
class Stepped:
    """A rule that is a fixed step of wall-clock days from DTSTART (see the module docstring)."""

    dtstart: datetime
    step: timedelta
    count: int | None
    until: datetime | None

    def between(self, lo: datetime, hi: datetime) -> list[datetime]:
        k = max(0, math.ceil((lo - self.dtstart) / self.step))
        last = self.count - 1 if self.count is not None else None
        found = []
        t = self.dtstart + k * self.step
        while t <= hi and (last is None or k <= last) and (self.until is None or t <= self.until):
            found.append(t)
            k += 1
            t += self.step
        return found


Rule = rrule | Stepped


def _stepped(parts: dict[str, str], dtstart: datetime) -> Stepped | None:
    freq = parts.get("FREQ")
    if freq not in ("DAILY", "WEEKLY") or not set(parts) <= {
        "FREQ",
        "INTERVAL",
        "COUNT",
        "UNTIL",
        "WKST",
        "BYDAY",
    }:
        return None
    if "BYDAY" in parts and (freq != "WEEKLY" or parts["BYDAY"] != _WEEKDAYS[dtstart.weekday()]):
        return None
    interval = int(parts.get("INTERVAL", "1"))
    count = int(parts["COUNT"]) if "COUNT" in parts else None
    if interval < 1 or (count is not None and count < 0):
        return None  # let dateutil say what is wrong
    days = interval * (7 if freq == "WEEKLY" else 1)
    return Stepped(dtstart, timedelta(days=days), count, None)


def build_rule(value: str, dtstart: datetime, zone_name: str, source: str, line: int) -> Rule:
    """The rule of an RRULE value, anchored at the wall-clock `dtstart` of the series' zone."""
    keep: list[str] = []
    parts: dict[str, str] = {}
    until_text = ""
    for part in value.strip().split(";"):
        if not part:
            continue
        key, _, val = part.partition("=")
        key = key.strip().upper()
        parts[key] = val.strip().upper()
        if key == "UNTIL":
            until_text = val.strip()
        else:
            keep.append(part)
    try:
        if "COUNT" in parts and until_text:
            raise ValueError("UNTIL and COUNT must not occur in the same recurrence")
        fast = _stepped(parts, dtstart)
        if fast is not None:
            if until_text:
                return Stepped(
                    fast.dtstart, fast.step, None, _until_wall(until_text, zone_name, source, line)
                )
            return fast
        rule = _parse_rule(";".join(keep), dtstart)
        if until_text:
            rule = rule.replace(until=_until_wall(until_text, zone_name, source, line))
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise CalendarError(source, f"bad or unsupported RRULE {value!r}: {exc}", line) from None
    return rule


@lru_cache(maxsize=4096)
def _parse_rule(text: str, dtstart: datetime) -> rrule:
    # Many series share a rule text and start (generated calendars, copied events); rrule
    # objects are immutable once built, so sharing one is safe.
    rule = rrulestr(text, dtstart=dtstart)
    if not isinstance(rule, rrule):
        raise ValueError("expected a single RRULE")
    return rule


def clear_rule_cache() -> None:
    _parse_rule.cache_clear()


def _until_wall(text: str, zone_name: str, source: str, line: int) -> datetime:
    try:
        if len(text) == 8:
            day = date(int(text[:4]), int(text[4:6]), int(text[6:8]))
            return datetime.combine(day, time(23, 59, 59))
        if len(text) not in (15, 16) or text[8] != "T":
            raise ValueError
        wall = datetime(  # noqa: DTZ001 (wall clock of the series' zone)
            int(text[:4]), int(text[4:6]), int(text[6:8]), int(text[9:11]), int(text[11:13]), int(text[13:15])
        )
    except ValueError:
        raise CalendarError(source, f"bad RRULE UNTIL {text!r}", line) from None
    if len(text) == 16:
        if text[15] not in "Zz":
            raise CalendarError(source, f"bad RRULE UNTIL {text!r}", line)
        if zone_name == "UTC":
            return wall
        return wall.replace(tzinfo=UTC).astimezone(zone(zone_name)).replace(tzinfo=None)
    return wall


MAX_STEPS = 200_000  # instances a rule may produce before the window ends (e.g. SECONDLY rules)


def starts_between(rule: Rule, lo: datetime, hi: datetime, source: str, line: int) -> list[datetime]:
    """The rule's wall-clock starts in `[lo, hi]`; CalendarError if it takes more than MAX_STEPS."""
    if isinstance(rule, Stepped):
        return rule.between(lo, hi)
    found: list[datetime] = []
    for steps, start in enumerate(rule):
        if start > hi:
            break
        if steps >= MAX_STEPS:
            raise CalendarError(
                source, f"the RRULE gives more than {MAX_STEPS} instances before the window ends", line
            )
        if start >= lo:
            found.append(start)
    return found
