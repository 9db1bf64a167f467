"""The coordinator's login page: GET/POST /login, POST /logout (session cookie, signed, HttpOnly)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from scheduler.services.accounts import User, authenticate
from scheduler.web.deps import ServicesDep, SettingsDep, SignerDep, optional_user
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
def login(
    request: Request,
    services: ServicesDep,
    signer: SignerDep,
    settings: SettingsDep,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1000)],
    next: Annotated[str, Form()] = "/login",
) -> Response:
    user = authenticate(services, email, password)
    if user is None:
        ctx = {"user": None, "next": _safe_next(next), "failed": True, "email": email}
        return render(request, "login.html", ctx, status=401)
    expires = services.clock.now() + timedelta(hours=settings.session_hours)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        signer.session_cookie(user.id, expires),
        max_age=settings.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        path="/",
    )
    return response


@router.post("/logout", dependencies=[Depends(check_csrf)])
def logout() -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
