"""Booking, rescheduling and cancelling a meeting, each in one transaction.

Every use case here runs the same way: open a unit of work, lock the mission (PostgreSQL: its
row `FOR UPDATE`; SQLite: the database write lock from `BEGIN IMMEDIATE`), read the committed
state, check the rules with the core (`core.bookings.booking_problems`), write the booking and
its claims (the UNIQUE constraint on claims refuses a double booking even if the check were
wrong), withdraw the options of other open proposals that can no longer happen, and queue the
messages in the outbox, then commit. Any failure rolls all of it back: no claim, booking or
message is left from a booking that lost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from scheduler.core.availability import feasible_starts
from scheduler.core.bookings import (
    Booking,
    Proposal,
    booking_problems,
    claim_cell,
    claims_for,
    dependents,
    rule_problems,
)
from scheduler.core.intervals import ensure_utc
from scheduler.core.models import Contact, Mission
from scheduler.errors import Conflict, Expired, NotFound
from scheduler.services.busy_refresh import ensure_fresh_busy
from scheduler.services.context import Services, token_hash
from scheduler.services.negotiation import queue, recover, resolve_items, short_of_options
from scheduler.services.ports import UnitOfWork
from scheduler.services.timed import on_meeting_changed
from scheduler.services.webhook_events import (
    booking_cancelled,
    booking_created,
    booking_rescheduled,
    proposal_exhausted,
)


@dataclass(frozen=True, kw_only=True)
class BookingResult:
    """What a booking or reschedule did.

    `withdrawn`: option ids of other open proposals withdrawn because this booking took their
    time; `exhausted`: proposal ids left with no option (flagged for the coordinator);
    `messages`: Message-IDs queued; `dependents`: meetings that come after this one (`after`)
    and may need a re-plan (reschedule and cancel only). `touched`: proposals that lost
    options; `refilled`: those of them given new options right after the commit.
    """

    booking: Booking
    withdrawn: tuple[int, ...] = ()
    exhausted: tuple[int, ...] = ()
    touched: tuple[int, ...] = ()
    refilled: tuple[int, ...] = ()
    messages: tuple[str, ...] = ()
    dependents: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class CancelResult:
    """What a cancellation did: the booking ended, the messages queued, the meetings to re-plan."""

    meeting_id: str
    cancelled: Booking | None
    messages: tuple[str, ...] = ()
    dependents: tuple[str, ...] = ()


# --- use cases -------------------------------------------------------------------------------
def book(
    services: Services, token: str, option_id: int, *, attendees: Sequence[Contact] = ()
) -> BookingResult:
    """The counterpart picks option `option_id` behind booking link `token`: book it, in one transaction.

    The option becomes the booking, the proposal's other options are released, conflicting
    options of other open proposals are withdrawn, and invitations (to the delegates, every
    counterpart contact and the `attendees` the counterpart added) with the agenda are queued.
    Raises `NotFound` (unknown token or option), `Expired` (link expired or already used) and
    `Conflict` (the time was taken meanwhile or breaks a rule now: the page should show what
    is still open).
    """
    if services.busy_reader is not None:
        with services.uow() as uow:
            early = uow.proposal_by_token_hash(token_hash(token))
        if early is not None:
            ensure_fresh_busy(services, early.mission_id, early.meeting_id)
    now = services.clock.now()
    with services.uow() as uow:
        found = uow.proposal_by_token_hash(token_hash(token))
        if found is None:
            raise NotFound("no booking link like that")
        uow.lock_mission(found.mission_id)
        proposal = uow.proposal(found.id)  # again, now that we hold the lock
        check_usable(proposal, now)
        try:
            option = proposal.option(option_id)
        except KeyError:
            raise NotFound(f"option {option_id} is not one of this link's options") from None
        if option.status != "open":
            raise Conflict("that time is no longer available; please pick another")
        result = _book(
            services,
            uow,
            proposal.mission_id,
            proposal.meeting_id,
            option.start,
            now,
            option_id=option.id,
            attendees=attendees,
        )
        uow.set_option_status([option.id], "booked")
        uow.set_option_status([o.id for o in proposal.open_options if o.id != option.id], "released")
        uow.update_proposal(proposal.id, status="booked", needs_attention=False)
    return _recovered(services, proposal.mission_id, result)


def book_time(
    services: Services,
    mission_id: int,
    meeting_id: str,
    start: datetime,
    *,
    attendees: Sequence[Contact] = (),
) -> BookingResult:
    """The coordinator books `meeting_id` at `start` directly (no link). Same rules and messages as `book`.

    An open proposal for the meeting is closed ("superseded"). Raises `NotFound`, `Conflict`.
    """
    start = ensure_utc(start, "start")
    ensure_fresh_busy(services, mission_id, meeting_id)
    now = services.clock.now()
    with services.uow() as uow:
        uow.lock_mission(mission_id)
        for p in uow.proposals(mission_id, status="open", meeting_id=meeting_id):
            uow.update_proposal(p.id, status="superseded")
            uow.set_option_status([o.id for o in p.open_options], "released")
        result = _book(services, uow, mission_id, meeting_id, start, now, attendees=attendees)
    return _recovered(services, mission_id, result)


def reschedule(services: Services, mission_id: int, meeting_id: str, new_start: datetime) -> BookingResult:
    """Move a booked meeting to `new_start`, in one transaction.

    The old booking's claims are released, the new time is checked against everything else,
    and an update (same UID, SEQUENCE + 1, METHOD:REQUEST) is queued to everyone invited.
    `dependents` lists the meetings that come after it. Raises `NotFound`, `Conflict` (not
    booked, or the new time breaks a rule).
    """
    new_start = ensure_utc(new_start, "new start")
    ensure_fresh_busy(services, mission_id, meeting_id)
    now = services.clock.now()
    with services.uow() as uow:
        uow.lock_mission(mission_id)
        old = _active_booking(uow, mission_id, meeting_id)
        uow.end_booking(old.id, status="moved", now=now)
        result = _book(
            services,
            uow,
            mission_id,
            meeting_id,
            new_start,
            now,
            sequence=old.sequence + 1,
            attendees=old.attendees,
            previous=old,
        )
    return _recovered(services, mission_id, result)


def cancel(services: Services, mission_id: int, meeting_id: str) -> CancelResult:
    """Cancel a booked meeting (or withdraw its open proposal), in one transaction.

    The booking's claims are released, a METHOD:CANCEL (same UID, SEQUENCE + 1) is queued to
    everyone invited, and the meeting's state becomes "cancelled". `dependents` lists the
    meetings that come after it, for a re-plan. Raises `NotFound`, `Conflict` (nothing to cancel).
    """
    now = services.clock.now()
    with services.uow() as uow:
        uow.lock_mission(mission_id)
        mission = uow.mission(mission_id)
        if meeting_id not in {m.id for m in mission.meetings}:
            raise NotFound(f"no meeting {meeting_id!r} in mission {mission_id}")
        status = uow.meeting_statuses(mission_id)[meeting_id]
        open_proposals = uow.proposals(mission_id, status="open", meeting_id=meeting_id)
        if status.booking is None and not open_proposals:
            raise Conflict(f"{meeting_id} is neither booked nor proposed: nothing to cancel")
        for p in open_proposals:
            uow.update_proposal(p.id, status="cancelled")
            uow.set_option_status([o.id for o in p.open_options], "released")
        sent: list[str] = []
        booking = status.booking
        sequence = status.sequence
        if booking is not None:
            uow.end_booking(booking.id, status="cancelled", now=now)
            sequence = booking.sequence + 1
            booking_cancelled(uow, mission, booking, sequence=sequence, now=now)
            if services.messages is not None:
                envelopes = services.messages.cancellations(
                    mission,
                    meeting_id,
                    start=booking.start,
                    sequence=sequence,
                    extra_attendees=booking.attendees,
                    now=now,
                )
                sent = queue(uow, envelopes, now, mission_id, meeting_id, "cancel")
        uow.set_meeting_state(mission_id, meeting_id, "cancelled", sequence=sequence)
        on_meeting_changed(uow, mission_id, meeting_id, now)  # its reminders and follow-ups go too
        resolve_items(uow, mission_id, now=now, meeting_id=meeting_id, resolution="cancelled")
        short = short_of_options(uow, mission_id, now, now + services.settings.min_notice)
    recover(services, mission_id, short)  # the time it held may serve proposals that ran short
    return CancelResult(
        meeting_id=meeting_id,
        cancelled=booking,
        messages=tuple(sent),
        dependents=dependents(mission, meeting_id),
    )


def _recovered(services: Services, mission_id: int, result: BookingResult) -> BookingResult:
    """After the commit: proposals this booking took options from get replacements on the same link."""
    return replace(result, refilled=tuple(recover(services, mission_id, result.touched)))


# --- shared steps ----------------------------------------------------------------------------
def check_usable(proposal: Proposal, now: datetime) -> None:
    """Raise `Expired` unless the proposal is open and not past its expiry.

    An "exhausted" proposal (other bookings took every option) raises `Conflict` instead: the
    link is fine, the times are gone, and the coordinator has been flagged to offer new ones.
    """
    if proposal.status == "exhausted":
        raise Conflict("every time offered has been taken; the coordinator will send new ones")
    if proposal.status != "open":
        raise Expired(f"this link was already used or closed ({proposal.status})")
    if now >= proposal.expires_at:
        raise Expired("this link has expired")


def _active_booking(uow: UnitOfWork, mission_id: int, meeting_id: str) -> Booking:
    statuses = uow.meeting_statuses(mission_id)
    if meeting_id not in statuses:
        raise NotFound(f"no meeting {meeting_id!r} in mission {mission_id}")
    booking = statuses[meeting_id].booking
    if booking is None:
        raise Conflict(f"{meeting_id} is not booked")
    return booking


def _book(
    services: Services,
    uow: UnitOfWork,
    mission_id: int,
    meeting_id: str,
    start: datetime,
    now: datetime,
    *,
    sequence: int | None = None,
    option_id: int | None = None,
    attendees: Sequence[Contact] = (),
    previous: Booking | None = None,
) -> BookingResult:
    """Check the rules against committed state and write the booking (the caller holds the lock)."""
    mission = uow.mission(mission_id)
    if meeting_id not in {m.id for m in mission.meetings}:
        raise NotFound(f"no meeting {meeting_id!r} in mission {mission_id}")
    status = uow.meeting_statuses(mission_id)[meeting_id]
    if status.booking is not None:
        raise Conflict(f"{meeting_id} is already booked at {status.booking.start.isoformat()}")
    if start <= now:
        raise Conflict(f"{start.isoformat()} has already passed")
    problems = booking_problems(mission, meeting_id, start)
    if problems:
        raise Conflict("; ".join(problems))
    if sequence is None:
        sequence = status.sequence + 1 if status.state == "cancelled" else status.sequence
    cell = ensure_cells(uow, mission_id, mission)
    meeting = mission.meeting(meeting_id)
    booking = uow.add_booking(
        mission_id,
        meeting_id,
        start=start,
        end=start + meeting.duration,
        sequence=sequence,
        now=now,
        claims=claims_for(mission, meeting, start, cell),
        option_id=option_id,
        attendees=attendees,
    )
    uow.set_meeting_state(mission_id, meeting_id, "booked", sequence=sequence)
    if previous is not None:
        booking_rescheduled(uow, mission, booking, previous, now=now)
    else:
        booking_created(
            uow, mission, booking, booked_by="coordinator" if option_id is None else "counterpart", now=now
        )
    booked = _with_start(mission, meeting_id, start)
    withdrawn, exhausted = withdraw_conflicts(uow, booked, mission_id, meeting_id, now)
    sent: list[str] = []
    if services.messages is not None:
        envelopes = services.messages.invitations(
            booked,
            meeting_id,
            start=start,
            sequence=sequence,
            extra_attendees=tuple(attendees),
            previous_start=previous.start if previous else None,
            now=now,
        )
        sent = queue(uow, envelopes, now, mission_id, meeting_id, "update" if previous else "invitation")
    on_meeting_changed(uow, mission_id, meeting_id, now)  # reminders and follow-ups of this booking
    resolve_items(uow, mission_id, now=now, meeting_id=meeting_id, resolution="booked")
    touched = tuple(p.id for p in uow.proposals(mission_id) if any(o.id in withdrawn for o in p.options))
    return BookingResult(
        booking=booking,
        withdrawn=withdrawn,
        exhausted=exhausted,
        touched=touched,
        messages=tuple(sent),
        dependents=dependents(mission, meeting_id) if previous else (),
    )


def ensure_cells(uow: UnitOfWork, mission_id: int, mission: Mission) -> timedelta:
    """The mission's claim cell; when meetings changed it, every claim is rebuilt first."""
    cell = claim_cell(mission)
    if uow.claim_cell(mission_id) != cell:
        active = {
            s.booking.id: claims_for(mission, mission.meeting(mid), s.booking.start, cell)
            for mid, s in uow.meeting_statuses(mission_id).items()
            if s.booking is not None
        }
        uow.rebuild_claims(mission_id, cell, active)
    return cell


