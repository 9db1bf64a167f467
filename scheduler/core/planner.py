"""The whole itinerary at once: `plan_mission` (CP-SAT) and `greedy_plan` (the baseline).

The objective, in this order (lexicographic):

1. the total priority of the meetings scheduled;
2. comfort and fairness: the sum of `Score.value` of the scheduled meetings (the slot finder's
   scoring, so the two agree);
3. spread: fewest "extra" meetings, a person's required meetings on one local date beyond the
   first, summed over people and dates;
4. earlier: the smallest sum of starts (in grid steps).

Levels 1 and 2 are one weighted sum with a weight no comfort total can reach; level 3 is a
second solve holding what the first reached, level 4 a third holding both. Large missions are
first improved day by day (planner_lns). The rest of the program never sees the solver: it
gets a `Plan`, whose `objective` carries the values, the bound and the gap.

Fixed meetings (the caller's `fixed`, then every `Meeting.fixed_start`) stay where they are even
when they break a rule; the plan then says `status = "infeasible"` (no plan keeps every hard
rule with them there) and lists the broken rules in `Plan.warnings`.

Determinism: one CP-SAT worker, a fixed seed, everything built in mission order, the day-by-day
search bounded by deterministic time; so the same input gives the same plan whenever no stage
is cut short by the time limit. When the limit cuts one short, how far it got depends on the
machine's speed and load (docs/planner.md). A monotonic timer is read only to honour the limit.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from ortools.sat.python import cp_model

from scheduler.core.models import Mission, Plan, PlannedMeeting, Score
from scheduler.core.models import Unscheduled as UnscheduledMeeting
from scheduler.core.planner_greedy import greedy_assign
from scheduler.core.planner_instance import Instance, build_instance, score_at
from scheduler.core.planner_lns import improve_by_days
from scheduler.core.planner_model import Built, Options, build, lp_bound
from scheduler.core.planner_reasons import explain, fixed_warnings
from scheduler.core.zones import local_date, to_local

__all__ = ["PlanProgress", "greedy_plan", "plan_mission"]

MIN_SOLVE = 0.1  # seconds; below this a stage is skipped...
# ...plus this per boolean: CP-SAT's presolve alone overran a 0.13 s limit by 0.07 s on the
# 150-meeting model (8,000 booleans) under load, which made a 2 s call take 2.3 s.
MIN_SOLVE_PER_BOOLEAN = 0.25 / 8000
LARGE_MODEL = 4000  # booleans; above this the day-by-day search goes first (measured, docs/planner.md)
# Share of the time left after stage 1 that stage 2 (spread) may take: its proof needed about
# 1.4 times the deterministic time of stage 3's at 40 meetings (docs/planner.md).
STAGE2_SHARE = 0.6


@dataclass(frozen=True, kw_only=True)
class PlanProgress:
    """One progress report while solving: stage 1 is priority + comfort, 2 spread, 3 earlier."""

    stage: int
    solutions: int
    objective: float
    bound: float
    elapsed: float  # seconds since the planner started solving


def greedy_plan(mission: Mission, *, fixed: Mapping[str, datetime] | None = None) -> Plan:
    """The baseline: highest priority first, each meeting at its best free start (ties: earlier).

    >>> plan = greedy_plan(mission)                      # doctest: +SKIP
    >>> [m.meeting_id for m in plan.meetings]            # doctest: +SKIP
    """
    inst = build_instance(mission, fixed)
    assign = greedy_assign(inst)
    return _make_plan(inst, assign, status="feasible", extra={"solver": "greedy"})


def plan_mission(
    mission: Mission,
    *,
    fixed: Mapping[str, datetime] | None = None,
    time_limit: float = 10.0,
    on_progress: Callable[[PlanProgress], None] | None = None,
    seed_with_greedy: bool = True,
    options: Options | None = None,
) -> Plan:
    """Plan every meeting of `mission` at once (see the module docstring for the objective).

    `fixed` maps meeting ids to starts that must not move. Returns within about `time_limit`
    seconds; `Plan.status` is "optimal" when proved, else "feasible" with `objective["gap"]`,
    the relative distance of the priority + comfort level to the solver's bound.
    """
    opts = options or Options(hint=seed_with_greedy)
    progress = _Progress(on_progress)
    inst = build_instance(mission, fixed)
    greedy = greedy_assign(inst)
    if not inst.free or not any(inst.secs[m.id] for m in inst.free):
        return _make_plan(inst, greedy, status="optimal", extra={"solver": "none needed", "gap": 0.0})
    built = build(inst, opts)
    progress.tick()

    # Stage 1: priority, then comfort, as one weighted sum (or two solves, for comparison).
    hint = greedy if opts.hint else None
    # What the solver stages may use: the reasons for the unscheduled meetings are computed
    # after them (0.1 s at 150 meetings under load), and a solve can overrun its own limit a
    # little; keeping this back makes the whole call return within `time_limit`.
    solve_limit = time_limit - min(0.5, 0.1 * time_limit)
    # Stage 1 holds the levels that matter most; the later stages take whatever it leaves.
    # (0.6 left a 2 s call at 40 meetings on the greedy plan when the machine was loaded.)
    budget = 0.8 * solve_limit
    if opts.lexicographic == "staged":
        r0 = _solve(built, built.priority, hint, budget / 2, opts, progress, 1)
        if r0.assign is not None and not math.isnan(r0.value):
            built.model.add(built.priority >= int(r0.value))
        r1 = _solve(built, built.comfort, r0.assign or hint, budget - progress.elapsed, opts, progress, 1)
        optimal1 = r0.optimal and r1.optimal
        bound1 = built.weight * r0.bound + (r1.bound if r0.optimal else built.weight - 1)
    else:
        objective1 = built.weight * built.priority + built.comfort
        # Small models: one search proves optimality or comes close. Large ones: CP-SAT spends
        # its first seconds on presolve and the LP, so improve by days first (planner_lns), then
        # let the full search resume from there.
        large = opts.lns and built.stats["booleans"] > LARGE_MODEL
        r1 = _Result(None, 0.0, math.inf, False)
        if not large:
            r1 = _solve(built, objective1, hint, budget - progress.elapsed, opts, progress, 1)
        optimal1, bound1 = r1.optimal, r1.bound
        if large:
            start = greedy
            if r1.assign is not None and _key(inst, r1.assign) > _key(inst, greedy):
                start = r1.assign
            better = improve_by_days(
                inst,
                built,
                objective1,
                start,
                lambda a: _key(inst, a),
                budget=max(0.1, (budget - progress.elapsed) / 2),
                seconds_left=lambda: budget * 0.75 - progress.now(),
                opts=opts,
            )
            progress.tick()
            progress.report(1, built.weight * _key(inst, better)[0] + _key(inst, better)[1], bound1)
            r1b = _solve(built, objective1, better, budget - progress.elapsed, opts, progress, 1)
            if r1b.assign is None or _key(inst, r1b.assign) < _key(inst, better):
                r1b.assign = better
            floor = built.weight * _key(inst, better)[0] + _key(inst, better)[1]
            optimal1 = r1b.optimal
            bound1 = min([b for b in (bound1, r1b.bound) if b >= floor] or [math.inf])
            r1 = r1b
        if not optimal1 and solve_limit - progress.now() > 1.0:
            # The LP relaxation: on large missions far tighter than CP-SAT's bound so far.
            lp = lp_bound(inst, built, min(0.25 * solve_limit, max(0.1, solve_limit - progress.now())))
            progress.tick()
            if lp is not None:
                bound1 = min(bound1, lp)
    assign = r1.assign
    if assign is None or _key(inst, assign) < _key(inst, greedy):
        assign, optimal1 = greedy, False  # nothing better within the limit: greedy stands
    held = _key(inst, assign)
    value1 = built.weight * held[0] + held[1]
    # Held as two constraints, not the weighted sum: the same plans once stage 1 is optimal,
    # and far easier for the solver than one constraint with a huge coefficient.
    built.model.add(built.priority >= held[0])
    built.model.add(built.comfort >= held[1])
    # Stage 2: spread over days; stage 3: earlier. Each keeps what the stage before reached.
    share2 = STAGE2_SHARE * (solve_limit - progress.elapsed)
    r2 = _solve(built, -built.extra, assign, share2, opts, progress, 2)
    if r2.assign is not None:
        assign = r2.assign
        if not math.isnan(r2.value):
            built.model.add(built.extra <= int(-r2.value))
    r3 = _solve(built, -built.early, assign, solve_limit - progress.elapsed, opts, progress, 3)
    if r3.assign is not None:
        assign = r3.assign
    optimal = optimal1 and r2.optimal and r3.optimal
    # A bound below a plan we hold is one the solver had not really computed (stopped in
    # presolve); the sum of every meeting's priority and best comfort is always a bound.
    trivial = built.weight * sum(m.priority for m in inst.free if inst.secs[m.id]) + built.weight - 1
    bound1 = min([b for b in (bound1, trivial) if b >= value1] or [trivial])
    gap = 0.0 if optimal1 else max(0.0, (bound1 - value1) / max(1.0, abs(bound1)))
    extra: dict[str, float | int | bool | str | None] = {
        "solver": "cp-sat",
        "gap": round(gap, 6),
        "bound_priority": int(bound1 // built.weight) + _fixed_priority(inst),
        # Comfort's own bound, meaningful once the priority bound is reached.
        "bound_comfort": (
            int(bound1 - built.weight * held[0]) + _fixed_comfort(inst)
            if int(bound1 // built.weight) == held[0]
            else None
        ),
        "proven_optimal": optimal,
        "stages_optimal": "".join("y" if r else "n" for r in (optimal1, r2.optimal, r3.optimal)),
        "solutions": progress.solutions,
        "booleans": built.stats["booleans"],
    }
    return _make_plan(inst, assign, status="optimal" if optimal else "feasible", extra=extra)


# --- solving -----------------------------------------------------------------------------------
class _Progress:
    def __init__(self, sink: Callable[[PlanProgress], None] | None) -> None:
        self.sink = sink
        self.solutions = 0
        # A monotonic timer, only to honour the time limit (model building included); the core
        # never reads the date or the wall clock.
        self.started = time.perf_counter()
        self.elapsed = 0.0  # seconds until the end of the last step

    def tick(self) -> None:
        self.elapsed = self.now()

    def now(self) -> float:
        return time.perf_counter() - self.started

    def report(self, stage: int, objective: float, bound: float) -> None:
        self.solutions += 1
        if self.sink is not None:
            self.sink(
                PlanProgress(
                    stage=stage,
                    solutions=self.solutions,
                    objective=objective,
                    bound=bound,
                    elapsed=self.elapsed,
                )
            )


@dataclass
class _Result:
    assign: dict[str, int] | None
    value: float
    bound: float
    optimal: bool


class _Callback(cp_model.CpSolverSolutionCallback):
    def __init__(self, progress: _Progress, stage: int) -> None:
        super().__init__()
        self.progress, self.stage = progress, stage

    def on_solution_callback(self) -> None:
        self.progress.solutions += 1
        if self.progress.sink is not None:
            self.progress.sink(
                PlanProgress(
                    stage=self.stage,
                    solutions=self.progress.solutions,
                    objective=self.objective_value,
                    bound=self.best_objective_bound,
                    elapsed=self.progress.elapsed + self.wall_time,
                )
            )


def _solve(
    built: Built,
    objective: object,
    hint: dict[str, int] | None,
    seconds: float,
    opts: Options,
    progress: _Progress,
    stage: int,
) -> _Result:
    if seconds < MIN_SOLVE + MIN_SOLVE_PER_BOOLEAN * built.stats["booleans"]:
        # No time left: a solve would overrun the limit in presolve alone; keep the hint.
        return _Result(dict(hint) if hint is not None else None, math.nan, math.inf, False)
    model = built.model
    model.clear_hints()  # type: ignore[no-untyped-call]
    model.clear_objective()  # type: ignore[no-untyped-call]
    model.maximize(objective)  # type: ignore[arg-type]
    if hint is not None:
        built.hint(hint, complete=built.stats["booleans"] > LARGE_MODEL)
    solver = cp_model.CpSolver()
    p = solver.parameters
    p.max_time_in_seconds = max(0.05, seconds)
    p.num_workers = opts.workers
    p.random_seed = opts.seed
    p.linearization_level = opts.linearization
    if opts.workers > 1:
        p.interleave_search = True  # deterministic with several workers
    status = solver.solve(model, _Callback(progress, stage))
    progress.tick()
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return _Result(None, 0.0, float(solver.best_objective_bound), False)
    assign = {}
    for mid, lits in built.x.items():
        for k, lit in enumerate(lits):
            if solver.boolean_value(lit):
                assign[mid] = k
    return _Result(assign, solver.objective_value, solver.best_objective_bound, status == cp_model.OPTIMAL)


# --- the answer --------------------------------------------------------------------------------
def _key(inst: Instance, assign: dict[str, int]) -> tuple[int, int]:
    """Levels 1 and 2 of the objective over the meetings placed (fixed ones are the same in all)."""
    prio = sum(inst.mission.meeting(mid).priority for mid in assign)
    comfort = sum(inst.values[mid][k] for mid, k in assign.items())
    return prio, comfort


def _fixed_priority(inst: Instance) -> int:
    return sum(inst.mission.meeting(mid).priority for mid in inst.fixed)


def _fixed_comfort(inst: Instance) -> int:
    mission = inst.mission
    return sum(score_at(mission, mission.meeting(mid), start).value for mid, start in inst.fixed.items())


def _make_plan(inst: Instance, assign: dict[str, int], *, status: str, extra: dict) -> Plan:  # type: ignore[type-arg]
    mission = inst.mission
    planned: list[PlannedMeeting] = []
    for mid, start in inst.fixed.items():
        m = mission.meeting(mid)
        planned.append(_planned(inst, m.id, start, score_at(mission, m, start), fixed=True))
    for m in inst.free:
        if m.id in assign:
            k = assign[m.id]
            planned.append(_planned(inst, m.id, inst.starts[m.id][k], inst.scores[m.id][k], fixed=False))
    planned.sort(key=lambda p: (p.start, p.meeting_id))
    reasons = explain(inst, assign)
    order = {m.id: i for i, m in enumerate(mission.meetings)}
    unscheduled = [UnscheduledMeeting(meeting_id=mid, reasons=r) for mid, r in reasons.items()]
    unscheduled.sort(key=lambda u: order[u.meeting_id])
    warnings = fixed_warnings(inst, assign)
    if warnings:
        status = "infeasible"
    objective: dict[str, float | int | bool | None] = {
        "priority": sum(mission.meeting(p.meeting_id).priority for p in planned),
        "priority_total": sum(m.priority for m in mission.meetings),
        "comfort": sum(p.score.value for p in planned),
        "same_day_extra": _same_day_extra(inst, planned),
        "earliness": sum(int((p.start - inst.origin) / mission.step) for p in planned if not p.fixed),
        "scheduled": len(planned),
        "unscheduled": len(unscheduled),
        "fixed_conflicts": len(warnings),
    }
    objective.update(extra)
    return Plan(
        status=status,  # type: ignore[arg-type]
        meetings=tuple(planned),
        unscheduled=tuple(unscheduled),
        objective=objective,
        warnings=tuple(warnings),
    )


def _planned(inst: Instance, mid: str, start: datetime, sc: Score, *, fixed: bool) -> PlannedMeeting:
    mission = inst.mission
    m = mission.meeting(mid)
    return PlannedMeeting(
        meeting_id=mid,
        start=start,
        end=start + m.duration,
        local={pid: to_local(start, mission.participant(pid).timezone) for pid in m.invited},
        resources=m.resources,
        score=sc,
        fixed=fixed,
    )


def _same_day_extra(inst: Instance, planned: list[PlannedMeeting]) -> int:
    mission = inst.mission
    counts: dict[tuple[str, date], int] = defaultdict(int)
    for p in planned:
        for pid in mission.meeting(p.meeting_id).required:
            counts[(pid, local_date(p.start, mission.participant(pid).timezone))] += 1
    return sum(max(0, c - 1) for c in counts.values())
