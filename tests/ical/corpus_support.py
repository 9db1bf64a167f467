"""Busy time of a real calendar file, by us and by `icalendar` + `recurring-ical-events`.

The window is chosen from the file itself (its first DTSTART year and the two after), so every
file's events are seen; the owner is in Toronto.
"""

from __future__ import annotations

import re
import warnings
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from scheduler.core.intervals import Interval, IntervalSet
from scheduler.core.zones import local_midnight, wall_to_utc
from scheduler.ical import parse_busy

OWNER = "America/Toronto"
REAL = Path(__file__).resolve().parents[1] / "data" / "real"
_YEAR = re.compile(rb"^DTSTART[^:\r\n]*:(\d{4})", re.MULTILINE | re.IGNORECASE)


def corpus() -> list[Path]:
    return sorted(REAL.glob("*.ics"))


def window_of(data: bytes) -> Interval:
    years = [int(y) for y in _YEAR.findall(data) if 1900 <= int(y) <= 2100]
    first = min(years) if years else 2027
    return Interval(datetime(first, 1, 1, tzinfo=UTC), datetime(first + 3, 1, 1, tzinfo=UTC))


def ours(data: bytes, window: Interval) -> IntervalSet:
    return parse_busy(data, source="corpus", owner_zone=OWNER, window=window)


def reference(data: bytes, window: Interval) -> IntervalSet:
    """icalendar + recurring-ical-events (+ x-wr-timezone, as Google's floating times mean)."""
    import icalendar
    import recurring_ical_events
    import x_wr_timezone

    spans = []
    with warnings.catch_warnings():  # its guesses (vendor-prefixed TZIDs) are its own business
        warnings.simplefilter("ignore")
        for cal in icalendar.Calendar.from_ical(data, multiple=True):
            spans.extend(_spans(x_wr_timezone.to_standard(cal), window, recurring_ical_events))
    return IntervalSet(spans).clipped(window)


def _spans(cal: Any, window: Interval, rie: Any) -> list[Interval]:
    spans = []
    for ev in rie.of(cal).between(window.start, window.end):
        if ev.name != "VEVENT" or "DTSTART" not in ev:  # no start: nothing to block (ours skips it too)
            continue
        if (
            str(ev.get("STATUS", "")).upper() == "CANCELLED"
            or str(ev.get("TRANSP", "")).upper() == "TRANSPARENT"
        ):
            continue
        ends = [_instant(ev["DTSTART"].dt), _instant(ev["DTEND"].dt if "DTEND" in ev else ev["DTSTART"].dt)]
        if ends[1] > ends[0]:
            spans.append(Interval(*ends))
    return spans


def _instant(value: date) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None:  # floating: the owner's wall clock
            minute = value.hour * 60 + value.minute
            return wall_to_utc(value.date(), minute, OWNER) + timedelta(seconds=value.second)
        return value.astimezone(UTC)
    return local_midnight(value, OWNER)