def _with_start(mission: Mission, meeting_id: str, start: datetime) -> Mission:
    return replace(
        mission,
        meetings=tuple(replace(m, fixed_start=start) if m.id == meeting_id else m for m in mission.meetings),
    )


def withdraw_conflicts(
    uow: UnitOfWork, mission: Mission, mission_id: int, meeting_id: str, now: datetime
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Withdraw every open option of other open proposals that can no longer be booked.

    `mission` already holds the new booking as a fixed meeting. Only meetings that share a
    participant or resource with it, or are ordered with it by `after`, can be affected.
    Proposals left without an option become "exhausted" and are flagged for the coordinator.
    """
    changed = mission.meeting(meeting_id)
    withdrawn: list[int] = []
    exhausted: list[int] = []
    for p in uow.proposals(mission_id, status="open"):
        if p.meeting_id == meeting_id:
            continue
        other = mission.meeting(p.meeting_id)
        related = (
            set(other.required) & set(changed.required)
            or set(other.resources) & set(changed.resources)
            or meeting_id in other.after
            or other.id in changed.after
        )
        if not related:
            continue
        free = set(feasible_starts(mission, other))
        dead = [
            o.id
            for o in p.open_options
            if o.start not in free or o.start <= now or rule_problems(mission, other.id, o.start)
        ]
        if not dead:
            continue
        uow.set_option_status(dead, "withdrawn")
        withdrawn += dead
        if len(dead) == len(p.open_options):
            uow.update_proposal(p.id, status="exhausted", needs_attention=True)
            exhausted.append(p.id)
            why = f"every option offered was taken by the booking of {meeting_id}"
            proposal_exhausted(uow, mission, p, reasons=[why], now=now)
    return tuple(withdrawn), tuple(exhausted)
