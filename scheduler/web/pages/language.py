"""Which language a page answers in when nothing else decided it: error pages, mostly.

A counterpart's booking link has a language, its contact's (the emails were in it). Any page
behind the link answers in it, its error pages too: an expired or used link says so in
Japanese to a Japanese contact. A token that names nothing has no language of its own; the
browser's `Accept-Language` then decides. An explicit `?lang=` wins over both.

    lang, link = error_language(request)
"""

from __future__ import annotations

import re

from fastapi import Request

from scheduler.errors import NotFound
from scheduler.services import proposal_page
from scheduler.services.proposals import ProposalPage
from scheduler.web.pages.booking_view import link_language
from scheduler.web.pages.i18n import LANGUAGES

BOOKING_PATH = re.compile(r"^/book/([A-Za-z0-9_-]{1,100})(?:/|$)")
# Why an unusable link's page says what it says: the proposal's status → the message's key.
CLOSED_BECAUSE = {
    "booked": "used",
    "declined": "declined",
    "superseded": "superseded",
    "cancelled": "cancelled",
    "exhausted": "exhausted",
}


def accepted(header: str | None) -> str | None:
    """The first of our languages in an `Accept-Language` header, by its weights; None if none.

    >>> accepted("fr-CA, ja-JP;q=0.8, en;q=0.5")
    'ja'
    """
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate((header or "").split(",")):
        code, _, params = part.strip().partition(";")
        weight = 1.0
        found = re.search(r"q\s*=\s*([0-9.]+)", params)
        if found:
            try:
                weight = float(found.group(1))
            except ValueError:
                continue
        base = code.strip().split("-")[0].lower()
        if base in LANGUAGES and weight > 0:
            ranked.append((-weight, i, base))
    return min(ranked)[2] if ranked else None


def link_page(request: Request) -> ProposalPage | None:
    """The proposal behind the booking link the request is for, if it is one that exists."""
    found = BOOKING_PATH.match(request.url.path)
    if found is None:
        return None
    try:
        return proposal_page(request.app.state.services, found.group(1))
    except NotFound:
        return None


def error_language(request: Request) -> tuple[str, ProposalPage | None]:
    """The language of an error page: `?lang=`, else the link's, else `Accept-Language`, else English."""
    link = link_page(request)
    asked = (request.query_params.get("lang") or "").replace("_", "-").split("-")[0].lower()
    if asked in LANGUAGES:
        return asked, link
    if link is not None:
        return link_language(link), link
    return accepted(request.headers.get("accept-language")) or "en", None


def closed_key(page: ProposalPage) -> str:
    """The error message's key for a link that can no longer be used, by why."""
    if page.proposal.status == "open":
        return "expired_time"  # open, but past its expiry
    return CLOSED_BECAUSE.get(page.proposal.status, "expired")


__all__ = ["accepted", "closed_key", "error_language", "link_page"]
