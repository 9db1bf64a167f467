"""Webhooks as values: the event types, an endpoint's subscription, and the retry schedule (issue 16).

Pure: the store keeps endpoints, events and deliveries; the services record events in the
transaction of the change; an adapter (`scheduler.webhooks`) signs and posts them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, get_args

from scheduler.core.intervals import ensure_utc

EventType = Literal[
    "booking.created",
    "booking.rescheduled",
    "booking.cancelled",
    "proposal.created",
    "proposal.exhausted",
    "counterpart.declined",
    "attendee.replied",
    "mission.planned",
]
EVENT_TYPES: tuple[EventType, ...] = get_args(EventType)

FIRST_RETRY = timedelta(seconds=30)
MAX_RETRY = timedelta(hours=12)
MAX_ATTEMPTS = (
    15  # the last try comes 2 days 5 hours after the first: a receiver down for a weekend catches up
)


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed try: 30 s, 1 min, 2, 4, … doubling, at most 12 h.

    >>> [int(backoff(n).total_seconds()) for n in (1, 2, 3, 10)]
    [30, 60, 120, 15360]
    """
    wait: timedelta = FIRST_RETRY * (2 ** max(attempts - 1, 0))
    return min(wait, MAX_RETRY)


def utc_text(instant: datetime) -> str:
    """An instant as webhook bodies write it: ISO 8601 in UTC with a `Z` (`2027-02-16T00:00:00Z`)."""
    return ensure_utc(instant).isoformat().replace("+00:00", "Z")


def subscribed(events: Sequence[str], event_type: str) -> bool:
    """Whether an endpoint subscribed to `events` takes `event_type`; no events listed means all."""
    return not events or event_type in events


@dataclass(frozen=True, kw_only=True)
class Endpoint:
    """A registered URL of one mission; `events` empty means every event type."""

    id: int
    mission_id: int
    url: str
    description: str
    events: tuple[str, ...]
    active: bool
    created_at: datetime


@dataclass(frozen=True, kw_only=True)
class Attempt:
    """One try in the delivery log. No `finished_at`: the process died during the request."""

    number: int
    started_at: datetime
    finished_at: datetime | None
    status_code: int | None
    response_excerpt: str
    error: str
    replay: bool


@dataclass(frozen=True, kw_only=True)
class Delivery:
    """One event to one endpoint, with its one webhook-id and its log."""

    webhook_id: str
    endpoint_id: int
    event_type: str
    body: str
    status: str  # queued | sent | failed
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    last_error: str
    log: tuple[Attempt, ...] = ()


__all__ = [
    "EVENT_TYPES",
    "MAX_ATTEMPTS",
    "Attempt",
    "Delivery",
    "Endpoint",
    "EventType",
    "backoff",
    "subscribed",
    "utc_text",
]
