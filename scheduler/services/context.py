"""What every use case is given: the database, the clock, the message factory and the settings."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import timedelta

from scheduler.ports import BusySource, Clock
from scheduler.services.ports import MessageFactory, UnitOfWorkFactory


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Service policy. `booking_url` is formatted with the raw token: `.format(token=...)`."""

    min_notice: timedelta = timedelta(hours=24)
    proposal_ttl: timedelta = timedelta(days=14)
    max_options: int = 5
    min_options: int = 3
    booking_url: str = "http://127.0.0.1:8000/book/{token}"
    # A booking re-reads a participant's busy sources older than this first (issue 14).
    busy_max_age: timedelta = timedelta(minutes=15)


@dataclass(frozen=True, kw_only=True)
class Services:
    """The dependencies of the use cases, built once by the edge (web app, CLI, jobs).

        services = Services(uow=store.unit_of_work, clock=SystemClock(), messages=factory)
        book(services, token, option_id)

    `messages=None` queues no email (imports, plans, and tests that do not look at mail).
    """

    uow: UnitOfWorkFactory
    clock: Clock
    messages: MessageFactory | None = None
    settings: Settings = field(default_factory=Settings)
    busy_reader: BusySource | None = None  # None: bookings check the busy time as stored


def token_hash(token: str) -> str:
    """The sha256 hex digest stored for a booking token; the token itself is never stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
