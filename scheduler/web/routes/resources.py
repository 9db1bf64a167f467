"""Resources (an interpreter, video licences): name and capacity."""

from __future__ import annotations

from fastapi import APIRouter, Response

from scheduler.errors import Conflict, NotFound
from scheduler.web import definitions
from scheduler.web.deps import ServicesDep
from scheduler.web.schemas import ResourceCreate, ResourceUpdate

router = APIRouter(tags=["resources"])


def _resources(services: ServicesDep, mission_id: int) -> dict[str, int]:
    return definitions.load(services, mission_id)["resources"]  # type: ignore[no-any-return]


@router.get("/missions/{mission_id}/resources")
def list_resources(mission_id: int, services: ServicesDep) -> list[ResourceCreate]:
    return [ResourceCreate(name=n, capacity=c) for n, c in _resources(services, mission_id).items()]


@router.post("/missions/{mission_id}/resources", status_code=201)
def create_resource(mission_id: int, body: ResourceCreate, services: ServicesDep) -> ResourceCreate:
    doc = definitions.load(services, mission_id)
    if body.name in doc["resources"]:
        raise Conflict(f"resource {body.name!r} already exists")
    doc["resources"][body.name] = body.capacity
    definitions.save(services, mission_id, doc)
    return body


@router.get("/missions/{mission_id}/resources/{name}")
def get_resource(mission_id: int, name: str, services: ServicesDep) -> ResourceCreate:
    found = _resources(services, mission_id)
    if name not in found:
        raise NotFound(f"no resource {name!r} in mission {mission_id}")
    return ResourceCreate(name=name, capacity=found[name])


@router.patch("/missions/{mission_id}/resources/{name}")
def update_resource(
    mission_id: int, name: str, body: ResourceUpdate, services: ServicesDep
) -> ResourceCreate:
    doc = definitions.load(services, mission_id)
    if name not in doc["resources"]:
        raise NotFound(f"no resource {name!r} in mission {mission_id}")
    doc["resources"][name] = body.capacity
    definitions.save(services, mission_id, doc)
    return ResourceCreate(name=name, capacity=body.capacity)


@router.delete("/missions/{mission_id}/resources/{name}", status_code=204)
def delete_resource(mission_id: int, name: str, services: ServicesDep) -> Response:
    doc = definitions.load(services, mission_id)
    if name not in doc["resources"]:
        raise NotFound(f"no resource {name!r} in mission {mission_id}")
    del doc["resources"][name]
    definitions.save(services, mission_id, doc)
    return Response(status_code=204)
