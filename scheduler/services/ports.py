"""What the services need from the world, as Protocols (the mail side's are in `scheduler.ports`).

* `UnitOfWork`: one database transaction with the repository methods the use cases call;
  `scheduler.store` implements it (`Store.unit_of_work()`), tests may use it as is on SQLite.
* `TransactionalOutbox`: the outbox *inside* that transaction (`uow.outbox`), so messages are
  stored with the change that causes them.
* `MessageFactory`: builds the emails (invitations with the agenda, updates, cancellations,
  booking requests) as `Envelope`s; the mail and ical packages implement it, and the services
  never import them (DESIGN.md layer rules).
* `Clock` comes from `scheduler.ports`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from scheduler.core.access import Role
from scheduler.core.attention import AttentionItem, Negotiation
from scheduler.core.bookings import Booking, Claim, MeetingState, MeetingStatus, Proposal
from scheduler.core.models import Contact, MinuteRange, Mission
from scheduler.core.webhooks import Delivery, Endpoint
from scheduler.ports import Clock, Envelope, OutboxEntry

__all__ = [
    "Clock",
    "MessageFactory",
    "OptionSpec",
    "TransactionalOutbox",
    "UnitOfWork",
    "UnitOfWorkFactory",
    "WebhookStore",
]

OptionSpec = tuple[datetime, datetime, str]
"""(start, end, kind) of one option to store; kind is "plan" or "alternative"."""


class TransactionalOutbox(Protocol):
    def enqueue(
        self,
        envelope: Envelope,
        *,
        now: datetime,
        mission_id: int | None = None,
        meeting_id: str = "",
        kind: str = "",
    ) -> bool:
        """Store the message in the current transaction; False when its Message-ID is known."""
        ...

    def entries(self, *, mission_id: int | None = None) -> list[OutboxEntry]: ...
    def requeue(self, message_id: str, *, now: datetime) -> bool:
        """Put a parked (failed) message back in the queue; False when none is parked."""
        ...


class AttentionStore(Protocol):
    """The coordinator's attention queue and the negotiation policy, inside the unit of work."""

    def add(
        self,
        mission_id: int,
        kind: str,
        *,
        summary: str,
        now: datetime,
        meeting_id: str = "",
        proposal_id: int | None = None,
        note: str = "",
        detail: Mapping[str, Any] | None = None,
    ) -> AttentionItem: ...
    def item(self, item_id: int) -> AttentionItem: ...
    def items(self, mission_id: int, *, open_only: bool = True) -> list[AttentionItem]: ...
    def resolve(self, item_ids: Sequence[int], *, resolution: str, now: datetime) -> None: ...
    def mark_notified(self, item_id: int, now: datetime) -> None: ...
    def negotiation(self, mission_id: int) -> Negotiation: ...
    def set_negotiation(self, mission_id: int, policy: Negotiation) -> None: ...


class WebhookStore(Protocol):
    """Webhook endpoints and events inside the unit of work (issue 16; `scheduler.store.webhooks`)."""

    def add_endpoint(
        self,
        mission_id: int,
        *,
        url: str,
        events: Sequence[str],
        description: str,
        secret: str,
        now: datetime,
    ) -> Endpoint: ...
    def endpoints(self, mission_id: int) -> list[Endpoint]: ...
    def endpoint(self, mission_id: int, endpoint_id: int) -> Endpoint: ...
    def update_endpoint(
        self,
        mission_id: int,
        endpoint_id: int,
        *,
        url: str | None = None,
        events: Sequence[str] | None = None,
        description: str | None = None,
        active: bool | None = None,
    ) -> Endpoint: ...
    def delete_endpoint(self, mission_id: int, endpoint_id: int) -> None: ...
    def record(
        self, mission_id: int, event_type: str, data: Mapping[str, Any], *, now: datetime
    ) -> list[str]:
        """Store the event, one delivery per subscribed endpoint, in this transaction; their webhook-ids."""
        ...

    def deliveries(self, mission_id: int, endpoint_id: int, *, limit: int = 50) -> list[Delivery]: ...
    def replay(self, mission_id: int, endpoint_id: int, webhook_id: str, *, now: datetime) -> None: ...


