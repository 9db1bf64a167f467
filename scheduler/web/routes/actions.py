"""Action items recorded on a meeting (they go in its follow-up emails), the mission's timing
settings, and its timed work (reminders, follow-ups, nudges, expiries, digests).

`/api/meetings/{meeting_id}/actions` is the short form: the meeting id is looked up across
missions (`?mission_id=` settles it when two missions use the same id).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from scheduler.core.timing import ActionItem, DueItem, Timing
from scheduler.errors import Conflict, NotFound
from scheduler.services.timed import (
    add_action_item,
    finished_for,
    get_timing,
    list_action_items,
    missions_with_meeting,
    pending_for,
    set_timing,
)
from scheduler.web.deps import ServicesDep

router = APIRouter(tags=["timed work"])


class ActionItemCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=2000)
    owner: str = Field(default="", max_length=300)


class ActionItemPublic(BaseModel):
    id: int
    mission_id: int
    meeting_id: str
    text: str
    owner: str
    created_at: datetime


class TimingBody(BaseModel):
    """Per-mission timing. Durations in minutes/hours, hours of day local (0..23)."""

    model_config = ConfigDict(extra="forbid")
    reminder_minutes: list[Annotated[int, Field(gt=0, le=60 * 24 * 30)]] = Field(
        default_factory=lambda: [24 * 60, 60], max_length=10
    )
    nudge_after_hours: int = Field(default=72, gt=0, le=24 * 60)
    follow_up_days: int = Field(default=1, ge=0, le=30)
    follow_up_hour: int = Field(default=9, ge=0, le=23)
    digest_hour: int = Field(default=8, ge=0, le=23)


class DuePublic(BaseModel):
    id: int
    kind: str
    due_at: datetime
    state: str
    meeting_id: str
    recipient: str
    detail: str
    finished_at: datetime | None
    outcome: str


class TimedWorkPublic(BaseModel):
    due: list[DuePublic]
    ran: list[DuePublic]


def _public(a: ActionItem) -> ActionItemPublic:
    return ActionItemPublic(
        id=a.id,
        mission_id=a.mission_id,
        meeting_id=a.meeting_id,
        text=a.text,
        owner=a.owner,
        created_at=a.created_at,
    )


def _due(d: DueItem) -> DuePublic:
    return DuePublic(
        id=d.id,
        kind=d.kind,
        due_at=d.due_at,
        state=d.state,
        meeting_id=d.meeting_id,
        recipient=d.recipient.email if d.recipient else "",
        detail=d.detail,
        finished_at=d.finished_at,
        outcome=d.outcome,
    )


def _timing(t: Timing) -> TimingBody:
    return TimingBody(
        reminder_minutes=[int(r.total_seconds() // 60) for r in t.reminders],
        nudge_after_hours=int(t.nudge_after.total_seconds() // 3600),
        follow_up_days=t.follow_up_days,
        follow_up_hour=t.follow_up_hour,
        digest_hour=t.digest_hour,
    )


# --- action items ---------------------------------------------------------------------------------
@router.get("/missions/{mission_id}/meetings/{meeting_id}/actions")
def get_actions(mission_id: int, meeting_id: str, services: ServicesDep) -> list[ActionItemPublic]:
    return [_public(a) for a in list_action_items(services, mission_id, meeting_id)]


@router.post("/missions/{mission_id}/meetings/{meeting_id}/actions", status_code=201)
def post_action(
    mission_id: int, meeting_id: str, body: ActionItemCreate, services: ServicesDep
) -> ActionItemPublic:
    return _public(add_action_item(services, mission_id, meeting_id, body.text, body.owner))


def _mission_of(services: ServicesDep, meeting_id: str, mission_id: int | None) -> int:
    if mission_id is not None:
        return mission_id
    found = missions_with_meeting(services, meeting_id)
    if not found:
        raise NotFound(f"no meeting {meeting_id!r}")
    if len(found) > 1:
        raise Conflict(f"missions {found} all have a meeting {meeting_id!r}: add ?mission_id=")
    return found[0]


@router.get("/meetings/{meeting_id}/actions")
def get_actions_short(
    meeting_id: str, services: ServicesDep, mission_id: Annotated[int | None, Query()] = None
) -> list[ActionItemPublic]:
    return get_actions(_mission_of(services, meeting_id, mission_id), meeting_id, services)


@router.post("/meetings/{meeting_id}/actions", status_code=201)
def post_action_short(
    meeting_id: str,
    body: ActionItemCreate,
    services: ServicesDep,
    mission_id: Annotated[int | None, Query()] = None,
) -> ActionItemPublic:
    return post_action(_mission_of(services, meeting_id, mission_id), meeting_id, body, services)


# --- timing and timed work ------------------------------------------------------------------------
@router.get("/missions/{mission_id}/timing")
def get_mission_timing(mission_id: int, services: ServicesDep) -> TimingBody:
    return _timing(get_timing(services, mission_id))


@router.put("/missions/{mission_id}/timing")
def put_mission_timing(mission_id: int, body: TimingBody, services: ServicesDep) -> TimingBody:
    timing = Timing(
        reminders=tuple(timedelta(minutes=m) for m in body.reminder_minutes),
        nudge_after=timedelta(hours=body.nudge_after_hours),
        follow_up_days=body.follow_up_days,
        follow_up_hour=body.follow_up_hour,
        digest_hour=body.digest_hour,
    )
    return _timing(set_timing(services, mission_id, timing))


@router.get("/missions/{mission_id}/timed-work")
def get_timed_work(
    mission_id: int, services: ServicesDep, meeting_id: Annotated[str | None, Query()] = None
) -> TimedWorkPublic:
    return TimedWorkPublic(
        due=[_due(d) for d in pending_for(services, mission_id, meeting_id)],
        ran=[_due(d) for d in finished_for(services, mission_id, meeting_id)],
    )


__all__ = ["router"]
