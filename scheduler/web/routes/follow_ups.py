"""Schedule a follow-up of a meeting (issue 17).

    POST /api/missions/{id}/meetings/{mid}/follow-up    201: the new meeting and its proposal

The new meeting has the same people, an agenda from the open action items and an `after`
rule on the original; times are proposed at once (the booking link is in the answer, once).
When no time can be offered the meeting is still made, `proposal` is null and `reason` says why.
"""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter
from pydantic import BaseModel

from scheduler.services.follow_ups import schedule_follow_up
from scheduler.web.deps import ServicesDep

router = APIRouter(tags=["follow-ups"])


class FollowUpPublic(BaseModel):
    meeting_id: str
    title: str
    agenda: list[str]
    after: list[str]
    not_before: date | None
    not_after: date | None
    proposal_id: int | None
    link: str
    options: list[datetime]
    reason: str


@router.post("/missions/{mission_id}/meetings/{meeting_id}/follow-up", status_code=201)
def post_follow_up(mission_id: int, meeting_id: str, services: ServicesDep) -> FollowUpPublic:
    made = schedule_follow_up(services, mission_id, meeting_id)
    m, p = made.meeting, made.proposal
    return FollowUpPublic(
        meeting_id=m.id,
        title=m.title,
        agenda=list(m.agenda),
        after=list(m.after),
        not_before=m.not_before,
        not_after=m.not_after,
        proposal_id=p.proposal.id if p else None,
        link=p.link if p else "",
        options=[o.start for o in p.proposal.options] if p else [],
        reason=made.reason,
    )


__all__ = ["router"]
