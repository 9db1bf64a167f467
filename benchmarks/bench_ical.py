"""Busy-time import: our parser + expansion against `icalendar` + `recurring-ical-events`.

Generates one calendar of 2,000 events (30 % weekly series with EXDATEs, moved and cancelled
instances via RECURRENCE-ID; the rest single events in Toronto, Tokyo and UTC time, a few
all-day, transparent or cancelled), expands it over one year, and prints side by side:

* parse + expand, median of several runs: ours (`parse_busy`, cache cleared) and the baseline's
  (`icalendar.Calendar.from_ical` + `recurring_ical_events.of(...).between(...)`, converted to UTC),
* their ratio,
* whether both give exactly the same busy occurrences (as a multiset of UTC spans) and the same
  merged busy set,
* a repeat query on the unchanged calendar (the cache), by text and by file.

Goals (issue 2 §6): under 1.0 s, under 0.35x the baseline, repeat under 5 ms.

    .venv/bin/python benchmarks/bench_ical.py [--events 2000] [--runs 5] [--seed 7] [--cpu]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import icalendar
import recurring_ical_events

from scheduler.core import zones
from scheduler.core.intervals import Interval, IntervalSet
from scheduler.core.zones import local_midnight
from scheduler.ical import clear_cache, load_busy, parse_busy, parse_occurrences

OWNER = "America/Toronto"
WINDOW = Interval(local_midnight(date(2027, 1, 1), OWNER), local_midnight(date(2028, 1, 1), OWNER))

VTIMEZONES = """BEGIN:VTIMEZONE
TZID:America/Toronto
BEGIN:DAYLIGHT
TZOFFSETFROM:-0500
TZOFFSETTO:-0400
TZNAME:EDT
DTSTART:19700308T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:-0400
TZOFFSETTO:-0500
TZNAME:EST
DTSTART:19701101T020000
RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU
END:STANDARD
END:VTIMEZONE
BEGIN:VTIMEZONE
TZID:Asia/Tokyo
BEGIN:STANDARD
TZOFFSETFROM:+0900
TZOFFSETTO:+0900
TZNAME:JST
DTSTART:19700101T000000
END:STANDARD
END:VTIMEZONE
"""


def _fmt(d: datetime) -> str:
    return d.strftime("%Y%m%dT%H%M%S")


def generate(n_events: int, seed: int) -> str:
    """A realistic calendar export of `n_events` VEVENTs (30 % weekly series)."""
    rnd = random.Random(seed)
    out = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//bench//mission-scheduler//EN", "CALSCALE:GREGORIAN"]
    out += VTIMEZONES.strip().split("\n")
    stamp = "DTSTAMP:20261101T120000Z"
    n_series = round(n_events * 0.3)
    for i in range(n_events):
        uid = f"UID:ev-{i}@bench.example.org"
        # Working-hours starts keep clear of the DST gap/fold, where the two libraries'
        # documented rules differ on purpose.
        hour, minute = rnd.randint(7, 18), rnd.choice((0, 15, 30, 45))
        length = timedelta(minutes=rnd.choice((15, 30, 45, 60, 90, 120)))
        summary = f"SUMMARY:Meeting {i}\\, room {rnd.randint(1, 40)}\\; agenda"
        if i < n_series:
            # Toronto wall clock, naive on purpose.
            first = datetime(2026, 9, 1) + timedelta(days=rnd.randint(0, 400))  # noqa: DTZ001
            start = first.replace(hour=hour, minute=minute)
            rule = "FREQ=WEEKLY"
            if rnd.random() < 0.3:
                rule += ";INTERVAL=2"
            if rnd.random() < 0.3:
                days = rnd.sample(["MO", "TU", "WE", "TH", "FR"], 2)
                wd = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][start.weekday()]
                rule += ";BYDAY=" + ",".join(sorted({wd, *days}))
            kind = rnd.random()
            if kind < 0.3:
                rule += f";COUNT={rnd.randint(5, 60)}"
            elif kind < 0.6:
                until = (start + timedelta(weeks=rnd.randint(5, 60))).replace(tzinfo=UTC)
                rule += f";UNTIL={_fmt(until)}Z"
            step = 14 if "INTERVAL=2" in rule else 7
            instances = [start + timedelta(days=step * k) for k in range(1, 40)]
            out += ["BEGIN:VEVENT", uid, stamp, summary]
            out.append(f"DTSTART;TZID=America/Toronto:{_fmt(start)}")
            if rnd.random() < 0.5:
                out.append(f"DTEND;TZID=America/Toronto:{_fmt(start + length)}")
            else:
                out.append(f"DURATION:PT{int(length.total_seconds() // 60)}M")
            out.append("RRULE:" + rule)
            ex = rnd.sample(instances, 4)
            out.append(f"EXDATE;TZID=America/Toronto:{_fmt(ex[0])},{_fmt(ex[1])}")
            out.append(f"EXDATE;TZID=America/Toronto:{_fmt(ex[2])}")
            if rnd.random() < 0.3:
                ex_utc = ex[3].replace(tzinfo=None) + timedelta(hours=5 if ex[3].month in (1, 2, 12) else 4)
                if ex[3].month not in (3, 11):
                    out.append(f"EXDATE:{_fmt(ex_utc)}Z")
            out.append("END:VEVENT")
            for moved in rnd.sample([x for x in instances if x not in ex], 2):
                out += ["BEGIN:VEVENT", uid, stamp, summary]
                out.append(f"RECURRENCE-ID;TZID=America/Toronto:{_fmt(moved)}")
                if rnd.random() < 0.25:
                    out.append("STATUS:CANCELLED")
                new = moved + timedelta(days=rnd.choice((-1, 1, 2)), hours=rnd.choice((-2, 0, 3)))
                out.append(f"DTSTART;TZID=America/Toronto:{_fmt(new)}")
                out.append(f"DTEND;TZID=America/Toronto:{_fmt(new + length)}")
                out.append("END:VEVENT")
            continue
        day = datetime(2027, 1, 1) + timedelta(days=rnd.randint(-5, 370))  # noqa: DTZ001 (wall clock)
        start = day.replace(hour=hour, minute=minute)
        out += ["BEGIN:VEVENT", uid, stamp, summary]
        r = rnd.random()
        if r < 0.05:
            out.append(f"DTSTART;VALUE=DATE:{start:%Y%m%d}")
            out.append(f"DTEND;VALUE=DATE:{start + timedelta(days=rnd.randint(1, 3)):%Y%m%d}")
        elif r < 0.2:
            utc = start.replace(tzinfo=UTC)
            out.append(f"DTSTART:{_fmt(utc)}Z")
            out.append(f"DTEND:{_fmt(utc + length)}Z")
        elif r < 0.35:
            tokyo = start.replace(hour=rnd.randint(8, 20))
            out.append(f"DTSTART;TZID=Asia/Tokyo:{_fmt(tokyo)}")
            out.append(f"DTEND;TZID=Asia/Tokyo:{_fmt(tokyo + length)}")
        else:
            out.append(f"DTSTART;TZID=America/Toronto:{_fmt(start)}")
            out.append(f"DTEND;TZID=America/Toronto:{_fmt(start + length)}")
        if rnd.random() < 0.05:
            out.append("TRANSP:TRANSPARENT")
        if rnd.random() < 0.03:
            out.append("STATUS:CANCELLED")
        out.append("END:VEVENT")
    out.append("END:VCALENDAR")
    return "\r\n".join(out) + "\r\n"


def _utc(value: object) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return local_midnight(value, OWNER)  # type: ignore[arg-type]


def baseline(text: str) -> list[tuple[datetime, datetime]]:
    """icalendar + recurring-ical-events: busy occurrences in UTC, the same rules as ours."""
    cal = icalendar.Calendar.from_ical(text)
    spans = []
    for ev in recurring_ical_events.of(cal).between(WINDOW.start, WINDOW.end):
        if str(ev.get("STATUS", "")).upper() == "CANCELLED":
            continue
        if str(ev.get("TRANSP", "")).upper() == "TRANSPARENT":
            continue
        start, end = _utc(ev["DTSTART"].dt), _utc(ev["DTEND"].dt)
        # `between` also returns an all-day event that starts on the window's end date
        # (dates compare inclusively); keep what touches the half-open window, as ours does.
        if start < end and start < WINDOW.end and WINDOW.start < end:
            spans.append((start, end))
    return spans


def ours(text: str) -> IntervalSet:
    # Cold, as in a fresh `scheduler` process: our caches and core.zones' conversions emptied.
    clear_cache()
    zones.wall_to_utc.cache_clear()
    zones.local_midnight.cache_clear()
    return parse_busy(text, source="bench.ics", owner_zone=OWNER, window=WINDOW)


CLOCK = time.perf_counter
"""Wall time; `--cpu` switches to this process's CPU time (for a machine busy with other work)."""


