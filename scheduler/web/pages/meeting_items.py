"""The action-item forms of the meeting page (issue 17).

    POST /missions/{id}/meetings/{mid}/action-items        record an item (text, Japanese, owner, due date)
    POST /missions/{id}/meetings/{mid}/action-items/{n}    edit one: assign, move the date, done, dropped
    POST /missions/{id}/meetings/{mid}/follow-up           schedule a follow-up → its page, with the link

Like the meeting page's other forms: CSRF-checked, one use case, back to the page (303) with
`?done=…`, or the page again with the reason (422) when the input is refused.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from scheduler.errors import ConfigError, Conflict
from scheduler.services.actions import ItemChange, create_item, update_item
from scheduler.services.follow_ups import schedule_follow_up
from scheduler.web.deps import ServicesDep, UserDep
from scheduler.web.pages.forms import check_csrf
from scheduler.web.pages.i18n import pick_language
from scheduler.web.pages.meeting import Lang, back, refused, render_meeting

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=2000)]


def _date(value: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ConfigError(f"{value!r} is not a date like 2027-03-01", "due_date") from None


@router.post("/missions/{mission_id}/meetings/{meeting_id}/action-items", dependencies=[Depends(check_csrf)])
def add_item_page(
    request: Request,
    mission_id: int,
    meeting_id: str,
    services: ServicesDep,
    user: UserDep,
    text: Annotated[str, Form(min_length=1, max_length=2000)],
    text_ja: Text = "",
    owner: Annotated[str, Form(max_length=300)] = "",
    due_date: Annotated[str, Form(max_length=20)] = "",
    shared: Annotated[str, Form(max_length=5)] = "",
    lang: Lang = "en",
) -> Response:
    lang = pick_language(lang)
    try:
        create_item(
            services,
            mission_id,
            meeting_id,
            text=text,
            text_ja=text_ja,
            owner=owner,
            due_date=_date(due_date),
            shared=bool(shared),
            by=user.email,
        )
    except ConfigError as exc:
        return refused(request, services, user, mission_id, meeting_id, lang, exc)
    return back("", f"/missions/{mission_id}/meetings/{meeting_id}", "action_item", lang)


@router.post(
    "/missions/{mission_id}/meetings/{meeting_id}/action-items/{item_id}", dependencies=[Depends(check_csrf)]
)
def edit_item_page(
    request: Request,
    mission_id: int,
    meeting_id: str,
    item_id: int,
    services: ServicesDep,
    user: UserDep,
    text: Annotated[str, Form(min_length=1, max_length=2000)],
    text_ja: Text = "",
    owner: Annotated[str, Form(max_length=300)] = "",
    due_date: Annotated[str, Form(max_length=20)] = "",
    state: Annotated[str, Form(max_length=20)] = "open",
    note: Text = "",
    shared: Annotated[str, Form(max_length=5)] = "",
    lang: Lang = "en",
) -> Response:
    lang = pick_language(lang)
    try:
        day = _date(due_date)
        change = ItemChange(
            text=text,
            text_ja=text_ja,
            owner=owner,
            due=day,
            clear_due=day is None,
            state=state,
            note=note,
            shared=bool(shared),
        )
        update_item(services, mission_id, item_id, change, by=user.email)
    except (ConfigError, Conflict) as exc:
        return refused(request, services, user, mission_id, meeting_id, lang, exc)
    return back("", f"/missions/{mission_id}/meetings/{meeting_id}", "action_item_saved", lang)


@router.post("/missions/{mission_id}/meetings/{meeting_id}/follow-up", dependencies=[Depends(check_csrf)])
def follow_up_page(
    request: Request,
    mission_id: int,
    meeting_id: str,
    services: ServicesDep,
    user: UserDep,
    lang: Lang = "en",
) -> Response:
    """Make the follow-up and show its page, with the booking link once (as proposing does)."""
    lang = pick_language(lang)
    made = schedule_follow_up(services, mission_id, meeting_id)
    link = made.proposal.link if made.proposal else ""
    return render_meeting(
        request,
        services,
        user,
        mission_id,
        made.meeting.id,
        lang=lang,
        done="follow_up",
        link=link,
        error=made.reason,
    )


__all__ = ["router"]
