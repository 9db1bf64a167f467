"""The slot finder against a plain baseline, side by side, on generated missions.

    .venv/bin/python benchmarks/bench_slots.py [--repeat 7] [--sizes 10,50,200] [--seed 1]

Missions of 10, 50 and 200 participants (Toronto, Tokyo and Vancouver, each with its holidays)
over a 30-day window (1-30 March 2027: Toronto and Vancouver change their clocks on the 14th),
every participant with 1,000 busy events already expanded to UTC ("calendars already loaded"):
30 % are occurrences of weekly series at one of the person's four usual local times, 70 % one-offs
clustered in two busy blocks a day (calendars are lumpy: meetings come in runs).

For each mission three meetings are searched: one needing everyone, a typical one (two
Toronto delegates, one or two Tokyo counterparts, two optional delegates), and a wide one.
With 1,000 events a month (about 33 a day) per person, the first two find few or no slots, so
the finder's time there is mostly the reasons; the wide meeting makes it do real work on the
same calendars: two required delegates (one in Toronto, one in Vancouver, 30 minutes) and
every other delegate optional (two thirds of the participants), so it yields hundreds of
slots, each ranked by how many of the optional people are free then. The finder
(`find_slots`: all slots, ranked, with reasons when few) runs with its caches cleared before
every run, so zone conversions are paid each time; the baseline checks every grid start
against every participant's hours, holidays and every raw busy event (stopping at the first
rule that fails, as plain code would), then ranks with the same `scoring.score`. Both must
give the same slots in the same order with the same scores and the same optional people free
(checked for every case). Printed: medians (wall time; `--cpu` for process CPU time on a machine
busy with other work), speed-ups, and
the number of wall-clock → UTC conversions (cache misses of `zones.wall_to_utc` and
`zones.local_midnight`): it depends on zones × days × distinct hour boundaries, and is the
same for 10, 50 and 200 participants.

Goals (issue 2): 10 / 50 / 200 participants under 10 / 30 / 120 ms median, ≥ 20× the baseline.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scheduler.core import availability, zones
from scheduler.core.availability import grid, holidays_on, meeting_window
from scheduler.core.hours import parse_weekly
from scheduler.core.intervals import Interval, IntervalSet
from scheduler.core.models import Contact, Meeting, Mission, Participant
from scheduler.core.scoring import score
from scheduler.core.slots import find_slots

START, END = date(2027, 3, 1), date(2027, 3, 30)
EVENTS = 1000
RECURRING = 0.30
PLACES = [
    # zone, holidays, hours, preferred
    ("America/Toronto", "CA-ON", {"mon-fri": "07:00-22:00"}, {"mon-thu": "08:00-18:00"}),
    ("Asia/Tokyo", "JP", {"mon-fri": "09:00-18:00"}, {"mon-fri": "10:00-17:00"}),
    ("America/Vancouver", "CA-BC", {"mon-fri": "07:00-20:00"}, {"mon-fri": "09:00-17:00"}),
]


# --- generated missions ----------------------------------------------------------------------
def local(day: date, minute: int, zone_name: str) -> datetime:
    naive = datetime.combine(day, datetime.min.time()) + timedelta(minutes=minute)
    return naive.replace(tzinfo=zones.zone(zone_name)).astimezone(UTC)


def calendar(rng: random.Random, zone_name: str) -> list[Interval]:
    """1,000 events: 30 % occurrences of weekly series, 70 % one-offs in a few blocks a day."""
    days = [START - timedelta(days=1) + timedelta(days=i) for i in range((END - START).days + 3)]
    events: list[Interval] = []
    n_recurring = int(EVENTS * RECURRING)
    routine = [rng.randrange(0, 24 * 4) * 15 for _ in range(4)]  # a person's usual meeting times
    while len(events) < n_recurring:  # a weekly series: same weekday, same local time
        minute = rng.choice(routine)
        length = rng.choice([15, 30, 45, 60])
        weekday = rng.randrange(7)
        for day in days:
            if day.weekday() == weekday and len(events) < n_recurring:
                start = local(day, minute, zone_name)
                events.append(Interval(start, start + timedelta(minutes=length)))
    per_day = (EVENTS - n_recurring) // len(days) + 1
    for day in days:
        blocks = [rng.randrange(0, 22 * 4) * 15 for _ in range(2)]
        for _ in range(per_day):
            if len(events) >= EVENTS:
                break
            minute = rng.choice(blocks) + rng.randrange(0, 6) * 15
            start = local(day, minute, zone_name)
            events.append(Interval(start, start + timedelta(minutes=rng.choice([15, 30, 45, 60]))))
    assert len(events) == EVENTS
    return events


RAW: dict[str, list[Interval]] = {}
"""Each participant's events as generated (the model keeps them merged into an IntervalSet)."""


