"""Timed work: reminders, follow-ups, nudges, proposal expiry and the coordinator's daily digest.

The durable truth is the database: each piece of work is a due row (`core.timing.DueSpec`,
stored by `uow.due`), written in the transaction of the change that makes it due.

* `on_meeting_changed` runs inside the booking, reschedule and cancel transactions: it
  cancels the meeting's pending reminders and follow-ups of any booking that is no longer
  active and writes those of the active one (reminders at the mission's offsets, follow-ups
  in each recipient's morning after the meeting). Moving a meeting moves its work;
  cancelling it cancels its work; both or neither commit.
* `sweep` writes what no transaction wrote: nudges and expiries of open proposals, the next
  digest, and the work of bookings that predate this (keys are unique, so it is idempotent).
* `run_due` claims due rows in batches and, per batch in one transaction, queues each
  message in the outbox and finishes the row. Two processes claim disjoint rows (see
  `store.due`), so each message is queued once; the outbox then delivers it.

The running half is `timed_run`, the ports `timed_ports`; both are re-exported here.
"""

from __future__ import annotations

from datetime import datetime

from scheduler.core.bookings import Booking
from scheduler.core.models import Mission
from scheduler.core.timing import (
    ActionItem,
    DueItem,
    DueSpec,
    Timing,
    follow_up_at,
    offset_label,
    recipients,
    reminder_times,
)
from scheduler.services.actions import create_item, list_items
from scheduler.services.context import Services
from scheduler.services.ports import UnitOfWork
from scheduler.services.timed_ports import (
    MEETING_KINDS,
    DueWork,
    Overview,
    RunReport,
    TimedMessages,
    digest_spec,
    due_of,
    unit,
)
from scheduler.services.timed_run import run_due


# --- hooks of the booking use cases ------------------------------------------------------------
def on_meeting_changed(uow: UnitOfWork, mission_id: int, meeting_id: str, now: datetime) -> None:
    """Make the meeting's reminders and follow-ups match its active booking (none when there is none).

    Called at the end of book, reschedule and cancel, in their transaction.
    """
    due = due_of(uow)
    if due is None:
        return
    status = uow.meeting_statuses(mission_id).get(meeting_id)
    booking = status.booking if status else None
    due.cancel(
        mission_id,
        meeting_id,
        kinds=MEETING_KINDS,
        keep_booking=booking.id if booking else None,
        now=now,
        outcome="the meeting was moved" if booking else "the meeting was cancelled",
    )
    if booking is not None:
        mission = uow.mission(mission_id)
        due.add(meeting_specs(mission, mission_id, booking, due.timing(mission_id), now), now=now)


def meeting_specs(
    mission: Mission, mission_id: int, booking: Booking, timing: Timing, now: datetime
) -> list[DueSpec]:
    """The reminders (still in the future) and follow-ups of one booking, per recipient."""
    meeting = mission.meeting(booking.meeting_id)
    specs: list[DueSpec] = []
    for r in recipients(mission, meeting, booking.attendees):
        for offset, at in reminder_times(booking.start, timing):
            if at <= now:
                continue  # booked after this reminder's time: the invitation itself is the news
            specs.append(
                DueSpec(
                    key=f"reminder:b{booking.id}:{int(offset.total_seconds())}:{r.email.lower()}",
                    kind="reminder",
                    due_at=at,
                    mission_id=mission_id,
                    meeting_id=meeting.id,
                    booking_id=booking.id,
                    recipient=r,
                    detail=offset_label(offset),
                )
            )
        specs.append(
            DueSpec(
                key=f"follow_up:b{booking.id}:{r.email.lower()}",
                kind="follow_up",
                due_at=follow_up_at(booking.end, r.timezone, timing),
                mission_id=mission_id,
                meeting_id=meeting.id,
                booking_id=booking.id,
                recipient=r,
            )
        )
    return specs


# --- settings and action items -------------------------------------------------------------------
def get_timing(services: Services, mission_id: int) -> Timing:
    """The mission's timing settings (defaults: reminders 24 h and 1 h before, nudge after 3 days, …)."""
    with unit(services) as (uow, due):
        uow.mission(mission_id)  # NotFound for an unknown mission
        return due.timing(mission_id)


