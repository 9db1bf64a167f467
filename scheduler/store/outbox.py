"""The outbox as a database table: a message is stored in the transaction of the change that causes it.

Two faces of one table:

* `SessionOutbox` (as `uow.outbox`) enqueues inside a unit of work, so a booking and its
  invitations commit together or not at all.
* `DbOutbox` (from `Store.outbox()`) is the `scheduler.ports.Outbox` the delivery step uses.

Delivery leases a message before sending it (attempts + 1, next attempt pushed out by
`LEASE`, committed), sends it, then marks it sent in a second transaction. No database lock
is held while talking to the mail server, two delivery processes never pick the same message
(the lease is taken with `FOR UPDATE SKIP LOCKED` on PostgreSQL, under SQLite's write lock
otherwise), and a process killed between the send and the mark leaves the message queued,
so it is sent again after the lease with the same Message-ID: at least once, never lost.

A booking request carries its link's raw token (the proposal itself keeps only a hash); once
it is sent, its stored body is dropped, so the database keeps no usable token.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from email import message_from_bytes, policy

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scheduler.core.intervals import ensure_utc
from scheduler.errors import DeliveryError
from scheduler.ports import DeliveryReport, Envelope, OutboxEntry, Transport
from scheduler.store.attention import SqlAttention
from scheduler.store.tables import OutboxRow

log = logging.getLogger(__name__)

FIRST_RETRY = timedelta(minutes=1)
MAX_RETRY = timedelta(hours=6)
MAX_ATTEMPTS = 12
LEASE = timedelta(minutes=5)
SECRET_KINDS = frozenset({"booking-request"})  # messages holding a raw booking token


def backoff(attempts: int) -> timedelta:
    """Wait after the `attempts`-th failed try: 1 min, 2, 4, … doubling, at most 6 h (as the file outbox)."""
    wait: timedelta = FIRST_RETRY * (2 ** max(attempts - 1, 0))
    return min(wait, MAX_RETRY)


def _subject(data: bytes) -> str:
    # " ".join(split()): a folded (long or RFC 2047 encoded) header can keep the fold as spaces.
    return " ".join(str(message_from_bytes(data, policy=policy.default).get("Subject", "")).split())


def _entry(row: OutboxRow) -> OutboxEntry:
    return OutboxEntry(
        message_id=row.message_id,
        status=row.status,  # type: ignore[arg-type]
        recipients=tuple(row.recipients),
        subject=row.subject,
        enqueued_at=row.created_at,
        attempts=row.attempts,
        next_attempt=row.next_attempt_at if row.status == "queued" else None,
        last_error=row.last_error,
        sent_at=row.sent_at,
    )


class SessionOutbox:
    """Enqueue into the outbox table inside the caller's transaction (the unit of work's session)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def enqueue(
        self,
        envelope: Envelope,
        *,
        now: datetime,
        mission_id: int | None = None,
        meeting_id: str = "",
        kind: str = "",
    ) -> bool:
        """Store the message; False when its Message-ID is already known (it is never stored twice)."""
        if not envelope.recipients:
            raise ValueError(f"message {envelope.message_id} has no recipients")
        now = ensure_utc(now, "now")
        known = self._session.scalar(select(OutboxRow.id).where(OutboxRow.message_id == envelope.message_id))
        if known is not None:
            return False
        row = OutboxRow(
            message_id=envelope.message_id,
            mission_id=mission_id,
            meeting_id=meeting_id,
            kind=kind,
            sender=envelope.sender,
            recipients=list(envelope.recipients),
            subject=_subject(envelope.data),
            raw=envelope.data,
            status="queued",
            attempts=0,
            created_at=now,
            next_attempt_at=now,
            last_error="",
        )
        try:
            # A savepoint: another transaction may store the same Message-ID between our check
            # and our insert; the UNIQUE constraint then refuses it and ours goes on unharmed.
            with self._session.begin_nested():
                self._session.add(row)
        except IntegrityError:
            return False
        return True

    def requeue(self, message_id: str, *, now: datetime) -> bool:
        """Put a parked message back in the queue, in this transaction; False when none is parked."""
        row = self._session.scalars(
            select(OutboxRow).where(OutboxRow.message_id == message_id, OutboxRow.status == "failed")
        ).first()
        if row is None:
            return False
        row.status, row.attempts, row.next_attempt_at = "queued", 0, ensure_utc(now, "now")
        return True

    def entries(self, *, mission_id: int | None = None) -> list[OutboxEntry]:
        """Messages in this transaction's view, oldest first (optionally of one mission)."""
        query = select(OutboxRow).order_by(OutboxRow.created_at, OutboxRow.id)
        if mission_id is not None:
            query = query.where(OutboxRow.mission_id == mission_id)
        return [_entry(r) for r in self._session.scalars(query)]


