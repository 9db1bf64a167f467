"""The webhook bodies as pydantic models, published in the OpenAPI document (`webhooks` section).

Every body is `{"type": "<event>", "timestamp": "<UTC>", "data": {…}}`, as the Standard
Webhooks specification shapes them; `data` is one of the models below, built by
`scheduler.services.webhook_events`. The schema is stable: fields are only ever added, and
a receiver should ignore fields it does not know (the models here forbid unknown fields only
so that our own tests notice a body that drifts from its published schema).
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import FastAPI
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from scheduler.core.webhooks import EVENT_TYPES

HEADERS = (
    "Signed as the Standard Webhooks specification says: `webhook-id` (the same on every retry and "
    "replay of this event to this endpoint: drop duplicates by it), `webhook-timestamp` (seconds "
    "since the epoch) and `webhook-signature` (`v1,` + base64 HMAC-SHA256 of "
    "`{webhook-id}.{webhook-timestamp}.{body}` keyed with the endpoint's `whsec_` secret). "
    "Answer 2xx within 10 seconds; anything else is retried with exponential backoff."
)


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _MeetingData(_Data):
    mission_id: int
    meeting_id: str = Field(description="The meeting's id in the mission file")
    title: str


class BookingCreatedData(_MeetingData):
    booking_id: int
    start: AwareDatetime
    end: AwareDatetime
    sequence: int = Field(description="The iCalendar SEQUENCE of the invitations sent")
    booked_by: Literal["counterpart", "coordinator"]


class PreviousBooking(_Data):
    booking_id: int
    start: AwareDatetime
    end: AwareDatetime


class BookingRescheduledData(_MeetingData):
    booking_id: int
    start: AwareDatetime
    end: AwareDatetime
    sequence: int
    previous: PreviousBooking


class BookingCancelledData(_MeetingData):
    booking_id: int
    start: AwareDatetime
    end: AwareDatetime
    sequence: int = Field(description="The SEQUENCE of the cancellation (METHOD:CANCEL) sent")


class ProposalOptionData(_Data):
    option_id: int
    start: AwareDatetime
    end: AwareDatetime
    kind: Literal["plan", "alternative"]


class ProposalCreatedData(_MeetingData):
    proposal_id: int
    expires_at: AwareDatetime
    options: list[ProposalOptionData]


class ProposalExhaustedData(_MeetingData):
    proposal_id: int
    reasons: list[str]


class Window(_Data):
    start: AwareDatetime
    end: AwareDatetime


class CounterpartDeclinedData(_MeetingData):
    proposal_id: int
    counterpart_id: str
    note: str
    windows: list[Window] = Field(description="Times the counterpart said they could do")


class AttendeeRepliedData(_MeetingData):
    attendee: str = Field(description="The address that answered")
    participation_status: Literal["ACCEPTED", "TENTATIVE", "DECLINED"]
    comment: str
    sequence: int = Field(description="The SEQUENCE of the invitation answered")


class PlannedMeetingData(_Data):
    meeting_id: str
    title: str
    start: AwareDatetime
    end: AwareDatetime
    fixed: bool = Field(description="Booked (or fixed in the mission file): the planner kept it")


class UnscheduledData(_Data):
    meeting_id: str
    reasons: list[str]


class MissionPlannedData(_Data):
    mission_id: int
    status: Literal["optimal", "feasible", "infeasible"]
    meetings: list[PlannedMeetingData]
    unscheduled: list[UnscheduledData]


DATA_MODELS: dict[str, type[_Data]] = {
    "booking.created": BookingCreatedData,
    "booking.rescheduled": BookingRescheduledData,
    "booking.cancelled": BookingCancelledData,
    "proposal.created": ProposalCreatedData,
    "proposal.exhausted": ProposalExhaustedData,
    "counterpart.declined": CounterpartDeclinedData,
    "attendee.replied": AttendeeRepliedData,
    "mission.planned": MissionPlannedData,
}
assert tuple(DATA_MODELS) == EVENT_TYPES  # one schema per event type, in the same order

SUMMARIES = {
    "booking.created": "A meeting was booked (by the counterpart's link or by the coordinator)",
    "booking.rescheduled": "A booked meeting moved; updates went to everyone invited",
    "booking.cancelled": "A booked meeting was cancelled",
    "proposal.created": "Times were offered to a counterpart behind a new booking link",
    "proposal.exhausted": "Every time a proposal offered is gone, and the coordinator must act",
    "counterpart.declined": "A counterpart answered that none of the times work",
    "attendee.replied": "An attendee answered an invitation from their calendar (iTIP REPLY)",
    "mission.planned": "The itinerary was planned",
}


def _event_model(event_type: str, data: type[_Data]) -> type[BaseModel]:
    """`{"type": <event_type>, "timestamp": …, "data": <data>}` as a model named after the event."""
    name = "".join(part.title() for part in event_type.replace(".", "_").split("_")) + "Event"
    namespace: dict[str, Any] = {
        "__annotations__": {"type": Literal[event_type], "timestamp": AwareDatetime, "data": data},
        "model_config": ConfigDict(extra="forbid", title=name),
        "__module__": __name__,
    }
    return type(name, (BaseModel,), namespace)


EVENT_MODELS: dict[str, type[BaseModel]] = {t: _event_model(t, m) for t, m in DATA_MODELS.items()}


def document_webhooks(app: FastAPI) -> None:
    """Add every event to the app's OpenAPI document (`openapi.json` → `webhooks`)."""
    for event_type, model in EVENT_MODELS.items():

        def receiver(body: Any) -> None:  # documentation only: FastAPI never calls it
            return None

        receiver.__annotations__ = {"body": model, "return": None}
        receiver.__name__ = event_type.replace(".", "_")
        app.webhooks.post(event_type, summary=SUMMARIES[event_type], description=HEADERS)(receiver)


__all__ = ["DATA_MODELS", "EVENT_MODELS", "document_webhooks"]
