"""The booking page behind a counterpart's link: /book/{token}.

    GET  /book/{token}             the options (or the booking, or the thanks), ?lang=en|ja&tz=Zone
    POST /book/{token}/pick        book one option (with added attendees)        → 303, or 409 + what is open
    POST /book/{token}/decline     none of these work: a note and hour cells     → 303
    POST /book/{token}/change      a booked link asks to reschedule or cancel    → 303
    GET  /book/{token}/invite.ics  the booked meeting's invitation

Works without JavaScript; every form carries the CSRF token. A wrong token is a 404 page, an
expired or closed link a 410 page, neither showing anything of any proposal. Every page behind
a link speaks the link's language (its contact's) unless `?lang=` (or the form's) asks for
another; an unknown token's page follows `Accept-Language` (see `language`).

A pick that comes too late (a stale page: the time was taken by another booking or withdrawn,
a colleague booked the meeting meanwhile, the proposal was replaced) answers 409 with what
happened and what is still open on the same link, or 410 when the link no longer offers any.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from scheduler.core.models import Contact
from scheduler.errors import ConfigError, Conflict, Expired, NotFound
from scheduler.ical.invite import build_invitation, meeting_uid
from scheduler.ical.people import Attendee
from scheduler.mail.timefmt import local_moment
from scheduler.services import ProposalPage, book, decline, proposal_page
from scheduler.services.context import Services
from scheduler.services.negotiation import possible_starts
from scheduler.services.requests import booked_link, request_change
from scheduler.services.views import booked_clashes
from scheduler.web.deps import ServicesDep
from scheduler.web.pages import booking_items
from scheduler.web.pages import booking_view as view
from scheduler.web.pages.forms import check_csrf
from scheduler.web.pages.i18n import pick_language
from scheduler.web.pages.render import error_page, render

router = APIRouter(include_in_schema=False)
MAX_GUESTS = 3
EMAIL_SHAPE = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def _back(token: str, lang: str | None, tz: str | None, **extra: str) -> RedirectResponse:
    asked = {"lang": lang, "tz": tz, **extra}
    query = urlencode({k: v for k, v in asked.items() if v})
    return RedirectResponse(f"/book/{token}?{query}", status_code=303)


def _options_page(
    request: Request,
    services: ServicesDep,
    token: str,
    lang: str | None,
    tz: str | None,
    *,
    status: int = 200,
    notice: str = "",
    error: str = "",
) -> Response:
    link = booked_link(services, token)
    page = link.page
    v = view.viewer(page, lang, tz)
    ctx: dict[str, object] = {
        "token": token,
        "v": v,
        "mission": page.mission,
        "meeting": page.meeting,
        "people": view.people(page.mission, page),
        "zones": view.zones_for(page.mission, v.counterpart_tz),
        "notice": notice,
        "error": error,
        "city": lambda z: view.city(z, v.lang),
    }
    if page.proposal.status == "booked" and link.booking is not None:
        ctx["booking"] = view.when(link.booking.start, link.booking.end, v)
        ctx["change_sent"] = request.query_params.get("sent") == "1"
        ctx.update(
            booking_items.context(services, page, v.lang),
            item_done=request.query_params.get("item_done") == "1",
        )
        return render(request, "booking/booked.html", ctx, status=status, lang=v.lang)
    if page.proposal.status == "declined":
        return render(request, "booking/declined.html", ctx, status=status, lang=v.lang)
    if not page.usable:
        raise Expired(page.why or "closed")  # the error page says why, in the link's language
    open_, gone = view.options(page, v)
    ctx.update(
        organisations=[(pid, page.mission.participant(pid).name) for pid in page.meeting.counterparts],
        open_options=open_,
        gone_options=gone,
        grid=view.grid(_possible(services, page), v),
        expires=local_moment(page.proposal.expires_at, v.tz, v.lang, with_year=True),
    )
    return render(request, "booking/options.html", ctx, status=status, lang=v.lang)


def _possible(services: Services, page: ProposalPage) -> list[datetime]:
    earliest = services.clock.now() + services.settings.min_notice
    return possible_starts(page.mission, page.meeting.id, earliest)


@router.get("/book/{token}")
def booking_page(
    request: Request, token: str, services: ServicesDep, lang: str | None = None, tz: str | None = None
) -> Response:
    return _options_page(request, services, token, lang, tz)


def _guests(names: list[str], emails: list[str], lang: str) -> list[Contact]:
    import re

    out = []
    for i, (name, email) in enumerate(zip(names, emails, strict=False)):
        name, email = name.strip(), email.strip()
        if not name and not email:
            continue
        if i >= MAX_GUESTS or not name or not re.match(EMAIL_SHAPE, email) or len(email) > 320:
            raise ConfigError(name or email, f"guest_email[{i}]")
        out.append(Contact(name=name[:300], email=email, language=lang))
    return out


@router.post("/book/{token}/pick", dependencies=[Depends(check_csrf)])
def pick(
    request: Request,
    token: str,
    services: ServicesDep,
    option_id: Annotated[int, Form()],
    lang: Annotated[str | None, Form(max_length=10)] = None,
    tz: Annotated[str | None, Form(max_length=64)] = None,
    guest_name: Annotated[list[str] | None, Form()] = None,
    guest_email: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Book the option: one transaction (services.book). Taken meanwhile → 409 with what is still open."""
    try:
        guests = _guests(guest_name or [], guest_email or [], lang or "en")
    except ConfigError as exc:
        from scheduler.web.pages.i18n import translate

        msg = translate(pick_language(lang), "bad_email", name=exc.problems[0].message)
        return _options_page(request, services, token, lang, tz, status=422, error=msg)
    try:
        book(services, token, option_id, attendees=guests)
    except (Conflict, Expired):
        return _too_late(request, services, token, option_id, lang, tz)
    return _back(token, lang, tz, booked="1")


