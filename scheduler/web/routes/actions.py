"""The mission's timing settings and its timed work (reminders, follow-ups, nudges, expiries,
digests, action-item reminders). Action items themselves are `routes.action_items`."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from scheduler.core.timing import DueItem, Timing
from scheduler.services.timed import (
    finished_for,
    get_timing,
    pending_for,
    set_timing,
)
from scheduler.web.deps import ServicesDep

router = APIRouter(tags=["timed work"])


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
