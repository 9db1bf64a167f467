"""Booking by the coordinator, rescheduling and cancelling a booked meeting.

Reschedule and cancel answer with the meetings that depend on this one (`after`) and the
re-plan they may need: `POST /api/missions/{id}/plan` keeps every booked meeting fixed.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from scheduler.core.models import Contact
from scheduler.services import BookingResult, book_time, cancel, reschedule
from scheduler.web.deps import ServicesDep
from scheduler.web.schemas import BookRequest, StartRequest
from scheduler.web.views import iso

router = APIRouter(tags=["bookings"])


def _replan(mission_id: int, dependents: tuple[str, ...]) -> dict[str, Any] | None:
    if not dependents:
        return None
    return {"method": "POST", "href": f"/api/missions/{mission_id}/plan", "meetings": list(dependents)}


def _result(mission_id: int, r: BookingResult) -> dict[str, Any]:
    b = r.booking
    return {
        "booking": {
            "id": b.id,
            "meeting_id": b.meeting_id,
            "start": iso(b.start),
            "end": iso(b.end),
            "sequence": b.sequence,
            "status": b.status,
            "attendees": [{"name": c.name, "email": c.email} for c in b.attendees],
        },
        "withdrawn_options": list(r.withdrawn),
        "exhausted_proposals": list(r.exhausted),
        "messages": list(r.messages),
        "dependents": list(r.dependents),
        "replan": _replan(mission_id, r.dependents),
    }


@router.post("/missions/{mission_id}/meetings/{meeting_id}/booking", status_code=201)
def book_meeting(
    mission_id: int, meeting_id: str, body: BookRequest, services: ServicesDep
) -> dict[str, Any]:
    """Book the meeting at `start` directly (closes its open proposal); invitations are queued."""
    guests = [Contact(name=a.name, email=a.email, language=a.language) for a in body.attendees]
    return _result(mission_id, book_time(services, mission_id, meeting_id, body.start, attendees=guests))


@router.post("/missions/{mission_id}/meetings/{meeting_id}/reschedule")
def reschedule_meeting(
    mission_id: int, meeting_id: str, body: StartRequest, services: ServicesDep
) -> dict[str, Any]:
    """Move a booked meeting; an update (same UID, SEQUENCE + 1) is queued to everyone invited."""
    return _result(mission_id, reschedule(services, mission_id, meeting_id, body.start))


@router.post("/missions/{mission_id}/meetings/{meeting_id}/cancel")
def cancel_meeting(mission_id: int, meeting_id: str, services: ServicesDep) -> dict[str, Any]:
    """Cancel a booked (or proposed) meeting; cancellations are queued, holds released."""
    r = cancel(services, mission_id, meeting_id)
    return {
        "meeting_id": r.meeting_id,
        "cancelled": None
        if r.cancelled is None
        else {"start": iso(r.cancelled.start), "end": iso(r.cancelled.end)},
        "messages": list(r.messages),
        "dependents": list(r.dependents),
        "replan": _replan(mission_id, r.dependents),
    }
