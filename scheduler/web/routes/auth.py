"""API tokens for scripts: exchange an email and password for a bearer token; who am I.

The exchange goes through the same throttle as the login page (`services.logins.login`):
after a few wrong passwords it answers 429 with `Retry-After`, whatever the password.
"""

from __future__ import annotations

from fastapi import APIRouter, Request

from scheduler.services.accounts import TOKEN_DAYS, issue_api_token
from scheduler.services.logins import login
from scheduler.web.deps import AppServicesDep, UserDep, client_address
from scheduler.web.errors import NotAuthenticated
from scheduler.web.schemas import TokenRequest

router = APIRouter(tags=["auth"])


@router.post("/auth/token", status_code=201)
def create_token(body: TokenRequest, request: Request, services: AppServicesDep) -> dict[str, str]:
    """A new API token (shown once), valid 90 days. Send it as `Authorization: Bearer <token>`."""
    user = login(services, body.email, body.password, address=client_address(request))
    if user is None:
        raise NotAuthenticated
    token = issue_api_token(services, user.id, name="from /api/auth/token", days=TOKEN_DAYS)
    return {"token": token, "token_type": "bearer"}


@router.get("/me")
def me(user: UserDep) -> dict[str, object]:
    return {"id": user.id, "email": user.email}
