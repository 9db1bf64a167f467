"""A mission's webhook endpoints, their delivery log and replay (issue 16).

GET    /api/missions/{id}/webhooks                    the endpoints (never their secrets)
POST   /api/missions/{id}/webhooks                    register: 201 with the `whsec_` secret, shown once
GET    /api/missions/{id}/webhooks/{e}                one endpoint
PATCH  /api/missions/{id}/webhooks/{e}                change url, events, description, active
DELETE /api/missions/{id}/webhooks/{e}                remove it with its log
GET    /api/missions/{id}/webhooks/{e}/deliveries     the latest deliveries with every try
POST   /api/missions/{id}/webhooks/{e}/deliveries/{webhook_id}/replay   send one again (202)

A URL that resolves to a loopback, link-local or private address is refused (422 on `url`)
unless the service allows them (`SCHEDULER_WEBHOOKS_ALLOW_PRIVATE=1`).
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from scheduler.core.webhooks import EventType
from scheduler.services import webhooks as hooks
from scheduler.web.deps import ServicesDep, SettingsDep
from scheduler.webhooks import check_url

router = APIRouter(tags=["webhooks"])


class EndpointCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(max_length=2000, examples=["https://example.org/hooks/mission"])
    events: list[EventType] = Field(default=[], description="The events to send; empty for all")
    description: str = Field(default="", max_length=300)


class EndpointUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str | None = Field(default=None, max_length=2000)
    events: list[EventType] | None = None
    description: str | None = Field(default=None, max_length=300)
    active: bool | None = None


class EndpointPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)  # read from `core.webhooks.Endpoint`
    id: int
    mission_id: int
    url: str
    description: str
    events: list[str]
    active: bool
    created_at: datetime


class EndpointCreated(EndpointPublic):
    secret: str = Field(description="The `whsec_…` signing secret; it is shown this once")


class AttemptPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    number: int
    started_at: datetime
    finished_at: datetime | None
    status_code: int | None
    response_excerpt: str
    error: str
    replay: bool


class DeliveryPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    webhook_id: str
    event_type: str
    status: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    last_error: str
    body: str
    log: list[AttemptPublic]


@router.get("/missions/{mission_id}/webhooks")
def list_endpoints(mission_id: int, services: ServicesDep) -> list[EndpointPublic]:
    return [EndpointPublic.model_validate(e) for e in hooks.endpoints(services, mission_id)]


@router.post("/missions/{mission_id}/webhooks", status_code=201)
def register(
    mission_id: int, body: EndpointCreate, services: ServicesDep, settings: SettingsDep
) -> EndpointCreated:
    """Register an endpoint; the answer holds its signing secret, which is never shown again."""
    check_url(body.url, allow_private=settings.webhooks_allow_private)
    made = hooks.add_endpoint(
        services, mission_id, url=body.url, events=body.events, description=body.description
    )
    return EndpointCreated(**EndpointPublic.model_validate(made.endpoint).model_dump(), secret=made.secret)


@router.get("/missions/{mission_id}/webhooks/{endpoint_id}")
def get_endpoint(mission_id: int, endpoint_id: int, services: ServicesDep) -> EndpointPublic:
    return EndpointPublic.model_validate(hooks.endpoint(services, mission_id, endpoint_id))


@router.patch("/missions/{mission_id}/webhooks/{endpoint_id}")
def change(
    mission_id: int, endpoint_id: int, body: EndpointUpdate, services: ServicesDep, settings: SettingsDep
) -> EndpointPublic:
    if body.url is not None:
        check_url(body.url, allow_private=settings.webhooks_allow_private)
    changed = hooks.update_endpoint(
        services,
        mission_id,
        endpoint_id,
        url=body.url,
        events=body.events,
        description=body.description,
        active=body.active,
    )
    return EndpointPublic.model_validate(changed)


@router.delete("/missions/{mission_id}/webhooks/{endpoint_id}", status_code=204)
def remove(mission_id: int, endpoint_id: int, services: ServicesDep) -> Response:
    hooks.delete_endpoint(services, mission_id, endpoint_id)
    return Response(status_code=204)


@router.get("/missions/{mission_id}/webhooks/{endpoint_id}/deliveries")
def delivery_log(mission_id: int, endpoint_id: int, services: ServicesDep) -> list[DeliveryPublic]:
    """The latest 50 deliveries, newest first, each with every try: status code, answer excerpt, time."""
    return [DeliveryPublic.model_validate(d) for d in hooks.deliveries(services, mission_id, endpoint_id)]


@router.post("/missions/{mission_id}/webhooks/{endpoint_id}/deliveries/{webhook_id}/replay", status_code=202)
def replay(mission_id: int, endpoint_id: int, webhook_id: str, services: ServicesDep) -> dict[str, str]:
    """Send the delivery again at the next pass, with its webhook-id and body unchanged."""
    hooks.replay(services, mission_id, endpoint_id, webhook_id)
    return {"webhook_id": webhook_id, "status": "queued"}


__all__ = ["router"]
