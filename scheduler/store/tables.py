"""The database schema as SQLAlchemy 2 typed models. Alembic migrations create it; never `create_all`.

Instants are `UTCDateTime` (UTC in, aware UTC out); zone names are plain strings beside them.
A meeting's `fixed` start from the mission file is imported as an active booking, so every
fixed meeting has claims and can be moved or cancelled like any other. Mission-file shapes
that are only ever read whole (weekly hours, overrides, id lists) are JSON.

The double-booking guard is `claims` with its UNIQUE constraint (see `core/bookings.py`), and
`bookings` allows one active booking per meeting (a partial unique index).

Room left for timed work (issue 6): reminders, nudges and follow-ups become rows of a
`due_work` table in a later migration (booking or proposal id, kind, UTC `due_at`, claimed /
done instants), written by `services.booking` / `services.proposals` in the same transaction
as the booking, reschedule or cancel that causes them, and claimed the way the outbox leases
messages (`FOR UPDATE SKIP LOCKED` on PostgreSQL).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from scheduler.store.types import UTCDateTime

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class MissionRow(Base):
    __tablename__ = "missions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    timezone: Mapped[str] = mapped_column(String(64))
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    step_seconds: Mapped[int] = mapped_column(Integer)
    buffer_seconds: Mapped[int] = mapped_column(Integer)
    organizer: Mapped[dict[str, Any]] = mapped_column(JSON)
    video_url: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text, default="")  # the file it was imported from
    claim_cell_seconds: Mapped[int] = mapped_column(Integer, default=900)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ResourceRow(Base):
    __tablename__ = "resources"

    mission_id: Mapped[int] = mapped_column(ForeignKey("missions.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    capacity: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)


class ParticipantRow(Base):
    __tablename__ = "participants"

    mission_id: Mapped[int] = mapped_column(ForeignKey("missions.id", ondelete="CASCADE"), primary_key=True)
    pid: Mapped[str] = mapped_column(String(100), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(300))
    timezone: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(20))
    email: Mapped[str] = mapped_column(String(320), default="")
    role: Mapped[str] = mapped_column(String(300), default="")
    holidays: Mapped[str] = mapped_column(String(20), default="")
    hours: Mapped[list[Any]] = mapped_column(JSON)  # seven lists of [start, end] minutes, Monday first
    preferred: Mapped[list[Any]] = mapped_column(JSON)
    overrides: Mapped[dict[str, Any]] = mapped_column(JSON)  # ISO date → list of [start, end]
    busy_sources: Mapped[list[str]] = mapped_column(JSON)
    max_per_day: Mapped[int | None] = mapped_column(Integer, nullable=True)


class ContactRow(Base):
    __tablename__ = "contacts"
    __table_args__ = (
        ForeignKeyConstraint(
            ["mission_id", "participant_id"],
            ["participants.mission_id", "participants.pid"],
            ondelete="CASCADE",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mission_id: Mapped[int] = mapped_column(Integer)
    participant_id: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(300))
    email: Mapped[str] = mapped_column(String(320))
    language: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300), default="")


class BusyRow(Base):
    """Busy time read from a participant's calendars at import, in UTC."""

    __tablename__ = "busy_intervals"
    __table_args__ = (
        ForeignKeyConstraint(
            ["mission_id", "participant_id"],
            ["participants.mission_id", "participants.pid"],
            ondelete="CASCADE",
        ),
        Index("ix_busy_intervals_owner", "mission_id", "participant_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mission_id: Mapped[int] = mapped_column(Integer)
    participant_id: Mapped[str] = mapped_column(String(100))
    start: Mapped[datetime] = mapped_column(UTCDateTime)
    end: Mapped[datetime] = mapped_column(UTCDateTime)


class MeetingRow(Base):
    __tablename__ = "meetings"

    mission_id: Mapped[int] = mapped_column(ForeignKey("missions.id", ondelete="CASCADE"), primary_key=True)
    mid: Mapped[str] = mapped_column(String(100), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(500))
    delegates: Mapped[list[str]] = mapped_column(JSON)
    counterparts: Mapped[list[str]] = mapped_column(JSON)
    optional: Mapped[list[str]] = mapped_column(JSON)
    duration_seconds: Mapped[int] = mapped_column(Integer)
    priority: Mapped[int] = mapped_column(Integer)
    after: Mapped[list[str]] = mapped_column(JSON)
    resources: Mapped[list[str]] = mapped_column(JSON)
    not_before: Mapped[date | None] = mapped_column(Date, nullable=True)
    not_after: Mapped[date | None] = mapped_column(Date, nullable=True)
    purpose: Mapped[str] = mapped_column(Text, default="")
    agenda: Mapped[list[str]] = mapped_column(JSON)
    notes: Mapped[str] = mapped_column(Text, default="")
    video_url: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(20), default="unplanned")
    sequence: Mapped[int] = mapped_column(Integer, default=0)  # iCalendar SEQUENCE of its invitations
    planned_start: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class BookingRow(Base):
    __tablename__ = "bookings"
    __table_args__ = (
        ForeignKeyConstraint(
            ["mission_id", "meeting_id"], ["meetings.mission_id", "meetings.mid"], ondelete="CASCADE"
        ),
        # One active booking per meeting, whatever the Python code believes.
        Index(
            "uq_bookings_active_meeting",
            "mission_id",
            "meeting_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mission_id: Mapped[int] = mapped_column(Integer)
    meeting_id: Mapped[str] = mapped_column(String(100))
    start: Mapped[datetime] = mapped_column(UTCDateTime)
    end: Mapped[datetime] = mapped_column(UTCDateTime)
    sequence: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    option_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class BookingAttendeeRow(Base):
    """People a counterpart added to their side when booking."""

    __tablename__ = "booking_attendees"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(300))
    email: Mapped[str] = mapped_column(String(320))
    language: Mapped[str] = mapped_column(String(20))


class ClaimRow(Base):
    """One cell of one person's, resource unit's or day counter's time held by an active booking."""

    __tablename__ = "claims"
    __table_args__ = (UniqueConstraint("mission_id", "kind", "subject", "unit", "cell"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mission_id: Mapped[int] = mapped_column(ForeignKey("missions.id", ondelete="CASCADE"))
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    subject: Mapped[str] = mapped_column(String(100))
    unit: Mapped[int] = mapped_column(Integer)
    cell: Mapped[int] = mapped_column(BigInteger)


class ProposalRow(Base):
    __tablename__ = "proposals"
    __table_args__ = (
        ForeignKeyConstraint(
            ["mission_id", "meeting_id"], ["meetings.mission_id", "meetings.mid"], ondelete="CASCADE"
        ),
        Index("ix_proposals_mission_status", "mission_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mission_id: Mapped[int] = mapped_column(Integer)
    meeting_id: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex; the token is never kept
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    needs_attention: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    available: Mapped[list[Any]] = mapped_column(JSON)  # [[start ISO, end ISO], …] in UTC
    available_for: Mapped[str] = mapped_column(String(100), default="")  # the counterpart they are for


class ProposalOptionRow(Base):
    __tablename__ = "proposal_options"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    start: Mapped[datetime] = mapped_column(UTCDateTime)
    end: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))


class AttentionRow(Base):
    """Something the coordinator must see and act on: a decline, a request, a proposal that ran out, …"""

    __tablename__ = "attention_items"
    __table_args__ = (Index("ix_attention_mission_open", "mission_id", "resolved_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mission_id: Mapped[int] = mapped_column(ForeignKey("missions.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    meeting_id: Mapped[str] = mapped_column(String(100), default="")
    proposal_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")  # the counterpart's own words, when any
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)  # windows, options, reasons (kind-specific)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolution: Mapped[str] = mapped_column(Text, default="")


class NegotiationRow(Base):
    """A mission's negotiation policy; no row means the defaults (2 options, recover automatically)."""

    __tablename__ = "mission_negotiation"

    mission_id: Mapped[int] = mapped_column(ForeignKey("missions.id", ondelete="CASCADE"), primary_key=True)
    min_options: Mapped[int] = mapped_column(Integer)
    auto_recovery: Mapped[bool] = mapped_column(Boolean)


class OutboxRow(Base):
    """A message stored before it is sent, in the transaction of the change that caused it."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[str] = mapped_column(String(300), unique=True)
    mission_id: Mapped[int | None] = mapped_column(
        ForeignKey("missions.id", ondelete="SET NULL"), nullable=True, index=True
    )
    meeting_id: Mapped[str] = mapped_column(String(100), default="")
    kind: Mapped[str] = mapped_column(String(40), default="")
    sender: Mapped[str] = mapped_column(String(320), default="")
    recipients: Mapped[list[str]] = mapped_column(JSON)
    subject: Mapped[str] = mapped_column(Text, default="")
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(20), default="queued")  # queued | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")


__all__ = [
    "Base",
    "BookingAttendeeRow",
    "BookingRow",
    "BusyRow",
    "ClaimRow",
    "ContactRow",
    "MeetingRow",
    "MissionRow",
    "OutboxRow",
    "ParticipantRow",
    "ProposalOptionRow",
    "ProposalRow",
    "ResourceRow",
]


class BusySourceRow(Base):
    """The last good copy and the read status of one busy source of one participant (issue 14).

    `source` is as written in the mission file (secrets are named there, never stored);
    `busy` is the last good copy, JSON [[start, end], …] in ISO UTC, NULL before any good read.
    """

    __tablename__ = "busy_sources"
    __table_args__ = (
        ForeignKeyConstraint(
            ["mission_id", "participant_id"],
            ["participants.mission_id", "participants.pid"],
            ondelete="CASCADE",
        ),
        Index("uq_busy_sources_slot", "mission_id", "participant_id", "position", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mission_id: Mapped[int] = mapped_column(Integer)
    participant_id: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(Text)
    busy: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)
    etag: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_modified: Mapped[str | None] = mapped_column(Text, nullable=True)
    fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    error: Mapped[str] = mapped_column(Text, default="")
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class WebhookEndpointRow(Base):
    """A URL a coordinator registered for a mission's events (issue 16).

    `events` lists the event types it takes, [] for all. `secret` is the Standard Webhooks
    `whsec_…` key the deliveries are signed with: it is kept to sign, and shown once.
    """

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mission_id: Mapped[int] = mapped_column(ForeignKey("missions.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(String(300), default="")
    events: Mapped[list[str]] = mapped_column(JSON)
    secret: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WebhookEventRow(Base):
    """One event, recorded in the transaction of the change; `body` is the exact JSON every try sends."""

    __tablename__ = "webhook_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mission_id: Mapped[int] = mapped_column(ForeignKey("missions.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(String(50))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WebhookDeliveryRow(Base):
    """One event to one endpoint: its one `webhook_id` (the same on every retry and replay) and state."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("event_id", "endpoint_id"),
        Index("ix_webhook_deliveries_status_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    webhook_id: Mapped[str] = mapped_column(String(64), unique=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("webhook_events.id", ondelete="CASCADE"))
    endpoint_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(20), default="queued")  # queued | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    replay_requested: Mapped[bool] = mapped_column(Boolean, default=False)  # the next try is a replay


class WebhookAttemptRow(Base):
    """The delivery log: one row per try, written when the try starts and completed with the answer.

    A row left without `finished_at` is a try whose process died mid-request.
    """

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    response_excerpt: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str] = mapped_column(Text, default="")
    replay: Mapped[bool] = mapped_column(Boolean, default=False)