def set_timing(services: Services, mission_id: int, timing: Timing) -> Timing:
    """Store the mission's timing settings. Meetings booked later use them; booked ones keep theirs."""
    with unit(services) as (uow, due):
        uow.lock_mission(mission_id)
        due.set_timing(mission_id, timing)
        return timing


def add_action_item(
    services: Services, mission_id: int, meeting_id: str, text: str, owner: str = ""
) -> ActionItem:
    """Record an action item on a meeting; it goes in the meeting's follow-up emails.

    `owner`: a delegate's id or a counterpart contact's address (see `services.actions`,
    which also dates, edits and finishes items).
    """
    return create_item(services, mission_id, meeting_id, text=text, owner=owner)


def list_action_items(services: Services, mission_id: int, meeting_id: str) -> list[ActionItem]:
    """The meeting's action items, oldest first."""
    return list_items(services, mission_id, meeting_id)


def missions_with_meeting(services: Services, meeting_id: str) -> list[int]:
    """The ids of the missions that have a meeting `meeting_id`."""
    with unit(services) as (uow, due):
        return [m for m in due.mission_ids() if meeting_id in uow.meeting_statuses(m)]


# --- sweep ----------------------------------------------------------------------------------------
def sweep(services: Services) -> int:
    """Write the due work no transaction wrote; the number of rows added. Idempotent."""
    now = services.clock.now()
    with unit(services) as (_uow, due):
        missions = due.mission_ids()
    added = 0
    for mission_id in missions:
        with unit(services) as (uow, due):
            uow.lock_mission(mission_id)
            added += _sweep_mission(uow, due, mission_id, now)
    return added


def _sweep_mission(uow: UnitOfWork, due: DueWork, mission_id: int, now: datetime) -> int:
    mission = uow.mission(mission_id)
    timing = due.timing(mission_id)
    specs: list[DueSpec] = []
    for status in uow.meeting_statuses(mission_id).values():
        if status.booking is not None:
            specs += meeting_specs(mission, mission_id, status.booking, timing, now)
    for p in uow.proposals(mission_id, status="open"):
        nudge_at = p.created_at + timing.nudge_after
        if nudge_at < p.expires_at:
            specs.append(
                DueSpec(
                    key=f"nudge:p{p.id}",
                    kind="nudge",
                    due_at=nudge_at,
                    mission_id=mission_id,
                    meeting_id=p.meeting_id,
                    proposal_id=p.id,
                )
            )
        specs.append(
            DueSpec(
                key=f"expiry:p{p.id}",
                kind="expiry",
                due_at=p.expires_at,
                mission_id=mission_id,
                meeting_id=p.meeting_id,
                proposal_id=p.id,
            )
        )
    if not due.pending(mission_id=mission_id, kind="digest", limit=1):
        specs.append(digest_spec(mission, mission_id, timing, now))
    return due.add(specs, now=now)


# --- overview ---------------------------------------------------------------------------------------
def overview(services: Services, *, limit: int = 20) -> Overview:
    """Work due next and work finished lately (for `scheduler jobs`)."""
    with unit(services) as (_uow, due):
        return Overview(
            pending=tuple(due.pending(limit=limit)),
            finished=tuple(due.finished(limit=limit)),
            counts={s: due.count(s) for s in ("due", "done", "dropped", "cancelled", "failed")},
        )


def pending_for(services: Services, mission_id: int, meeting_id: str | None = None) -> list[DueItem]:
    """A mission's (or one meeting's) work still due, earliest first."""
    with unit(services) as (_uow, due):
        return due.pending(mission_id=mission_id, meeting_id=meeting_id, limit=10_000)


def finished_for(services: Services, mission_id: int, meeting_id: str | None = None) -> list[DueItem]:
    """A mission's (or one meeting's) finished work, latest first."""
    with unit(services) as (_uow, due):
        return due.finished(mission_id=mission_id, meeting_id=meeting_id, limit=10_000)


__all__ = [
    "DueWork",
    "Overview",
    "RunReport",
    "TimedMessages",
    "add_action_item",
    "finished_for",
    "get_timing",
    "list_action_items",
    "missions_with_meeting",
    "on_meeting_changed",
    "overview",
    "pending_for",
    "run_due",
    "set_timing",
    "sweep",
]