def timed(fn, runs: int) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(runs):
        t0 = CLOCK()
        result = fn()
        times.append(CLOCK() - t0)
    return statistics.median(times), result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=5, help="runs of ours (the baseline gets max(2, runs // 2))")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument(
        "--cpu", action="store_true", help="time with process CPU time instead of wall time (shared machine)"
    )
    args = ap.parse_args(argv)
    global CLOCK
    if args.cpu:
        CLOCK = time.process_time

    text = generate(args.events, args.seed)
    n_series = round(args.events * 0.3)
    print(
        f"calendar: {args.events} events ({n_series} weekly series), {len(text) / 1024:.0f} KiB, "
        f"window [{WINDOW.start:%Y-%m-%d %H:%M}Z, {WINDOW.end:%Y-%m-%d %H:%M}Z)"
    )

    ours_t, busy = timed(lambda: ours(text), args.runs)
    base_t, base_spans = timed(lambda: baseline(text), max(2, args.runs // 2))

    occ = parse_occurrences(text, source="bench.ics", owner_zone=OWNER, window=WINDOW)
    our_spans = Counter((o.start, o.end) for o in occ)
    their_spans = Counter(base_spans)  # type: ignore[arg-type]
    same_occurrences = our_spans == their_spans
    same_set = busy == IntervalSet(base_spans).clipped(WINDOW)  # type: ignore[arg-type]

    parse_busy(text, source="bench.ics", owner_zone=OWNER, window=WINDOW)  # fill the cache
    repeat_t, _ = timed(lambda: parse_busy(text, source="bench.ics", owner_zone=OWNER, window=WINDOW), 50)
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "bench.ics").write_text(text, encoding="utf-8", newline="")
        load_busy("bench.ics", base_dir=Path(tmp), owner_zone=OWNER, window=WINDOW)
        file_t, _ = timed(
            lambda: load_busy("bench.ics", base_dir=Path(tmp), owner_zone=OWNER, window=WINDOW), 50
        )

    print()
    print(f"times: medians of {'process CPU time' if args.cpu else 'wall time'}")
    print(f"{'':34}{'ours':>12}{'icalendar+r-i-e':>18}{'ratio':>9}")
    print(
        f"{'parse + expand, 1 year (median)':34}{ours_t * 1000:>10.0f}ms"
        f"{base_t * 1000:>16.0f}ms{ours_t / base_t:>8.2f}x"
    )
    print(f"{'busy occurrences':34}{sum(our_spans.values()):>12}{sum(their_spans.values()):>18}")
    print(f"{'repeat query, same text (cached)':34}{repeat_t * 1000:>10.2f}ms")
    print(f"{'repeat query, same file (cached)':34}{file_t * 1000:>10.2f}ms")
    print()
    print(
        f"check: identical occurrences: {'yes' if same_occurrences else 'NO'}; identical busy set: "
        f"{'yes' if same_set else 'NO'} ({len(busy)} merged spans)"
    )  # type: ignore[arg-type]
    if not same_occurrences:
        only_ours = our_spans - their_spans
        only_theirs = their_spans - our_spans
        print(f"  only ours ({sum(only_ours.values())}): {sorted(only_ours)[:5]}")
        print(f"  only baseline ({sum(only_theirs.values())}): {sorted(only_theirs)[:5]}")
    goals = [
        ("parse + expand < 1.0 s", ours_t < 1.0),
        ("< 0.35x baseline", ours_t < 0.35 * base_t),
        ("repeat < 5 ms", repeat_t < 0.005 and file_t < 0.005),
        ("same occurrences", same_occurrences and same_set),
    ]
    print("goals: " + "; ".join(f"{name}: {'met' if ok else 'MISSED'}" for name, ok in goals))
    return 0 if same_occurrences and same_set else 1


if __name__ == "__main__":
    sys.exit(main())
