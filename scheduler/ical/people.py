"""Who is invited to a meeting: the people behind its participant ids, as calendar attendees.

A delegate is one person; a counterpart organisation is reached through its contacts, each of
whom is invited in their own right (and lives in the organisation's zone). The organizer sends
the invitation and is never an attendee of it (a client would show them their own invitation),
and an address invited twice is invited once, with the stronger role.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from scheduler.core.models import Meeting, Mission, Participant
from scheduler.errors import ConfigError, Problem

Role = Literal["REQ-PARTICIPANT", "OPT-PARTICIPANT"]

# Deliberately strict: an address goes into `mailto:` URIs and mail headers, so anything that
# could end a property or a header line (control characters, quotes, ;,:<> and spaces) is refused.
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$")


@dataclass(frozen=True, kw_only=True)
class Attendee:
    """One person invited to a meeting, with what a calendar and a letter need to address them.

    `timezone` is the person's own zone (a contact's is their organisation's); `participant_id`
    names the delegate or counterpart organisation they come from (empty for extra guests).
    """

    name: str
    email: str
    role: Role = "REQ-PARTICIPANT"
    language: str = "en"
    timezone: str = "UTC"
    organisation: str = ""
    title: str = ""  # job title or role ("Mayor"), for agendas and Japanese title lines
    participant_id: str = ""
    kind: Literal["delegate", "contact", "guest"] = "guest"

    def __post_init__(self) -> None:
        check_email(self.email, "attendee email")
        if self.role not in ("REQ-PARTICIPANT", "OPT-PARTICIPANT"):
            raise ValueError(f"attendee role {self.role!r} is not REQ-PARTICIPANT or OPT-PARTICIPANT")


def check_email(address: str, path: str) -> str:
    """Return `address` when it is a plain `local@domain`; raise `ConfigError` at `path` otherwise."""
    if not isinstance(address, str) or not _EMAIL.match(address):
        raise ConfigError([Problem(path, f"{address!r} is not a plain e-mail address like name@example.org")])
    return address


def _people(mission: Mission, pid: str, role: Role, path: str) -> list[Attendee]:
    try:
        p: Participant = mission.participant(pid)
    except KeyError:
        raise ConfigError([Problem(path, f"no delegate or counterpart has the id {pid!r}")]) from None
    if p.kind == "delegate":
        if not p.email:
            return []  # nobody to write to; the mission file may list a delegate without an address
        return [
            Attendee(
                name=p.name,
                email=check_email(p.email, f"delegates ({p.id}).email"),
                role=role,
                language=p.language,
                timezone=p.timezone,
                title=p.role,
                participant_id=p.id,
                kind="delegate",
            )
        ]
    return [
        Attendee(
            name=c.name,
            email=check_email(c.email, f"counterparts ({p.id}).contacts[{i}].email"),
            role=role,
            language=c.language,
            timezone=p.timezone,
            organisation=p.name,
            title=c.title,
            participant_id=p.id,
            kind="contact",
        )
        for i, c in enumerate(p.contacts)
    ]


def attendees(mission: Mission, meeting: Meeting) -> tuple[Attendee, ...]:
    """Everyone to invite to `meeting`: delegates and counterpart contacts required, `optional` optional.

    Order: delegates, counterpart contacts, optional people, each in mission-file order. The
    organizer's address is left out, and a repeated address (compared without case) keeps its
    first, stronger entry.
    """
    where = f"meetings ({meeting.id})"
    found: list[Attendee] = []
    for field_name, ids, role in (
        ("delegates", meeting.delegates, "REQ-PARTICIPANT"),
        ("counterparts", meeting.counterparts, "REQ-PARTICIPANT"),
        ("optional", meeting.optional, "OPT-PARTICIPANT"),
    ):
        for i, pid in enumerate(ids):
            found += _people(mission, pid, role, f"{where}.{field_name}[{i}]")  # type: ignore[arg-type]
    return unique(found, organizer=mission.organizer.email)


def unique(people: Iterable[Attendee], *, organizer: str) -> tuple[Attendee, ...]:
    """Drop the organizer and repeated addresses (case-insensitive), keeping the first occurrence."""
    seen = {organizer.casefold()}
    out: list[Attendee] = []
    for a in people:
        key = a.email.casefold()
        if key not in seen:
            seen.add(key)
            out.append(a)
    return tuple(out)


__all__ = ["Attendee", "Role", "attendees", "check_email", "unique"]
