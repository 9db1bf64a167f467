"""The members section of a mission's overview page: its owner adds a member or changes a role.

POST /missions/{id}/members     email, role → back to the overview (owner only; 403 otherwise)
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form
from fastapi.responses import RedirectResponse, Response

from scheduler.services.members import set_member
from scheduler.web.access import OwnerDep
from scheduler.web.deps import ServicesDep
from scheduler.web.pages.forms import check_csrf

router = APIRouter(include_in_schema=False)


@router.post("/missions/{mission_id}/members", dependencies=[Depends(check_csrf)])
def add_member_form(
    mission_id: int,
    services: ServicesDep,
    _owner: OwnerDep,
    email: Annotated[str, Form(max_length=320)],
    role: Annotated[str, Form(max_length=10)],
    lang: Annotated[str, Form(max_length=10)] = "en",
) -> Response:
    set_member(services, mission_id, email, role)
    lang = lang if lang in ("en", "ja") else "en"
    return RedirectResponse(f"/missions/{mission_id}?done=member&lang={lang}#members", status_code=303)


__all__ = ["router"]
