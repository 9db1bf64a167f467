"""What the coordinator's pages share: loading a mission's state, rendering with their words
and formatters, the emails of a meeting, and the secret of each delegate's feed URL.

The pages are read-mostly: a GET opens one read transaction, builds a read model from
`scheduler.services.views` (and `overlap_view`, `itinerary_view`) and renders it. Forms post
to page routes that call the use cases of `scheduler.services` and redirect back (303).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from babel.dates import format_date
from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from scheduler.core.bookings import MeetingStatus, Proposal
from scheduler.core.models import Mission
from scheduler.core.zones import to_local
from scheduler.mail.timefmt import abbreviation, city, local_moment, local_range
from scheduler.services.context import Services
from scheduler.store.engine import Store
from scheduler.store.tables import OutboxRow
from scheduler.web.pages.coordinator_i18n import translate
from scheduler.web.pages.i18n import pick_language
from scheduler.web.pages.render import TEMPLATES, render
from scheduler.web.security import Signer

STATIC = TEMPLATES.parent / "static"  # templates/static: plain CSS and JS, no build step
CSS = STATIC / "coordinator.css"


@dataclass(frozen=True, kw_only=True)
class Loaded:
    """One mission as committed, read in one transaction."""

    mission_id: int
    mission: Mission
    statuses: dict[str, MeetingStatus]
    proposals: list[Proposal]
    now: datetime


def load(services: Services, mission_id: int) -> Loaded:
    """The mission, its meetings' statuses and its proposals. `NotFound` for an unknown id."""
    with services.uow() as uow:
        mission = uow.mission(mission_id)
        statuses = uow.meeting_statuses(mission_id)
        proposals = uow.proposals(mission_id)
    return Loaded(
        mission_id=mission_id,
        mission=mission,
        statuses=statuses,
        proposals=proposals,
        now=services.clock.now(),
    )


@dataclass(frozen=True, kw_only=True)
class SentEmail:
    """One message of a meeting in the outbox, with its delivery state."""

    kind: str
    recipients: tuple[str, ...]
    subject: str
    status: str  # queued | sent | failed
    attempts: int
    created_at: datetime
    sent_at: datetime | None
    last_error: str


def meeting_emails(store: Store, mission_id: int, meeting_id: str) -> list[SentEmail]:
    """The outbox's messages about one meeting, oldest first (the raw message is not read)."""
    query = (
        select(
            OutboxRow.kind,
            OutboxRow.recipients,
            OutboxRow.subject,
            OutboxRow.status,
            OutboxRow.attempts,
            OutboxRow.created_at,
            OutboxRow.sent_at,
            OutboxRow.last_error,
        )
        .where(OutboxRow.mission_id == mission_id, OutboxRow.meeting_id == meeting_id)
        .order_by(OutboxRow.created_at, OutboxRow.id)
    )
    with store.unit_of_work(write=False) as uow:
        rows = uow.session.execute(query).all()
    return [
        SentEmail(
            kind=r.kind,
            recipients=tuple(r.recipients),
            subject=r.subject,
            status=r.status,
            attempts=r.attempts,
            created_at=r.created_at,
            sent_at=r.sent_at,
            last_error=r.last_error,
        )
        for r in rows
    ]


def feed_key(signer: Signer, mission_id: int, participant_id: str) -> str:
    """The secret in a delegate's feed URL: calendars fetch it without a login, so the URL is the key."""
    return signer.sign(f"{mission_id}/{participant_id}", "feed")[:32]


def lang_of(request: Request) -> str:
    return pick_language(request.query_params.get("lang"))


class Formatter:
    """Dates and times for the templates, in the page's language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def city(self, zone_name: str) -> str:
        return city(zone_name, self.lang)

    def range(self, start: datetime, end: datetime, zone_name: str) -> str:
        return local_range(start, end, zone_name, self.lang)

    def moment(self, instant: datetime, zone_name: str) -> str:
        return local_moment(instant, zone_name, self.lang)

    def hm(self, instant: datetime, zone_name: str | None = None) -> str:
        local = to_local(instant, zone_name) if zone_name else instant
        return local.strftime("%H:%M")

    def wall(self, instant: datetime, zone_name: str) -> str:
        """The value of an `<input type=datetime-local>`: `2027-02-16T19:00`."""
        return to_local(instant, zone_name).strftime("%Y-%m-%dT%H:%M")

    def abbr(self, instant: datetime, zone_name: str) -> str:
        return abbreviation(instant, zone_name)

    def day(self, day: date) -> str:
        return format_date(day, "M月d日(EEE)" if self.lang == "ja" else "EEE d MMM", locale=self.lang)

    def long_day(self, day: date) -> str:
        pattern = "y年M月d日(EEEE)" if self.lang == "ja" else "EEEE d MMMM y"
        return format_date(day, pattern, locale=self.lang)

    def stamp(self, instant: datetime | None, zone_name: str) -> str:
        return "" if instant is None else self.moment(instant, zone_name)


def page_words(table: dict[str, dict[str, str]], lang: str) -> Callable[..., str]:
    """A page's own words in `lang` (English where a word is missing), with `{name}` filled in."""
    chosen = table["ja" if lang == "ja" else "en"]

    def say(key: str, **values: Any) -> str:
        text: str = chosen.get(key) or table["en"].get(key) or key
        return text.format(**values)

    return say


def query(base: str, **params: Any) -> str:
    """`base` with the non-empty parameters; lists repeat the key (`?p=a&p=b`)."""
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        if value is None or value == "" or value == []:
            continue
        values = value if isinstance(value, list | tuple) else [value]
        pairs += [(key, str(v)) for v in values]
    return f"{base}?{urlencode(pairs)}" if pairs else base


def page(
    request: Request, template: str, context: dict[str, Any], *, lang: str, status: int = 200
) -> HTMLResponse:
    """Render one of templates/pages/coordinator/ with the coordinator's words and formatters."""

    # A page answering a form (POST) links to its own GET address, never back to the action.
    path = request.url.path if request.method == "GET" else str(context.get("here", "/missions"))

    def lang_url(code: str) -> str:
        params = [(k, v) for k, v in request.query_params.multi_items() if k not in ("lang", "done", "dep")]
        return f"{path}?{urlencode([*params, ('lang', code)])}"

    values = {
        "t": lambda key, **kw: translate(lang, key, **kw),
        "lang_url": lang_url,
        "fmt": Formatter(lang),
        "query": query,
        "path": path,
        **context,
    }
    return render(request, f"coordinator/{template}", values, status=status, lang=lang)


def css_path() -> Path:
    return CSS


__all__ = [
    "Formatter",
    "Loaded",
    "SentEmail",
    "css_path",
    "feed_key",
    "lang_of",
    "load",
    "meeting_emails",
    "page",
    "page_words",
    "query",
]
