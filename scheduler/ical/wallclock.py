"""Wall-clock readings of a calendar's zones → UTC instants, for IANA zones and custom VTIMEZONEs.

Most TZIDs resolve to an IANA name (`tzids.resolve_tzid`), converted with `core.zones` and its
one gap/fold rule. A VTIMEZONE that no IANA zone matches (Lotus "Western/Central Europe", an
Outlook "(UTC-03:00) Brasília" with old rules) carries its own rules: those are read with
`dateutil.tz.tzical` and registered here under a name no IANA zone can have (it starts with
`CUSTOM_PREFIX` and includes a digest of the definition), so the rest of the import passes zone
names around as before. The same gap/fold rule is applied to them.
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import lru_cache

from scheduler.core.zones import local_midnight, transition_after, wall_to_utc, zone
from scheduler.ical.values import UTC_ANCHOR

CUSTOM_PREFIX = "vtimezone:"
ONE_DAY = timedelta(days=1)
_TICK = timedelta(microseconds=1)

_CUSTOM: dict[str, tzinfo] = {}
_LOCK = threading.Lock()


def register_custom(name: str, tz: tzinfo) -> str:
    """Keep `tz` (a file's own VTIMEZONE rules) under `name`, which must start with CUSTOM_PREFIX."""
    assert name.startswith(CUSTOM_PREFIX)
    with _LOCK:
        _CUSTOM.setdefault(name, tz)
    return name


def tz_of(zone_name: str) -> tzinfo:
    """The tzinfo of an IANA name or of a registered custom VTIMEZONE."""
    if zone_name.startswith(CUSTOM_PREFIX):
        return _CUSTOM[zone_name]
    return zone(zone_name)


def to_utc(wall: datetime, zone_name: str, *, closing: bool = False) -> datetime:
    """A wall-clock time of the zone as a UTC instant, with the gap/fold rule of `core.zones`."""
    if zone_name == UTC_ANCHOR:
        return wall.replace(tzinfo=UTC)
    offset = steady_offset(wall.date(), zone_name)
    if offset is not None:
        # No clock change that day, so no gap or fold: the rule reduces to one subtraction.
        return (wall - offset).replace(tzinfo=UTC)
    if zone_name.startswith(CUSTOM_PREFIX):
        instant = _custom_to_utc(wall.replace(second=0, microsecond=0), _CUSTOM[zone_name], closing)
    else:
        instant = wall_to_utc(wall.date(), wall.hour * 60 + wall.minute, zone_name, closing=closing)
    if wall.second or wall.microsecond:
        instant += timedelta(seconds=wall.second, microseconds=wall.microsecond)
    return instant


def wall_of(instant: datetime, zone_name: str) -> datetime:
    """The naive wall-clock reading of `instant` in the zone."""
    if zone_name == UTC_ANCHOR:
        return instant.replace(tzinfo=None)
    return instant.astimezone(tz_of(zone_name)).replace(tzinfo=None)


def _midnight(day: date, zone_name: str) -> datetime:
    if zone_name.startswith(CUSTOM_PREFIX):
        return _custom_to_utc(datetime.combine(day, datetime.min.time()), _CUSTOM[zone_name], False)
    return local_midnight(day, zone_name)


@lru_cache(maxsize=65536)
def steady_offset(day: date, zone_name: str) -> timedelta | None:
    """The zone's UTC offset all through the local date, or None when its clocks change that day."""
    start, end = _midnight(day, zone_name), _midnight(day + ONE_DAY, zone_name)
    tz = tz_of(zone_name)
    first = start.astimezone(tz).utcoffset()
    if end - start != ONE_DAY or first != (end - _TICK).astimezone(tz).utcoffset():
        return None
    return first


def _custom_to_utc(wall: datetime, tz: tzinfo, closing: bool) -> datetime:
    """`core.zones.wall_to_utc`'s rule for any tzinfo: read the wall time under each offset
    in force around it and keep the readings that give that wall time back."""
    offsets = {
        o
        for probe in (wall - ONE_DAY, wall, wall + ONE_DAY)
        if (o := probe.replace(tzinfo=tz).utcoffset()) is not None
    }
    candidates = sorted(
        instant
        for o in offsets
        if (instant := (wall - o).replace(tzinfo=UTC)).astimezone(tz).replace(tzinfo=None) == wall
    )
    if candidates:
        return candidates[-1] if closing else candidates[0]
    # In a gap: the gap ends at the transition, the first instant after the earliest reading.
    return transition_after(min((wall - o).replace(tzinfo=UTC) for o in offsets), tz)
