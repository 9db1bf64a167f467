"""The coordinator API, one module per resource; every router here requires a logged-in user,
and every route with a `{mission_id}` a member of that mission (`web.access.MISSION_SCOPE`)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from scheduler.web.access import MISSION_SCOPE
from scheduler.web.deps import current_user
from scheduler.web.routes import (
    action_items,
    actions,
    attention,
    auth,
    bookings,
    find_times,
    follow_ups,
    meetings,
    members,
    missions,
    participants,
    plan,
    proposals,
    resources,
    tokens,
    webhooks,
)


def api_router() -> APIRouter:
    """Every /api route; all but the token exchange need a login."""
    api = APIRouter(prefix="/api")
    api.include_router(auth.router)
    api.include_router(tokens.router)  # named, expiring, revocable API tokens (issue 12)
    guarded = APIRouter(dependencies=[Depends(current_user), MISSION_SCOPE])
    for module in (
        missions,
        participants,
        meetings,
        resources,
        find_times,
        plan,
        proposals,
        bookings,
        attention,
    ):
        guarded.include_router(module.router)
    guarded.include_router(actions.router)  # timing, timed work (issue 6)
    guarded.include_router(action_items.router)  # action items (issues 6 and 17)
    guarded.include_router(follow_ups.router)  # issue 17
    guarded.include_router(members.router)  # members and the audit trail (issue 12)
    guarded.include_router(webhooks.router)  # issue 16
    api.include_router(guarded)
    return api


__all__ = ["api_router"]
