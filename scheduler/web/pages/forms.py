"""The CSRF check of every page form (a signed double submit; see `web.security`)."""

from __future__ import annotations

from fastapi import Request

from scheduler.web.errors import BadCsrf
from scheduler.web.security import CSRF_COOKIE, CSRF_FIELD, Signer


async def check_csrf(request: Request) -> None:
    """Dependency for POST pages: the form's token must be the signature of this browser's cookie."""
    form = await request.form()
    token = form.get(CSRF_FIELD)
    signer: Signer = request.app.state.signer
    if not signer.csrf_ok(request.cookies.get(CSRF_COOKIE), token if isinstance(token, str) else None):
        raise BadCsrf
