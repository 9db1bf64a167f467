"""The coordinator's pages (issue 7), gathered: every route here needs a login except the feeds."""

from __future__ import annotations

from fastapi import APIRouter

from scheduler.web.pages import (
    attention,
    coordinator,
    itinerary,
    meeting,
    meeting_items,
    organisations,
    overlap,
    report,
    webhooks,
)


def coordinator_pages() -> APIRouter:
    router = APIRouter()
    modules = (
        coordinator, overlap, itinerary, meeting, meeting_items, report, organisations, attention, webhooks,
    )  # fmt: skip
    for module in modules:
        router.include_router(module.router)
    return router


__all__ = ["coordinator_pages"]
