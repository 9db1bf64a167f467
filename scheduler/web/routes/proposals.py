"""Proposals: offer a meeting's counterpart options behind a booking link; list them and their answers."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from scheduler.core.bookings import Proposal, dependents
from scheduler.core.models import Mission
from scheduler.errors import NotFound
from scheduler.services import list_proposals, propose
from scheduler.services.proposals import propose_all
from scheduler.web.deps import ServicesDep
from scheduler.web.views import iso

router = APIRouter(tags=["proposals"])


def proposal_json(p: Proposal, mission: Mission | None = None) -> dict[str, Any]:
    """A proposal as JSON. A declined or exhausted one says what to do next: a fresh proposal
    (`next`) and, when declined, the re-plan of the meetings that come after it (`replan`)."""
    out = {
        "id": p.id,
        "meeting_id": p.meeting_id,
        "status": p.status,
        "created_at": iso(p.created_at),
        "expires_at": iso(p.expires_at),
        "needs_attention": p.needs_attention,
        "note": p.note,
        "available": [[iso(s), iso(e)] for s, e in p.available],
        "available_for": p.available_for,
        "options": [
            {"id": o.id, "start": iso(o.start), "end": iso(o.end), "kind": o.kind, "status": o.status}
            for o in p.options
        ],
    }
    if p.status in ("declined", "exhausted"):
        base = f"/api/missions/{p.mission_id}"
        out["next"] = {"method": "POST", "href": f"{base}/meetings/{p.meeting_id}/proposals"}
        after = dependents(mission, p.meeting_id) if mission is not None else ()
        if p.status == "declined" and after:
            out["replan"] = {"method": "POST", "href": f"{base}/plan", "meetings": list(after)}
    return out


@router.post("/missions/{mission_id}/meetings/{meeting_id}/proposals", status_code=201)
def create_proposal(mission_id: int, meeting_id: str, services: ServicesDep) -> dict[str, Any]:
    """Offer 3–5 options; the booking request with the link is queued to the counterpart's contacts.

    The link (with its token) is in the answer once; only the token's hash is stored.
    """
    created = propose(services, mission_id, meeting_id)
    return {
        **proposal_json(created.proposal),
        "link": created.link,
        "messages": list(created.messages),
        "reasons": list(created.reasons),
    }


class ProposeAllRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    meetings: list[str] | None = Field(default=None, max_length=500)


@router.post("/missions/{mission_id}/proposals", status_code=201)
def create_proposals(
    mission_id: int, services: ServicesDep, body: ProposeAllRequest | None = None
) -> dict[str, Any]:
    """Offer times for every meeting not yet booked or proposed (or those listed), chosen together
    so that no counterpart's pick can take another's options. Each link is in the answer once."""
    batch = propose_all(services, mission_id, body.meetings if body else None)
    return {
        "created": [
            {
                **proposal_json(c.proposal),
                "link": c.link,
                "messages": list(c.messages),
                "reasons": list(c.reasons),
            }
            for c in batch.created
        ],
        "skipped": [{"meeting_id": mid, "why": why} for mid, why in batch.skipped],
    }


@router.get("/missions/{mission_id}/proposals")
def get_proposals(
    mission_id: int,
    services: ServicesDep,
    status: str | None = Query(default=None, max_length=20),
    needs_attention: bool | None = None,
) -> list[dict[str, Any]]:
    """Every proposal of the mission, oldest first; declines carry the note and the times offered."""
    with services.uow() as uow:
        mission = uow.mission(mission_id)  # NotFound for an unknown mission
    found = list_proposals(services, mission_id, status=status)
    if needs_attention is not None:
        found = [p for p in found if p.needs_attention == needs_attention]
    return [proposal_json(p, mission) for p in found]


@router.get("/missions/{mission_id}/proposals/{proposal_id}")
def get_proposal(mission_id: int, proposal_id: int, services: ServicesDep) -> dict[str, Any]:
    with services.uow() as uow:
        mission = uow.mission(mission_id)
    for p in list_proposals(services, mission_id):
        if p.id == proposal_id:
            return proposal_json(p, mission)
    raise NotFound(f"no proposal {proposal_id} in mission {mission_id}")
