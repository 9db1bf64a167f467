"""The small text forms people write in the mission file: hours, day ranges and durations.

    >>> parse_ranges("07:00-12:00, 13:00-24:00")
    ((420, 720), (780, 1440))
    >>> parse_weekly({"mon-fri": "09:00-18:00"}).days[4]
    ((540, 1080),)
    >>> parse_duration("1h30m")
    datetime.timedelta(seconds=5400)

Each parser raises `ValueError` with a message that says what is wrong and what is expected;
the caller adds the field's path.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta

from scheduler.core.models import WEEKDAYS, MinuteRange, WeeklyHours, normalise_ranges

_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")
_DURATION = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?$")


def parse_time(text: str, *, allow_24: bool = False) -> int:
    """'07:30' → 450 minutes after midnight; '24:00' only where a range ends."""
    m = _TIME.match(text.strip())
    if not m:
        raise ValueError(f"{text.strip()!r} is not a time like '07:30'")
    hour, minute = int(m.group(1)), int(m.group(2))
    if minute >= 60 or hour > 24 or (hour == 24 and (minute or not allow_24)):
        raise ValueError(f"{text.strip()!r} is not a time of day (00:00-23:59, or 24:00 as an end)")
    return hour * 60 + minute


def parse_ranges(text: str) -> tuple[MinuteRange, ...]:
    """'07:00-12:00, 13:00-22:00' → minute ranges; 'off' → none. Touching ranges join."""
    if not isinstance(text, str):
        raise ValueError(f"expected a string like '09:00-18:00' or 'off', got {text!r}")
    if text.strip().lower() == "off":
        return ()
    ranges: list[MinuteRange] = []
    for part in text.split(","):
        start_text, sep, end_text = part.partition("-")
        if not sep:
            raise ValueError(f"{part.strip()!r} is not a range like '09:00-18:00'")
        start, end = parse_time(start_text), parse_time(end_text, allow_24=True)
        if end <= start:
            raise ValueError(f"range {part.strip()!r} ends before it starts (use 24:00 for midnight)")
        ranges.append((start, end))
    try:
        return normalise_ranges(tuple(ranges))
    except ValueError as exc:
        raise ValueError(f"{text!r}: {exc}") from None


def parse_days(key: str) -> list[int]:
    """'mon-fri' → [0, 1, 2, 3, 4]; 'sat' → [5]; wrap-around 'fri-mon' is allowed."""
    first, sep, last = key.strip().lower().partition("-")
    for name in (first, last) if sep else (first,):
        if name not in WEEKDAYS:
            raise ValueError(
                f"{key!r} is not a weekday or range like 'mon-fri' (days: {', '.join(WEEKDAYS)})"
            )
    a = WEEKDAYS.index(first)
    if not sep:
        return [a]
    b = WEEKDAYS.index(last)
    return [(a + i) % 7 for i in range((b - a) % 7 + 1)]


def parse_weekly(spec: Mapping[str, str]) -> WeeklyHours:
    """{'mon-fri': '07:00-22:00', 'sat': '10:00-12:00'} → `WeeklyHours`; a day named twice is an error."""
    days: list[tuple[MinuteRange, ...] | None] = [None] * 7
    for key, value in spec.items():
        ranges = parse_ranges(value)
        for d in parse_days(key):
            if days[d] is not None:
                raise ValueError(f"{WEEKDAYS[d]} is given twice (in {key!r})")
            days[d] = ranges
    return WeeklyHours(days=tuple(d or () for d in days))


def parse_duration(text: str) -> timedelta:
    """'45m', '1h30m', '2h' → timedelta; must be positive."""
    if not isinstance(text, str):
        raise ValueError(f"expected a duration like '45m' or '1h30m', got {text!r}")
    m = _DURATION.match(text.strip())
    if not m or not (m.group(1) or m.group(2)):
        raise ValueError(f"{text!r} is not a duration like '45m' or '1h30m'")
    value = timedelta(hours=int(m.group(1) or 0), minutes=int(m.group(2) or 0))
    if value <= timedelta(0):
        raise ValueError(f"{text!r} must be longer than zero")
    return value


def format_duration(value: timedelta) -> str:
    """The inverse of `parse_duration`: 5400 s → '1h30m'."""
    minutes = int(value.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return (f"{hours}h" if hours else "") + (f"{minutes}m" if minutes or not hours else "")


def format_ranges(ranges: tuple[MinuteRange, ...]) -> str:
    """The inverse of `parse_ranges`: ((420, 1320),) → '07:00-22:00'; () → 'off'."""
    if not ranges:
        return "off"
    return ", ".join(f"{a // 60:02d}:{a % 60:02d}-{b // 60:02d}:{b % 60:02d}" for a, b in ranges)
