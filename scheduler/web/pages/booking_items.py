"""The action items on a counterpart's booked link (issue 17): read-only, except that the
counterpart marks their own items done.

    POST /book/{token}/items/{item_id}/done     mark one of your items done (with a note) → 303

`context` is what `booking.py` adds to the booked page (shown by `booking/_items.html`): the
meeting's items shared with the counterpart, and which of them are theirs to finish. Kept
apart from the booking page's own module so the two change independently.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form
from fastapi.responses import RedirectResponse, Response

from scheduler.core.actions import owner_of
from scheduler.services.actions import mark_done_by_contact, owned_by_counterpart, shared_items
from scheduler.services.context import Services
from scheduler.services.proposals import ProposalPage
from scheduler.services.requests import booked_link
from scheduler.web.deps import ServicesDep
from scheduler.web.pages.booking_items_i18n import ITEM_STRINGS
from scheduler.web.pages.forms import check_csrf

router = APIRouter(include_in_schema=False)


def context(services: Services, page: ProposalPage, lang: str) -> dict[str, object]:
    """The booked page's items section: rows of (item, owner name, theirs to mark done)."""
    mission, meeting = page.mission, page.meeting
    rows = []
    for item in shared_items(services, page.proposal.mission_id, meeting.id):
        owner = owner_of(mission, item.owner)
        theirs = any(owned_by_counterpart(mission, item, c) for c in meeting.counterparts)
        rows.append(
            {
                "item": item,
                "text": item.text_for(lang),
                "owner": owner.recipient.name if owner else "",
                "theirs": theirs and item.state == "open",
            }
        )
    return {"action_rows": rows, "it": ITEM_STRINGS["ja" if lang == "ja" else "en"]}


@router.post("/book/{token}/items/{item_id}/done", dependencies=[Depends(check_csrf)])
def mark_done(
    token: str,
    item_id: int,
    services: ServicesDep,
    note: Annotated[str, Form(max_length=2000)] = "",
    lang: Annotated[str, Form(max_length=10)] = "",
    tz: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    link = booked_link(services, token)  # NotFound for a wrong token: the 404 page
    p = link.page
    mark_done_by_contact(services, p.proposal.mission_id, p.meeting.id, p.meeting.counterparts, item_id, note)
    query = urlencode({k: v for k, v in {"lang": lang, "tz": tz, "item_done": "1"}.items() if v})
    return RedirectResponse(f"/book/{token}?{query}#action-items", status_code=303)


__all__ = ["context", "router"]
