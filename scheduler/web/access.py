"""The one access check of every mission-scoped route: is the caller a member, may their role do it?

How a route opts in (exactly one line):

* a whole router:  `router = APIRouter(dependencies=[MISSION_SCOPE])` (or pass it to
  `include_router`); the API's guarded router and the coordinator pages' router already do,
  so a route added to a module they include is checked without any line at all;
* one route:       `@router.get("/missions/{mission_id}/thing", dependencies=[MISSION_SCOPE])`,
  or a parameter `role: MissionRoleDep` when the route wants the caller's role.

The check reads `{mission_id}` from the path: a route with no such parameter passes through
(the list pages filter with `services.members.visible_missions` instead). An id that is not
a number gets 422 naming `mission_id`; a non-member, and an id too big for any mission, get
404 (the mission's existence is not told); a GET/HEAD needs "read", any other method "write"
(a viewer gets 403);
`OwnerDep` asks for "manage". `tests/web/test_mission_scope.py` walks every route of the app
whose path names a mission or a meeting and fails for one that lets a non-member in.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.params import Depends as DependsParam

from scheduler.core.access import Need, Role
from scheduler.errors import ConfigError, NotFound
from scheduler.services.accounts import User
from scheduler.services.members import require
from scheduler.web.deps import SAFE_METHODS, AppServicesDep, optional_user
from scheduler.web.errors import NotAuthenticated

_MAX_ID_DIGITS = 18  # below 2**63: a longer "id" names nothing (and must not overflow a query)


def mission_id_of(raw: object) -> int:
    """The mission id of a path segment: `ConfigError` (422) when it is not a whole number,
    `NotFound` when it is too big to name any mission."""
    text = str(raw)
    if not text.isascii() or not text.isdigit():
        raise ConfigError("must be a whole number", "mission_id")
    if len(text) > _MAX_ID_DIGITS:
        raise NotFound(f"no mission {text[:40]}…")
    return int(text)


def _scope(request: Request, services: AppServicesDep, user: User | None, need: Need | None) -> Role | None:
    raw = request.path_params.get("mission_id")
    if raw is None:
        return None
    if user is None:
        raise NotAuthenticated
    need = need or ("read" if request.method in SAFE_METHODS else "write")
    return require(services, user.id, mission_id_of(raw), need)


def mission_scope(
    request: Request, services: AppServicesDep, user: Annotated[User | None, Depends(optional_user)]
) -> Role | None:
    """The caller's role in the path's mission (None when the path names none)."""
    return _scope(request, services, user, None)


def mission_owner(
    request: Request, services: AppServicesDep, user: Annotated[User | None, Depends(optional_user)]
) -> Role | None:
    """As `mission_scope`, for what only an owner may do (membership)."""
    return _scope(request, services, user, "manage")


MISSION_SCOPE: DependsParam = Depends(mission_scope)
MissionRoleDep = Annotated[Role | None, Depends(mission_scope)]
OwnerDep = Annotated[Role | None, Depends(mission_owner)]

__all__ = ["MISSION_SCOPE", "MissionRoleDep", "OwnerDep", "mission_id_of", "mission_scope"]
