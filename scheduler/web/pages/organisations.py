"""Organisations remember (issue 17): one page per counterpart organisation, across missions.

GET /organisations           every organisation any mission met or means to meet
GET /organisations/{key}     its meetings in every mission (state, times, people, purpose,
                             outcome), its action items and their state, the next step
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from scheduler.report.text import person, times
from scheduler.services.members import visible_missions
from scheduler.services.organisations import organisation_history, organisations
from scheduler.web.deps import ServicesDep, UserDep
from scheduler.web.pages.coordinator_common import lang_of, page

router = APIRouter(include_in_schema=False)


@router.get("/organisations")
def organisations_page(request: Request, services: ServicesDep, user: UserDep) -> Response:
    mine = visible_missions(services, user.id)
    ctx = {
        "user": user,
        "mission": None,
        "mission_id": 0,
        "orgs": organisations(services, missions=mine),
        "active": "",
    }
    return page(request, "organisations.html", ctx, lang=lang_of(request))


@router.get("/organisations/{key}")
def organisation_page(request: Request, key: str, services: ServicesDep, user: UserDep) -> Response:
    ctx = {
        "user": user,
        "mission": None,
        "mission_id": 0,
        "org": organisation_history(services, key, missions=visible_missions(services, user.id)),
        "times": times,
        "person": person,
        "active": "",
    }
    return page(request, "organisation.html", ctx, lang=lang_of(request))


__all__ = ["router"]
