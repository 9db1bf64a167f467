"""What a counterpart can do from a booked link later: see the booking, ask to reschedule or cancel.

The request goes to the coordinator (the proposal is flagged `needs_attention` with the note);
the coordinator then moves or cancels the meeting with `booking.reschedule` / `booking.cancel`,
which sends the updates. Only the proposal behind this exact token is read or changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from scheduler.core.bookings import Booking
from scheduler.errors import ConfigError, Expired, NotFound
from scheduler.services.context import Services, token_hash
from scheduler.services.negotiation import raise_item
from scheduler.services.proposals import ProposalPage, proposal_page

ChangeKind = Literal["reschedule", "cancel"]
MAX_NOTE = 2000


@dataclass(frozen=True, kw_only=True)
class BookedLink:
    """A link's page and, when the link's proposal was booked, the meeting's active booking."""

    page: ProposalPage
    booking: Booking | None


def booked_link(services: Services, token: str) -> BookedLink:
    """The page behind `token` and its active booking (None unless this proposal was booked)."""
    page = proposal_page(services, token)
    booking = None
    if page.proposal.status == "booked":
        with services.uow() as uow:
            status = uow.meeting_statuses(page.proposal.mission_id).get(page.proposal.meeting_id)
        # The meeting's current booking, also after the coordinator moved it.
        booking = status.booking if status is not None else None
    return BookedLink(page=page, booking=booking)


def request_change(services: Services, token: str, kind: ChangeKind, note: str = "") -> None:
    """The counterpart asks, through its booked link, to reschedule or cancel; the coordinator is told.

    Raises `NotFound` (no such link), `Expired` (the link's meeting is not booked through it),
    `ConfigError` (unknown kind, note too long).
    """
    if kind not in ("reschedule", "cancel"):
        raise ConfigError(f"expected reschedule or cancel, got {kind!r}", "kind")
    if len(note) > MAX_NOTE:
        raise ConfigError(f"keep the note under {MAX_NOTE} characters", "note")
    with services.uow() as uow:
        found = uow.proposal_by_token_hash(token_hash(token))
        if found is None:
            raise NotFound("no booking link like that")
        uow.lock_mission(found.mission_id)
        proposal = uow.proposal(found.id)
        if proposal.status != "booked":
            raise Expired("this link has no booked meeting to change")
        text = f"[{kind} requested] {note}".strip()
        uow.update_proposal(proposal.id, needs_attention=True, note=text)
        raise_item(
            services,
            uow,
            uow.mission(proposal.mission_id),
            proposal.mission_id,
            "change-requested" if kind == "reschedule" else "cancel-requested",
            summary=f"{proposal.meeting_id}: the counterpart asks to {kind} the booked meeting",
            now=services.clock.now(),
            meeting_id=proposal.meeting_id,
            proposal_id=proposal.id,
            note=note,
        )


__all__ = ["BookedLink", "booked_link", "request_change"]