def generate(n: int, seed: int) -> Mission:
    rng = random.Random(seed * 1000 + n)
    delegates, counterparts = [], []
    for i in range(n):
        zone_name, region, hours, preferred = PLACES[i % len(PLACES)]
        events = calendar(rng, zone_name)
        RAW[f"p{i:03d}"] = events
        p = Participant(
            id=f"p{i:03d}",
            name=f"Person {i}",
            kind="delegate" if zone_name != "Asia/Tokyo" else "counterpart",
            timezone=zone_name,
            holidays=region,
            hours=parse_weekly(hours),
            preferred=parse_weekly(preferred),
            busy=IntervalSet(events),
        )
        (delegates if p.kind == "delegate" else counterparts).append(p)
    ids_d = [p.id for p in delegates]
    ids_c = [p.id for p in counterparts]
    typical_d = [p.id for p in delegates if p.timezone == "America/Toronto"][:2]
    typical_c = ids_c[: 1 + n % 2]
    wide_zones = ("America/Toronto", "America/Vancouver")
    wide_d = [next(p.id for p in delegates if p.timezone == z) for z in wide_zones]
    meetings = (
        Meeting(id="everyone", title="Everyone", delegates=tuple(ids_d), counterparts=tuple(ids_c),
                duration=timedelta(minutes=30)),
        Meeting(id="typical", title="Typical", delegates=tuple(typical_d), counterparts=tuple(typical_c),
                optional=tuple(ids_d[-2:]), duration=timedelta(minutes=60)),
        Meeting(id="wide", title="Wide", delegates=tuple(wide_d),
                optional=tuple(d for d in ids_d if d not in wide_d), duration=timedelta(minutes=30)),
    )  # fmt: skip
    return Mission(
        name=f"bench {n}",
        timezone="America/Toronto",
        start=START,
        end=END,
        organizer=Contact(name="Bench", email="bench@example.org"),
        delegates=tuple(delegates),
        counterparts=tuple(counterparts),
        meetings=meetings,
    )


# --- the plain baseline ----------------------------------------------------------------------
def baseline(mission: Mission, meeting_id: str) -> list[tuple[datetime, int, tuple[str, ...]]]:
    """Every grid start against every rule and every busy event, then rank with `score`."""
    meeting = mission.meeting(meeting_id)
    window = meeting_window(mission, meeting)
    people = [mission.participant(pid) for pid in meeting.required]
    found = []
    for s in grid(mission):
        e = s + meeting.duration
        if s < window.start or e > window.end:
            continue
        if all(_free(mission, p, s, e) for p in people):
            found.append(s)
    optional = [mission.participant(pid) for pid in meeting.optional]
    ranked = []
    for s in found:
        free = [p.id for p in optional if _free(mission, p, s, s + meeting.duration, window)]
        sc = score(mission, meeting, s, free)
        ranked.append((-sc.optional_free, -sc.worst_comfort, -sc.mean_comfort, s, sc.value, tuple(free)))
    ranked.sort()
    return [(r[3], r[4], r[5]) for r in ranked]


def _free(mission: Mission, p: Participant, s: datetime, e: datetime, window: Interval | None = None) -> bool:
    if window is not None and (s < window.start or e > window.end):
        return False
    day = zones.local_date(s, p.timezone)
    for d in zones.dates_touched(s, e, p.timezone):
        if holidays_on(p.holidays, [d]) and d not in p.overrides:
            return False
    if not any(
        zones.wall_to_utc(day, a, p.timezone) <= s
        and e <= zones.wall_to_utc(day, b, p.timezone, closing=True)
        for a, b in p.hours_on(day)
    ):
        return False
    buffer = mission.buffer
    return not any(s < b + buffer and a - buffer < e for a, b in RAW[p.id])


# --- measuring -------------------------------------------------------------------------------
def clear_caches() -> None:
    """Forget every conversion and cached hours set, so each run pays for its own."""
    zones.wall_to_utc.cache_clear()
    zones.local_midnight.cache_clear()
    availability._hours_starts.cache_clear()
    availability._grid.cache_clear()


