"""`POST /api/missions/{id}/plan`: the whole itinerary, booked meetings kept where they are."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from scheduler.services import plan
from scheduler.web.deps import ServicesDep
from scheduler.web.schemas import PlanRequest
from scheduler.web.views import iso

router = APIRouter(tags=["plan"])


@router.post("/missions/{mission_id}/plan")
def run_plan(mission_id: int, services: ServicesDep, body: PlanRequest | None = None) -> dict[str, Any]:
    """Run the planner; each meeting not booked gets its planned start (offered first by proposals)."""
    result = plan(services, mission_id, time_limit=(body or PlanRequest()).time_limit)
    return {
        "status": result.status,
        "meetings": [
            {
                "meeting_id": pm.meeting_id,
                "start": iso(pm.start),
                "end": iso(pm.end),
                "local": {pid: t.isoformat() for pid, t in pm.local.items()},
                "resources": list(pm.resources),
                "fixed": pm.fixed,
            }
            for pm in result.meetings
        ],
        "unscheduled": [{"meeting_id": u.meeting_id, "reasons": list(u.reasons)} for u in result.unscheduled],
        "objective": dict(result.objective),
        "warnings": list(result.warnings),
    }
