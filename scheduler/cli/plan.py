"""Text, JSON and progress lines for `scheduler plan` (kept out of cli/main.py to keep it thin).

The itinerary is grouped by the mission's home-zone day; every meeting shows each participant's
own local time ("Wed 17 Feb 09:00 JST"), then come the meetings that did not fit, with reasons.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from itertools import groupby
from typing import Any, TextIO

from scheduler.core.models import Mission, Plan
from scheduler.core.planner import PlanProgress
from scheduler.core.zones import to_local


def _utc(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _local(instant: datetime) -> str:
    return f"{instant:%a} {instant.day:02d} {instant:%b %H:%M} {instant.tzname()}"


def plan_json(plan: Plan) -> str:
    """The `plan --json` document: exactly status, meetings, unscheduled, objective."""
    objective: dict[str, Any] = dict(plan.objective)
    if plan.warnings:
        objective["warnings"] = list(plan.warnings)
    doc = {
        "status": plan.status,
        "meetings": [
            {
                "id": pm.meeting_id,
                "start": _utc(pm.start),
                "end": _utc(pm.end),
                "local": {pid: local.isoformat() for pid, local in pm.local.items()},
                "resources": list(pm.resources),
            }
            for pm in plan.meetings
        ],
        "unscheduled": [{"id": u.meeting_id, "reasons": list(u.reasons)} for u in plan.unscheduled],
        "objective": objective,
    }
    return json.dumps(doc, ensure_ascii=False, indent=2)


def plan_text(mission: Mission, plan: Plan) -> str:
    """The itinerary by home-zone day, everyone's local times, then what did not fit and why."""
    o = plan.objective
    status = plan.status if plan.status != "feasible" else f"feasible, not proven optimal (gap {_gap(o)})"
    lines = [
        f"{mission.name}: {len(plan.meetings)} of {len(mission.meetings)} meetings planned, "
        f"priority {o.get('priority')} of {o.get('priority_total')}, {status}",
    ]

    def home_day(pm):  # type: ignore[no-untyped-def]
        return to_local(pm.start, mission.timezone).date()

    for day, group in groupby(plan.meetings, key=home_day):
        lines += ["", f"{day:%A %d %B %Y} ({mission.timezone})"]
        for pm in group:
            m = mission.meeting(pm.meeting_id)
            a, b = to_local(pm.start, mission.timezone), to_local(pm.end, mission.timezone)
            extras = []
            if pm.resources:
                extras.append(", ".join(pm.resources))
            if pm.fixed:
                extras.append("fixed")
            tail = f"  [{'; '.join(extras)}]" if extras else ""
            lines.append(f"  {a:%H:%M}-{b:%H:%M} {a.tzname()}  {m.id}: {m.title}{tail}")
            width = max(len(pid) for pid in pm.local)
            for pid, local in pm.local.items():
                mark = " (optional)" if pid in m.optional else ""
                lines.append(f"      {pid:<{width}}  {_local(local)}{mark}")
    if not plan.meetings:
        lines += ["", "No meeting could be planned."]
    if plan.unscheduled:
        lines += ["", "Not scheduled"]
        for u in plan.unscheduled:
            lines.append(f"  {u.meeting_id}: {mission.meeting(u.meeting_id).title}")
            lines.extend(f"    - {reason}" for reason in u.reasons)
    if plan.warnings:
        lines += ["", "Fixed meetings that break a rule (kept where they are)"]
        lines.extend(f"  - {w}" for w in plan.warnings)
    return "\n".join(lines)


def _gap(objective: Any) -> str:
    gap = objective.get("gap")
    return f"{100 * gap:.3f} %" if isinstance(gap, float) else "unknown"


def progress_printer(stream: TextIO) -> Callable[[PlanProgress], None]:
    """A callback that rewrites one status line on a terminal while the solver works."""
    stages = {1: "priority + comfort", 2: "spread over days", 3: "earlier"}

    def show(p: PlanProgress) -> None:
        # Stages 2 and 3 maximise a negated count; show the count itself (no "-0").
        value, bound = (p.objective, p.bound) if p.stage == 1 else (0.0 - p.objective, 0.0 - p.bound)
        stream.write(
            f"\r\x1b[Ksolving ({stages.get(p.stage, p.stage)}): {p.solutions} solutions, "
            f"objective {value:.0f}, bound {bound:.0f}, {p.elapsed:.1f} s"
        )
        stream.flush()

    return show