CLOCK = time.perf_counter
"""Wall time; `--cpu` switches to this process's CPU time (for a machine busy with other work)."""


def timed(func: Callable[[], object], repeat: int, *, cold: bool) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        if cold:
            clear_caches()
        t0 = CLOCK()
        result = func()
        times.append((CLOCK() - t0) * 1000)
    return statistics.median(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs of the finder per case (median)")
    parser.add_argument("--baseline-repeat", type=int, default=1, help="runs of the baseline per case")
    parser.add_argument("--sizes", default="10,50,200")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--cpu", action="store_true", help="time with process CPU time instead of wall time (shared machine)"
    )
    args = parser.parse_args()
    global CLOCK
    if args.cpu:
        CLOCK = time.process_time
    goals = {10: 10.0, 50: 30.0, 200: 120.0}
    print(
        f"window {START}..{END} (30 days, Toronto home), {EVENTS} busy events per person, 15m grid and buffer"
    )
    print("finder: cold caches each run (zone conversions paid every time); 'warm' keeps them")
    print(f"times: medians of {'process CPU time' if args.cpu else 'wall time'} in ms")
    head = (
        f"{'people':>6} {'meeting':>9} {'req':>4} {'opt':>4} {'slots':>5} {'slots ms':>9} {'+reasons':>9} "
        f"{'warm':>7} "
        f"{'baseline ms':>11} {'speed-up':>14} {'same':>5} {'conv.':>6} {'zones×days':>10}  goal"
    )
    print(head)
    ok = True
    cases = identical = 0
    for n in (int(x) for x in args.sizes.split(",")):
        mission = generate(n, args.seed)
        # The calendars are loaded once and live long: keep the collector from walking their
        # hundreds of thousands of objects during every timed run (as a long-running server would).
        gc.collect()
        gc.freeze()
        n_zones = len({p.timezone for p in mission.participants})
        n_days = (END - START).days + 1
        for mid in ("everyone", "typical", "wide"):
            meeting = mission.meeting(mid)
            clear_caches()
            find_slots(mission, mid)
            conversions = zones.wall_to_utc.cache_info().misses + zones.local_midnight.cache_info().misses
            bare_ms, bare = timed(
                lambda m=mission, i=mid: find_slots(m, i, explain=False), args.repeat, cold=True
            )
            full_ms, search = timed(lambda m=mission, i=mid: find_slots(m, i), args.repeat, cold=True)
            warm_ms, _ = timed(lambda m=mission, i=mid: find_slots(m, i), args.repeat, cold=False)
            base_ms, expected = timed(
                lambda m=mission, i=mid: baseline(m, i), args.baseline_repeat, cold=True
            )
            # Same starts, in the same order, with the same scores and the same optional people free.
            got = [(s.start, s.score.value, s.optional_free) for s in search.slots]  # type: ignore[attr-defined]
            same = got == expected == [(s.start, s.score.value, s.optional_free) for s in bare.slots]  # type: ignore[attr-defined]
            goal = goals.get(n, float("inf"))
            fast, far = full_ms < goal, base_ms / full_ms >= 20
            ok &= same and fast and far
            cases += 1
            identical += same
            print(
                f"{n:>6} {mid:>9} {len(meeting.required):>4} {len(meeting.optional):>4} {len(got):>5} "
                f"{bare_ms:>9.2f} {full_ms:>9.2f} "
                f"{warm_ms:>7.2f} {base_ms:>11.1f} {base_ms / bare_ms:>6.0f}×/{base_ms / full_ms:>4.0f}× "
                f"{'yes' if same else 'NO':>5} {conversions:>6} {n_zones * n_days:>10}  "
                f"<{goal:.0f} ms {'ok' if fast else 'MISSED'}, ≥20× {'ok' if far else 'MISSED'}"
            )
            if search.reasons:  # type: ignore[attr-defined]
                print(f"{'':>21} {len(search.reasons)} reasons, first: {search.reasons[0]}")  # type: ignore[attr-defined]
    print("speed-up: baseline / finder without reasons, and / finder with reasons")
    print(
        "conv.: wall-clock→UTC conversions actually computed (cache misses of wall_to_utc + local_midnight)"
    )
    print(f"identical results (starts, order, scores, optional people free) in {identical} of {cases} cases")
    print("all goals met" if ok else "some goal NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
