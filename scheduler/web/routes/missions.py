"""Missions: list, create (the JSON form of a mission file), read, update the head, delete, export."""

from __future__ import annotations

from fastapi import APIRouter, Response

from scheduler.mission.writer import dump_mission
from scheduler.services import export_mission, import_mission
from scheduler.services.editing import delete_mission
from scheduler.services.members import visible_missions
from scheduler.web import definitions
from scheduler.web.access import OwnerDep
from scheduler.web.deps import ServicesDep, UserDep
from scheduler.web.schemas import MeetingPublic, MissionCreate, MissionDetail, MissionPublic, MissionUpdate
from scheduler.web.views import mission_detail

router = APIRouter(tags=["missions"])


@router.get("/missions")
def list_missions(services: ServicesDep, user: UserDep) -> list[MissionPublic]:
    """The missions you are a member of."""
    ids = visible_missions(services, user.id)
    with services.uow() as uow:
        missions = [(i, uow.mission(i)) for i in ids]
    return [
        MissionPublic(id=i, name=m.name, timezone=m.timezone, start=m.start, end=m.end) for i, m in missions
    ]


@router.post("/missions", status_code=201)
def create_mission(body: MissionCreate, services: ServicesDep, user: UserDep) -> MissionDetail:
    """Import a mission given as the JSON form of a mission file; you become its owner."""
    mission = definitions.parse(body.model_dump(mode="json", exclude_none=True))
    mission_id = import_mission(services, mission, source="api", owner=user.id)
    return mission_detail(services, mission_id)


@router.get("/missions/{mission_id}")
def get_mission(mission_id: int, services: ServicesDep) -> MissionDetail:
    return mission_detail(services, mission_id)


@router.patch("/missions/{mission_id}")
def update_mission(mission_id: int, body: MissionUpdate, services: ServicesDep) -> MissionDetail:
    doc = definitions.load(services, mission_id)
    doc["mission"] = definitions.merge(doc["mission"], body.model_dump(mode="json", exclude_unset=True))
    definitions.save(services, mission_id, doc)
    return mission_detail(services, mission_id)


@router.delete("/missions/{mission_id}", status_code=204)
def remove_mission(mission_id: int, services: ServicesDep, _owner: OwnerDep) -> Response:
    """Delete the mission (its owner only)."""
    delete_mission(services, mission_id)
    return Response(status_code=204)


@router.get("/missions/{mission_id}/export", response_class=Response)
def export(mission_id: int, services: ServicesDep) -> Response:
    """The mission file (TOML), booked meetings with their `fixed` start."""
    text = dump_mission(export_mission(services, mission_id))
    return Response(text, media_type="application/toml; charset=utf-8")


__all__ = ["MeetingPublic", "router"]
