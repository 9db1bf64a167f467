"""Dependencies of the routes, as `Annotated` aliases: the services, the signer, the current user.

`ServicesDep` is the app's services acting for the logged-in coordinator: every change made
through it is recorded in the audit trail under their email (`store.audit`).
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Annotated

from fastapi import Depends, Request

from scheduler.services.accounts import User, user_for_token
from scheduler.services.context import Services
from scheduler.services.logins import SessionRule, session_user
from scheduler.web.errors import BadCsrf, NotAuthenticated
from scheduler.web.security import CSRF_COOKIE, SESSION_COOKIE, Signer
from scheduler.web.settings import WebSettings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def app_services(request: Request) -> Services:
    """The app's services, acting for nobody (booking links, logins, the checks themselves)."""
    return request.app.state.services  # type: ignore[no-any-return]


def get_signer(request: Request) -> Signer:
    return request.app.state.signer  # type: ignore[no-any-return]


def get_settings(request: Request) -> WebSettings:
    return request.app.state.settings  # type: ignore[no-any-return]


AppServicesDep = Annotated[Services, Depends(app_services)]
SignerDep = Annotated[Signer, Depends(get_signer)]
SettingsDep = Annotated[WebSettings, Depends(get_settings)]


def client_address(request: Request) -> str:
    """The peer's address, for the login throttle. Forwarded headers are not trusted: behind a
    reverse proxy, run uvicorn with --proxy-headers so that this is the real client."""
    return request.client.host if request.client is not None else "unknown"


def session_rule(settings: WebSettings) -> SessionRule:
    from datetime import timedelta

    return SessionRule(
        idle=timedelta(minutes=settings.session_idle_minutes),
        absolute=timedelta(hours=settings.session_hours),
    )


def optional_user(
    request: Request, services: AppServicesDep, signer: SignerDep, settings: SettingsDep
) -> User | None:
    """The user of a live bearer token or of a live page session, else None."""
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
        return session_user(services, cookie, session_rule(settings))
    return None


def current_user(user: Annotated[User | None, Depends(optional_user)]) -> User:
    """The logged-in coordinator; `NotAuthenticated` (401 / redirect to /login) otherwise."""
    if user is None:
        raise NotAuthenticated
    return user


UserDep = Annotated[User, Depends(current_user)]


def acting_as(services: Services, actor: str) -> Services:
    """`services` whose units of work name `actor` in the audit trail."""
    return replace(services, uow=partial(services.uow, actor=actor))  # type: ignore[call-arg]


def get_services(request: Request, user: Annotated[User | None, Depends(optional_user)]) -> Services:
    """The app's services, acting for the logged-in coordinator when there is one."""
    services: Services = request.app.state.services
    return services if user is None else acting_as(services, user.email)


ServicesDep = Annotated[Services, Depends(get_services)]

__all__ = [
    "AppServicesDep",
    "ServicesDep",
    "SettingsDep",
    "SignerDep",
    "UserDep",
    "acting_as",
    "app_services",
    "client_address",
    "current_user",
    "get_services",
    "optional_user",
    "session_rule",
]
