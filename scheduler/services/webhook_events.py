"""The webhook events, each recorded in the unit of work of the change that causes it (issue 16).

One function per event type builds its `data` (the schema published in the OpenAPI document,
`scheduler.web.webhook_schemas`) and records it with `uow.webhooks.record`, so the event and
the change commit together or not at all, like the mail outbox. Instants are ISO 8601 in UTC
with a `Z`; ids are the mission's own (meeting ids as in the mission file). A booking link's
token never appears in an event.

`attendee_replied` is the entry point for inbound iTIP replies: the code that applies a REPLY
calls it inside its own unit of work.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from scheduler.core.bookings import Booking, Proposal
from scheduler.core.models import Mission, Plan
from scheduler.core.webhooks import EventType
from scheduler.core.webhooks import utc_text as utc
from scheduler.services.ports import UnitOfWork


def _record(
    uow: UnitOfWork, mission_id: int, event_type: EventType, data: dict[str, Any], now: datetime
) -> list[str]:
    return uow.webhooks.record(mission_id, event_type, {"mission_id": mission_id, **data}, now=now)


def _title(mission: Mission, meeting_id: str) -> str:
    return mission.meeting(meeting_id).title


def _booking(b: Booking) -> dict[str, Any]:
    return {"booking_id": b.id, "start": utc(b.start), "end": utc(b.end), "sequence": b.sequence}


def booking_created(
    uow: UnitOfWork,
    mission: Mission,
    booking: Booking,
    *,
    booked_by: Literal["counterpart", "coordinator"],
    now: datetime,
) -> list[str]:
    data = {
        "meeting_id": booking.meeting_id,
        "title": _title(mission, booking.meeting_id),
        **_booking(booking),
    }
    return _record(uow, booking.mission_id, "booking.created", {**data, "booked_by": booked_by}, now)


def booking_rescheduled(
    uow: UnitOfWork, mission: Mission, booking: Booking, previous: Booking, *, now: datetime
) -> list[str]:
    data = {
        "meeting_id": booking.meeting_id,
        "title": _title(mission, booking.meeting_id),
        **_booking(booking),
        "previous": {"booking_id": previous.id, "start": utc(previous.start), "end": utc(previous.end)},
    }
    return _record(uow, booking.mission_id, "booking.rescheduled", data, now)


def booking_cancelled(
    uow: UnitOfWork, mission: Mission, booking: Booking, *, sequence: int, now: datetime
) -> list[str]:
    data = {
        "meeting_id": booking.meeting_id,
        "title": _title(mission, booking.meeting_id),
        **_booking(booking),
        "sequence": sequence,  # the cancellation's own SEQUENCE
    }
    return _record(uow, booking.mission_id, "booking.cancelled", data, now)


def proposal_created(uow: UnitOfWork, mission: Mission, proposal: Proposal, *, now: datetime) -> list[str]:
    data = {
        "meeting_id": proposal.meeting_id,
        "title": _title(mission, proposal.meeting_id),
        "proposal_id": proposal.id,
        "expires_at": utc(proposal.expires_at),
        "options": [
            {"option_id": o.id, "start": utc(o.start), "end": utc(o.end), "kind": o.kind}
            for o in proposal.options
        ],
    }
    return _record(uow, proposal.mission_id, "proposal.created", data, now)


def proposal_exhausted(
    uow: UnitOfWork, mission: Mission, proposal: Proposal, *, reasons: Sequence[str], now: datetime
) -> list[str]:
    data = {
        "meeting_id": proposal.meeting_id,
        "title": _title(mission, proposal.meeting_id),
        "proposal_id": proposal.id,
        "reasons": list(reasons),
    }
    return _record(uow, proposal.mission_id, "proposal.exhausted", data, now)


def counterpart_declined(
    uow: UnitOfWork,
    mission: Mission,
    proposal: Proposal,
    *,
    counterpart_id: str,
    note: str,
    windows: Sequence[tuple[datetime, datetime]],
    now: datetime,
) -> list[str]:
    data = {
        "meeting_id": proposal.meeting_id,
        "title": _title(mission, proposal.meeting_id),
        "proposal_id": proposal.id,
        "counterpart_id": counterpart_id,
        "note": note,
        "windows": [{"start": utc(s), "end": utc(e)} for s, e in windows],
    }
    return _record(uow, proposal.mission_id, "counterpart.declined", data, now)


def attendee_replied(
    uow: UnitOfWork,
    mission_id: int,
    meeting_id: str,
    *,
    attendee: str,
    participation_status: Literal["ACCEPTED", "TENTATIVE", "DECLINED"],
    comment: str = "",
    sequence: int,
    now: datetime,
) -> list[str]:
    """An attendee answered an invitation (an iTIP REPLY was applied); call it in that unit of work.

    `attendee` is the address that answered (lower case, no `mailto:`), `sequence` the SEQUENCE
    of the invitation the reply answers.
    """
    data = {
        "meeting_id": meeting_id,
        "title": _title(uow.mission(mission_id), meeting_id),
        "attendee": attendee,
        "participation_status": participation_status,
        "comment": comment,
        "sequence": sequence,
    }
    return _record(uow, mission_id, "attendee.replied", data, now)


def mission_planned(
    uow: UnitOfWork, mission: Mission, mission_id: int, plan: Plan, *, now: datetime
) -> list[str]:
    data = {
        "status": plan.status,
        "meetings": [
            {
                "meeting_id": pm.meeting_id,
                "title": _title(mission, pm.meeting_id),
                "start": utc(pm.start),
                "end": utc(pm.end),
                "fixed": pm.fixed,
            }
            for pm in plan.meetings
        ],
        "unscheduled": [{"meeting_id": u.meeting_id, "reasons": list(u.reasons)} for u in plan.unscheduled],
    }
    return _record(uow, mission_id, "mission.planned", data, now)


__all__ = [
    "attendee_replied",
    "booking_cancelled",
    "booking_created",
    "booking_rescheduled",
    "counterpart_declined",
    "mission_planned",
    "proposal_created",
    "proposal_exhausted",
]
