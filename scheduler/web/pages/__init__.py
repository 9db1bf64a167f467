"""HTML pages, one module per page group; `pages_router()` gathers them.

Issue 7's coordinator pages add their modules here (and templates under templates/pages/),
using `render.render` for the CSRF token and `deps.UserDep` for the login.
"""

from __future__ import annotations

from fastapi import APIRouter

from scheduler.web.pages import booking, booking_items, itinerary, login
from scheduler.web.pages.coordinator_routes import coordinator_pages


def pages_router() -> APIRouter:
    router = APIRouter()
    router.include_router(login.router)
    router.include_router(booking.router)
    router.include_router(booking_items.router)  # issue 17: the counterpart's action items
    router.include_router(itinerary.feeds)  # calendar feeds: opened by their key, not a login
    router.include_router(coordinator_pages())  # issue 7: overview, overlap, itinerary, meeting
    return router


__all__ = ["pages_router"]
