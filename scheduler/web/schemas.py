"""Request and response bodies of the coordinator API: Create / Update / Public models.

Create and Update bodies have the shapes of the mission file's tables (hours as
`{"mon-fri": "07:00-22:00"}`, durations as "1h30m"), because every change is checked by the
mission-file reader, which names the offending field; zone names are checked here already.
Update bodies are partial: only the fields sent change.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from scheduler.core.zones import validate_zone

ID = r"^[a-z0-9][a-z0-9_-]*$"
EmailStr = Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=320)]


def _zone(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return validate_zone(value)
    except (ValueError, LookupError) as exc:
        raise ValueError(str(exc)) from None


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- contacts ------------------------------------------------------------------------------------
class ContactCreate(_Body):
    name: str = Field(min_length=1, max_length=300)
    email: EmailStr
    language: Literal["en", "ja"] = "en"
    title: str = Field(default="", max_length=300)


class ContactUpdate(_Body):
    name: str | None = Field(default=None, min_length=1, max_length=300)
    email: EmailStr | None = None
    language: Literal["en", "ja"] | None = None
    title: str | None = Field(default=None, max_length=300)


# --- delegates and counterparts -----------------------------------------------------------------
class _ParticipantFields(_Body):
    name: str | None = Field(default=None, min_length=1, max_length=300)
    timezone: str | None = None
    language: Literal["en", "ja"] | None = None
    holidays: str | None = Field(default=None, max_length=20)
    hours: dict[str, str] | None = None
    preferred: dict[str, str] | None = None
    overrides: dict[str, str] | None = None
    max_per_day: int | None = Field(default=None, ge=1)

    _check_zone = field_validator("timezone")(_zone)


class DelegateUpdate(_ParticipantFields):
    email: EmailStr | None = None
    role: str | None = Field(default=None, max_length=300)


class DelegateCreate(DelegateUpdate):
    id: str = Field(pattern=ID, max_length=100)
    name: str = Field(min_length=1, max_length=300)
    timezone: str
    email: EmailStr
    hours: dict[str, str]


class CounterpartUpdate(_ParticipantFields):
    pass


class CounterpartCreate(CounterpartUpdate):
    id: str = Field(pattern=ID, max_length=100)
    name: str = Field(min_length=1, max_length=300)
    timezone: str
    hours: dict[str, str]
    contacts: list[ContactCreate] = Field(min_length=1)


# --- meetings -----------------------------------------------------------------------------------
class MeetingUpdate(_Body):
    title: str | None = Field(default=None, min_length=1, max_length=500)
    delegates: list[str] | None = None
    counterparts: list[str] | None = None
    optional: list[str] | None = None
    duration: str | None = Field(default=None, examples=["1h", "45m"])
    priority: int | None = Field(default=None, ge=0)
    after: list[str] | None = None
    resources: list[str] | None = None
    not_before: date | None = None
    not_after: date | None = None
    purpose: str | None = None
    agenda: list[str] | None = None
    notes: str | None = None
    video: str | None = None


class MeetingCreate(MeetingUpdate):
    id: str = Field(pattern=ID, max_length=100)
    title: str = Field(min_length=1, max_length=500)
    delegates: list[str] = Field(min_length=1)
    duration: str = Field(examples=["1h"])


# --- resources ------------------------------------------------------------------------------------
class ResourceCreate(_Body):
    name: str = Field(pattern=ID, max_length=100)
    capacity: int = Field(ge=1)


class ResourceUpdate(_Body):
    capacity: int = Field(ge=1)


# --- missions ------------------------------------------------------------------------------------
class OrganizerIn(_Body):
    name: str = Field(min_length=1)
    email: EmailStr


class MissionUpdate(_Body):
    name: str | None = Field(default=None, min_length=1, max_length=300)
    timezone: str | None = None
    start: date | None = None
    end: date | None = None
    step: str | None = None
    buffer: str | None = None
    organizer: OrganizerIn | None = None
    video: str | None = None

    _check_zone = field_validator("timezone")(_zone)


class MissionHead(MissionUpdate):
    name: str = Field(min_length=1, max_length=300)
    timezone: str
    start: date
    end: date
    organizer: OrganizerIn


class MissionCreate(_Body):
    """A whole mission in the mission file's shape (the JSON form of config.toml)."""

    mission: MissionHead
    resources: dict[str, int] = {}
    delegates: list[DelegateCreate] = []
    counterparts: list[CounterpartCreate] = []
    meetings: list[MeetingCreate] = []


class MissionPublic(BaseModel):
    id: int
    name: str
    timezone: str
    start: date
    end: date


class MissionDetail(MissionPublic):
    definition: dict[str, Any]
    meetings: list[MeetingPublic]


class MeetingPublic(BaseModel):
    id: str
    title: str
    state: str
    planned_start: datetime | None = None
    booked_start: datetime | None = None
    definition: dict[str, Any]


# --- find-times, plan, proposals, bookings ---------------------------------------------------
class FindTimesRequest(_Body):
    """Either `meeting_id`, or `attendees` (participant ids) with `duration`."""

    meeting_id: str | None = None
    attendees: list[str] | None = Field(default=None, min_length=1)
    optional: list[str] = []
    duration: str | None = Field(default=None, examples=["1h"])
    max_candidates: int = Field(default=5, ge=1, le=50)


class PlanRequest(_Body):
    time_limit: float = Field(default=10.0, gt=0, le=60)


class StartRequest(_Body):
    start: datetime

    @field_validator("start")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("give an offset (Z or +09:00): a time without one names no instant")
        return value


class AttendeeIn(_Body):
    name: str = Field(min_length=1, max_length=300)
    email: EmailStr
    language: Literal["en", "ja"] = "en"


class BookRequest(StartRequest):
    attendees: list[AttendeeIn] = []


class TokenRequest(_Body):
    email: str
    password: str


MissionDetail.model_rebuild()
