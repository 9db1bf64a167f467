"""Compatible option sets against the one-at-a-time choice they replace, side by side in one run.

    .venv/bin/python benchmarks/bench_proposals.py                    # sample (11) and generated (40)
    .venv/bin/python benchmarks/bench_proposals.py --orders 200       # fewer random booking orders

For each mission, every meeting with a counterpart gets options (at most 5, at least 2 wanted):
* **joint**: `core.options.choose_options` over all of them at once (what `propose_all` does);
* **one at a time**: the choice before issue 11, meeting by meeting in mission order: the plan's
  slot when no other proposal's plan option clashes with it, then alternatives spread over days
  and times of day (`diverse`), blind to the other proposals' alternatives.

Then 1,000 random booking orders (seeded): counterparts answer in a random order, each picking a
random option still open; a booking withdraws every other option it makes impossible (person
and buffer, resources, `max_per_day`, `after`). Printed: the time to choose, the options
offered, the competing pairs, and the share of orders after which every open proposal still had
at least 2 options after every booking (no new times added: the choice alone).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_plan import generate  # type: ignore[import-not-found]

from scheduler.core.bookings import clashes, rule_problems
from scheduler.core.models import Mission, Slot
from scheduler.core.options import OptionRequest, choose_options, competing_options
from scheduler.core.planner import plan_mission
from scheduler.core.slots import find_slots
from scheduler.core.zones import local_date, to_local
from scheduler.mission.reader import load_mission
from scheduler.services.proposals import PROPOSE_ALL_TIME_LIMIT

ROOT = Path(__file__).resolve().parents[1]
NEED, WANT = 2, 5
DIFFERENT_TIME = timedelta(hours=1)


def candidates(mission: Mission) -> dict[str, tuple[Slot, ...]]:
    out = {}
    for m in mission.meetings:
        if not m.counterparts or m.fixed_start is not None:
            continue
        slots = find_slots(mission, m.id, explain=False).slots
        out[m.id] = tuple(s for s in slots if not rule_problems(mission, m.id, s.start))
    return out


def diverse(slots: Sequence[Slot], count: int, zone: str, beside: Sequence[Slot]) -> list[Slot]:
    """The alternatives of the old `propose`: new day and hour first, then new day, then apart."""
    chosen: list[Slot] = []

    def minute(s: Slot) -> int:
        t = to_local(s.start, zone)
        return t.hour * 60 + t.minute

    def ok(s: Slot, new_day: bool, new_time: bool) -> bool:
        taken = chosen + list(beside)
        if new_day and local_date(s.start, zone) in {local_date(c.start, zone) for c in taken}:
            return False
        if new_time and any(abs(minute(s) - minute(c)) < DIFFERENT_TIME.seconds // 60 for c in taken):
            return False
        return not any(s.start < c.end and c.start < s.end for c in taken)

    for rule in ((True, True), (True, False), (False, False)):
        for s in slots:
            if len(chosen) < count and s not in chosen and ok(s, *rule):
                chosen.append(s)
    return chosen


def one_at_a_time(
    mission: Mission, found: Mapping[str, Sequence[Slot]], planned: Mapping[str, datetime]
) -> dict[str, list[datetime]]:
    offered: dict[str, list[datetime]] = {}
    plans: list[tuple[str, datetime]] = []
    for mid, slots in found.items():
        free = [s for s in slots if not any(clashes(mission, mid, s.start, o, t) for o, t in plans)]
        primary = next((s for s in free if s.start == planned.get(mid)), free[0] if free else None)
        rest = [s for s in slots if s is not primary]
        chosen = ([primary] if primary else []) + diverse(
            rest, WANT - 1, mission.timezone, [primary] if primary else []
        )
        if primary:
            plans.append((mid, primary.start))
        offered[mid] = [s.start for s in chosen]
    return offered


def joint(
    mission: Mission, found: Mapping[str, Sequence[Slot]], planned: Mapping[str, datetime], limit: float
):  # type: ignore[no-untyped-def]
    requests = [
        OptionRequest(meeting_id=mid, candidates=tuple(slots), need=NEED, want=WANT, planned=planned.get(mid))
        for mid, slots in found.items()
    ]
    choice = choose_options(mission, requests, time_limit=limit)
    return {mid: [s.start for s in slots] for mid, slots in choice.chosen.items()}, choice.optimal


def survives(
    mission: Mission, offered: Mapping[str, list[datetime]], possible: Sequence[str], rng: random.Random
) -> bool:
    """One random booking order: does every proposal keep at least NEED options throughout?

    A meeting that could have had NEED options (`possible`) but was offered fewer fails at once.
    """
    if any(len(offered.get(mid, ())) < NEED for mid in possible):
        return False
    left = {mid: list(starts) for mid, starts in offered.items() if starts}
    booked = mission
    for mid in rng.sample(sorted(left), len(left)):
        if mid not in left or not left[mid]:
            continue
        start = rng.choice(left.pop(mid))
        booked = replace(
            booked,
            meetings=tuple(replace(m, fixed_start=start) if m.id == mid else m for m in booked.meetings),
        )
        for other in list(left):
            left[other] = [
                s
                for s in left[other]
                if not clashes(booked, mid, start, other, s) and not rule_problems(booked, other, s)
            ]
            if len(left[other]) < NEED:
                return False
    return True


def measure(name: str, mission: Mission, orders: int, limit: float) -> None:
    planned = {pm.meeting_id: pm.start for pm in plan_mission(mission, time_limit=5).meetings}
    t0 = time.perf_counter()
    found = candidates(mission)
    t_found = time.perf_counter() - t0
    t0 = time.perf_counter()
    old = one_at_a_time(mission, found, planned)
    t_old = time.perf_counter() - t0
    t0 = time.perf_counter()
    new, optimal = joint(mission, found, planned, limit)
    t_new = time.perf_counter() - t0
    print(f"\n{name}: {len(found)} meetings to propose (candidates found in {t_found:.2f} s)")
    possible = [mid for mid, slots in found.items() if len(slots) >= NEED]
    print(f"{len(found) - len(possible)} of them have fewer than {NEED} possible starts at all")
    header = f"{'choice':<16}{'time s':>8}{'options':>9}{'short':>7}{'competing':>11}{'orders kept >=2':>18}"
    print(header)
    for label, offered, seconds in (("one at a time", old, t_old), ("joint (CP-SAT)", new, t_new)):
        rng = random.Random(2027)
        kept = sum(survives(mission, offered, possible, rng) for _ in range(orders))
        short = sum(len(offered.get(mid, ())) < NEED for mid in possible)  # could have had NEED
        pairs = len(competing_options(mission, offered))
        total = sum(len(v) for v in offered.values())
        print(f"{label:<16}{seconds:>8.2f}{total:>9}{short:>7}{pairs:>11}{kept / orders:>17.1%}")
    print(f"joint choice proved optimal: {optimal}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--size", type=int, default=40)
    args = parser.parse_args()
    measure("sample mission (config.toml)", load_mission(ROOT / "config.toml"), args.orders, limit=2.0)
    big = generate(args.size)
    measure(
        f"generated mission ({args.size} meetings, seed 7)", big, args.orders, limit=PROPOSE_ALL_TIME_LIMIT
    )


if __name__ == "__main__":
    main()
