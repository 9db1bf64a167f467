"""API tokens for scripts: exchange an email and password for a bearer token; who am I."""

from __future__ import annotations

from fastapi import APIRouter

from scheduler.services.accounts import authenticate, issue_api_token
from scheduler.web.deps import ServicesDep, UserDep
from scheduler.web.errors import NotAuthenticated
from scheduler.web.schemas import TokenRequest

router = APIRouter(tags=["auth"])


@router.post("/auth/token", status_code=201)
def create_token(body: TokenRequest, services: ServicesDep) -> dict[str, str]:
    """A new API token (shown once). Send it as `Authorization: Bearer <token>`."""
    user = authenticate(services, body.email, body.password)
    if user is None:
        raise NotAuthenticated
    return {"token": issue_api_token(services, user.id), "token_type": "bearer"}


@router.get("/me")
def me(user: UserDep) -> dict[str, object]:
    return {"id": user.id, "email": user.email}
