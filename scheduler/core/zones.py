"""Wall-clock times in a named zone → UTC instants, with the one rule for daylight-saving edges.

The rule, decided here and nowhere else:

* A wall time that does not exist (spring forward: 02:30 on 14 March 2027 in Toronto, when
  clocks jump from 02:00 to 03:00) means the instant the gap ends, 03:00 EDT. A range
  "02:00-04:00" that day is therefore one hour long: the hour the clocks actually show.
* A wall time that happens twice (fall back: 01:30 on 7 November 2027 in Toronto) means its
  first occurrence when it opens a range and its second when it closes one, so a range
  never loses time: "00:00-01:30" that day runs from 00:00 EDT to 01:30 EST, two and a half hours.
* `24:00` is the next local midnight.

Zones are IANA names resolved by `zoneinfo` (with the `tzdata` package as its database);
never a fixed offset and never the host's local zone.

    >>> from datetime import date
    >>> wall_to_utc(date(2027, 3, 14), 150, "America/Toronto").isoformat()
    '2027-03-14T07:00:00+00:00'
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import cache, lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

MINUTES_PER_DAY = 24 * 60


@cache
def zone(name: str) -> ZoneInfo:
    """The `ZoneInfo` for an IANA name; a clear `ValueError` for anything else."""
    if not isinstance(name, str) or not name or name != name.strip():
        raise ValueError(f"time zone {name!r} is not an IANA zone name like 'Asia/Tokyo'")
    if name.upper() in {"UTC", "Z", "GMT"} and name != "UTC":
        raise ValueError(f"time zone {name!r}: write 'UTC'")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        hint = _close_zone(name)
        more = f" (did you mean {hint!r}?)" if hint else ""
        raise ValueError(f"unknown time zone {name!r}{more}") from None


def _close_zone(name: str) -> str | None:
    import difflib  # only on the error path

    matches = difflib.get_close_matches(name, sorted(available_timezones()), n=1, cutoff=0.6)
    return matches[0] if matches else None


def validate_zone(name: str) -> str:
    """Return `name` when it names a zone; raise `ValueError` naming the problem otherwise."""
    zone(name)
    return name


@lru_cache(maxsize=65536)
def wall_to_utc(day: date, minute: int, zone_name: str, *, closing: bool = False) -> datetime:
    """The UTC instant of wall time `minute` (0..1440) after local midnight of `day` in the zone.

    `closing=True` says the time closes a range: an ambiguous time then takes its second
    occurrence. Cached because every person sharing a zone and hours asks the same questions,
    so conversions grow with zones × days, not with people or slots.
    """
    if not 0 <= minute <= MINUTES_PER_DAY:
        raise ValueError(f"wall time minute {minute} is outside 00:00-24:00")
    if minute == MINUTES_PER_DAY:
        return wall_to_utc(day + timedelta(days=1), 0, zone_name)
    tz = zone(zone_name)
    naive_wall = datetime.combine(day, time(minute // 60, minute % 60))
    first = naive_wall.replace(tzinfo=tz, fold=0)
    second = naive_wall.replace(tzinfo=tz, fold=1)
    off_first, off_second = first.utcoffset(), second.utcoffset()
    if off_first == off_second:
        return first.astimezone(UTC)
    first_utc = first.astimezone(UTC)
    second_utc = second.astimezone(UTC)
    if first_utc < second_utc:
        # Happens twice (fold): fold=0 is the earlier instant.
        return second_utc if closing else first_utc
    # Does not exist (gap): zoneinfo reads fold=0 with the offset before the jump and fold=1
    # with the offset after, which puts fold=1 *before* fold=0 in UTC. The gap ends at the
    # transition instant, which is what a clock shows next.
    return transition_after(second_utc, tz)


def transition_after(instant: datetime, tz: tzinfo) -> datetime:
    """The first instant at or after `instant` whose UTC offset differs from the one at `instant`.

    Any tzinfo: the busy import also applies the gap rule to a calendar's own VTIMEZONE rules.
    """
    offset = instant.astimezone(tz).utcoffset()
    lo, hi = instant, instant + timedelta(hours=3)
    # Offsets change on whole minutes; bisect down to one minute, then step.
    while hi - lo > timedelta(minutes=1):
        mid = lo + (hi - lo) / 2
        if mid.astimezone(tz).utcoffset() == offset:
            lo = mid
        else:
            hi = mid
    return hi.replace(second=0, microsecond=0)


@lru_cache(maxsize=65536)
def local_midnight(day: date, zone_name: str) -> datetime:
    """UTC instant of 00:00 on `day` in the zone (the day's first instant, gap rule applied)."""
    return wall_to_utc(day, 0, zone_name)


def day_span(day: date, zone_name: str) -> tuple[datetime, datetime]:
    """The half-open UTC span of one whole local date: `[00:00, next 00:00)`."""
    return local_midnight(day, zone_name), local_midnight(day + timedelta(days=1), zone_name)


def local_date(instant: datetime, zone_name: str) -> date:
    """The date a clock in the zone shows at `instant`."""
    return instant.astimezone(zone(zone_name)).date()


def holder_date(instant: datetime, zone_name: str) -> date:
    """`local_date`, answered from the cached local midnights instead of converting `instant`.

    Any zone's date is the UTC date or one day either side, so at most three cached
    midnights decide it: scoring many slots for many people then costs no new conversions.
    """
    utc_day = instant.astimezone(UTC).date() if instant.tzinfo is not UTC else instant.date()
    for day in (utc_day - timedelta(days=1), utc_day, utc_day + timedelta(days=1)):
        if local_midnight(day, zone_name) <= instant < local_midnight(day + timedelta(days=1), zone_name):
            return day
    return local_date(instant, zone_name)  # pragma: no cover - offsets beyond a day do not exist


def to_local(instant: datetime, zone_name: str) -> datetime:
    """The same instant as an aware wall-clock datetime in the zone (for display only)."""
    return instant.astimezone(zone(zone_name))


def dates_touched(start: datetime, end: datetime, zone_name: str) -> list[date]:
    """Local dates the half-open span `[start, end)` touches; an end at midnight does not touch."""
    first = local_date(start, zone_name)
    last = local_date(end - timedelta(microseconds=1), zone_name) if end > start else first
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


__all__ = [
    "MINUTES_PER_DAY",
    "UTC",
    "dates_touched",
    "day_span",
    "holder_date",
    "local_date",
    "local_midnight",
    "to_local",
    "transition_after",
    "validate_zone",
    "wall_to_utc",
    "zone",
]
