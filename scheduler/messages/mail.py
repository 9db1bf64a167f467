"""Edge glue: the `MessageFactory` the use cases call, built from `scheduler.ical` and `scheduler.mail`.

The services ask for envelopes (invitations, updates, cancellations, booking requests); the
layer rules keep them away from iCalendar and MIME, so the two meet here, in `messages/`, below
the web app and the command line that use it. One message per recipient, each with its own
deterministic Message-ID.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from scheduler.core.attention import AttentionItem
from scheduler.core.models import Contact, Mission
from scheduler.ical.people import Attendee, attendees, unique
from scheduler.mail.compose import compose, envelope
from scheduler.mail.render import Kind, Letter
from scheduler.messages.coordinator import attention_letter
from scheduler.messages.invitations import letter_for
from scheduler.ports import Envelope


def _guests(mission: Mission, meeting_id: str, extra: Sequence[Contact]) -> tuple[Attendee, ...]:
    meeting = mission.meeting(meeting_id)
    side = mission.participant(meeting.counterparts[0]) if meeting.counterparts else None
    return tuple(
        Attendee(
            name=c.name,
            email=c.email,
            language=c.language,
            timezone=side.timezone if side else mission.timezone,
            organisation=side.name if side else "",
            title=c.title,
            kind="guest",
        )
        for c in extra
    )


def _to_contacts(
    kind: Kind,
    mission: Mission,
    meeting_id: str,
    options: Sequence[tuple[datetime, datetime]],
    link: str | None,
    expires_at: datetime,
    now: datetime,
) -> list[Envelope]:
    """A letter offering times, to each contact of the meeting's counterparts."""
    meeting = mission.meeting(meeting_id)
    people = attendees(mission, meeting)
    letter = Letter(
        kind=kind,
        mission=mission,
        meeting=meeting,
        people=people,
        options=tuple(options),
        booking_url=link,
        expires_at=expires_at,
    )
    return [envelope(compose(letter, p, now=now)) for p in people if p.kind == "contact"]


class MailMessages:
    """`scheduler.services.ports.MessageFactory` with the real invitations and letters."""

    def _calendar_letters(
        self,
        mission: Mission,
        meeting_id: str,
        *,
        kind: Kind,
        start: datetime,
        sequence: int,
        extra_attendees: Sequence[Contact],
        previous_start: datetime | None,
        now: datetime,
    ) -> list[Envelope]:
        meeting = mission.meeting(meeting_id)
        guests = _guests(mission, meeting_id, extra_attendees)
        people = unique((*attendees(mission, meeting), *guests), organizer=mission.organizer.email)
        previous = (previous_start, previous_start + meeting.duration) if previous_start else None
        letter, _ics = letter_for(
            mission,
            meeting,
            kind=kind,
            start=start,
            resources=meeting.resources,
            sequence=sequence,
            now=now,
            previous=previous,
            extra_attendees=guests,
            people=people,
        )
        return [envelope(compose(letter, p, now=now)) for p in people]

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
    ) -> Sequence[Envelope]:
        """REQUEST invitations with the agenda (an update when `previous_start` is given)."""
        return self._calendar_letters(
            mission,
            meeting_id,
            kind="update" if previous_start else "invitation",
            start=start,
            sequence=sequence,
            extra_attendees=extra_attendees,
            previous_start=previous_start,
            now=now,
        )

    def cancellations(
        self,
        mission: Mission,
        meeting_id: str,
        *,
        start: datetime,
        sequence: int,
        extra_attendees: Sequence[Contact] = (),
        now: datetime,
    ) -> Sequence[Envelope]:
        """CANCEL to everyone invited."""
        return self._calendar_letters(
            mission,
            meeting_id,
            kind="cancellation",
            start=start,
            sequence=sequence,
            extra_attendees=extra_attendees,
            previous_start=None,
            now=now,
        )

    def booking_request(
        self,
        mission: Mission,
        meeting_id: str,
        *,
        options: Sequence[tuple[datetime, datetime]],
        link: str,
        expires_at: datetime,
        now: datetime,
    ) -> Sequence[Envelope]:
        """The booking-request letter with the options and the link, to each counterpart contact."""
        return _to_contacts("booking_request", mission, meeting_id, options, link, expires_at, now)

    def new_times(
        self,
        mission: Mission,
        meeting_id: str,
        *,
        options: Sequence[tuple[datetime, datetime]],
        expires_at: datetime,
        now: datetime,
    ) -> Sequence[Envelope]:
        """The new-times letter to each counterpart contact: the link they have shows these options."""
        return _to_contacts("new_times", mission, meeting_id, options, None, expires_at, now)

    def attention(self, mission: Mission, item: AttentionItem, *, now: datetime) -> Envelope:
        """The coordinator's email about a new attention item (see `messages.coordinator`)."""
        return attention_letter(mission, item, now=now)


__all__ = ["MailMessages"]
