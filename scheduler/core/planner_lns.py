"""Large-neighbourhood search by days: re-plan one or two home-zone days at a time, exactly.

On a large, over-full mission (150 meetings for 70 places) one CP-SAT search from the greedy
hint hardly moves in a few seconds. Re-planning a day is small: every meeting placed on another
day stays, every other meeting may take a start on this day (or none), and CP-SAT solves that
to optimality in a fraction of a second. Sweeping the days, then pairs of days (which lets a
meeting move between them), improves the plan step by step and never makes it worse (each
sub-solve is hinted with the current plan).

Each sub-solve runs on one worker with a deterministic-time limit and the whole search stops
after a fixed amount of deterministic time, so the result does not depend on the machine's load.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from ortools.sat.python import cp_model

from scheduler.core.planner_instance import Instance
from scheduler.core.planner_model import Built, Options
from scheduler.core.zones import local_date


def improve_by_days(
    inst: Instance,
    built: Built,
    objective: cp_model.LinearExpr,
    assign: dict[str, int],
    key: Callable[[dict[str, int]], tuple[int, int]],
    *,
    budget: float,
    seconds_left: Callable[[], float],
    opts: Options,
) -> dict[str, int]:
    """Improve `assign` on `objective` (maximised) by re-planning days; returns the better plan.

    `budget` is in CP-SAT deterministic time units (roughly seconds on a quiet reference machine);
    `seconds_left` is the wall-clock time still allowed, which wins on a loaded machine.
    """
    tz = inst.mission.timezone
    day_of = {mid: [local_date(s, tz) for s in inst.starts[mid]] for mid in built.x}
    days = sorted({d for ds in day_of.values() for d in ds})
    hoods: list[tuple[date, ...]] = [(d,) for d in days]
    hoods += [(a, b) for i, a in enumerate(days) for b in days[i + 1 :]]
    built.model.clear_objective()  # type: ignore[no-untyped-call]
    built.model.maximize(objective)
    spent = 0.0
    step = max(0.05, budget / max(1, len(days)))
    stale = 0
    i = 0
    while spent < budget and stale < len(hoods) and seconds_left() > 0.05:
        hood = set(hoods[i % len(hoods)])
        i += 1
        built.hint(assign)
        sub = cp_model.CpModel()
        sub.proto.copy_from(built.model.proto)
        for mid, lits in built.x.items():
            cur = assign.get(mid)
            keep = cur is not None and day_of[mid][cur] not in hood
            for k, lit in enumerate(lits):
                if keep or day_of[mid][k] not in hood:
                    value = int(keep and k == cur)
                    dom = sub.proto.variables[lit.index].domain  # a boolean's is [0, 1]
                    dom[0] = dom[1] = value
        solver = cp_model.CpSolver()
        p = solver.parameters
        p.num_workers = 1
        p.random_seed = opts.seed
        p.linearization_level = opts.linearization
        p.max_deterministic_time = min(step, budget - spent)
        p.max_time_in_seconds = seconds_left()
        status = solver.solve(sub)
        spent += solver.response_proto.deterministic_time
        stale += 1
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            found = {
                mid: k for mid, lits in built.x.items() for k, lit in enumerate(lits) if solver.value(lit)
            }
            if key(found) > key(assign):
                assign, stale = found, 0
    built.model.clear_hints()  # type: ignore[no-untyped-call]
    return assign
