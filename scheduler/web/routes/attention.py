"""The coordinator's attention queue and the mission's negotiation policy.

GET  /api/missions/{id}/attention            open items (?all=true: resolved ones too)
POST /api/missions/{id}/attention/{item}     take an action: {"action": "dismiss", "note": "…"}
GET  /api/missions/{id}/negotiation          {"min_options": 2, "auto_recovery": true}
PUT  /api/missions/{id}/negotiation          change it
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from scheduler.core.attention import AttentionItem
from scheduler.services.attention import attention_items, negotiation, resolve, set_negotiation
from scheduler.web.deps import ServicesDep
from scheduler.web.views import iso

router = APIRouter(tags=["attention"])

Action = Literal["propose", "reschedule", "cancel", "send", "resend", "dismiss"]


class ResolveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Action
    note: str = Field(default="", max_length=2000)


class NegotiationBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    min_options: int = Field(ge=1, le=5)
    auto_recovery: bool


def item_json(item: AttentionItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "kind": item.kind,
        "summary": item.summary,
        "meeting_id": item.meeting_id,
        "proposal_id": item.proposal_id,
        "note": item.note,
        "detail": dict(item.detail),
        "actions": list(item.actions),
        "created_at": iso(item.created_at),
        "notified_at": iso(item.notified_at) if item.notified_at else None,
        "resolved_at": iso(item.resolved_at) if item.resolved_at else None,
        "resolution": item.resolution,
    }


@router.get("/missions/{mission_id}/attention")
def list_items(mission_id: int, services: ServicesDep, all: bool = False) -> list[dict[str, Any]]:
    """What needs the coordinator: declines with windows and notes, requests, proposals that ran out."""
    return [item_json(i) for i in attention_items(services, mission_id, open_only=not all)]


@router.post("/missions/{mission_id}/attention/{item_id}")
def act(mission_id: int, item_id: int, body: ResolveRequest, services: ServicesDep) -> dict[str, Any]:
    """Take one of the item's `actions`; the item is resolved with what was done."""
    return item_json(resolve(services, mission_id, item_id, body.action, note=body.note))


@router.get("/missions/{mission_id}/negotiation")
def get_policy(mission_id: int, services: ServicesDep) -> dict[str, Any]:
    p = negotiation(services, mission_id)
    return {"min_options": p.min_options, "auto_recovery": p.auto_recovery}


@router.put("/missions/{mission_id}/negotiation")
def put_policy(mission_id: int, body: NegotiationBody, services: ServicesDep) -> dict[str, Any]:
    """The fewest open options a proposal keeps (new times are found below it), and whether they
    go out at once or wait for "send" on the attention item."""
    p = set_negotiation(services, mission_id, min_options=body.min_options, auto_recovery=body.auto_recovery)
    return {"min_options": p.min_options, "auto_recovery": p.auto_recovery}
