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

A reminder found due after its meeting began (the service was down) is dropped and recorded
as such; one found due before it began is sent, and of several reminders of one booking and
recipient that are all overdue only the latest is sent.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol, cast

from scheduler.core.bookings import Booking
from scheduler.core.models import Mission
from scheduler.core.timing import (
    ActionItem,
    DueItem,
    DueSpec,
    Recipient,
    Timing,
    follow_up_at,
    next_digest_at,
    offset_label,
    recipients,
    reminder_times,
)
from scheduler.core.zones import local_date
from scheduler.errors import ConfigError, NotFound, Problem
from scheduler.ports import Envelope
from scheduler.services.context import Services
from scheduler.services.ports import UnitOfWork

log = logging.getLogger(__name__)

MEETING_KINDS = ("reminder", "follow_up")
BATCH = 50


# --- ports -----------------------------------------------------------------------------------
class DueWork(Protocol):
    """The due-work repository inside one transaction (`uow.due`; `scheduler.store.due.SqlDueWork`)."""

    def add(self, specs: Sequence[DueSpec], *, now: datetime) -> int: ...
    def claim(
        self,
        now: datetime,
        limit: int,
        *,
        kinds: Sequence[str] | None = None,
        skip_kinds: Sequence[str] = (),
        mission_id: int | None = None,
    ) -> list[DueItem]: ...
    def due_missions(self, now: datetime, kind: str) -> list[int]: ...
    def finish(self, item_id: int, state: str, outcome: str, *, now: datetime) -> None: ...
    def cancel(
        self,
        mission_id: int,
        meeting_id: str,
        *,
        kinds: Sequence[str],
        keep_booking: int | None,
        now: datetime,
        outcome: str,
    ) -> int: ...
    def pending(
        self,
        *,
        mission_id: int | None = None,
        meeting_id: str | None = None,
        kind: str | None = None,
        limit: int = 100,
    ) -> list[DueItem]: ...
    def finished(
        self,
        *,
        mission_id: int | None = None,
        meeting_id: str | None = None,
        kind: str | None = None,
        limit: int = 100,
    ) -> list[DueItem]: ...
    def count(self, state: str) -> int: ...
    def changes_since(
        self, mission_id: int, since: datetime
    ) -> list[tuple[datetime, str, str, datetime | None]]: ...
    def mission_ids(self) -> list[int]: ...
    def timing(self, mission_id: int) -> Timing: ...
    def set_timing(self, mission_id: int, timing: Timing) -> None: ...
    def add_action_item(
        self, mission_id: int, meeting_id: str, text: str, owner: str, *, now: datetime
    ) -> ActionItem: ...
    def action_items(self, mission_id: int, meeting_id: str) -> list[ActionItem]: ...


class TimedUnitOfWork(UnitOfWork, Protocol):
    @property
    def due(self) -> DueWork: ...


class TimedMessages(Protocol):
    """Builds the timed emails; `scheduler.timed_messages.TimedMail` is the real one.

    Every envelope's Message-ID is derived from `key`, so rebuilding it gives the same id.
    """

    def reminder(
        self,
        mission: Mission,
        meeting_id: str,
        *,
        start: datetime,
        recipient: Recipient,
        key: str,
        now: datetime,
    ) -> Envelope: ...

    def follow_up(
        self,
        mission: Mission,
        meeting_id: str,
        *,
        start: datetime,
        recipient: Recipient,
        action_items: Sequence[ActionItem],
        key: str,
        now: datetime,
    ) -> Envelope: ...

    def nudge(
        self,
        mission: Mission,
        meeting_id: str,
        *,
        recipient: Recipient,
        sent_at: datetime,
        expires_at: datetime,
        key: str,
        now: datetime,
    ) -> Envelope: ...

    def expiry_notice(
        self, mission: Mission, meeting_id: str, *, expired_at: datetime, key: str, now: datetime
    ) -> Envelope: ...

    def digest(
        self,
        mission: Mission,
        *,
        since: datetime,
        changes: Sequence[tuple[datetime, str, str, datetime | None]],
        upcoming: Sequence[DueItem],
        key: str,
        now: datetime,
    ) -> Envelope: ...


@dataclass(frozen=True, kw_only=True)
class RunReport:
    """What one `run_due` did: row ids by outcome, and the Message-IDs queued."""

    done: tuple[int, ...] = ()
    dropped: tuple[int, ...] = ()
    cancelled: tuple[int, ...] = ()
    failed: tuple[int, ...] = ()
    messages: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Overview:
    """What `scheduler jobs` shows: work due next, work finished lately, counts by state."""

    pending: tuple[DueItem, ...]
    finished: tuple[DueItem, ...]
    counts: dict[str, int] = field(default_factory=dict)


