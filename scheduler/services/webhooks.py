"""Coordinators' webhook endpoints: register, change, remove, read the delivery log, replay (issue 16).

The URL itself is checked by the edge before it comes here (`scheduler.webhooks.check_url`:
public addresses only); these use cases check the rest and keep each change one transaction.
The events themselves are recorded by the use cases that cause them (`services.webhook_events`).
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from scheduler.core.webhooks import EVENT_TYPES, Delivery, Endpoint
from scheduler.errors import ConfigError, Problem
from scheduler.services.context import Services

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32  # 256 bits; the Standard Webhooks specification asks for 24 to 64 bytes
MAX_DESCRIPTION = 300


@dataclass(frozen=True, kw_only=True)
class NewEndpoint:
    """A registered endpoint and its signing secret, which is shown this once."""

    endpoint: Endpoint
    secret: str


def new_secret() -> str:
    """A fresh signing secret in the Standard Webhooks `whsec_<base64>` form."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def checked_events(events: Sequence[str], field: str = "events") -> tuple[str, ...]:
    """The event types, each known and named once; [] means every event. `ConfigError` per bad entry."""
    problems = [
        Problem(f"{field}[{i}]", f"{e!r} is not an event; the events are {', '.join(EVENT_TYPES)}")
        for i, e in enumerate(events)
        if e not in EVENT_TYPES
    ]
    if problems:
        raise ConfigError(problems)
    return tuple(dict.fromkeys(events))


def _description(text: str) -> str:
    if len(text) > MAX_DESCRIPTION:
        raise ConfigError(f"is longer than {MAX_DESCRIPTION} characters", "description")
    return text.strip()


def add_endpoint(
    services: Services, mission_id: int, *, url: str, events: Sequence[str] = (), description: str = ""
) -> NewEndpoint:
    """Register `url` for `events` (all when empty) with a new secret; `NotFound`, `ConfigError`."""
    wanted, text = checked_events(events), _description(description)
    secret = new_secret()
    with services.uow() as uow:
        uow.mission(mission_id)  # NotFound for an unknown mission
        endpoint = uow.webhooks.add_endpoint(
            mission_id, url=url, events=wanted, description=text, secret=secret, now=services.clock.now()
        )
    return NewEndpoint(endpoint=endpoint, secret=secret)


def endpoints(services: Services, mission_id: int) -> list[Endpoint]:
    with services.uow() as uow:
        uow.mission(mission_id)
        return uow.webhooks.endpoints(mission_id)


def endpoint(services: Services, mission_id: int, endpoint_id: int) -> Endpoint:
    with services.uow() as uow:
        return uow.webhooks.endpoint(mission_id, endpoint_id)


def update_endpoint(
    services: Services,
    mission_id: int,
    endpoint_id: int,
    *,
    url: str | None = None,
    events: Sequence[str] | None = None,
    description: str | None = None,
    active: bool | None = None,
) -> Endpoint:
    """Change what is given; deliveries already recorded keep their webhook-id and go to the new URL."""
    wanted = None if events is None else checked_events(events)
    text = None if description is None else _description(description)
    with services.uow() as uow:
        return uow.webhooks.update_endpoint(
            mission_id, endpoint_id, url=url, events=wanted, description=text, active=active
        )


def delete_endpoint(services: Services, mission_id: int, endpoint_id: int) -> None:
    """Remove the endpoint with its deliveries and their log."""
    with services.uow() as uow:
        uow.webhooks.delete_endpoint(mission_id, endpoint_id)


def deliveries(services: Services, mission_id: int, endpoint_id: int, *, limit: int = 50) -> list[Delivery]:
    """The endpoint's latest deliveries, newest first, each with the log of its tries."""
    with services.uow() as uow:
        return uow.webhooks.deliveries(mission_id, endpoint_id, limit=limit)


def replay(services: Services, mission_id: int, endpoint_id: int, webhook_id: str) -> None:
    """Send one delivery again now, with the same webhook-id and body. `NotFound`."""
    with services.uow() as uow:
        uow.webhooks.replay(mission_id, endpoint_id, webhook_id, now=services.clock.now())


__all__ = [
    "NewEndpoint",
    "add_endpoint",
    "checked_events",
    "delete_endpoint",
    "deliveries",
    "endpoint",
    "endpoints",
    "new_secret",
    "replay",
    "update_endpoint",
]
