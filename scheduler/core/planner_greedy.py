"""What is already placed, what a new placement would collide with, and the greedy baseline.

`Occupancy` answers "which placed meetings keep meeting M out of start k?" as blocking units
(a set of meetings that together block it, and the person, resource or rule involved). The
greedy baseline uses it as a yes/no test; the reasons use the units to name the smallest set
of meetings that keeps an unscheduled meeting out.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from scheduler.core.models import Meeting
from scheduler.core.planner_instance import Instance, peak_load, person_conflict, spans_meet
from scheduler.core.zones import local_date


@dataclass(frozen=True)
class Unit:
    """Meetings that together keep a placement out, and why: a person, a resource, a rule."""

    meetings: frozenset[str]
    what: str  # participant id, resource name
    kind: str  # "person" | "resource" | "max_per_day" | "after" | "after-unscheduled"


class Occupancy:
    """Placed meetings (fixed ones included) indexed by person, resource and local day."""

    def __init__(self, inst: Instance) -> None:
        self.inst = inst
        self.placed: dict[str, int] = {}
        self.by_person: dict[str, list[str]] = defaultdict(list)  # free meetings only
        self.by_resource: dict[str, list[str]] = defaultdict(list)
        self.by_day: dict[tuple[str, date], list[str]] = defaultdict(list)
        mission = inst.mission
        for mid, start in sorted(inst.fixed.items()):
            m = mission.meeting(mid)
            self.placed[mid] = inst.sec(start)
            for r in m.resources:
                self.by_resource[r].append(mid)
            for pid in m.required:
                tz = mission.participant(pid).timezone
                self.by_day[(pid, local_date(start, tz))].append(mid)

    def place(self, m: Meeting, k: int) -> None:
        inst = self.inst
        self.placed[m.id] = inst.secs[m.id][k]
        for pid in m.required:
            self.by_person[pid].append(m.id)
            self.by_day[(pid, inst.dates[(m.id, pid)][k])].append(m.id)
        for r in m.resources:
            self.by_resource[r].append(m.id)

    def blockers(self, m: Meeting, k: int, *, first_only: bool = False) -> list[Unit]:
        """Every unit that keeps `m` out of its k-th candidate start (empty: the start is free)."""
        inst, mission = self.inst, self.inst.mission
        s = inst.secs[m.id][k]
        units: list[Unit] = []
        for a in m.after:
            if a not in self.placed:
                units.append(Unit(frozenset({a}), a, "after-unscheduled"))
            elif self.placed[a] + inst.dur[a] > s:
                units.append(Unit(frozenset({a}), a, "after"))
            if first_only and units:
                return units
        for pid in m.required:
            for b in self.by_person.get(pid, ()):
                if person_conflict(inst, m.id, s, b, self.placed[b]):
                    units.append(Unit(frozenset({b}), pid, "person"))
                    if first_only:
                        return units
            limit = mission.participant(pid).max_per_day
            if limit is not None:
                same_day = self.by_day.get((pid, inst.dates[(m.id, pid)][k]), [])
                if len(same_day) >= limit:
                    units.append(Unit(frozenset(same_day), pid, "max_per_day"))
                    if first_only:
                        return units
        for r in m.resources:
            cap = mission.resources.get(r, 0)
            users = [b for b in self.by_resource.get(r, ()) if spans_meet(inst, m.id, s, b, self.placed[b])]
            spans = [(self.placed[b], self.placed[b] + inst.dur[b]) for b in users]
            if peak_load(spans, s, s + inst.dur[m.id]) >= cap:
                if cap == 1:
                    units.extend(Unit(frozenset({b}), r, "resource") for b in users)
                else:
                    units.append(Unit(frozenset(users), r, "resource"))
                if first_only:
                    return units
        return units


def greedy_assign(inst: Instance) -> dict[str, int]:
    """Highest priority first, each meeting at its best free start (score, then earlier).

    A meeting waits until the meetings in its `after` list have had their turn, so a chain is
    placed in order even when a later link has the higher priority.
    """
    occ = Occupancy(inst)
    index = {m.id: i for i, m in enumerate(inst.mission.meetings)}
    pending = sorted(inst.free, key=lambda m: (-m.priority, index[m.id]))
    free_ids = {m.id for m in inst.free}
    decided: set[str] = set()
    chosen: dict[str, int] = {}
    while pending:
        m = next(
            (m for m in pending if all(a in decided or a not in free_ids for a in m.after)),
            pending[0],
        )
        pending.remove(m)
        decided.add(m.id)
        best: tuple[int, int] | None = None
        for k, value in enumerate(inst.values[m.id]):
            if best is not None and value <= best[0]:
                continue  # earlier start wins ties: only a strictly better value replaces it
            if not occ.blockers(m, k, first_only=True):
                best = (value, k)
        if best is not None:
            chosen[m.id] = best[1]
            occ.place(m, best[1])
    return chosen
