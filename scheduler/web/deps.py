"""Dependencies of the routes, as `Annotated` aliases: the services, the signer, the current user."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request

from scheduler.services.accounts import User, user_by_id, user_for_token
from scheduler.services.context import Services
from scheduler.web.errors import BadCsrf, NotAuthenticated
from scheduler.web.security import CSRF_COOKIE, SESSION_COOKIE, Signer
from scheduler.web.settings import WebSettings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


def get_signer(request: Request) -> Signer:
    return request.app.state.signer  # type: ignore[no-any-return]


def get_settings(request: Request) -> WebSettings:
    return request.app.state.settings  # type: ignore[no-any-return]


ServicesDep = Annotated[Services, Depends(get_services)]
SignerDep = Annotated[Signer, Depends(get_signer)]
SettingsDep = Annotated[WebSettings, Depends(get_settings)]


def optional_user(request: Request, services: ServicesDep, signer: SignerDep) -> User | None:
    """The user of a bearer token or of a valid session cookie, else None."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return user_for_token(services, header[7:].strip())
    cookie = request.cookies.get(SESSION_COOKIE)
    # A cookie rides along with cross-site requests: a changing API call by cookie must also
    # carry the CSRF token in X-CSRF-Token (pages' forms check theirs in `pages.forms`).
    changing_api = request.method not in SAFE_METHODS and request.url.path.startswith("/api")
    if (
        cookie
        and changing_api
        and not signer.csrf_ok(request.cookies.get(CSRF_COOKIE), request.headers.get("x-csrf-token"))
    ):
        raise BadCsrf
    if cookie:
        now: datetime = services.clock.now()
        user_id = signer.session_user(cookie, now)
        if user_id is not None:
            return user_by_id(services, user_id)
    return None


def current_user(user: Annotated[User | None, Depends(optional_user)]) -> User:
    """The logged-in coordinator; `NotAuthenticated` (401 / redirect to /login) otherwise."""
    if user is None:
        raise NotAuthenticated
    return user


UserDep = Annotated[User, Depends(current_user)]

__all__ = [
    "ServicesDep",
    "SettingsDep",
    "SignerDep",
    "UserDep",
    "current_user",
    "get_services",
    "optional_user",
]
