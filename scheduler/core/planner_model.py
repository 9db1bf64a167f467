"""The CP-SAT model of a mission: one boolean per (meeting, candidate start). CP-SAT lives here.

Formulation (measured against the alternatives in docs/planner.md):

* `x[m][k]` is true when meeting m starts at its k-th candidate; at most one per meeting.
* People: at every instant, a person is in at most one meeting, counting the buffer after it.
  Written as at-most-one constraints over the maximal cliques of the candidate spans
  `[s, s + d + buffer)` (only the start points after which some span ends), not one per grid
  point and not pairwise, which keeps the model small and its LP relaxation tight.
* Resources: at every maximal clique of `[s, s + d)`, the sum of users (fixed ones count as
  constants) is at most the capacity.
* `max_per_day`: the candidates of a person's meetings on one local date sum to at most the limit
  (minus fixed meetings that day).
* `after`: prefix literals `pre[a][k]` ("a starts at one of its first k+1 candidates") make the
  strict precedence one implication per candidate of the later meeting.
* Symmetry: interchangeable meetings (same people, resources, length, dates, priority, order)
  are ordered: the second may only be placed after the first.
* Objective, lexicographic, in three solves (planner.py): first `W · Σ priority + Σ Score.value`
  with `W = 1 + Σ (best value of each meeting)`, so no amount of comfort can buy one priority
  point; then, holding those, fewest same-day extra meetings per person; then earliest starts.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from typing import TypeVar

from ortools.sat.python import cp_model

from scheduler.core.models import Meeting
from scheduler.core.planner_instance import Instance, maximal_cliques
from scheduler.core.zones import local_date

Key = tuple[str, int]  # (meeting id, candidate index)
T = TypeVar("T")


@dataclass(frozen=True)
class Options:
    """Formulation switches, for measuring the alternatives; the defaults are the planner's."""

    cliques: str = "maximal"  # | "every-point" (a row per candidate start) | "pairwise" (people)
    symmetry: bool = True
    lexicographic: str = "weighted"  # "weighted" (priority·W + comfort) | "staged" (priority, then comfort)
    hint: bool = True
    lns: bool = True  # re-plan day by day when the first search does not prove optimality
    workers: int = 1  # one worker is deterministic, and measured faster here than two interleaved
    linearization: int = 2  # the LP of the clique constraints is what proves optimality
    seed: int = 0


@dataclass
class Built:
    model: cp_model.CpModel
    x: dict[str, list[cp_model.IntVar]]
    priority: cp_model.LinearExpr
    comfort: cp_model.LinearExpr
    extra: cp_model.LinearExpr  # same-day extra meetings
    early: cp_model.LinearExpr  # Σ start in grid steps
    weight: int
    stats: dict[str, int] = field(default_factory=dict)
    prefixes: dict[str, list[cp_model.IntVar]] = field(default_factory=dict)
    extras: list[tuple[cp_model.IntVar, list[Key], int]] = field(default_factory=list)
    rows: list[tuple[list[Key], int]] = field(default_factory=list)  # Σ x ≤ rhs, for the LP

    def hint(self, assign: dict[str, int], *, complete: bool = True) -> None:
        """Hint a plan. Complete (auxiliaries included), CP-SAT takes it as its first solution
        at once, where a hint of `x` alone was lost in the 150-meeting model; on small models
        the `x`-only hint proved optimality faster (docs/planner.md), hence the switch."""
        self.model.clear_hints()  # type: ignore[no-untyped-call]
        for mid, lits in self.x.items():
            for k, lit in enumerate(lits):
                self.model.add_hint(lit, assign.get(mid) == k)
        if not complete:
            return
        for mid, lits in self.prefixes.items():
            for k, lit in enumerate(lits):
                self.model.add_hint(lit, mid in assign and assign[mid] <= k)
        for var, members, fixed in self.extras:
            count = sum(1 for mid, k in members if assign.get(mid) == k) + fixed
            self.model.add_hint(var, max(0, count - 1))


