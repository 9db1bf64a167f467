"""Rendering pages: one autoescaped Jinja2 environment over templates/pages, the CSRF cookie, errors.

Every page that has a form calls `render`, which makes sure the browser holds a CSRF cookie
and gives the template the matching token (`csrf_token`). Modules of other pages (issue 7's
coordinator pages) use the same `render` with their own templates under templates/pages/.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from scheduler.web.pages.i18n import pick_language, translate
from scheduler.web.security import CSRF_COOKIE, CSRF_FIELD, Signer

TEMPLATES = Path(__file__).resolve().parents[3] / "templates" / "pages"


@lru_cache(maxsize=4)
def environment(root: Path = TEMPLATES) -> Environment:
    return Environment(
        loader=FileSystemLoader(str(root)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(
    request: Request, template: str, context: dict[str, Any], *, status: int = 200, lang: str = "en"
) -> HTMLResponse:
    """The page `template` with `context`, the language's words as `t(key)`, and a CSRF token."""
    signer: Signer = request.app.state.signer
    cookie = request.cookies.get(CSRF_COOKIE)
    fresh = cookie is None
    if cookie is None:
        cookie = signer.new_csrf_cookie()
    values = {
        "lang": lang,
        "t": lambda key, **kw: translate(lang, key, **kw),
        "csrf_field": CSRF_FIELD,
        "csrf_token": signer.csrf_token(cookie),
        **context,
    }
    html = environment().get_template(template).render(values)
    response = HTMLResponse(html, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"  # the booking token is in the URL
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Content-Language"] = lang
    if fresh:
        settings = request.app.state.settings
        response.set_cookie(
            CSRF_COOKIE, cookie, httponly=True, samesite="lax", secure=settings.cookies_secure, path="/"
        )
    return response


def error_page(request: Request, status: int, key: str, *, lang: str | None = None) -> HTMLResponse:
    """A friendly page for an error, telling nothing else, in `lang` or the request's language
    (`language.error_language`: `?lang=`, the booking link's, `Accept-Language`).

    Behind a link that can no longer be used, "expired" and "conflict" say why it cannot
    (booked, replaced, declined, out of times, past its date) rather than guess.
    """
    from scheduler.web.pages.language import closed_key, error_language

    found, link = error_language(request)
    if key in ("expired", "conflict") and link is not None and not link.usable:
        key = closed_key(link)
    lang = pick_language(lang, found)
    response = render(request, "error.html", {"message_key": f"error_{key}"}, status=status, lang=lang)
    if link is None:
        response.headers["Vary"] = "Accept-Language"
    return response


__all__ = ["TEMPLATES", "environment", "error_page", "render"]
