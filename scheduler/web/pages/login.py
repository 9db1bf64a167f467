"""The coordinator's login page: GET/POST /login, POST /logout.

A login starts a server-side session (`services.logins`): the HttpOnly cookie holds a random
value whose sha256 is the session's row. Logout deletes the row, so the old cookie stops
working at once. Wrong passwords are throttled per account and per address (429 with
Retry-After while a key must wait or is locked, the right password included).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from scheduler.services.accounts import User
from scheduler.services.logins import end_session, login, start_session
from scheduler.web.deps import AppServicesDep, SettingsDep, client_address, optional_user, session_rule
from scheduler.web.pages.forms import check_csrf
from scheduler.web.pages.i18n import pick_language
from scheduler.web.pages.render import render
from scheduler.web.security import SESSION_COOKIE

router = APIRouter(include_in_schema=False)


def _safe_next(value: str) -> str:
    # Only a path on this site: never redirect a coordinator elsewhere after login.
    return value if value.startswith("/") and not value.startswith("//") and "\\" not in value else "/login"


@router.get("/login")
def login_page(
    request: Request,
    user: Annotated[User | None, Depends(optional_user)],
    next: str = "/login",
    lang: str | None = None,
) -> Response:
    ctx = {"user": user, "next": _safe_next(next), "failed": False, "email": ""}
    return render(request, "login.html", ctx, lang=pick_language(lang))


@router.post("/login", dependencies=[Depends(check_csrf)])
def login_form(
    request: Request,
    services: AppServicesDep,
    settings: SettingsDep,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1000)],
    next: Annotated[str, Form()] = "/login",
) -> Response:
    user = login(services, email, password, address=client_address(request))
    if user is None:
        ctx = {"user": None, "next": _safe_next(next), "failed": True, "email": email}
        return render(request, "login.html", ctx, status=401)
    rule = session_rule(settings)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        start_session(services, user.id, rule),
        max_age=int(rule.absolute.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=settings.cookies_secure,
        path="/",
    )
    return response


@router.post("/logout", dependencies=[Depends(check_csrf)])
def logout(request: Request, services: AppServicesDep, settings: SettingsDep) -> Response:
    end_session(services, request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", secure=settings.cookies_secure, httponly=True)
    return response