def build(inst: Instance, opts: Options) -> Built:
    """The model of `inst` (see the module docstring); objectives are set by `solve_stage`."""
    model = cp_model.CpModel()
    mission = inst.mission
    x: dict[str, list[cp_model.IntVar]] = {}
    for m in inst.free:
        x[m.id] = [model.new_bool_var(f"x[{m.id},{k}]") for k in range(len(inst.secs[m.id]))]
        if len(x[m.id]) > 1:
            model.add_at_most_one(x[m.id])
    stats = {"booleans": sum(len(v) for v in x.values()), "person": 0, "resource": 0, "day": 0}
    rows: list[tuple[list[Key], int]] = [
        ([(m.id, k) for k in range(len(x[m.id]))], 1) for m in inst.free if x[m.id]
    ]
    every = opts.cliques == "every-point"

    # People: no two commitments closer than the buffer.
    spans: dict[str, list[tuple[int, int, Key]]] = defaultdict(list)
    for m in inst.free:
        for it in inst.items(m.id):
            for pid in m.required:
                spans[pid].append((it.start, it.end + inst.buffer, (m.id, it.k)))
    for pid in sorted(spans):
        groups = _pairs(spans[pid]) if opts.cliques == "pairwise" else _cliques(spans[pid], every)
        for _, members in groups:
            if len({mid for mid, _ in members}) > 1:
                model.add_at_most_one(x[mid][k] for mid, k in members)
                rows.append((members, 1))
                stats["person"] += 1

    # Resources: capacity per instant, fixed meetings using it count as constants (None).
    for r in sorted(mission.resources):
        cap = mission.resources[r]
        rs: list[tuple[int, int, Key | None]] = []
        for mid, start in inst.fixed.items():
            if r in mission.meeting(mid).resources:
                s = inst.sec(start)
                rs.append((s, s + inst.dur[mid], None))
        for m in inst.free:
            if r in m.resources:
                rs.extend((it.start, it.end, (m.id, it.k)) for it in inst.items(m.id))
        for _, held in _cliques(rs, every):
            free = [t for t in held if t is not None]
            const = len(held) - len(free)
            if free and len({mid for mid, _ in free}) + const > cap:
                model.add(sum(x[mid][k] for mid, k in free) <= max(0, cap - const))
                rows.append((free, max(0, cap - const)))
                stats["resource"] += 1

    # max_per_day and the same-day count used for spreading.
    fixed_count: dict[tuple[str, date], int] = defaultdict(int)
    for mid, start in inst.fixed.items():
        for pid in mission.meeting(mid).required:
            fixed_count[(pid, local_date(start, mission.participant(pid).timezone))] += 1
    per_day: dict[tuple[str, date], list[Key]] = defaultdict(list)
    for m in inst.free:
        for pid in m.required:
            for k, d in enumerate(inst.dates[(m.id, pid)]):
                per_day[(pid, d)].append((m.id, k))
    extras: list[tuple[cp_model.IntVar, list[Key], int]] = []
    for key in sorted(per_day):
        pid, _ = key
        members = per_day[key]
        lits = [x[mid][k] for mid, k in members]
        n_meetings = len({mid for mid, _ in members}) + fixed_count[key]
        limit = mission.participant(pid).max_per_day
        if limit is not None and n_meetings > limit:
            model.add(sum(lits) <= max(0, limit - fixed_count[key]))
            rows.append((members, max(0, limit - fixed_count[key])))
            stats["day"] += 1
        if n_meetings > 1:
            e = model.new_int_var(0, n_meetings, f"extra[{pid},{key[1]}]")
            model.add(e >= sum(lits) + fixed_count[key] - 1)
            extras.append((e, members, fixed_count[key]))

    # Prefix literals, only for meetings that something must follow.
    pre: dict[str, list[cp_model.IntVar]] = {}

    def prefix(mid: str) -> list[cp_model.IntVar]:
        if mid not in pre:
            lits: list[cp_model.IntVar] = []
            for k, xk in enumerate(x[mid]):
                p = model.new_bool_var(f"pre[{mid},{k}]")
                model.add(p == (lits[-1] + xk if lits else xk))
                lits.append(p)
            pre[mid] = lits
        return pre[mid]

    for b in inst.free:
        for a in b.after:
            if a not in x:
                continue  # fixed: the candidates already start after it ends
            pa = prefix(a)
            for k, s in enumerate(inst.secs[b.id]):
                j = bisect_right(inst.secs[a], s - inst.dur[a]) - 1
                if j < 0:
                    model.add(x[b.id][k] == 0)
                else:
                    model.add_implication(x[b.id][k], pa[j])
    if opts.symmetry:
        stats["symmetric_pairs"] = _break_symmetry(inst, model, x, prefix)

    priority = sum(m.priority * sum(x[m.id]) for m in inst.free if x[m.id])
    comfort = sum(v * x[mid][k] for mid in x for k, v in enumerate(inst.values[mid]))
    step = int(mission.step.total_seconds())
    early = sum((s // step) * x[mid][k] for mid in x for k, s in enumerate(inst.secs[mid]))
    weight = 1 + sum(max(v, default=0) for v in inst.values.values())
    return Built(
        model=model,
        x=x,
        priority=priority,  # type: ignore[arg-type]
        comfort=comfort,  # type: ignore[arg-type]
        extra=sum(e for e, _, _ in extras),  # type: ignore[arg-type]
        early=early,  # type: ignore[arg-type]
        weight=weight,
        stats=stats,
        prefixes=pre,
        extras=extras,
        rows=rows,
    )


def lp_bound(inst: Instance, built: Built, seconds: float) -> float | None:
    """An upper bound on `W · priority + comfort` from the LP relaxation (GLOP), or None.

    The relaxation keeps the clique, capacity and daily rows and drops `after` and symmetry,
    which only loosens it, so the bound stays valid. On large missions it is much tighter than
    what CP-SAT proves in a few seconds, which keeps the reported gap honest.
    """
    from ortools.linear_solver import pywraplp  # type: ignore[import-untyped]

    solver = pywraplp.Solver.CreateSolver("GLOP")
    if solver is None:
        return None
    solver.SetTimeLimit(int(seconds * 1000))
    var = {(mid, k): solver.NumVar(0.0, 1.0, "") for mid, lits in built.x.items() for k in range(len(lits))}
    for members, rhs in built.rows:
        solver.Add(sum(var[key] for key in members) <= rhs)
    objective = solver.Objective()
    for m in inst.free:
        for k, value in enumerate(inst.values[m.id]):
            objective.SetCoefficient(var[(m.id, k)], float(built.weight * m.priority + value))
    objective.SetMaximization()
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    # Floating point: round up with a margin, a bound may only be loose, never too tight.
    return float(objective.Value()) * (1 + 1e-9) + 1


def _cliques(spans: list[tuple[int, int, T]], every: bool) -> list[tuple[int, list[T]]]:
    if not every:
        return maximal_cliques(spans)
    points = sorted({a for a, _, _ in spans})
    return [(p, [t[2] for t in spans if t[0] <= p < t[1]]) for p in points]


def _pairs(spans: list[tuple[int, int, Key]]) -> list[tuple[int, list[Key]]]:
    """The plain formulation, for comparison: one row per pair of meeting spans that meet."""
    spans = sorted(spans)
    out = []
    for i, (_, b, u) in enumerate(spans):
        for c, _, v in spans[i + 1 :]:
            if c >= b:
                break
            if u[0] != v[0]:
                out.append((c, [u, v]))
    return out


def _twin_key(m: Meeting) -> tuple[object, ...]:
    return (
        tuple(sorted(m.required)),
        tuple(sorted(m.optional)),
        m.duration,
        m.priority,
        tuple(sorted(m.after)),
        tuple(sorted(m.resources)),
        m.not_before,
        m.not_after,
    )


def _break_symmetry(
    inst: Instance,
    model: cp_model.CpModel,
    x: dict[str, list[cp_model.IntVar]],
    prefix: Callable[[str], list[cp_model.IntVar]],
) -> int:
    """Order interchangeable meetings: the later one in the mission only after the earlier one.

    Swapping two such meetings changes nothing the objective sees, so some optimum has them in
    mission order. A meeting another one waits for is left alone (its id matters there).
    """
    needed = {a for m in inst.mission.meetings for a in m.after}
    groups: dict[tuple[object, ...], list[Meeting]] = defaultdict(list)
    for m in inst.free:
        if m.id not in needed and x[m.id]:
            groups[_twin_key(m)].append(m)
    pairs = 0
    for group in groups.values():
        for first, second in pairwise(group):
            if inst.secs[first.id] != inst.secs[second.id]:
                continue
            pf = prefix(first.id)
            for k, xk in enumerate(x[second.id]):
                if k == 0:
                    model.add(xk == 0)
                else:
                    model.add_implication(xk, pf[k - 1])
            pairs += 1
    return pairs
