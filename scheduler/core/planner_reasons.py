"""Why a meeting is not in the plan, and which fixed meetings break a rule.

Two kinds of answer:

* Nothing fits even before the other meetings are placed: find the smallest set of required
  participants with no common start (one person, then pairs, then triples …) and say whether
  their hours never overlap, only on holidays, or their calendars are full; or name the fixed
  meetings or the `after` order that remove the rest.
* It had starts, but placed meetings take them: for every candidate start, the units of
  meetings that block it (a shared person with the buffer, a resource at capacity, a full
  day, an `after` not yet over); a greedy set cover names a small set of meetings that
  together block every start.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import datetime
from itertools import combinations

from scheduler.core.availability import (
    feasible_starts,
    grid,
    meeting_window,
    start_set,
    starts_in,
)
from scheduler.core.hours import format_duration
from scheduler.core.models import Meeting, Mission, Participant
from scheduler.core.planner_greedy import Occupancy, Unit
from scheduler.core.planner_instance import Instance, person_conflict, spans_meet
from scheduler.core.zones import local_date, to_local


def explain(inst: Instance, assign: dict[str, int]) -> dict[str, tuple[str, ...]]:
    """Reasons for every meeting of `inst.free` that `assign` leaves out."""
    occ = Occupancy(inst)
    for m in inst.free:
        if m.id in assign:
            occ.place(m, assign[m.id])
    out: dict[str, tuple[str, ...]] = {}
    for m in inst.free:
        if m.id in assign:
            continue
        if not inst.starts[m.id]:
            out[m.id] = tuple(static_reasons(inst, m))
        else:
            out[m.id] = tuple(blocking_reasons(inst, occ, m))
    return out


# --- nothing fits at all ---------------------------------------------------------------------
def static_reasons(inst: Instance, m: Meeting) -> list[str]:
    mission = inst.mission
    if m.id in inst.blocked_by_order:
        a = inst.blocked_by_order[m.id]
        if a not in {x.id for x in mission.meetings}:
            return [f"after {a}, which is not a meeting of this mission"]
        return [f"after {a}, which cannot be scheduled"]
    window = meeting_window(mission, m)
    if window.end - window.start < m.duration:
        return [f"its dates ({_dates_text(m)}) leave no room inside the mission {_mission_dates(mission)}"]
    cands = grid(mission)
    people = [mission.participant(pid) for pid in m.required]

    def common(ps: Iterable[Participant]) -> set[datetime]:
        found: set[datetime] | None = None
        for p in ps:
            got = set(starts_in(start_set(mission, p, m.duration, window=window), cands))
            found = got if found is None else found & got
            if not found:
                return set()
        return found or set()

    for size in range(1, len(people) + 1):
        for group in combinations(people, size):
            if not common(group):
                return [_no_common_time(mission, m, list(group), common)]
    # Everyone has time together; fixed meetings or the order take it.
    unordered = feasible_starts(mission, m, fixed=inst.fixed)
    if unordered:
        preds = ", ".join(m.after)
        return [f"after {preds}: nothing they can end before leaves a common free time for {m.id}"]
    return [_taken_by_fixed(inst, m, sorted(common(people)))]


def _no_common_time(mission: Mission, m: Meeting, group: list[Participant], common) -> str:  # type: ignore[no-untyped-def]
    span = f"for {format_duration(m.duration)} between {_mission_dates(mission, m)}"
    names = [p.id for p in group]
    bare = [dataclasses.replace(p, busy=type(p.busy)(), holidays="") for p in group]
    no_holidays = [dataclasses.replace(p, busy=type(p.busy)()) for p in group]
    if len(group) == 1:
        p = group[0]
        if not common(bare):
            return f"{p.id} has no hours {span} ({p.timezone})"
        if not common(no_holidays):
            return f"{p.id}'s hours {span} all fall on public holidays ({p.holidays})"
        return f"{p.id} is busy whenever their hours allow, {span}"
    who = _join(names)
    if not common(bare):
        if len(group) == 2:
            a, b = group
            return (
                f"{a.id} has no hours overlapping {b.id}'s on any day in the window "
                f"({a.id} in {a.timezone}, {b.id} in {b.timezone}, {format_duration(m.duration)} needed)"
            )
        return f"the hours of {who} never overlap {span}"
    if not common(no_holidays):
        return f"the hours of {who} overlap only on someone's public holidays {span}"
    return f"{who} are never free together {span} (busy calendars)"


def _taken_by_fixed(inst: Instance, m: Meeting, starts: list[datetime]) -> str:
    mission = inst.mission
    blockers: dict[datetime, set[str]] = {}
    for s in starts:
        hit = set()
        for mid, fs in inst.fixed.items():
            other = mission.meeting(mid)
            if set(other.required) & set(m.required) and person_conflict(
                inst, m.id, inst.sec(s), mid, inst.sec(fs)
            ):
                hit.add(mid)
        blockers[s] = hit
    chosen = _cover({s: [frozenset({b}) for b in bs] for s, bs in blockers.items()})
    names = sorted({b for u in chosen for b in u})
    return (
        f"needs {_join(list(m.required))}; their {len(starts)} common free times "
        f"({_range_text(mission, starts)}) are taken by fixed meetings: {', '.join(names)}"
    )


# --- taken by other meetings -----------------------------------------------------------------
def blocking_reasons(inst: Instance, occ: Occupancy, m: Meeting) -> list[str]:
    mission = inst.mission
    per_start: dict[int, list[Unit]] = {k: occ.blockers(m, k) for k in range(len(inst.secs[m.id]))}
    for a in m.after:
        if a not in occ.placed:
            return [f"after {a}, which is not scheduled"]
    open_k = [k for k, units in per_start.items() if not units]
    if open_k:
        when = inst.starts[m.id][open_k[0]].isoformat().replace("+00:00", "Z")
        return [f"could start at {when}, but the solver stopped before placing it (time limit)"]
    chosen = _cover({k: [u.meetings for u in units] for k, units in per_start.items()})
    chosen_sets = set(chosen)
    why: dict[frozenset[str], list[str]] = {}
    for units in per_start.values():
        for u in units:
            if u.meetings in chosen_sets:
                words = why.setdefault(u.meetings, [])
                text = _unit_text(mission, u)
                if text not in words:
                    words.append(text)
    described = [f"{', '.join(sorted(ms))} ({', '.join(sorted(why[ms]))})" for ms in chosen]
    ids = sorted({b for u in chosen for b in u})
    rank = _rank_words(mission, m, ids)
    needs = list(m.required) + [f"the {r}" for r in m.resources]
    starts = inst.starts[m.id]
    return [
        f"needs {_join(needs)}",
        f"its {len(starts)} possible start{'s' if len(starts) != 1 else ''} "
        f"({_range_text(mission, starts)}) are taken by {len(ids)} {rank}meeting"
        f"{'s' if len(ids) != 1 else ''}: {'; '.join(sorted(described))}",
    ]


def _cover(options: dict[object, list[frozenset[str]]]) -> list[frozenset[str]]:
    """Greedy set cover: few blocking units that together block every start."""
    uncovered = {k for k, units in options.items() if units}
    chosen: list[frozenset[str]] = []
    while uncovered:
        counts: dict[frozenset[str], int] = {}
        for k in uncovered:
            for u in set(options[k]):
                counts[u] = counts.get(u, 0) + 1
        # Most starts blocked per meeting named; ties by the names, for a stable answer.
        best = max(counts, key=lambda u: (counts[u] / len(u), -len(u), sorted(u)))
        chosen.append(best)
        uncovered = {k for k in uncovered if best not in options[k]}
    return chosen


def _unit_text(mission: Mission, u: Unit) -> str:
    if u.kind == "person":
        return u.what
    if u.kind == "resource":
        return f"the {u.what}, capacity {mission.resources.get(u.what, 0)}"
    if u.kind == "max_per_day":
        return f"{u.what}'s max_per_day {mission.participant(u.what).max_per_day}"
    return "must end first"


def _rank_words(mission: Mission, m: Meeting, ids: list[str]) -> str:
    prios = [mission.meeting(i).priority for i in ids]
    if prios and all(p > m.priority for p in prios):
        return "higher-priority "
    if prios and all(p >= m.priority for p in prios):
        return "equal- or higher-priority "
    return ""


# --- fixed meetings that break a rule ----------------------------------------------------------
def fixed_warnings(inst: Instance, assign: dict[str, int]) -> list[str]:
    """Rules broken by meetings that were fixed where they are (they stay; the plan says so)."""
    from scheduler.core.availability import commitments_of

    mission = inst.mission
    out: list[str] = []
    for mid, start in sorted(inst.fixed.items()):
        m = mission.meeting(mid)
        when = start.isoformat().replace("+00:00", "Z")
        window = meeting_window(mission, m)
        if not (window.start <= start and start + m.duration <= window.end):
            out.append(f"{mid} is fixed at {when}, outside its dates or the mission")
        commitments = commitments_of(mission, inst.fixed, excluding=mid)
        for pid in m.required:
            p = mission.participant(pid)
            ok = start_set(mission, p, m.duration, extra_busy=commitments.get(pid, type(p.busy)()))
            if not ok.contains_instant(start):
                out.append(
                    f"{mid} is fixed at {when}, when {pid} is not free (hours, holiday, busy or buffer)"
                )
        for a in m.after:
            end_a = _placed_end(inst, assign, a)
            if end_a is None or end_a > inst.sec(start):
                out.append(f"{mid} is fixed at {when} but comes after {a}, which does not end before it")
    # Capacities and daily limits among the fixed meetings themselves.
    fixed_ids = sorted(inst.fixed)
    for r, cap in sorted(mission.resources.items()):
        users = [f for f in fixed_ids if r in mission.meeting(f).resources]
        for f in users:
            s = inst.sec(inst.fixed[f])
            load = [g for g in users if spans_meet(inst, f, s, g, inst.sec(inst.fixed[g]))]
            if len(load) > cap and f == min(load):
                out.append(f"fixed meetings {', '.join(load)} use the {r} (capacity {cap}) at once")
    for p in mission.participants:
        if p.max_per_day is None:
            continue
        days: dict[object, list[str]] = {}
        for f in fixed_ids:
            if p.id in mission.meeting(f).required:
                days.setdefault(local_date(inst.fixed[f], p.timezone), []).append(f)
        for day, fs in sorted(days.items()):
            if len(fs) > p.max_per_day:
                out.append(f"{p.id} has {len(fs)} fixed meetings on {day} (max_per_day {p.max_per_day})")
    return out


def _placed_end(inst: Instance, assign: dict[str, int], mid: str) -> int | None:
    if mid in inst.fixed:
        return inst.sec(inst.fixed[mid]) + inst.dur[mid]
    if mid in assign:
        return inst.secs[mid][assign[mid]] + inst.dur[mid]
    return None


# --- wording -----------------------------------------------------------------------------------
def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _range_text(mission: Mission, starts: list[datetime]) -> str:
    first, last = to_local(starts[0], mission.timezone), to_local(starts[-1], mission.timezone)
    a, b = f"{first:%a} {first.day} {first:%b}", f"{last:%a} {last.day} {last:%b}"
    return (a if a == b else f"{a} – {b}") + f", {mission.timezone}"


def _dates_text(m: Meeting) -> str:
    return f"{m.not_before or '…'} to {m.not_after or '…'}"


def _mission_dates(mission: Mission, m: Meeting | None = None) -> str:
    first = max(mission.start, m.not_before) if m and m.not_before else mission.start
    last = min(mission.end, m.not_after) if m and m.not_after else mission.end
    return f"{first} and {last}"
