"""Meetings: create, read (with state, planned and booked start), update, delete."""

from __future__ import annotations

from fastapi import APIRouter, Response

from scheduler.web import definitions
from scheduler.web.deps import ServicesDep
from scheduler.web.schemas import MeetingCreate, MeetingPublic, MeetingUpdate
from scheduler.web.views import meetings_public

router = APIRouter(tags=["meetings"])


def _one(services: ServicesDep, mission_id: int, meeting_id: str) -> MeetingPublic:
    for m in meetings_public(services, mission_id):
        if m.id == meeting_id:
            return m
    from scheduler.errors import NotFound

    raise NotFound(f"no meeting {meeting_id!r} in mission {mission_id}")


@router.get("/missions/{mission_id}/meetings")
def list_meetings(mission_id: int, services: ServicesDep) -> list[MeetingPublic]:
    return meetings_public(services, mission_id)


@router.post("/missions/{mission_id}/meetings", status_code=201)
def create_meeting(mission_id: int, body: MeetingCreate, services: ServicesDep) -> MeetingPublic:
    doc = definitions.load(services, mission_id)
    doc["meetings"].append(body.model_dump(mode="json", exclude_none=True))
    definitions.save(services, mission_id, doc)
    return _one(services, mission_id, body.id)


@router.get("/missions/{mission_id}/meetings/{meeting_id}")
def get_meeting(mission_id: int, meeting_id: str, services: ServicesDep) -> MeetingPublic:
    return _one(services, mission_id, meeting_id)


@router.patch("/missions/{mission_id}/meetings/{meeting_id}")
def update_meeting(
    mission_id: int, meeting_id: str, body: MeetingUpdate, services: ServicesDep
) -> MeetingPublic:
    doc = definitions.load(services, mission_id)
    i = definitions.find(doc["meetings"], "id", meeting_id, "meeting")
    doc["meetings"][i] = definitions.merge(
        doc["meetings"][i], body.model_dump(mode="json", exclude_unset=True)
    )
    definitions.save(services, mission_id, doc)
    return _one(services, mission_id, meeting_id)


@router.delete("/missions/{mission_id}/meetings/{meeting_id}", status_code=204)
def delete_meeting(mission_id: int, meeting_id: str, services: ServicesDep) -> Response:
    doc = definitions.load(services, mission_id)
    del doc["meetings"][definitions.find(doc["meetings"], "id", meeting_id, "meeting")]
    definitions.save(services, mission_id, doc)
    return Response(status_code=204)
