"""The meeting page and the coordinator's actions on one meeting.

    GET  /missions/{id}/meetings/{mid}                    participants, agenda, proposals and
                                                          their options, emails and their delivery,
                                                          action items
    POST /missions/{id}/meetings/{mid}/propose            offer times (the link is shown once)
    POST /missions/{id}/meetings/{mid}/reschedule         move a booked meeting (start + zone)
    POST /missions/{id}/meetings/{mid}/cancel             cancel it (or withdraw its proposal)
    POST /missions/{id}/meetings/{mid}/action-items       record an action item  } meeting_items
    POST /missions/{id}/meetings/{mid}/action-items/{n}   edit one               }

Each POST checks the form's CSRF token, calls one use case, and goes back (303) to `next`
with `?done=…`; when the use case refuses (a conflict, a time that is not free), the meeting
page comes back with the reason and a 409 or 422.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from scheduler.core.actions import is_overdue, open_first, owner_choices
from scheduler.core.models import Mission
from scheduler.core.organisations import org_key
from scheduler.core.timing import ActionItem
from scheduler.core.zones import wall_to_utc
from scheduler.errors import ConfigError, Conflict, NotFound
from scheduler.services import cancel, propose, reschedule
from scheduler.services.accounts import User
from scheduler.services.context import Services
from scheduler.services.members import audit_trail
from scheduler.services.overlap_view import mission_zones
from scheduler.services.timed import list_action_items
from scheduler.services.views import booked_clashes, meeting_line, meeting_proposals
from scheduler.web.deps import ServicesDep, UserDep
from scheduler.web.pages.coordinator import safe_next
from scheduler.web.pages.coordinator_common import lang_of, load, meeting_emails, page
from scheduler.web.pages.coordinator_i18n import STRINGS
from scheduler.web.pages.forms import check_csrf
from scheduler.web.pages.i18n import pick_language
from scheduler.web.pages.stale_sources import stale_sources

router = APIRouter(include_in_schema=False)
DONE = ("propose", "reschedule", "cancel", "action_item", "action_item_saved", "follow_up", "plan")
MAIL_KINDS = frozenset(k for k in STRINGS["en"] if k.startswith("mail_kind_"))  # the kinds with a name


def _action_items(services: Services, mission_id: int, meeting_id: str) -> list[ActionItem]:
    # The action-item table belongs to the timed-work store (issue 6), read through its service.
    return list_action_items(services, mission_id, meeting_id)


def items_context(
    mission: Mission, items: list[ActionItem], now: datetime, meeting_id: str
) -> dict[str, Any]:
    """What the action-item section needs: the items (open first), who may own one, who is late."""
    owners = owner_choices(mission, meeting_id)
    return {
        "items": open_first(items),
        "owners": owners,
        "owner_names": dict(owners),
        "overdue": {i.id for i in items if is_overdue(mission, i, now)},
        "org_key": org_key,  # each counterpart links to its page across missions
    }


def render_meeting(
    request: Request,
    services: Services,
    user: User,
    mission_id: int,
    meeting_id: str,
    *,
    lang: str,
    done: str = "",
    error: str = "",
    link: str = "",
    dependents: tuple[str, ...] = (),
    status: int = 200,
) -> Response:
    data = load(services, mission_id)
    mission = data.mission
    try:
        meeting = mission.meeting(meeting_id)
    except KeyError:
        raise NotFound(f"no meeting {meeting_id!r} in mission {mission_id}") from None
    line = meeting_line(
        mission, meeting, data.statuses[meeting_id], data.proposals, data.now, statuses=data.statuses
    )
    proposals = meeting_proposals(data.proposals, meeting_id)
    # Every option time the page shows is checked against the bookings, withdrawn ones too:
    # the mark says why an option went, and catches one that should have gone and did not.
    option_clashes = {
        o.id: booked_clashes(mission, data.statuses, meeting_id, o.start)
        for p in proposals
        for o in p.options
    }
    ctx = {
        "user": user,
        "mission": mission,
        "mission_id": mission_id,
        "line": line,
        "m": meeting,
        "proposals": proposals,
        "option_clashes": option_clashes,
        "emails": meeting_emails(request.app.state.store, mission_id, meeting_id),
        "mail_kinds": MAIL_KINDS,
        **items_context(mission, _action_items(services, mission_id, meeting_id), data.now, meeting_id),
        "stale_sources": stale_sources(services, mission, mission_id, meeting.invited),
        "history": audit_trail(services, mission_id, meeting_id),
        "zones": mission_zones(mission),
        "done": done if done in DONE else "",
        "error": error,
        "link": link,
        "dependents": dependents,
        "here": f"/missions/{mission_id}/meetings/{meeting_id}",
        "active": "",
    }
    return page(request, "meeting.html", ctx, lang=lang, status=status)


@router.get("/missions/{mission_id}/meetings/{meeting_id}")
def meeting_page(
    request: Request,
    mission_id: int,
    meeting_id: str,
    services: ServicesDep,
    user: UserDep,
    done: str = "",
    dep: str = "",
) -> Response:
    dependents = tuple(d for d in dep.split(",") if d)[:50]
    return render_meeting(
        request,
        services,
        user,
        mission_id,
        meeting_id,
        lang=lang_of(request),
        done=done,
        dependents=dependents,
    )


def back(next: str, fallback: str, done: str, lang: str, dependents: tuple[str, ...] = ()) -> Response:
    back = safe_next(next, fallback)
    sep = "&" if "?" in back else "?"
    extra = f"&dep={','.join(dependents)}" if dependents else ""
    lang_part = "" if "lang=" in back else f"&lang={lang}"
    return RedirectResponse(f"{back}{sep}done={done}{lang_part}{extra}", status_code=303)


def refused(
    request: Request,
    services: Services,
    user: User,
    mission_id: int,
    meeting_id: str,
    lang: str,
    exc: Exception,
) -> Response:
    status = 422 if isinstance(exc, ConfigError) else 409
    return render_meeting(
        request, services, user, mission_id, meeting_id, lang=lang, error=str(exc), status=status
    )


Next = Annotated[str, Form(max_length=2000)]
Lang = Annotated[str, Form(max_length=10)]


@router.post("/missions/{mission_id}/meetings/{meeting_id}/propose", dependencies=[Depends(check_csrf)])
def propose_page(
    request: Request,
    mission_id: int,
    meeting_id: str,
    services: ServicesDep,
    user: UserDep,
    lang: Lang = "en",
) -> Response:
    lang = pick_language(lang)
    try:
        created = propose(services, mission_id, meeting_id)
    except (Conflict, ConfigError) as exc:
        return refused(request, services, user, mission_id, meeting_id, lang, exc)
    # The link holds the raw token: shown once on this answer, never put in a redirect URL.
    return render_meeting(
        request, services, user, mission_id, meeting_id, lang=lang, done="propose", link=created.link
    )


@router.post("/missions/{mission_id}/meetings/{meeting_id}/reschedule", dependencies=[Depends(check_csrf)])
def reschedule_page(
    request: Request,
    mission_id: int,
    meeting_id: str,
    services: ServicesDep,
    user: UserDep,
    start: Annotated[str, Form(max_length=40)],
    zone: Annotated[str, Form(max_length=100)],
    next: Next = "",
    lang: Lang = "en",
) -> Response:
    lang = pick_language(lang)
    try:
        data = load(services, mission_id)
        if zone not in mission_zones(data.mission):
            raise ConfigError(f"{zone!r} is not a zone of this mission", "zone")
        try:
            wall = datetime.fromisoformat(start)
        except ValueError:
            raise ConfigError(f"{start!r} is not a date and time like 2027-02-16T19:00", "start") from None
        instant = wall_to_utc(wall.date(), wall.hour * 60 + wall.minute, zone)
        result = reschedule(services, mission_id, meeting_id, instant)
    except (Conflict, ConfigError) as exc:
        return refused(request, services, user, mission_id, meeting_id, lang, exc)
    fallback = f"/missions/{mission_id}/meetings/{meeting_id}"
    return back(next, fallback, "reschedule", lang, result.dependents)


@router.post("/missions/{mission_id}/meetings/{meeting_id}/cancel", dependencies=[Depends(check_csrf)])
def cancel_page(
    request: Request,
    mission_id: int,
    meeting_id: str,
    services: ServicesDep,
    user: UserDep,
    next: Next = "",
    lang: Lang = "en",
) -> Response:
    lang = pick_language(lang)
    try:
        result = cancel(services, mission_id, meeting_id)
    except (Conflict, ConfigError) as exc:
        return refused(request, services, user, mission_id, meeting_id, lang, exc)
    return back(next, f"/missions/{mission_id}/meetings/{meeting_id}", "cancel", lang, result.dependents)


__all__ = ["Lang", "Next", "back", "items_context", "refused", "render_meeting", "router"]
