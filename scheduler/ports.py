"""Protocols the services and edges need, so each can be given a real adapter or a small fake.

Mail side (issue 4): `Clock` (the one `now`), `Transport` (hands one message to the world:
SMTP or a Maildir folder) and `Outbox` (durable queue: a message is stored before it is sent).
Adapters live in `scheduler/mail/`; tests move a `FixedClock` instead of sleeping.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, Protocol, runtime_checkable

from scheduler.core.intervals import Interval, IntervalSet


@runtime_checkable
class Clock(Protocol):
    """Where `now` comes from. Always an aware UTC datetime."""

    def now(self) -> datetime: ...


class SystemClock:
    """The wall clock, in UTC. The only place outside tests that reads it."""

    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FixedClock:
    """A clock that says what it is told; tests move it forward instead of sleeping."""

    at: datetime

    def now(self) -> datetime:
        return self.at


@dataclass(frozen=True, kw_only=True)
class Envelope:
    """One message as it travels: the SMTP envelope and the exact bytes (CRLF line ends)."""

    message_id: str
    sender: str
    recipients: tuple[str, ...]
    data: bytes


class Transport(Protocol):
    """Hands one message over. Raises `DeliveryError(temporary=...)` when it cannot."""

    def send(self, envelope: Envelope) -> None: ...


Status = Literal["queued", "sent", "failed"]


@dataclass(frozen=True, kw_only=True)
class OutboxEntry:
    """What the outbox knows about one message."""

    message_id: str
    status: Status
    recipients: tuple[str, ...]
    subject: str
    enqueued_at: datetime
    attempts: int = 0
    next_attempt: datetime | None = None
    last_error: str = ""
    sent_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class DeliveryReport:
    """The outcome of one delivery pass, by Message-ID."""

    sent: tuple[str, ...] = ()
    retrying: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()
    waiting: tuple[str, ...] = ()  # queued, but their next attempt is later than `now`


class Outbox(Protocol):
    """A durable queue: `enqueue` stores a message before anything sends it; `deliver` sends what is due."""

    def enqueue(self, envelope: Envelope, *, now: datetime) -> bool:
        """Store the message; False when one with this Message-ID is already known (never twice)."""
        ...

    def deliver(self, transport: Transport, *, now: datetime) -> DeliveryReport: ...

    def entries(self) -> Sequence[OutboxEntry]: ...


@dataclass(frozen=True, kw_only=True)
class SourceRead:
    """What one read of a busy source gave: new busy time, or `busy=None` when unchanged (304)."""

    busy: IntervalSet | None
    etag: str | None = None
    last_modified: str | None = None


class BusySource(Protocol):
    """Reads a person's busy source (file, ICS URL, CalDAV calendar) over a window.

    `etag`/`last_modified` are the validators of the last good copy (a conditional GET);
    failures raise `CalendarError` whose message shows no secret.
    """

    def read(
        self,
        source: str,
        *,
        base_dir: str,
        owner_zone: str,
        window: Interval,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> SourceRead: ...


@dataclass(frozen=True, kw_only=True)
class WebhookRequest:
    """One signed POST to make (issue 16): the same `webhook_id` and `body` on every try."""

    webhook_id: str
    url: str
    secret: str  # whsec_…
    body: bytes
    sent_at: datetime  # the `webhook-timestamp` of this try


@dataclass(frozen=True, kw_only=True)
class WebhookAnswer:
    """What the receiver answered: its status code and the start of its body."""

    status: int
    excerpt: str


class WebhookSender(Protocol):
    """Signs and posts one webhook. Raises `DeliveryError(temporary=...)` when no answer came
    (a refused address is permanent; a timeout or a refused connection is temporary)."""

    def send(self, request: WebhookRequest) -> WebhookAnswer: ...
