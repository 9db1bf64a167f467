"""The coordinator's mission pages: the list of missions, the overview, re-planning, the CSS.

    GET  /missions                      every mission
    GET  /missions/{id}                 the overview (filters: ?state=&delegate=&counterpart=&lang=)
    POST /missions/{id}/plan            run the planner (booked meetings stay), back to the overview
    GET  /static/coordinator.css        the pages' stylesheet (no build step)
    GET  /static/coordinator.js         their progressive enhancement (the overlap grid's keys)

The overlap, itinerary and meeting pages are in `overlap`, `itinerary` and `meeting`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from scheduler.services import plan
from scheduler.services.members import members, visible_missions
from scheduler.services.views import STATES, meeting_lines, state_counts
from scheduler.web.access import MissionRoleDep
from scheduler.web.deps import ServicesDep, UserDep
from scheduler.web.pages.coordinator_common import css_path, lang_of, load, page, query
from scheduler.web.pages.forms import check_csrf

router = APIRouter(include_in_schema=False)

PLAN_SECONDS = 10.0


def safe_next(value: str, fallback: str) -> str:
    """Only a path on this site (never another host) to go back to after a form."""
    ok = value.startswith("/") and not value.startswith("//") and "\\" not in value
    return value if ok else fallback


@router.get("/static/coordinator.css")
def stylesheet() -> Response:
    return FileResponse(css_path(), media_type="text/css", headers={"Cache-Control": "max-age=300"})


@router.get("/static/coordinator.js")
def script() -> Response:
    """The pages' progressive enhancement (the overlap grid's keyboard); they work without it."""
    return FileResponse(
        css_path().with_suffix(".js"), media_type="text/javascript", headers={"Cache-Control": "max-age=300"}
    )


@router.get("/missions")
def missions(request: Request, services: ServicesDep, user: UserDep) -> Response:
    mine = visible_missions(services, user.id)
    with services.uow() as uow:
        rows = [(mid, uow.mission(mid)) for mid in mine]
    lang = lang_of(request)
    return page(request, "missions.html", {"user": user, "missions": rows}, lang=lang)


@router.get("/missions/{mission_id}")
def overview(
    request: Request,
    mission_id: int,
    services: ServicesDep,
    user: UserDep,
    role: MissionRoleDep,
    state: str = "",
    delegate: str = "",
    counterpart: str = "",
    done: str = "",
    dep: str = "",
) -> Response:
    data = load(services, mission_id)
    m = data.mission
    state = state if state in STATES else ""
    delegate = delegate if delegate in {p.id for p in m.delegates} else ""
    counterpart = counterpart if counterpart in {p.id for p in m.counterparts} else ""
    lines = meeting_lines(
        m, data.statuses, data.proposals, data.now, state=state, delegate=delegate, counterpart=counterpart
    )
    lang = lang_of(request)
    ctx = {
        "user": user,
        "mission": m,
        "mission_id": mission_id,
        "lines": lines,
        "counts": state_counts(m, data.statuses, data.now),
        "states": STATES,
        "filters": {"state": state, "delegate": delegate, "counterpart": counterpart},
        "done": done if done in ("plan", "propose", "reschedule", "cancel", "member") else "",
        "here": query(request.url.path, state=state, delegate=delegate, counterpart=counterpart, lang=lang),
        "active": "overview",
        "dependents": tuple(d for d in dep.split(",") if d in {x.id for x in m.meetings}),
        "role": role,
        "members": members(services, mission_id) if role == "owner" else [],
    }
    return page(request, "overview.html", ctx, lang=lang)


@router.post("/missions/{mission_id}/plan", dependencies=[Depends(check_csrf)])
def replan(
    mission_id: int,
    services: ServicesDep,
    user: UserDep,
    next: Annotated[str, Form()] = "",
    lang: Annotated[str, Form()] = "en",
) -> Response:
    plan(services, mission_id, time_limit=PLAN_SECONDS)
    back = safe_next(next, f"/missions/{mission_id}")
    sep = "&" if "?" in back else "?"
    return RedirectResponse(f"{back}{sep}done=plan", status_code=303)


__all__ = ["router", "safe_next"]
