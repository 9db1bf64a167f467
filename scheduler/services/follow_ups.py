"""Schedule a follow-up: a new meeting from a meeting, then times proposed the usual way.

In one transaction, under the mission lock: read the original, its booking and its action
items; add the follow-up (`core.follow_up`: same people, agenda from the open items, an
`after` rule on the original, a four-week window from the day after it) and grow the mission's
window when the follow-up falls after it. Then `propose` offers times exactly as for any
meeting (its own transaction): the booking request, the booking and the invitations follow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from scheduler.core.follow_up import follow_up
from scheduler.core.models import Meeting
from scheduler.core.zones import local_date
from scheduler.errors import Conflict, NotFound
from scheduler.services.context import Services
from scheduler.services.editing import EditingUnitOfWork
from scheduler.services.proposals import ProposalCreated, propose
from scheduler.services.timed_ports import unit


@dataclass(frozen=True, kw_only=True)
class FollowUp:
    """The follow-up meeting made, and its proposal (None with `reason` when no time could be offered)."""

    meeting: Meeting
    proposal: ProposalCreated | None
    reason: str = ""


def schedule_follow_up(services: Services, mission_id: int, meeting_id: str) -> FollowUp:
    """Create the follow-up of `meeting_id` and propose times for it. Raises `NotFound`."""
    now = services.clock.now()
    with unit(services) as (uow, due):
        uow.lock_mission(mission_id)
        mission = uow.mission(mission_id)
        status = uow.meeting_statuses(mission_id).get(meeting_id)
        if status is None:
            raise NotFound(f"no meeting {meeting_id!r} in mission {mission_id}")
        held_on = local_date(status.booking.start, mission.timezone) if status.booking else None
        grown, meeting = follow_up(
            mission,
            meeting_id,
            due.action_items(mission_id, meeting_id),
            held_on=held_on,
            earliest=local_date(now + services.settings.min_notice, mission.timezone),
        )
        # Needs the unit of work that edits definitions (store.editing.app_units, as services.editing).
        cast(EditingUnitOfWork, uow).replace_definition(mission_id, grown)
    try:
        created = propose(services, mission_id, meeting.id)
    except Conflict as exc:  # no time in the window: the meeting stays, the coordinator decides
        return FollowUp(meeting=meeting, proposal=None, reason=str(exc))
    return FollowUp(meeting=meeting, proposal=created)


__all__ = ["FollowUp", "schedule_follow_up"]