def _too_late(
    request: Request, services: ServicesDep, token: str, option_id: int, lang: str | None, tz: str | None
) -> Response:
    """The pick lost to what happened since the page was loaded: say what, and what is still open."""
    link = booked_link(services, token)
    page = link.page
    lang = pick_language(lang, view.link_language(page))
    if page.proposal.status == "booked" and link.booking is not None:  # a colleague was quicker
        return _options_page(request, services, token, lang, tz, status=409, notice="booked_meanwhile")
    if not page.usable:
        status = 409 if page.proposal.status == "exhausted" else 410
        return error_page(request, status, "expired", lang=lang)
    try:
        picked = page.proposal.option(option_id)
    except KeyError:
        raise NotFound(f"option {option_id} is not one of this link's options") from None
    with services.uow() as uow:
        statuses = uow.meeting_statuses(page.proposal.mission_id)
    # "Taken" only when a booking really holds that time now; otherwise the organizers withdrew it.
    taken = booked_clashes(page.mission, statuses, page.meeting.id, picked.start)
    why = "taken" if taken or picked.status == "open" else "withdrawn"
    return _options_page(request, services, token, lang, tz, status=409, error=why)


@router.post("/book/{token}/decline", dependencies=[Depends(check_csrf)])
def none_work(
    request: Request,
    token: str,
    services: ServicesDep,
    note: Annotated[str, Form(max_length=2000)] = "",
    free: Annotated[list[str] | None, Form()] = None,
    counterpart: Annotated[str | None, Form(max_length=100)] = None,
    lang: Annotated[str | None, Form(max_length=10)] = None,
    tz: Annotated[str | None, Form(max_length=64)] = None,
) -> Response:
    """None of the options work: the note and the ticked hour cells go to the coordinator.

    The link is one per proposal, sent to the contacts of every counterpart of the meeting, so
    the times ticked become the availability of the organisation the person says they answer
    for (`counterpart`, asked on the form when the meeting has several); with one, it is that one.
    """
    page = proposal_page(services, token)
    # Only cells the page offered (times the delegates could meet) are taken back.
    offered = view.offered_cells(_possible(services, page), view.viewer(page, lang, tz))
    spans = []
    for i, value in enumerate(free or []):
        try:
            start = datetime.fromisoformat(value)
        except ValueError:
            raise ConfigError(f"{value!r} is not a time", f"free[{i}]") from None
        if start.tzinfo is None:
            raise ConfigError(f"{value!r} has no offset", f"free[{i}]")
        if start.isoformat() not in offered:
            raise ConfigError(f"{value!r} is not one of the times this page offered", f"free[{i}]")
        spans.append((start, start + timedelta(hours=1)))
    sides = page.meeting.counterparts
    if len(sides) == 1:
        side: str | None = sides[0]
    elif counterpart in sides:
        side = counterpart
    elif not spans and not counterpart:
        side = None  # a note alone is the proposal's, not one organisation's availability
    else:
        from scheduler.web.pages.i18n import translate

        msg = translate(pick_language(lang), "pick_organisation")
        return _options_page(request, services, token, lang, tz, status=422, error=msg)
    decline(services, token, note=note, available=spans, counterpart_id=side)
    return _back(token, lang, tz)


@router.post("/book/{token}/change", dependencies=[Depends(check_csrf)])
def ask_change(
    token: str,
    services: ServicesDep,
    kind: Annotated[str, Form()],
    note: Annotated[str, Form(max_length=2000)] = "",
    lang: Annotated[str | None, Form(max_length=10)] = None,
    tz: Annotated[str | None, Form(max_length=64)] = None,
) -> Response:
    request_change(services, token, kind, note)  # type: ignore[arg-type]  # checked inside
    return _back(token, lang, tz, sent="1")


@router.get("/book/{token}/invite.ics")
def invitation(token: str, services: ServicesDep) -> Response:
    """The booked meeting's invitation, the same calendar object the emails carry."""
    link = booked_link(services, token)
    if link.booking is None:
        raise Expired("nothing is booked through this link")
    page, b = link.page, link.booking
    side = page.mission.participant(page.meeting.counterparts[0]) if page.meeting.counterparts else None
    guests = [
        Attendee(name=c.name, email=c.email, language=c.language, timezone=side.timezone if side else "UTC")
        for c in b.attendees
    ]
    ics = build_invitation(
        page.mission,
        page.meeting,
        b.start,
        method="REQUEST",
        sequence=b.sequence,
        dtstamp=services.clock.now(),
        uid=meeting_uid(page.mission, page.meeting.id),
        resources=page.meeting.resources,
        extra_attendees=guests,
    )
    return Response(
        ics,
        media_type="text/calendar; charset=utf-8; method=REQUEST",
        headers={"Content-Disposition": f'attachment; filename="{page.meeting.id}.ics"'},
    )
