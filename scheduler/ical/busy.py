"""Busy time from iCalendar files and feeds: `parse_busy`, `load_busy`.

    >>> from datetime import UTC, datetime
    >>> window = Interval(datetime(2027, 2, 15, tzinfo=UTC), datetime(2027, 2, 27, tzinfo=UTC))
    >>> ics = "\\r\\n".join(["BEGIN:VCALENDAR", "BEGIN:VEVENT", "UID:1",
    ...     "DTSTART;TZID=America/Toronto:20270216T090000", "DTEND;TZID=America/Toronto:20270216T100000",
    ...     "END:VEVENT", "END:VCALENDAR"])
    >>> [(i.start.hour, i.end.hour) for i in parse_busy(ics, source="x.ics", owner_zone="Asia/Tokyo",
    ...                                                    window=window)]
    [(14, 15)]

The reading is ours (a strict content-line parser, `dateutil.rrule` for recurrences, the zone
rule of `core.zones`); the rules are listed in `scheduler.ical.expand`. `icalendar` is not used
here: its parser is several times slower on big feeds and its time-zone handling ignores the
file's VTIMEZONE anyway.

Results are cached: the same content (by BLAKE2 digest), owner zone and window give the same
IntervalSet object back without parsing; `load_busy` also skips reading a file whose path,
size and modification time are unchanged.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Hashable
from pathlib import Path

from scheduler.core.intervals import Interval, IntervalSet
from scheduler.core.zones import zone
from scheduler.errors import CalendarError
from scheduler.ical.calendar import read_calendar
from scheduler.ical.davsource import is_caldav, read_caldav
from scheduler.ical.expand import Occurrence, occurrences
from scheduler.ical.fetch import fetch, is_url
from scheduler.ical.recurrence import clear_rule_cache
from scheduler.ical.secrets import redact
from scheduler.ical.wallclock import steady_offset

log = logging.getLogger(__name__)

CACHE_SIZE = 256


class _LRU:
    """A small thread-safe LRU map (the web app reads calendars from its thread pool)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._data: OrderedDict[Hashable, IntervalSet] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> IntervalSet | None:
        with self._lock:
            found = self._data.get(key)
            if found is not None:
                self._data.move_to_end(key)
            return found

    def put(self, key: Hashable, value: IntervalSet) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self._size:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


_BY_CONTENT = _LRU(CACHE_SIZE)
_BY_FILE = _LRU(CACHE_SIZE)


def clear_cache() -> None:
    """Forget every cached result and this package's memoised rules and offsets."""
    _BY_CONTENT.clear()
    _BY_FILE.clear()
    steady_offset.cache_clear()
    clear_rule_cache()


def _check(source: str, owner_zone: str, window: Interval) -> None:
    try:
        zone(owner_zone)
    except ValueError as exc:
        raise CalendarError(source, f"owner zone: {exc}") from None
    for instant in window:
        if instant.tzinfo is None:
            raise CalendarError(source, "the window must be given as aware UTC datetimes")


def _read(
    text: str | bytes, source: str, owner_zone: str, window: Interval, strict: bool
) -> list[Occurrence]:
    _check(source, owner_zone, window)
    cal = read_calendar(text, source, strict=strict)
    found = occurrences(cal, source=source, owner_zone=owner_zone, window=window, strict=strict)
    for skipped in cal.skipped:
        # The rest of the calendar is imported, as Google and Outlook do; `check --strict` refuses.
        log.warning("%s, %s", source, skipped)
    return found


def parse_occurrences(
    text: str | bytes, *, source: str, owner_zone: str, window: Interval, strict: bool = False
) -> list[Occurrence]:
    """Every busy instance touching `window`, unmerged and unclipped, sorted (not cached).

    For tools that need to know which event blocks what (the benchmark's cross-check, reasons).
    """
    found = _read(text, source, owner_zone, window, strict)
    touching = [o for o in found if o.start < window.end and window.start < o.end]
    touching.sort()
    return touching


def parse_busy(
    text: str | bytes, *, source: str, owner_zone: str, window: Interval, strict: bool = False
) -> IntervalSet:
    """Busy time of one calendar in UTC, clipped to `window`.

    `source` names the calendar in errors; `owner_zone` (IANA) places floating times (unless the
    file has X-WR-TIMEZONE) and all-day events. Raises CalendarError naming the source and line
    for a calendar that cannot be read; a broken event in a readable one is skipped with a
    logged warning naming its UID and line, unless `strict` (then it raises too).
    """
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    key = (hashlib.blake2b(data, digest_size=20).digest(), owner_zone, window, strict)
    cached = _BY_CONTENT.get(key)
    if cached is not None:
        return cached
    found = _read(text, source, owner_zone, window, strict)
    result = IntervalSet((o.start, o.end) for o in found).clipped(window)
    _BY_CONTENT.put(key, result)
    return result


def load_busy(
    source: str, *, base_dir: Path, owner_zone: str, window: Interval, strict: bool = False
) -> IntervalSet:
    """Busy time of the calendar at `source`: a file path (relative to `base_dir`) or a URL.

    URLs (https, http, webcal, webcals, credentials by name) are fetched by `ical.fetch`;
    `caldav+https://…` calendars and principals are read by `ical.davsource`.
    Every failure (missing file, HTTP error, timeout after 10 s, bad content) raises
    CalendarError naming `source` (without any password); never an empty calendar instead.
    """
    if is_caldav(source):
        data = read_caldav(source, window)
        return parse_busy(data, source=redact(source), owner_zone=owner_zone, window=window, strict=strict)
    if is_url(source):
        data = fetch(source).data or b""  # an unconditional GET: 200 with a body, or an error
        return parse_busy(data, source=redact(source), owner_zone=owner_zone, window=window, strict=strict)
    path = Path(base_dir, source)
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise CalendarError(source, f"no such file: {path}") from None
    except OSError as exc:
        raise CalendarError(source, f"cannot read {path}: {exc.strerror or exc}") from None
    if not path.is_file():
        raise CalendarError(source, f"not a file: {path}")
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size, owner_zone, window, strict)
    cached = _BY_FILE.get(key)
    if cached is not None:
        return cached
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CalendarError(source, f"cannot read {path}: {exc.strerror or exc}") from None
    result = parse_busy(data, source=source, owner_zone=owner_zone, window=window, strict=strict)
    _BY_FILE.put(key, result)
    return result
