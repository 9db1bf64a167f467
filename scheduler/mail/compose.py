"""A rendered letter → one MIME message (iMIP, RFC 6047) for one reader.

Shape, for every kind::

    multipart/mixed
    ├── multipart/alternative
    │   ├── text/plain; charset=utf-8
    │   ├── text/html; charset=utf-8
    │   └── text/calendar; method=REQUEST|CANCEL; charset=UTF-8   (invitations, updates, cancellations)
    └── application/ics; name=invite.ics   (attachment, the same bytes)

The calendar goes in as bytes (base64), so its CRLF line ends survive; the MIME `method=` is
read from the object's own METHOD line, so the two can never disagree. Headers are built from
`Address` objects with CR, LF and other control characters removed from every display name
and subject, and addresses checked, so no name, title or address can add a header.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from scheduler.core.intervals import ensure_utc
from scheduler.errors import ConfigError, Problem
from scheduler.mail.render import Addressee, Letter, languages_for, render
from scheduler.ports import Envelope

_CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")
# fullmatch, not `$`: `$` also matches before a final newline, which is exactly the injection.
_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?")
EXPECTED_METHOD = {"invitation": "REQUEST", "update": "REQUEST", "cancellation": "CANCEL"}


def one_line(text: str) -> str:
    """`text` with every line break and control character turned into one space: safe in a header."""
    return " ".join(_CONTROL.sub(" ", text).split())


def address(name: str, email: str, path: str = "email") -> Address:
    """A header address; `ConfigError` when `email` is not a plain `local@domain`."""
    if not isinstance(email, str) or not _ADDRESS.fullmatch(email):
        raise ConfigError([Problem(path, f"{email!r} is not a plain e-mail address like name@example.org")])
    return Address(display_name=one_line(name), addr_spec=email)


def calendar_method(ics: bytes) -> str:
    """The METHOD of an iCalendar object (`REQUEST`, `CANCEL`, `PUBLISH`); ValueError when absent."""
    for line in ics.replace(b"\r\n ", b"").replace(b"\r\n\t", b"").splitlines():
        if line.upper().startswith(b"METHOD:"):
            return line.split(b":", 1)[1].strip().decode("ascii").upper()
        if line.upper().startswith(b"BEGIN:VEVENT"):
            break
    raise ValueError("the calendar object has no METHOD line; an invitation needs METHOD:REQUEST or CANCEL")


def message_id_for(letter: Letter, reader: Addressee) -> str:
    """A Message-ID fixed by what the message is (meeting, kind, sequence, time, reader), not when it is made.

    The same letter rendered twice gets the same id, so the outbox recognises it and a resend
    after a crash carries the same one.
    """
    parts = [
        letter.mission.name,
        letter.meeting.id,
        letter.kind,
        str(letter.sequence),
        reader.email.lower(),
        letter.start.isoformat() if letter.start else "",
        ",".join(f"{a.isoformat()}/{b.isoformat()}" for a, b in letter.options),
    ]
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]
    domain = letter.mission.organizer.email.rpartition("@")[2] or "scheduler.invalid"
    return f"<{letter.kind}.{digest}@{domain}>"


def _text_cte(text: str) -> str:
    # Quoted-printable keeps English readable in a raw .eml; base64 is shorter for Japanese.
    # Neither needs the server to accept 8-bit data.
    return "quoted-printable" if text.isascii() else "base64"


def compose(letter: Letter, reader: Addressee, *, now: datetime) -> EmailMessage:
    """The message of `letter` for `reader`, dated `now` (which also decides the DST warnings)."""
    now = ensure_utc(now, "now")
    organizer = letter.mission.organizer
    rendered = render(letter, reader, now=now)
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = address(organizer.name, organizer.email, "mission.organizer.email")
    msg["To"] = address(reader.name, reader.email, "recipient email")
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = message_id_for(letter, reader)
    msg["Subject"] = one_line(rendered.subject)
    msg.set_content(rendered.text, subtype="plain", charset="utf-8", cte=_text_cte(rendered.text))
    msg.add_alternative(rendered.html, subtype="html", charset="utf-8", cte=_text_cte(rendered.html))
    if letter.calendar is not None:
        method = calendar_method(letter.calendar)
        expected = EXPECTED_METHOD.get(letter.kind)
        if expected is not None and method != expected:
            raise ValueError(f"a {letter.kind} carries METHOD:{expected}, not METHOD:{method}")
        msg.add_alternative(
            letter.calendar,
            maintype="text",
            subtype="calendar",
            params={"method": method, "charset": "UTF-8"},
        )
    msg.make_mixed()
    if letter.calendar is not None:
        msg.add_attachment(letter.calendar, maintype="application", subtype="ics", filename="invite.ics")
    # Set last: set_content() drops every Content-* header and make_mixed() moves them inward.
    msg["Content-Language"] = ", ".join(languages_for(reader))
    return msg


def envelope(message: EmailMessage, *, sender: str | None = None) -> Envelope:
    """The SMTP envelope of a composed message: its To addresses, its From (or `sender`), its bytes."""
    recipients = tuple(a.addr_spec for a in message["To"].addresses)
    source = sender or message["From"].addresses[0].addr_spec
    return Envelope(
        message_id=str(message["Message-ID"]),
        sender=source,
        recipients=recipients,
        data=message.as_bytes(policy=policy.SMTP),
    )
