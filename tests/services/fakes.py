"""A message factory that writes small real emails, so service tests can see what was queued.

It stands in for the mail package's composer (a fake, not a mock): each envelope is a real
RFC 5322 message whose headers say what kind it is, for which meeting, at which time and
SEQUENCE, so a test reads them back with the standard `email` package.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage

from scheduler.core.attention import AttentionItem
from scheduler.core.models import Contact, Mission
from scheduler.ports import Envelope


def _envelope(kind: str, mission: Mission, meeting_id: str, to: str, headers: dict[str, str]) -> Envelope:
    msg = EmailMessage()
    msg["From"] = mission.organizer.email
    msg["To"] = to
    msg["Subject"] = f"{kind}: {mission.meeting(meeting_id).title if meeting_id else mission.name}"
    extra = hashlib.sha256(repr(sorted(headers.items())).encode()).hexdigest()[:16]
    message_id = f"<{kind}-{meeting_id}-{extra}-{to}@test.example>"
    msg["Message-ID"] = message_id
    msg["X-Kind"] = kind
    msg["X-Meeting"] = meeting_id
    for k, v in headers.items():
        msg[f"X-{k}"] = v
    msg.set_content(kind)
    return Envelope(
        message_id=message_id, sender=mission.organizer.email, recipients=(to,), data=msg.as_bytes()
    )


def recipients(mission: Mission, meeting_id: str, extra: Sequence[Contact] = ()) -> list[str]:
    m = mission.meeting(meeting_id)
    people = [mission.participant(p).email for p in m.delegates + m.optional]
    for cid in m.counterparts:
        people += [c.email for c in mission.participant(cid).contacts]
    return people + [c.email for c in extra]


class FakeMessages:
    """Implements `services.ports.MessageFactory`."""

    def invitations(
        self,
        mission: Mission,
        meeting_id: str,
        *,
        start: datetime,
        sequence: int,
        extra_attendees: Sequence[Contact] = (),
        previous_start: datetime | None = None,
        now: datetime,
    ) -> list[Envelope]:
        kind = "update" if previous_start else "invitation"
        head = {"Start": start.isoformat(), "Sequence": str(sequence)}
        return [
            _envelope(kind, mission, meeting_id, to, head)
            for to in recipients(mission, meeting_id, extra_attendees)
        ]

    def cancellations(
        self,
        mission: Mission,
        meeting_id: str,
        *,
        start: datetime,
        sequence: int,
        extra_attendees: Sequence[Contact] = (),
        now: datetime,
    ) -> list[Envelope]:
        head = {"Start": start.isoformat(), "Sequence": str(sequence)}
        return [
            _envelope("cancel", mission, meeting_id, to, head)
            for to in recipients(mission, meeting_id, extra_attendees)
        ]

    def booking_request(
        self,
        mission: Mission,
        meeting_id: str,
        *,
        options: Sequence[tuple[datetime, datetime]],
        link: str,
        expires_at: datetime,
        now: datetime,
    ) -> list[Envelope]:
        m = mission.meeting(meeting_id)
        to = [c.email for cid in m.counterparts for c in mission.participant(cid).contacts]
        head = {"Link": link, "Options": str(len(options)), "Created": now.isoformat()}
        return [_envelope("request", mission, meeting_id, t, head) for t in to]

    def new_times(
        self,
        mission: Mission,
        meeting_id: str,
        *,
        options: Sequence[tuple[datetime, datetime]],
        expires_at: datetime,
        now: datetime,
    ) -> list[Envelope]:
        m = mission.meeting(meeting_id)
        to = [c.email for cid in m.counterparts for c in mission.participant(cid).contacts]
        head = {"Options": ",".join(s.isoformat() for s, _ in options), "Created": now.isoformat()}
        return [_envelope("new-times", mission, meeting_id, t, head) for t in to]

    def attention(self, mission: Mission, item: AttentionItem, *, now: datetime) -> Envelope:
        head = {"Item": str(item.id), "Kind": item.kind, "Created": now.isoformat()}
        return _envelope("attention", mission, item.meeting_id, mission.organizer.email, head)


def headers(data: bytes) -> EmailMessage:
    return message_from_bytes(data, policy=policy.default)  # type: ignore[return-value]