def _due(uow: UnitOfWork) -> DueWork | None:
    # A unit of work without due work (a test's fake) simply schedules nothing.
    due = getattr(uow, "due", None)
    return cast(DueWork, due) if due is not None else None


@contextmanager
def _unit(services: Services) -> Iterator[tuple[UnitOfWork, DueWork]]:
    with services.uow() as uow:
        due = _due(uow)
        if due is None:
            raise TypeError("this unit of work has no due-work repository (`uow.due`)")
        yield uow, due


# --- hooks of the booking use cases ------------------------------------------------------------
def on_meeting_changed(uow: UnitOfWork, mission_id: int, meeting_id: str, now: datetime) -> None:
    """Make the meeting's reminders and follow-ups match its active booking (none when there is none).

    Called at the end of book, reschedule and cancel, in their transaction.
    """
    due = _due(uow)
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
    with _unit(services) as (uow, due):
        uow.mission(mission_id)  # NotFound for an unknown mission
        return due.timing(mission_id)


def set_timing(services: Services, mission_id: int, timing: Timing) -> Timing:
    """Store the mission's timing settings. Meetings booked later use them; booked ones keep theirs."""
    with _unit(services) as (uow, due):
        uow.lock_mission(mission_id)
        due.set_timing(mission_id, timing)
        return timing


def add_action_item(
    services: Services, mission_id: int, meeting_id: str, text: str, owner: str = ""
) -> ActionItem:
    """Record an action item on a meeting; it goes in the meeting's follow-up emails."""
    text, owner = text.strip(), owner.strip()
    problems = []
    if not text:
        problems.append(Problem("text", "an action item needs some text"))
    elif len(text) > 2000:
        problems.append(Problem("text", f"at most 2000 characters, not {len(text)}"))
    if len(owner) > 300:
        problems.append(Problem("owner", f"at most 300 characters, not {len(owner)}"))
    if problems:
        raise ConfigError(problems)
    now = services.clock.now()
    with _unit(services) as (uow, due):
        _check_meeting(uow, mission_id, meeting_id)
        return due.add_action_item(mission_id, meeting_id, text, owner, now=now)


def list_action_items(services: Services, mission_id: int, meeting_id: str) -> list[ActionItem]:
    """The meeting's action items, oldest first."""
    with _unit(services) as (uow, due):
        _check_meeting(uow, mission_id, meeting_id)
        return due.action_items(mission_id, meeting_id)


def missions_with_meeting(services: Services, meeting_id: str) -> list[int]:
    """The ids of the missions that have a meeting `meeting_id`."""
    with _unit(services) as (uow, due):
        return [m for m in due.mission_ids() if meeting_id in uow.meeting_statuses(m)]


def _check_meeting(uow: UnitOfWork, mission_id: int, meeting_id: str) -> None:
    if meeting_id not in uow.meeting_statuses(mission_id):
        uow.mission(mission_id)  # NotFound names the mission when that is what is missing
        raise NotFound(f"no meeting {meeting_id!r} in mission {mission_id}")


# --- sweep ----------------------------------------------------------------------------------------
def sweep(services: Services) -> int:
    """Write the due work no transaction wrote; the number of rows added. Idempotent."""
    now = services.clock.now()
    with _unit(services) as (_uow, due):
        missions = due.mission_ids()
    added = 0
    for mission_id in missions:
        with _unit(services) as (uow, due):
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
        specs.append(_digest_spec(mission, mission_id, timing, now))
    return due.add(specs, now=now)


def _digest_spec(mission: Mission, mission_id: int, timing: Timing, after: datetime) -> DueSpec:
    at = next_digest_at(after, mission.timezone, timing)
    return DueSpec(
        key=f"digest:m{mission_id}:{local_date(at, mission.timezone).isoformat()}",
        kind="digest",
        due_at=at,
        mission_id=mission_id,
        recipient=Recipient(
            name=mission.organizer.name,
            email=mission.organizer.email,
            language=mission.organizer.language,
            timezone=mission.timezone,
            kind="coordinator",
        ),
    )


# --- running due work -----------------------------------------------------------------------------
Outcome = tuple[str, str, list[tuple[Envelope, str]]]  # state, outcome, (envelope, outbox kind)


