"""The caller's own API tokens: list them, create a named one with an expiry, revoke one.

    GET    /api/tokens          every token of yours: id, name, created, expires, last used, revoked
    POST   /api/tokens          {"name": "ci", "days": 30} → the token, shown once (201)
    DELETE /api/tokens/{id}     revoke it at once (204); 404 for a token that is not yours

Only a token's sha256 is stored: a lost token cannot be shown again, only revoked.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, ConfigDict, Field

from scheduler.services.accounts import (
    MAX_TOKEN_DAYS,
    TOKEN_DAYS,
    api_tokens,
    issue_api_token,
    revoke_api_token,
)
from scheduler.web.deps import ServicesDep, UserDep, current_user

router = APIRouter(tags=["auth"], dependencies=[Depends(current_user)])


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100)
    days: int = Field(default=TOKEN_DAYS, ge=1, le=MAX_TOKEN_DAYS)


class TokenPublic(BaseModel):
    id: int
    name: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    live: bool


class TokenCreated(BaseModel):
    token: str
    token_type: str = "bearer"
    name: str
    expires_at: datetime


@router.get("/tokens")
def list_tokens(services: ServicesDep, user: UserDep) -> list[TokenPublic]:
    now = services.clock.now()
    return [
        TokenPublic(
            id=t.id,
            name=t.name,
            created_at=t.created_at,
            expires_at=t.expires_at,
            last_used_at=t.last_used_at,
            revoked_at=t.revoked_at,
            live=t.revoked_at is None and t.expires_at > now,
        )
        for t in api_tokens(services, user.id)
    ]


@router.post("/tokens", status_code=201)
def create_token(body: TokenCreate, services: ServicesDep, user: UserDep) -> TokenCreated:
    token = issue_api_token(services, user.id, name=body.name, days=body.days)
    expires = max(api_tokens(services, user.id), key=lambda t: t.id).expires_at
    return TokenCreated(token=token, name=body.name.strip(), expires_at=expires)


@router.delete("/tokens/{token_id}", status_code=204)
def delete_token(token_id: int, services: ServicesDep, user: UserDep) -> Response:
    revoke_api_token(services, user.id, token_id)
    return Response(status_code=204)


__all__ = ["router"]