class UnitOfWork(Protocol):
    """One transaction. Raises `NotFound` for unknown ids and `Conflict` when a constraint refuses."""

    @property
    def outbox(self) -> TransactionalOutbox: ...
    @property
    def webhooks(self) -> WebhookStore: ...
    @property
    def attention(self) -> AttentionStore: ...

    # missions
    def add_mission(self, mission: Mission, *, source: str, now: datetime, cell: timedelta) -> int: ...
    def mission_ids(self) -> list[int]: ...
    def set_member(self, mission_id: int, user_id: int, role: Role, *, now: datetime) -> None: ...
    def mission_source(self, mission_id: int) -> str: ...
    def lock_mission(self, mission_id: int) -> None:
        """Hold the mission's row lock (PostgreSQL) until the transaction ends."""
        ...

    def mission(self, mission_id: int) -> Mission:
        """The mission as committed, every booked meeting's `fixed_start` its booked start."""
        ...

    def set_overrides(
        self, mission_id: int, participant_id: str, overrides: Mapping[date, tuple[MinuteRange, ...]]
    ) -> None: ...

    # meetings
    def meeting_statuses(self, mission_id: int) -> dict[str, MeetingStatus]: ...
    def set_meeting_state(
        self, mission_id: int, meeting_id: str, state: MeetingState, *, sequence: int | None = None
    ) -> None: ...
    def set_planned_starts(self, mission_id: int, starts: Mapping[str, datetime | None]) -> None: ...

    # bookings and claims
    def add_booking(
        self,
        mission_id: int,
        meeting_id: str,
        *,
        start: datetime,
        end: datetime,
        sequence: int,
        now: datetime,
        claims: Sequence[Claim],
        option_id: int | None = None,
        attendees: Sequence[Contact] = (),
    ) -> Booking:
        """Insert the booking and its claims; `Conflict` when the database refuses a claim."""
        ...

    def end_booking(self, booking_id: int, *, status: str, now: datetime) -> None:
        """Mark the booking moved or cancelled and delete its claims."""
        ...

    def claim_cell(self, mission_id: int) -> timedelta: ...
    def rebuild_claims(
        self, mission_id: int, cell: timedelta, claims: Mapping[int, Sequence[Claim]]
    ) -> None: ...

    # proposals
    def add_proposal(
        self,
        mission_id: int,
        meeting_id: str,
        *,
        token_hash: str,
        now: datetime,
        expires_at: datetime,
        options: Sequence[OptionSpec],
    ) -> Proposal: ...
    def proposal(self, proposal_id: int) -> Proposal: ...
    def proposal_by_token_hash(self, token_hash: str) -> Proposal | None: ...
    def proposals(
        self, mission_id: int, *, status: str | None = None, meeting_id: str | None = None
    ) -> list[Proposal]: ...
    def update_proposal(
        self,
        proposal_id: int,
        *,
        status: str | None = None,
        needs_attention: bool | None = None,
        note: str | None = None,
        available: Sequence[tuple[datetime, datetime]] | None = None,
        available_for: str | None = None,
    ) -> None: ...
    def set_option_status(self, option_ids: Sequence[int], status: str) -> None: ...
    def add_options(self, proposal_id: int, options: Sequence[OptionSpec], *, status: str = "open") -> None:
        """Append options to the proposal: the same link shows them."""
        ...


UnitOfWorkFactory = Callable[[], AbstractContextManager[UnitOfWork]]
"""`Store.unit_of_work`: each call opens one transaction, committed when the block ends cleanly."""


class MessageFactory(Protocol):
    """Builds the emails a use case queues. Every method returns complete envelopes, one per recipient
    or one per message, each with a unique Message-ID."""

    def invitations(
        self,
        mission: Mission,
        meeting_id: str,
        *,
        start: datetime,
        sequence: int,
        extra_attendees: Sequence[Contact] = (),
        previous_start: datetime | None = None,
        now: datetime,
    ) -> Sequence[Envelope]:
        """METHOD:REQUEST invitations with the agenda to every delegate and counterpart attendee.

        `previous_start` set: this is an update of a moved meeting (same UID, this `sequence`).
        """
        ...

    def cancellations(
        self,
        mission: Mission,
        meeting_id: str,
        *,
        start: datetime,
        sequence: int,
        extra_attendees: Sequence[Contact] = (),
        now: datetime,
    ) -> Sequence[Envelope]:
        """METHOD:CANCEL (STATUS:CANCELLED, same UID, this `sequence`) to everyone invited."""
        ...

    def booking_request(
        self,
        mission: Mission,
        meeting_id: str,
        *,
        options: Sequence[tuple[datetime, datetime]],
        link: str,
        expires_at: datetime,
        now: datetime,
    ) -> Sequence[Envelope]:
        """The counterpart contacts' email with the proposed options and their booking link."""
        ...

    def new_times(
        self,
        mission: Mission,
        meeting_id: str,
        *,
        options: Sequence[tuple[datetime, datetime]],
        expires_at: datetime,
        now: datetime,
    ) -> Sequence[Envelope]:
        """To the counterpart contacts: times were taken; these are open now, behind the link they have."""
        ...

    def attention(self, mission: Mission, item: AttentionItem, *, now: datetime) -> Envelope:
        """To the mission's coordinator: a new attention item and what to do about it."""
        ...