class DbOutbox:
    """`scheduler.ports.Outbox` on the table; each method runs its own short transactions."""

    def __init__(self, sessions: Callable[[], Session], *, max_attempts: int = MAX_ATTEMPTS) -> None:
        self._sessions = sessions
        self.max_attempts = max_attempts

    def enqueue(self, envelope: Envelope, *, now: datetime) -> bool:
        """Store one message in its own transaction; False when its Message-ID is known."""
        with self._sessions() as session, session.begin():
            return SessionOutbox(session).enqueue(envelope, now=now)

    def entries(self) -> list[OutboxEntry]:
        with self._sessions() as session, session.begin():
            return SessionOutbox(session).entries()

    def retry_failed(self, message_id: str, *, now: datetime) -> bool:
        """Put a parked message back in the queue (after the address or server was fixed)."""
        now = ensure_utc(now, "now")
        with self._sessions() as session, session.begin():
            row = session.scalars(
                select(OutboxRow)
                .where(OutboxRow.message_id == message_id, OutboxRow.status == "failed")
                .with_for_update()
            ).first()
            if row is None:
                return False
            row.status, row.attempts, row.next_attempt_at = "queued", 0, now
            return True

    def _lease(self, now: datetime) -> tuple[int, Envelope] | None:
        with self._sessions() as session, session.begin():
            query = (
                select(OutboxRow)
                .where(OutboxRow.status == "queued", OutboxRow.next_attempt_at <= now)
                .order_by(OutboxRow.next_attempt_at, OutboxRow.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            )
            row = session.scalars(query).first()
            if row is None:
                return None
            row.attempts += 1
            row.next_attempt_at = now + LEASE
            envelope = Envelope(
                message_id=row.message_id,
                sender=row.sender,
                recipients=tuple(row.recipients),
                data=row.raw,
            )
            return row.id, envelope

    def _settle(self, row_id: int, now: datetime, error: DeliveryError | None) -> str:
        with self._sessions() as session, session.begin():
            row = session.get(OutboxRow, row_id, with_for_update=True)
            assert row is not None
            if error is None:
                row.status, row.sent_at, row.last_error = "sent", now, ""
                if row.kind in SECRET_KINDS:
                    row.raw = b""  # it carried a booking link's token: once delivered, keep no copy
                return "sent"
            row.last_error = str(error)
            if error.temporary and row.attempts < self.max_attempts:
                row.next_attempt_at = now + backoff(row.attempts)
                return "retrying"
            if error.temporary:
                row.last_error = f"gave up after {row.attempts} attempts: {error}"
            row.status = "failed"
            if row.mission_id is not None and row.kind != "attention":
                # The coordinator is told (the sweep job sends the email); the note about a
                # failed note to the coordinator would only fail again, so that one is not filed.
                SqlAttention(session).add(
                    row.mission_id,
                    "delivery-failed",
                    summary=f"{row.kind or 'a message'} to {', '.join(row.recipients)} was not delivered",
                    now=now,
                    meeting_id=row.meeting_id,
                    detail={"message_id": row.message_id, "error": row.last_error, "subject": row.subject},
                )
            return "failed"

    def deliver(self, transport: Transport, *, now: datetime) -> DeliveryReport:
        """Send every queued message due at `now` (see the module docstring for the order of steps)."""
        now = ensure_utc(now, "now")
        done: dict[str, list[str]] = {"sent": [], "retrying": [], "failed": []}
        while (leased := self._lease(now)) is not None:
            row_id, envelope = leased
            error: DeliveryError | None = None
            try:
                transport.send(envelope)
            except DeliveryError as exc:
                error = exc
            outcome = self._settle(row_id, now, error)
            done[outcome].append(envelope.message_id)
            log.info("%s %s", outcome, envelope.message_id)
        with self._sessions() as session, session.begin():
            waiting = session.scalars(
                select(OutboxRow.message_id).where(
                    OutboxRow.status == "queued", OutboxRow.next_attempt_at > now
                )
            ).all()
        return DeliveryReport(
            sent=tuple(done["sent"]),
            retrying=tuple(done["retrying"]),
            failed=tuple(done["failed"]),
            waiting=tuple(w for w in waiting if w not in done["retrying"]),
        )