def run_due(services: Services, messages: TimedMessages, *, limit: int = BATCH) -> RunReport:
    """Do every piece of work due at the clock's `now`, `limit` rows per transaction.

    Expiries change proposals and meetings, so they run apart, each mission's under its lock
    taken *before* the rows are claimed: the same order as a booking (mission lock, then the
    meeting's due rows), so the two can wait for each other but never deadlock. The other
    kinds only read besides writing their own row and the outbox.
    """
    now = services.clock.now()
    totals: dict[str, list[int]] = {"done": [], "dropped": [], "cancelled": [], "failed": []}
    queued: list[str] = []

    def do(uow: UnitOfWork, due: DueWork, items: list[DueItem]) -> None:
        batch = _Batch(uow, due, messages, now)
        for item in items:
            state, outcome, envelopes = batch.handle(item, items)
            for env, kind in envelopes:
                if uow.outbox.enqueue(
                    env, now=now, mission_id=item.mission_id, meeting_id=item.meeting_id, kind=kind
                ):
                    queued.append(env.message_id)
            due.finish(item.id, state, outcome, now=now)
            totals[state].append(item.id)
        log.info("due work: %d items in this batch", len(items))

    while True:
        with _unit(services) as (uow, due):
            items = due.claim(now, limit, skip_kinds=("expiry",))
            if not items:
                break
            do(uow, due, items)
    with _unit(services) as (_uow, due):
        expiring = due.due_missions(now, "expiry")
    for mission_id in expiring:
        while True:
            with _unit(services) as (uow, due):
                uow.lock_mission(mission_id)
                items = due.claim(now, limit, kinds=("expiry",), mission_id=mission_id)
                if not items:
                    break
                do(uow, due, items)
    return RunReport(
        done=tuple(totals["done"]),
        dropped=tuple(totals["dropped"]),
        cancelled=tuple(totals["cancelled"]),
        failed=tuple(totals["failed"]),
        messages=tuple(queued),
    )


