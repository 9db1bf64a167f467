"""Random calendars, expanded over a year by us and by icalendar + recurring-ical-events: same occurrences.

The generator stays clear of what the two libraries decide differently on purpose: wall times in
a DST gap or fold (ours follow core.zones), floating times (ours use the owner's zone) and
instances lasting across a DST change (DURATION hours are exact time for us, per RFC 5545).
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest

from scheduler.core.intervals import Interval
from scheduler.core.zones import local_midnight
from scheduler.ical import parse_occurrences
from tests.ical.busy_support import TORONTO, event, ics

WINDOW = Interval(local_midnight(date(2027, 1, 1), TORONTO), local_midnight(date(2028, 1, 1), TORONTO))
ZONES = ("America/Toronto", "Asia/Tokyo", "Europe/London")
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _fmt(d: datetime) -> str:
    return d.strftime("%Y%m%dT%H%M%S")


def _random_calendar(seed: int, n: int = 60) -> str:
    rnd = random.Random(seed)
    lines: list[str] = []
    for i in range(n):
        uid = f"r{i}@crosscheck"
        tz = rnd.choice(ZONES)
        base = datetime(2026, 10, 1) + timedelta(days=rnd.randint(0, 420))  # noqa: DTZ001 (wall clock)
        start = base.replace(hour=rnd.randint(7, 19), minute=rnd.choice((0, 20, 45)))
        length = timedelta(minutes=rnd.choice((10, 30, 60, 150)))
        kind = rnd.random()
        if kind < 0.1:
            props = [
                f"DTSTART;VALUE=DATE:{start:%Y%m%d}",
                f"DTEND;VALUE=DATE:{start + timedelta(days=2):%Y%m%d}",
            ]
            props.append(
                rnd.choice(("RRULE:FREQ=MONTHLY;COUNT=4", "RRULE:FREQ=YEARLY", "RRULE:FREQ=WEEKLY;COUNT=3"))
            )
            lines += event(*props, uid=uid)
            continue
        if kind < 0.2:
            u = start.replace(tzinfo=UTC)
            lines += event(
                f"DTSTART:{_fmt(u)}Z", f"DTEND:{_fmt(u + length)}Z", "RRULE:FREQ=DAILY;COUNT=5", uid=uid
            )
            continue
        rule = rnd.choice(
            (
                "FREQ=DAILY;INTERVAL=3",
                "FREQ=WEEKLY",
                f"FREQ=WEEKLY;BYDAY={DAYS[start.weekday()]},{rnd.choice(DAYS)}",
                "FREQ=WEEKLY;INTERVAL=2",
                f"FREQ=MONTHLY;BYMONTHDAY={start.day}",
                f"FREQ=MONTHLY;BYDAY=2{DAYS[start.weekday()]}",
                "FREQ=YEARLY",
            )
        )
        stop = rnd.random()
        if stop < 0.3:
            rule += f";COUNT={rnd.randint(2, 30)}"
        elif stop < 0.6:
            rule += f";UNTIL={_fmt((start + timedelta(days=rnd.randint(10, 300))).replace(tzinfo=UTC))}Z"
        props = [f"DTSTART;TZID={tz}:{_fmt(start)}"]
        props.append(
            f"DTEND;TZID={tz}:{_fmt(start + length)}"
            if rnd.random() < 0.5
            else f"DURATION:PT{int(length.total_seconds() // 60)}M"
        )
        props.append(f"RRULE:{rule}")
        # Exceptions named on the series' wall clock, plus moved and cancelled instances
        # (only instances the rule certainly produces: the plain weekly ones).
        if rule == "FREQ=WEEKLY":
            picks = [start + timedelta(weeks=k) for k in rnd.sample(range(1, 12), 4)]
            props.append(f"EXDATE;TZID={tz}:{_fmt(picks[0])},{_fmt(picks[1])}")
            lines += event(*props, uid=uid)
            moved = picks[2] + timedelta(hours=rnd.choice((-3, 2, 26)))
            lines += event(
                f"RECURRENCE-ID;TZID={tz}:{_fmt(picks[2])}",
                f"DTSTART;TZID={tz}:{_fmt(moved)}",
                f"DTEND;TZID={tz}:{_fmt(moved + length)}",
                uid=uid,
            )
            lines += event(
                f"RECURRENCE-ID;TZID={tz}:{_fmt(picks[3])}",
                f"DTSTART;TZID={tz}:{_fmt(picks[3])}",
                f"DTEND;TZID={tz}:{_fmt(picks[3] + length)}",
                "STATUS:CANCELLED",
                uid=uid,
            )
            continue
        if rnd.random() < 0.15:
            props.append("TRANSP:TRANSPARENT")
        lines += event(*props, uid=uid)
    return ics(*lines)


def _reference(text: str) -> Counter[tuple[datetime, datetime]]:
    import icalendar
    import recurring_ical_events

    found: Counter[tuple[datetime, datetime]] = Counter()
    for ev in recurring_ical_events.of(icalendar.Calendar.from_ical(text)).between(WINDOW.start, WINDOW.end):
        if (
            str(ev.get("STATUS", "")).upper() == "CANCELLED"
            or str(ev.get("TRANSP", "")).upper() == "TRANSPARENT"
        ):
            continue
        ends = [
            v.astimezone(UTC) if isinstance(v, datetime) else local_midnight(v, TORONTO)
            for v in (ev["DTSTART"].dt, ev["DTEND"].dt)
        ]
        if ends[0] < ends[1] and ends[0] < WINDOW.end and WINDOW.start < ends[1]:
            found[(ends[0], ends[1])] += 1
    return found


@pytest.mark.parametrize("seed", [1, 2, 3], ids=lambda s: f"seed-{s}")
def test_random_calendar_expands_like_recurring_ical_events(seed: int) -> None:
    text = _random_calendar(seed)
    ours = Counter(
        (o.start, o.end)
        for o in parse_occurrences(text, source="random.ics", owner_zone=TORONTO, window=WINDOW)
    )
    reference = _reference(text)
    assert sum(reference.values()) > 300  # the calendar really recurs over the year
    assert ours == reference
