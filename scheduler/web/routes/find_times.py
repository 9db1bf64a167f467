"""`POST /api/missions/{id}/find-times`: the slot finder, answered like Microsoft Graph's findMeetingTimes.

    {"meetingTimeSuggestions": [{"confidence": 100, "score": 87, "organizerAvailability": "free",
      "suggestionReason": "...", "meetingTimeSlot": {"start": {"dateTime": "...", "timeZone": "UTC"},
      "end": {...}}, "attendeeAvailability": [{"attendee": {"type": "required", "id": "brown",
      "emailAddress": {"name": "...", "address": "..."}}, "availability": "free",
      "localTime": {"dateTime": "2027-02-15T19:00:00", "timeZone": "America/Toronto"}}]}],
     "emptySuggestionsReason": "", "reasons": []}

Booked meetings are fixed; no start earlier than now + the minimum notice is suggested.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from fastapi import APIRouter

from scheduler.core.bookings import rule_problems
from scheduler.core.models import Meeting, Mission
from scheduler.core.slots import find_slots
from scheduler.core.zones import to_local
from scheduler.errors import ConfigError, NotFound
from scheduler.mission.fields import parse_meeting_duration
from scheduler.web.deps import ServicesDep
from scheduler.web.schemas import FindTimesRequest

router = APIRouter(tags=["find-times"])
ADHOC = "~ad-hoc"  # not a valid meeting id in a mission file, so it never clashes


def _graph_time(instant: datetime, zone_name: str) -> dict[str, str]:
    return {"dateTime": to_local(instant, zone_name).replace(tzinfo=None).isoformat(), "timeZone": zone_name}


def _meeting(mission: Mission, body: FindTimesRequest) -> tuple[Mission, str]:
    if body.meeting_id is not None:
        if body.attendees is not None:
            raise ConfigError("give either meeting_id or attendees, not both", "attendees")
        try:
            mission.meeting(body.meeting_id)
        except KeyError:
            raise NotFound(f"no meeting {body.meeting_id!r}") from None
        return mission, body.meeting_id
    if not body.attendees:
        raise ConfigError("give a meeting_id, or attendees with a duration", "meeting_id")
    if body.duration is None:
        raise ConfigError("an ad-hoc search needs a duration like 1h", "duration")
    try:
        duration = parse_meeting_duration(body.duration)
    except ValueError as exc:
        raise ConfigError(str(exc), "duration") from None
    kinds = {p.id: p.kind for p in mission.participants}
    for field, ids in (("attendees", body.attendees), ("optional", body.optional)):
        for i, pid in enumerate(ids):
            if pid not in kinds:
                raise ConfigError(f"no delegate or counterpart {pid!r}", f"{field}[{i}]")
    meeting = Meeting(
        id=ADHOC,
        title="ad-hoc",
        delegates=tuple(p for p in body.attendees if kinds[p] == "delegate"),
        counterparts=tuple(p for p in body.attendees if kinds[p] == "counterpart"),
        optional=tuple(p for p in body.optional if p not in body.attendees),
        duration=duration,
    )
    return replace(mission, meetings=(*mission.meetings, meeting)), ADHOC


@router.post("/missions/{mission_id}/find-times")
def find_times(mission_id: int, body: FindTimesRequest, services: ServicesDep) -> dict[str, Any]:
    """Ranked times for a meeting of the mission or an ad-hoc list of attendees and a duration."""
    with services.uow() as uow:
        mission = uow.mission(mission_id)
    mission, meeting_id = _meeting(mission, body)
    meeting = mission.meeting(meeting_id)
    earliest = services.clock.now() + services.settings.min_notice
    search = find_slots(mission, meeting_id)
    slots = [
        s for s in search.slots if s.start >= earliest and not rule_problems(mission, meeting_id, s.start)
    ][: body.max_candidates]
    suggestions = []
    for s in slots:
        people = []
        for pid in meeting.invited:
            p = mission.participant(pid)
            address = p.email or (p.contacts[0].email if p.contacts else "")
            people.append(
                {
                    "attendee": {
                        "type": "optional" if pid in meeting.optional else "required",
                        "id": pid,
                        "emailAddress": {"name": p.name, "address": address},
                    },
                    "availability": "free" if pid in meeting.required or pid in s.optional_free else "busy",
                    "localTime": _graph_time(s.start, p.timezone),
                    "comfort": s.score.comfort.get(pid),
                }
            )
        suggestions.append(
            {
                "confidence": 100,
                "score": s.score.value,
                "organizerAvailability": "free",
                "suggestionReason": (
                    f"everyone required is free; worst comfort {s.score.worst_comfort}, "
                    f"{len(s.optional_free)} optional free"
                ),
                "meetingTimeSlot": {"start": _graph_time(s.start, "UTC"), "end": _graph_time(s.end, "UTC")},
                "attendeeAvailability": people,
            }
        )
    reasons = list(search.reasons)
    if not slots and search.slots:
        reasons.append(f"every time that fits starts before the minimum notice ({earliest.isoformat()})")
    return {
        "meetingTimeSuggestions": suggestions,
        "emptySuggestionsReason": "" if suggestions else "attendeesUnavailable",
        "reasons": reasons if not suggestions else list(search.reasons),
    }