class _Batch:
    """Handles the items of one claimed batch, reading each mission once."""

    def __init__(self, uow: UnitOfWork, due: DueWork, messages: TimedMessages, now: datetime) -> None:
        self.uow, self.due, self.messages, self.now = uow, due, messages, now
        self._missions: dict[int, Mission] = {}
        self._bookings: dict[int, dict[str, Booking | None]] = {}

    def mission(self, mission_id: int) -> Mission:
        if mission_id not in self._missions:
            self._missions[mission_id] = self.uow.mission(mission_id)
        return self._missions[mission_id]

    def booking(self, mission_id: int, meeting_id: str) -> Booking | None:
        if mission_id not in self._bookings:
            self._bookings[mission_id] = {
                k: s.booking for k, s in self.uow.meeting_statuses(mission_id).items()
            }
        return self._bookings[mission_id].get(meeting_id)

    def handle(self, item: DueItem, batch: Sequence[DueItem]) -> Outcome:
        try:
            handler = getattr(self, f"_{item.kind}")
            return cast(Outcome, handler(item, batch))
        except (NotFound, KeyError, ValueError) as exc:
            # Bad data for one row must not block the rows behind it: record it and go on.
            log.warning("due work %s (%s) failed: %s", item.id, item.key, exc)
            return "failed", f"{type(exc).__name__}: {exc}", []

    def _reminder(self, item: DueItem, batch: Sequence[DueItem]) -> Outcome:
        b = self.booking(item.mission_id, item.meeting_id)
        if b is None or b.id != item.booking_id:
            return "cancelled", "the meeting was moved or cancelled", []
        if self.now >= b.start:
            return "dropped", f"missed: the meeting began at {b.start.isoformat()}", []
        assert item.recipient is not None
        later = [
            o
            for o in batch
            if o.kind == "reminder"
            and o.booking_id == item.booking_id
            and o.recipient == item.recipient
            and o.due_at > item.due_at
        ]
        if later:
            return "dropped", f"overdue: the {later[-1].detail} reminder goes instead", []
        env = self.messages.reminder(
            self.mission(item.mission_id),
            item.meeting_id,
            start=b.start,
            recipient=item.recipient,
            key=item.key,
            now=self.now,
        )
        return "done", f"{item.detail} reminder to {item.recipient.email}", [(env, "reminder")]

    def _follow_up(self, item: DueItem, _batch: Sequence[DueItem]) -> Outcome:
        b = self.booking(item.mission_id, item.meeting_id)
        if b is None or b.id != item.booking_id:
            return "cancelled", "the meeting was moved or cancelled", []
        assert item.recipient is not None
        actions = self.due.action_items(item.mission_id, item.meeting_id)
        env = self.messages.follow_up(
            self.mission(item.mission_id),
            item.meeting_id,
            start=b.start,
            recipient=item.recipient,
            action_items=actions,
            key=item.key,
            now=self.now,
        )
        return (
            "done",
            f"follow-up with {len(actions)} action items to {item.recipient.email}",
            [(env, "follow-up")],
        )

    def _nudge(self, item: DueItem, _batch: Sequence[DueItem]) -> Outcome:
        assert item.proposal_id is not None
        p = self.uow.proposal(item.proposal_id)
        if p.status != "open":
            return "cancelled", f"answered meanwhile ({p.status})", []
        if self.now >= p.expires_at:
            return "dropped", "the proposal expired first", []
        mission = self.mission(item.mission_id)
        meeting = mission.meeting(item.meeting_id)
        contacts = [r for r in recipients(mission, meeting) if r.kind == "contact"]
        out = [
            (
                self.messages.nudge(
                    mission,
                    item.meeting_id,
                    recipient=r,
                    sent_at=p.created_at,
                    expires_at=p.expires_at,
                    key=f"{item.key}:{r.email.lower()}",
                    now=self.now,
                ),
                "nudge",
            )
            for r in contacts
        ]
        return "done", f"nudged {len(out)} contacts", out

    def _expiry(self, item: DueItem, _batch: Sequence[DueItem]) -> Outcome:
        assert item.proposal_id is not None
        p = self.uow.proposal(item.proposal_id)
        if p.status != "open":
            return "cancelled", f"closed before it expired ({p.status})", []
        if self.now < p.expires_at:  # pragma: no cover - due_at is the expiry itself
            return "cancelled", "not expired yet", []
        # Release the options: the times they held are free again for other proposals and plans.
        self.uow.set_option_status([o.id for o in p.open_options], "released")
        self.uow.update_proposal(p.id, status="expired", needs_attention=True)
        status = self.uow.meeting_statuses(item.mission_id).get(item.meeting_id)
        others = [
            q
            for q in self.uow.proposals(item.mission_id, status="open", meeting_id=item.meeting_id)
            if q.id != p.id
        ]
        if status is not None and status.state == "proposed" and not others:
            self.uow.set_meeting_state(
                item.mission_id, item.meeting_id, "planned" if status.planned_start else "unplanned"
            )
        env = self.messages.expiry_notice(
            self.mission(item.mission_id),
            item.meeting_id,
            expired_at=p.expires_at,
            key=item.key,
            now=self.now,
        )
        return (
            "done",
            f"expired; {len(p.open_options)} options released; coordinator told",
            [(env, "expiry-notice")],
        )

    def _digest(self, item: DueItem, _batch: Sequence[DueItem]) -> Outcome:
        mission = self.mission(item.mission_id)
        last = self.due.finished(mission_id=item.mission_id, kind="digest", limit=1)
        since = last[0].finished_at if last and last[0].finished_at else self.now - timedelta(days=1)
        changes = self.due.changes_since(item.mission_id, since)
        horizon = self.now + timedelta(days=1)
        upcoming = [
            d
            for d in self.due.pending(mission_id=item.mission_id, limit=500)
            if d.kind != "digest" and d.due_at < horizon and d.id != item.id
        ]
        env = self.messages.digest(
            mission, since=since, changes=changes, upcoming=upcoming, key=item.key, now=self.now
        )
        self.due.add(
            [_digest_spec(mission, item.mission_id, self.due.timing(item.mission_id), self.now)], now=self.now
        )
        return "done", f"{len(changes)} changes, {len(upcoming)} due in the next day", [(env, "digest")]


# --- overview ---------------------------------------------------------------------------------------
def overview(services: Services, *, limit: int = 20) -> Overview:
    """Work due next and work finished lately (for `scheduler jobs`)."""
    with _unit(services) as (_uow, due):
        return Overview(
            pending=tuple(due.pending(limit=limit)),
            finished=tuple(due.finished(limit=limit)),
            counts={s: due.count(s) for s in ("due", "done", "dropped", "cancelled", "failed")},
        )


def pending_for(services: Services, mission_id: int, meeting_id: str | None = None) -> list[DueItem]:
    """A mission's (or one meeting's) work still due, earliest first."""
    with _unit(services) as (_uow, due):
        return due.pending(mission_id=mission_id, meeting_id=meeting_id, limit=10_000)


def finished_for(services: Services, mission_id: int, meeting_id: str | None = None) -> list[DueItem]:
    """A mission's (or one meeting's) finished work, latest first."""
    with _unit(services) as (_uow, due):
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
