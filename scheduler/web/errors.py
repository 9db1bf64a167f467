"""The only place that maps the program's errors to HTTP.

    ConfigError → 422   {"detail": "...", "errors": [{"field": "meetings[0].duration", "message": "..."}]}
    request validation (pydantic) → 422 in the same shape, the field being the JSON path
    NotFound → 404, Expired → 410, Conflict → 409, NotAuthenticated → 401 (API) or a redirect
    to /login (pages), BadCsrf → 403, Forbidden (a viewer's change) → 403, Throttled → 429 with
    Retry-After.

Under /api the answer is JSON; elsewhere (the booking page) a friendly HTML page that tells
nothing about any other proposal.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response

from scheduler.errors import ConfigError, Conflict, Expired, Forbidden, NotFound, Throttled


class NotAuthenticated(Exception):
    """No valid session cookie or bearer token."""


class BadCsrf(Exception):
    """A form came without the CSRF token of its own cookie."""


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api")


def _field(loc: tuple[Any, ...]) -> str:
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "form", "header", "cookie"):
        parts = parts[1:]
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "body"


def _page(request: Request, status: int, key: str) -> Response:
    from scheduler.web.pages.render import error_page

    return error_page(request, status, key)


def install(app: FastAPI) -> None:
    """Register the exception handlers on `app`."""

    @app.exception_handler(ConfigError)
    async def config_error(request: Request, exc: ConfigError) -> Response:
        errors = [{"field": p.path, "message": p.message} for p in exc.problems]
        if not _is_api(request):
            return _page(request, 422, "bad_input")
        return JSONResponse({"detail": str(exc), "errors": errors}, status_code=422)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {"field": _field(tuple(e.get("loc", ()))), "message": e.get("msg", "")} for e in exc.errors()
        ]
        if not _is_api(request):
            return _page(request, 422, "bad_input")
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return JSONResponse({"detail": detail, "errors": errors}, status_code=422)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        status = 410 if isinstance(exc, Expired) else 404
        if not _is_api(request):
            return _page(request, status, "expired" if status == 410 else "not_found")
        return JSONResponse({"detail": str(exc)}, status_code=status)

    @app.exception_handler(Conflict)
    async def conflict(request: Request, exc: Conflict) -> Response:
        if not _is_api(request):
            return _page(request, 409, "conflict")
        return JSONResponse({"detail": str(exc)}, status_code=409)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        if not _is_api(request):
            return _page(request, 403, "forbidden")
        return JSONResponse({"detail": str(exc)}, status_code=403)

    @app.exception_handler(Throttled)
    async def throttled(request: Request, exc: Throttled) -> Response:
        headers = {"Retry-After": str(exc.retry_after)}
        if not _is_api(request):
            response = _page(request, 429, "throttled")
            response.headers.update(headers)
            return response
        return JSONResponse({"detail": str(exc)}, status_code=429, headers=headers)

    @app.exception_handler(NotAuthenticated)
    async def not_authenticated(request: Request, exc: NotAuthenticated) -> Response:
        if _is_api(request):
            return JSONResponse(
                {"detail": "log in first: send Authorization: Bearer <token>"},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)

    @app.exception_handler(BadCsrf)
    async def bad_csrf(request: Request, exc: BadCsrf) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": "missing or wrong CSRF token"}, status_code=403)
        return _page(request, 403, "csrf")


__all__ = ["BadCsrf", "NotAuthenticated", "install"]
