"""The itinerary planner against the greedy baseline on generated missions.

    .venv/bin/python benchmarks/bench_plan.py                 # 10, 40, 150 meetings, limits 2 s and 10 s
    .venv/bin/python benchmarks/bench_plan.py --sizes 40 --limits 2 15 30
    .venv/bin/python benchmarks/bench_plan.py --compare 40    # formulations side by side

Missions: 12 delegates (10 in Toronto, 2 in Tokyo), 25 counterparts (20 in Tokyo, 5 in Toronto),
10 days from Monday 15 February 2027 (Family Day in Ontario, the Emperor's Birthday in Japan),
15-minute grid, 15-minute buffer, one interpreter and two video bridges, busy calendars,
`max_per_day`, some `after` chains and date limits. Seeded, so every run sees the same missions.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scheduler.core.hours import parse_weekly
from scheduler.core.intervals import Interval, IntervalSet
from scheduler.core.models import Contact, Meeting, Mission, Participant
from scheduler.core.planner import greedy_plan, plan_mission
from scheduler.core.planner_model import Options

TORONTO, TOKYO = "America/Toronto", "Asia/Tokyo"
START = date(2027, 2, 15)


def person(pid: str, kind: str, tz: str, rng: random.Random) -> Participant:
    delegate = kind == "delegate"
    in_toronto = tz == TORONTO
    hours = {"mon-fri": "07:00-22:00"} if delegate else {"mon-fri": "09:00-18:00"}
    if delegate and not in_toronto:
        hours = {"mon-fri": "08:00-20:00"}
    preferred = {"mon-thu": "08:00-18:00"} if delegate else {"mon-fri": "10:00-17:00"}
    busy = []
    for _ in range(rng.randint(3, 8)):  # a few calendar events in the evenings and mornings
        day = START + timedelta(days=rng.randrange(10))
        hour = rng.choice([0, 1, 2, 12, 13, 14, 22, 23])
        s = datetime(day.year, day.month, day.day, hour, rng.choice([0, 30]), tzinfo=UTC)
        busy.append(Interval(s, s + timedelta(minutes=rng.choice([30, 60, 90]))))
    return Participant(
        id=pid,
        name=pid,
        kind=kind,  # type: ignore[arg-type]
        timezone=tz,
        holidays="CA-ON" if in_toronto else "JP",
        hours=parse_weekly(hours),
        preferred=parse_weekly(preferred),
        busy=IntervalSet(busy),
        max_per_day=rng.choice([2, 3, 3, 4]) if delegate else None,
    )


def generate(n: int, seed: int = 7) -> Mission:
    """A mission of `n` meetings (see the module docstring)."""
    rng = random.Random(seed * 1000 + n)
    delegates = [person(f"d{i:02}", "delegate", TORONTO if i < 10 else TOKYO, rng) for i in range(12)]
    counterparts = [person(f"c{i:02}", "counterpart", TOKYO if i < 20 else TORONTO, rng) for i in range(25)]
    meetings: list[Meeting] = []
    for i in range(n):
        ds = ["d00"] if rng.random() < 0.35 else []
        ds += rng.sample([d.id for d in delegates[1:]], rng.choice([1, 1, 2]))
        cs = rng.sample([c.id for c in counterparts], rng.choice([1, 1, 1, 2]))
        optional = [d.id for d in delegates if d.id not in ds and rng.random() < 0.08]
        after = [meetings[rng.randrange(i)].id] if i and rng.random() < 0.12 else []
        not_before = not_after = None
        if rng.random() < 0.2:
            not_before = START + timedelta(days=rng.randrange(4))
            not_after = not_before + timedelta(days=rng.randrange(3, 7))
        resources = []
        if rng.random() < 0.3:
            resources.append("interpreter")
        if rng.random() < 0.5:
            resources.append("bridge")
        meetings.append(
            Meeting(
                id=f"m{i:03}",
                title=f"Meeting {i}",
                delegates=tuple(ds),
                counterparts=tuple(cs),
                optional=tuple(optional),
                duration=timedelta(minutes=rng.choice([30, 45, 60, 60, 90])),
                priority=rng.randint(1, 10),
                after=tuple(after),
                resources=tuple(resources),
                not_before=not_before,
                not_after=not_after,
            )
        )
    return Mission(
        name=f"generated {n}",
        timezone=TORONTO,
        start=START,
        end=START + timedelta(days=9),
        organizer=Contact(name="EDO", email="edo@example.org"),
        resources={"interpreter": 1, "bridge": 2},
        delegates=tuple(delegates),
        counterparts=tuple(counterparts),
        meetings=tuple(meetings),
    )


def row(name: str, seconds: float, plan) -> str:  # type: ignore[no-untyped-def]
    o = plan.objective
    gap = o.get("gap")
    gap_text = f"{100 * gap:.3f} %" if isinstance(gap, float) else "n/a"
    return (
        f"  {name:<22} {seconds:7.2f} s  priority {o['priority']:>5}/{o['priority_total']:<5} "
        f"comfort {o['comfort']:>10}  scheduled {o['scheduled']:>3}  "
        f"{plan.status:<9} gap {gap_text}"
        + (
            f" (priority bound {o['bound_priority']}, stages proved {o['stages_optimal']})"
            if "bound_priority" in o
            else ""
        )
    )


def run(sizes: list[int], limits: list[float]) -> None:
    for n in sizes:
        mission = generate(n)
        t = time.perf_counter()
        g = greedy_plan(mission)
        tg = time.perf_counter() - t
        print(f"{n} meetings")
        print(row("greedy", tg, g))
        for limit in limits:
            t = time.perf_counter()
            p = plan_mission(mission, time_limit=limit)
            tp = time.perf_counter() - t
            print(row(f"planner (limit {limit:g} s)", tp, p))
            gp = (g.objective["priority"], g.objective["comfort"])
            pp = (p.objective["priority"], p.objective["comfort"])
            verdict = "better" if pp > gp else "equal" if pp == gp else "WORSE"
            print(f"    vs greedy: {verdict}")


def compare(n: int, limit: float) -> None:
    mission = generate(n)
    variants = {
        "maximal cliques + symmetry + hint (default)": Options(),
        "every-point constraints": Options(cliques="every-point"),
        "no symmetry breaking": Options(symmetry=False),
        "no greedy hint": Options(hint=False),
        "staged objective": Options(lexicographic="staged"),
        "2 workers, interleaved": Options(workers=2),
        "LP linearization level 1": Options(linearization=1),
        "no day-by-day search": Options(lns=False),
    }
    print(f"{n} meetings, limit {limit:g} s")
    for name, opts in variants.items():
        t = time.perf_counter()
        p = plan_mission(mission, time_limit=limit, options=opts)
        print(row(name[:22], time.perf_counter() - t, p), "|", name)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="*", default=[10, 40, 150])
    ap.add_argument("--limits", type=float, nargs="*", default=[2.0, 10.0])
    ap.add_argument("--compare", type=int, default=0, help="compare formulations at this size")
    args = ap.parse_args()
    print(f"load average: {os.getloadavg()}")
    if args.compare:
        for limit in args.limits:
            compare(args.compare, limit)
    else:
        run(args.sizes, args.limits)


if __name__ == "__main__":
    main()
