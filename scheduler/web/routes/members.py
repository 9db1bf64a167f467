"""A mission's members and its audit trail.

GET    /api/missions/{id}/members              who belongs to it, with their role
PUT    /api/missions/{id}/members              {"email": "...", "role": "editor"}: add or change (owner only)
DELETE /api/missions/{id}/members/{user_id}    take someone out (owner only; the last owner stays)
GET    /api/missions/{id}/audit                who changed what and when (?meeting=ID, ?format=csv)
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from scheduler.core.access import AuditEntry, Role
from scheduler.services.members import audit_trail, members, remove_member, set_member
from scheduler.web.access import OwnerDep
from scheduler.web.deps import ServicesDep

router = APIRouter(tags=["members"])


class MemberPublic(BaseModel):
    user_id: int
    email: str
    role: Role


class MemberSet(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = Field(min_length=3, max_length=320)
    role: Role


class AuditPublic(BaseModel):
    at: datetime
    actor: str
    meeting_id: str
    action: str
    entity: str
    key: str
    detail: str


@router.get("/missions/{mission_id}/members")
def list_members(mission_id: int, services: ServicesDep) -> list[MemberPublic]:
    return [
        MemberPublic(user_id=m.user_id, email=m.email, role=m.role) for m in members(services, mission_id)
    ]


@router.put("/missions/{mission_id}/members")
def put_member(mission_id: int, body: MemberSet, services: ServicesDep, _owner: OwnerDep) -> MemberPublic:
    m = set_member(services, mission_id, body.email, body.role)
    return MemberPublic(user_id=m.user_id, email=m.email, role=m.role)


@router.delete("/missions/{mission_id}/members/{user_id}", status_code=204)
def delete_member(mission_id: int, user_id: int, services: ServicesDep, _owner: OwnerDep) -> Response:
    remove_member(services, mission_id, user_id)
    return Response(status_code=204)


AUDIT_COLUMNS = ("at", "actor", "meeting_id", "action", "entity", "key", "detail")


def audit_csv(entries: list[AuditEntry]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(AUDIT_COLUMNS)
    for e in entries:
        writer.writerow([e.at.isoformat(), e.actor, e.meeting_id, e.action, e.entity, e.key, e.detail])
    return out.getvalue()


@router.get("/missions/{mission_id}/audit", response_model=None)
def get_audit(
    mission_id: int,
    services: ServicesDep,
    meeting: Annotated[str | None, Query(max_length=100)] = None,
    format: Literal["json", "csv"] = "json",
) -> list[AuditPublic] | Response:
    entries = audit_trail(services, mission_id, meeting)
    if format == "csv":
        headers = {"Content-Disposition": f'attachment; filename="mission-{mission_id}-audit.csv"'}
        return Response(audit_csv(entries), media_type="text/csv; charset=utf-8", headers=headers)
    return [
        AuditPublic(
            at=e.at,
            actor=e.actor,
            meeting_id=e.meeting_id,
            action=e.action,
            entity=e.entity,
            key=e.key,
            detail=e.detail,
        )
        for e in entries
    ]


__all__ = ["audit_csv", "router"]
