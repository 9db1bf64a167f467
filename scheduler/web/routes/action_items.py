"""Action items: record them on a meeting, list them (per meeting or across the mission), edit them.

    GET   /api/missions/{id}/meetings/{mid}/actions        the meeting's items
    POST  /api/missions/{id}/meetings/{mid}/actions        record one (201)
    GET   /api/meetings/{mid}/actions                      short forms: the meeting id is looked up
    POST  /api/meetings/{mid}/actions                      across missions (`?mission_id=` settles a tie)
    GET   /api/missions/{id}/actions?state=open            every item of the mission
    PATCH /api/missions/{id}/actions/{item_id}             assign, move the due date, mark done, drop…

`owner` is a delegate's id or a counterpart contact's address; `due_date` is a date on the
owner's own calendar (the reminder goes on that morning, in their zone).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from scheduler.core.access import Need
from scheduler.core.actions import MAX_NOTE, MAX_TEXT
from scheduler.core.timing import ActionItem
from scheduler.errors import Conflict, NotFound
from scheduler.services.accounts import User
from scheduler.services.actions import ItemChange, create_item, list_items, update_item
from scheduler.services.members import require, visible_missions
from scheduler.services.timed import missions_with_meeting
from scheduler.web.deps import ServicesDep, UserDep

router = APIRouter(tags=["action items"])
State = Literal["open", "done", "dropped"]


class ActionItemCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=MAX_TEXT)
    text_ja: str = Field(default="", max_length=MAX_TEXT)
    owner: str = Field(default="", max_length=300)
    due_date: date | None = None
    shared: bool = True


class ActionItemUpdate(BaseModel):
    """Only the fields sent change; `"due_date": null` removes the date."""

    model_config = ConfigDict(extra="forbid")
    text: str | None = Field(default=None, min_length=1, max_length=MAX_TEXT)
    text_ja: str | None = Field(default=None, max_length=MAX_TEXT)
    owner: str | None = Field(default=None, max_length=300)
    due_date: date | None = None
    state: State | None = None
    note: str | None = Field(default=None, max_length=MAX_NOTE)
    shared: bool | None = None


class ActionItemPublic(BaseModel):
    id: int
    mission_id: int
    meeting_id: str
    text: str
    text_ja: str
    owner: str
    due_date: date | None
    state: str
    note: str
    shared: bool
    created_at: datetime
    updated_at: datetime | None
    updated_by: str


def public(a: ActionItem) -> ActionItemPublic:
    return ActionItemPublic(
        id=a.id,
        mission_id=a.mission_id,
        meeting_id=a.meeting_id,
        text=a.text,
        text_ja=a.text_ja,
        owner=a.owner,
        due_date=a.due,
        state=a.state,
        note=a.note,
        shared=a.shared,
        created_at=a.created_at,
        updated_at=a.updated_at,
        updated_by=a.updated_by,
    )


@router.get("/missions/{mission_id}/meetings/{meeting_id}/actions")
def get_actions(mission_id: int, meeting_id: str, services: ServicesDep) -> list[ActionItemPublic]:
    return [public(a) for a in list_items(services, mission_id, meeting_id)]


@router.post("/missions/{mission_id}/meetings/{meeting_id}/actions", status_code=201)
def post_action(
    mission_id: int, meeting_id: str, body: ActionItemCreate, services: ServicesDep, user: UserDep
) -> ActionItemPublic:
    item = create_item(
        services,
        mission_id,
        meeting_id,
        text=body.text,
        text_ja=body.text_ja,
        owner=body.owner,
        due_date=body.due_date,
        shared=body.shared,
        by=user.email,
    )
    return public(item)


def _mission_of(
    services: ServicesDep, user: User, meeting_id: str, mission_id: int | None, need: Need
) -> int:
    # No {mission_id} in these paths: the mission is found here, then checked like any other.
    mine = visible_missions(services, user.id)
    if mission_id is not None:
        require(services, user.id, mission_id, need)
        return mission_id
    found = [m for m in missions_with_meeting(services, meeting_id) if m in mine]
    if not found:
        raise NotFound(f"no meeting {meeting_id!r}")
    if len(found) > 1:
        raise Conflict(f"missions {found} all have a meeting {meeting_id!r}: add ?mission_id=")
    return found[0]


@router.get("/meetings/{meeting_id}/actions")
def get_actions_short(
    meeting_id: str, services: ServicesDep, user: UserDep, mission_id: Annotated[int | None, Query()] = None
) -> list[ActionItemPublic]:
    return get_actions(_mission_of(services, user, meeting_id, mission_id, "read"), meeting_id, services)


@router.post("/meetings/{meeting_id}/actions", status_code=201)
def post_action_short(
    meeting_id: str,
    body: ActionItemCreate,
    services: ServicesDep,
    user: UserDep,
    mission_id: Annotated[int | None, Query()] = None,
) -> ActionItemPublic:
    mission = _mission_of(services, user, meeting_id, mission_id, "write")
    return post_action(mission, meeting_id, body, services, user)


@router.get("/missions/{mission_id}/actions")
def get_mission_actions(
    mission_id: int, services: ServicesDep, state: Annotated[State | None, Query()] = None
) -> list[ActionItemPublic]:
    return [public(a) for a in list_items(services, mission_id) if state is None or a.state == state]


@router.patch("/missions/{mission_id}/actions/{item_id}")
def patch_action(
    mission_id: int, item_id: int, body: ActionItemUpdate, services: ServicesDep, user: UserDep
) -> ActionItemPublic:
    sent = body.model_fields_set
    change = ItemChange(
        text=body.text,
        text_ja=body.text_ja,
        owner=body.owner,
        due=body.due_date,
        clear_due="due_date" in sent and body.due_date is None,
        state=body.state,
        note=body.note,
        shared=body.shared,
    )
    return public(update_item(services, mission_id, item_id, change, by=user.email))


__all__ = ["ActionItemPublic", "public", "router"]
