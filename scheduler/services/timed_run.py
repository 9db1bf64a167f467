"""Running due work: claim due rows in batches and, per batch in one transaction, queue each
message in the outbox and finish the row (see `scheduler.services.timed`).

A reminder found due after its meeting began (the service was down) is dropped and recorded
as such; one found due before it began is sent. Of several reminders of one booking and
recipient that are all overdue at once only the latest is sent, and each earlier one is
recorded as dropped, "overdue: superseded by the 1h reminder, sent instead" (whichever batch
or process claims each of them).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import cast

from scheduler.core.actions import owner_of, parse_action_key
from scheduler.core.bookings import Booking
from scheduler.core.models import Mission
from scheduler.core.timing import DueItem, Recipient, recipients
from scheduler.errors import NotFound
from scheduler.ports import Envelope
from scheduler.services.busy_refresh import long_failing
from scheduler.services.context import Services
from scheduler.services.ports import UnitOfWork
from scheduler.services.timed_ports import DueWork, RunReport, TimedMessages, digest_spec, unit

log = logging.getLogger(__name__)

BATCH = 50
Outcome = tuple[str, str, list[tuple[Envelope, str]]]  # state, outcome, (envelope, outbox kind)


def run_due(services: Services, messages: TimedMessages, *, limit: int = BATCH) -> RunReport:
    """Do every piece of work due at the clock's `now`, `limit` rows per transaction.

    Expiries change proposals and meetings, so they run apart, each mission's under its lock
    taken *before* the rows are claimed: the same order as a booking (mission lock, then the
    meeting's due rows), so the two can wait for each other but never deadlock. The other
    kinds only read besides writing their own row and the outbox. Digests go last, so they
    tell what this pass did.
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
        with unit(services) as (uow, due):
            items = due.claim(now, limit, skip_kinds=("expiry", "digest"))
            if not items:
                break
            do(uow, due, items)
    with unit(services) as (_uow, due):
        expiring = due.due_missions(now, "expiry")
    for mission_id in expiring:
        while True:
            with unit(services) as (uow, due):
                uow.lock_mission(mission_id)
                items = due.claim(now, limit, kinds=("expiry",), mission_id=mission_id)
                if not items:
                    break
                do(uow, due, items)
    while True:  # last, so that the digest tells what this pass did
        with unit(services) as (uow, due):
            items = due.claim(now, limit, kinds=("digest",))
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

    def current_recipient(self, item: DueItem, booking: Booking) -> Recipient | None:
        """The row's recipient as the mission has them now (name, language, zone), or None when
        the address is no longer invited: an edit of a participant after the booking must not
        leave mail going to an old address or in an old language. (A new address gets its own
        rows from the next sweep.)"""
        if item.recipient is None:
            return None
        mission = self.mission(item.mission_id)
        meeting = mission.meeting(item.meeting_id)
        wanted = item.recipient.email.lower()
        for r in recipients(mission, meeting, booking.attendees):
            if r.email.lower() == wanted:
                return r
        return None

    def handle(self, item: DueItem, batch: Sequence[DueItem]) -> Outcome:
        try:
            handler = getattr(self, f"_{item.kind}")
            return cast(Outcome, handler(item, batch))
        except (NotFound, KeyError, ValueError) as exc:
            # Bad data for one row must not block the rows behind it: record it and go on.
            log.warning("due work %s (%s) failed: %s", item.id, item.key, exc)
            return "failed", f"{type(exc).__name__}: {exc}", []

    def _reminder(self, item: DueItem, _batch: Sequence[DueItem]) -> Outcome:
        b = self.booking(item.mission_id, item.meeting_id)
        if b is None or b.id != item.booking_id:
            return "cancelled", "the meeting was moved or cancelled", []
        if self.now >= b.start:
            return "dropped", f"missed: the meeting began at {b.start.isoformat()}", []
        recipient = self.current_recipient(item, b)
        if recipient is None:
            return "cancelled", f"{item.recipient.email if item.recipient else '?'} is no longer invited", []
        # Several reminders of one meeting to one person all overdue (the service was down
        # through them): only the latest goes; "in 24 h" and "in 1 h" at once would be noise.
        # Asked of the database, not of this batch, so it holds across batches and processes.
        later = self.due.later_reminder(item, self.now)
        if later is not None:
            return "dropped", f"overdue: superseded by the {later.detail} reminder, sent instead", []
        env = self.messages.reminder(
            self.mission(item.mission_id),
            item.meeting_id,
            start=b.start,
            recipient=recipient,
            key=item.key,
            now=self.now,
        )
        return "done", f"{item.detail} reminder to {recipient.email}", [(env, "reminder")]

    def _follow_up(self, item: DueItem, _batch: Sequence[DueItem]) -> Outcome:
        b = self.booking(item.mission_id, item.meeting_id)
        if b is None or b.id != item.booking_id:
            return "cancelled", "the meeting was moved or cancelled", []
        recipient = self.current_recipient(item, b)
        if recipient is None:
            return "cancelled", f"{item.recipient.email if item.recipient else '?'} is no longer invited", []
        # A counterpart sees the items shared with them; delegates see all. Dropped ones go to nobody.
        actions = [
            a
            for a in self.due.action_items(item.mission_id, item.meeting_id)
            if a.state != "dropped" and (a.shared or recipient.kind != "contact")
        ]
        env = self.messages.follow_up(
            self.mission(item.mission_id),
            item.meeting_id,
            start=b.start,
            recipient=recipient,
            action_items=actions,
            key=item.key,
            now=self.now,
        )
        return (
            "done",
            f"follow-up with {_count(len(actions), 'action item')} to {recipient.email}",
            [(env, "follow-up")],
        )

    def _action_due(self, item: DueItem, _batch: Sequence[DueItem]) -> Outcome:
        return self._action(item, overdue=False)

    def _action_overdue(self, item: DueItem, _batch: Sequence[DueItem]) -> Outcome:
        return self._action(item, overdue=True)

    def _action(self, item: DueItem, *, overdue: bool) -> Outcome:
        """The owner's reminder (due morning) or nudge (the morning after), if the item still asks it.

        The row names the item's revision: an edit since (new owner, new date, done, dropped)
        wrote a new revision's rows, so this one is cancelled rather than sent stale.
        """
        item_id, revision = parse_action_key(item.key)
        action = self.due.action_item(item_id)
        if action.revision != revision:
            return "cancelled", "the action item was changed since", []
        if action.state != "open":
            return "cancelled", f"the action item is {action.state}", []
        mission = self.mission(item.mission_id)
        owner = owner_of(mission, action.owner)
        if (
            owner is None
            or item.recipient is None
            or owner.recipient.email.lower() != item.recipient.email.lower()
        ):
            return "cancelled", "the action item has another owner now", []
        env = self.messages.action_reminder(
            mission, action, recipient=owner.recipient, overdue=overdue, key=item.key, now=self.now
        )
        what = "overdue nudge" if overdue else "due-date reminder"
        return (
            "done",
            f"{what} to {owner.recipient.email}",
            [(env, "action-overdue" if overdue else "action-due")],
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
        return "done", f"nudged {_count(len(out), 'contact')}", out

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
        names = {p.id: p.name for p in mission.participants}
        stale = [
            (names.get(s.participant_id, s.participant_id), s.source, s.error, s.failing_since)
            for s in long_failing(self.uow, item.mission_id, self.now)
            if s.failing_since is not None
        ]
        # Every open item, and those raised or settled since the last digest: nothing vanishes.
        attention = [
            a
            for a in self.uow.attention.items(item.mission_id, open_only=False)
            if a.resolved_at is None or a.resolved_at >= since or a.created_at >= since
        ]
        env = self.messages.digest(
            mission,
            since=since,
            changes=changes,
            upcoming=upcoming,
            attention=attention,
            stale=stale,
            key=item.key,
            now=self.now,
        )
        self.due.add(
            [digest_spec(mission, item.mission_id, self.due.timing(item.mission_id), self.now)], now=self.now
        )
        return (
            "done",
            f"{_count(len(changes), 'change')}, {len(upcoming)} due in the next day",
            [(env, "digest")],
        )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


__all__ = ["BATCH", "run_due"]
