"""The coordinator's pages (issue 7), gathered: every route here with a `{mission_id}` needs a
member of that mission (`web.access.MISSION_SCOPE`); the calendar feeds, opened by their key,
are outside (`itinerary.feeds`)."""

from __future__ import annotations

from fastapi import APIRouter

from scheduler.web.access import MISSION_SCOPE
from scheduler.web.pages import (
    attention,
    coordinator,
    itinerary,
    meeting,
    meeting_items,
    members,
    organisations,
    overlap,
    report,
    webhooks,
)


def coordinator_pages() -> APIRouter:
    router = APIRouter(dependencies=[MISSION_SCOPE])
    modules = (
        coordinator,
        overlap,
        itinerary,
        meeting,
        meeting_items,
        report,
        organisations,
        attention,
        members,
        webhooks,
    )
    for module in modules:
        router.include_router(module.router)
    return router


__all__ = ["coordinator_pages"]
