"""Jinja2 rendering of the letters: one template per kind and language, HTML autoescaped.

Templates live in `templates/email/<lang>/<kind>.txt` and `.html`. The text template also sets
`subject`. A Japanese reader gets one bilingual letter: the Japanese text first, the English
below it, so it can be forwarded to colleagues of either language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any, Literal, Protocol

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from scheduler.core.models import Meeting, Mission
from scheduler.mail import timefmt

Kind = Literal[
    "invitation", "update", "cancellation", "booking_request", "new_times", "reminder", "follow_up"
]
KINDS: tuple[Kind, ...] = (
    "invitation",
    "update",
    "cancellation",
    "booking_request",
    "new_times",
    "reminder",
    "follow_up",
)
WITH_OPTIONS = ("booking_request", "new_times")
TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "email"


class Addressee(Protocol):
    """A person a letter names or is sent to. `scheduler.ical.people.Attendee` is one."""

    @property
    def name(self) -> str: ...
    @property
    def email(self) -> str: ...
    @property
    def role(self) -> str: ...  # REQ-PARTICIPANT or OPT-PARTICIPANT
    @property
    def language(self) -> str: ...
    @property
    def timezone(self) -> str: ...
    @property
    def organisation(self) -> str: ...
    @property
    def title(self) -> str: ...


@dataclass(frozen=True, kw_only=True)
class Letter:
    """Everything one kind of letter about one meeting says, before it is addressed to anyone.

    `start`/`end` are the meeting's (new) time; `previous` the old one for an update;
    `options` the proposed times of a booking request; `calendar` the iTIP object that
    invitations, updates and cancellations carry.
    """

    kind: Kind
    mission: Mission
    meeting: Meeting
    start: datetime | None = None
    end: datetime | None = None
    people: tuple[Addressee, ...] = ()
    interpreter: bool = False
    previous: tuple[datetime, datetime] | None = None
    options: tuple[tuple[datetime, datetime], ...] = ()
    booking_url: str | None = None
    expires_at: datetime | None = None  # when the booking link stops working
    action_items: tuple[str, ...] = ()
    next_steps: tuple[str, ...] = ()
    calendar: bytes | None = None
    sequence: int = 0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown letter kind {self.kind!r}; one of {', '.join(KINDS)}")
        if self.kind not in WITH_OPTIONS and (self.start is None or self.end is None):
            raise ValueError(f"a {self.kind} letter needs the meeting's start and end")
        if self.kind in WITH_OPTIONS and not self.options:
            raise ValueError("a booking request needs at least one proposed time")


@dataclass(frozen=True, kw_only=True)
class Rendered:
    subject: str
    text: str
    html: str


@cache
def environment(root: Path = TEMPLATES) -> Environment:
    """The Jinja2 environment: HTML escaped, a missing variable an error rather than a blank."""
    return Environment(
        loader=FileSystemLoader(str(root)),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def other_zone(letter: Letter, own: str) -> str | None:
    """The other side's zone for a reader in `own`: the first zone in the meeting that is not theirs."""
    zones = [p.timezone for p in letter.people]
    for pid in letter.meeting.invited:
        try:
            zones.append(letter.mission.participant(pid).timezone)
        except KeyError:
            continue
    zones.append(letter.mission.timezone)
    return next((z for z in zones if z != own), None)


def _person(p: Addressee) -> dict[str, Any]:
    return {
        "name": p.name,
        "organisation": p.organisation,
        "title": p.title,
        "optional": p.role == "OPT-PARTICIPANT",
    }


def _href(url: str) -> str:
    """A link target only for web addresses: a `javascript:` link in a mission file stays plain text."""
    return url if url.lower().startswith(("https://", "http://")) else ""


def context(letter: Letter, reader: Addressee, lang: str, *, now: datetime) -> dict[str, Any]:
    """What the templates of `lang` see for this reader: times in the reader's zone first."""
    own, other = reader.timezone, other_zone(letter, reader.timezone)
    m = letter.meeting

    def when(span: tuple[datetime, datetime]) -> str:
        return timefmt.both_sides(span[0], span[1], own, other, lang)

    span = (letter.start, letter.end) if letter.start and letter.end else None
    dst = []
    if span and letter.kind not in ("cancellation", "follow_up"):
        dst = [timefmt.dst_warning(c, lang) for c in timefmt.dst_changes(now, span[0], own, other)]
    people = [_person(p) for p in letter.people]
    video = m.video_url or letter.mission.video_url
    expires = timefmt.local_moment(letter.expires_at, own, lang, with_year=True) if letter.expires_at else ""
    return {
        "lang": lang,
        "kind": letter.kind,
        "reader": {**_person(reader), "email": reader.email},
        "organizer": {"name": letter.mission.organizer.name, "email": letter.mission.organizer.email},
        "mission": letter.mission.name,
        "title": m.title,
        "purpose": m.purpose,
        "agenda": list(m.agenda),
        "notes": m.notes,
        "video_url": video,
        "video_href": _href(video),
        "duration_minutes": int(m.duration.total_seconds() // 60),
        "when": when(span) if span else "",
        "previous_when": when(letter.previous) if letter.previous else "",
        "options": [when(o) for o in letter.options],
        "booking_url": letter.booking_url or "",
        "booking_href": _href(letter.booking_url or ""),
        "expires": expires,
        "home": [p for p, a in zip(people, letter.people, strict=True) if not a.organisation],
        "guests": [p for p, a in zip(people, letter.people, strict=True) if a.organisation],
        "interpreter": letter.interpreter,
        "dst": dst,
        "action_items": list(letter.action_items),
        "next_steps": list(letter.next_steps),
        "sequence": letter.sequence,
    }


def _one(env: Environment, letter: Letter, reader: Addressee, lang: str, now: datetime) -> Rendered:
    ctx = context(letter, reader, lang, now=now)
    text_tpl = env.get_template(f"{lang}/{letter.kind}.txt")
    module = text_tpl.make_module(ctx)
    subject = " ".join(str(getattr(module, "subject", "")).split())  # one line, always
    html = env.get_template(f"{lang}/{letter.kind}.html").render(ctx)
    return Rendered(subject=subject, text=str(module), html=html)


def languages_for(reader: Addressee) -> Sequence[str]:
    """Japanese readers get Japanese then English; everyone else English."""
    return ("ja", "en") if timefmt.language_of(reader.language) == "ja" else ("en",)


def render(letter: Letter, reader: Addressee, *, now: datetime, root: Path = TEMPLATES) -> Rendered:
    """Subject, text and HTML of `letter` for `reader`, bilingual for a Japanese reader."""
    env = environment(root)
    parts = [_one(env, letter, reader, lang, now) for lang in languages_for(reader)]
    if len(parts) == 1:
        body = parts[0]
        html = env.get_template("layout.html").render(
            sections=[("en", Markup(body.html))], title=body.subject
        )
        return Rendered(subject=body.subject, text=body.text, html=html)
    subject = " / ".join(p.subject for p in parts)
    divider = "\n" + "-" * 60 + "\n(English below / 以下、英文)\n\n"
    text = divider.join(p.text.rstrip("\n") + "\n" for p in parts)
    sections = [(lang, Markup(p.html)) for lang, p in zip(languages_for(reader), parts, strict=True)]
    html = env.get_template("layout.html").render(sections=sections, title=subject)
    return Rendered(subject=subject, text=text, html=html)
