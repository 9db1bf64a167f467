"""Edge glue: a plan → the invitations, updates and cancellations it calls for, as MIME messages.

`scheduler.ical` builds the calendar objects and `scheduler.mail` the letters; the layer rules
forbid either to import the other, so the two meet here, in `messages/`. The file outbox of
`scheduler invite` keeps its ledger in `state.json`; the service keeps it in the database.

Per planned meeting, compared with what its attendees were last sent:

* never sent (or cancelled before) → an invitation (REQUEST), SEQUENCE 0 (or the next one);
* sent, and now at another time or length → an update (REQUEST), same UID, SEQUENCE + 1;
* sent and unchanged → the same invitation again, marked unchanged (nothing new to send);
* sent before but no longer in the plan → a cancellation (CANCEL), SEQUENCE + 1.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Literal

from scheduler.core.models import Meeting, Mission, Plan
from scheduler.ical.invite import build_invitation, meeting_uid
from scheduler.ical.people import Attendee, attendees
from scheduler.mail.compose import compose
from scheduler.mail.ledger import MeetingRecord
from scheduler.mail.render import Kind, Letter

log = logging.getLogger(__name__)

INTERPRETER = "interpreter"


@dataclass(frozen=True, kw_only=True)
class Outgoing:
    """One meeting's calendar object and one message per attendee, and whether it is news."""

    meeting_id: str
    kind: Kind
    uid: str
    sequence: int
    ics: bytes
    messages: tuple[tuple[str, EmailMessage], ...]  # (recipient address, message)
    changed: bool
    record: MeetingRecord


def pinned(records: Mapping[str, MeetingRecord], mission: Mission) -> dict[str, datetime]:
    """Starts of meetings already sent and not cancelled, to keep them where they are when replanning.

    A time fixed in the mission file wins: that is how a person moves a sent meeting.
    """
    out: dict[str, datetime] = {}
    for rec in records.values():
        if rec.mission != mission.name or rec.status != "confirmed":
            continue
        try:
            meeting = mission.meeting(rec.meeting_id)
        except KeyError:
            continue
        if meeting.fixed_start is None:
            out[rec.meeting_id] = rec.start
    return out


def letter_for(
    mission: Mission,
    meeting: Meeting,
    *,
    kind: Kind,
    start: datetime,
    resources: tuple[str, ...],
    sequence: int,
    now: datetime,
    previous: tuple[datetime, datetime] | None = None,
    extra_attendees: Sequence[Attendee] = (),
    people: tuple[Attendee, ...] | None = None,
) -> tuple[Letter, bytes]:
    """The letter about `meeting` and the iTIP object it carries (REQUEST, or CANCEL for a cancellation).

    `extra_attendees` are invited in the calendar object beside the meeting's own people;
    `people`, the letter's readers, are by default the meeting's `attendees`.
    """
    method: Literal["REQUEST", "CANCEL"] = "CANCEL" if kind == "cancellation" else "REQUEST"
    ics = build_invitation(
        mission,
        meeting,
        start,
        method=method,
        sequence=sequence,
        dtstamp=now,
        uid=meeting_uid(mission, meeting.id),
        resources=resources,
        extra_attendees=extra_attendees,
    )
    letter = Letter(
        kind=kind,
        mission=mission,
        meeting=meeting,
        start=start,
        end=start + meeting.duration,
        people=attendees(mission, meeting) if people is None else people,
        interpreter=INTERPRETER in resources,
        previous=previous,
        calendar=ics,
        sequence=sequence,
    )
    return letter, ics


def _outgoing(letter: Letter, ics: bytes, *, now: datetime, changed: bool, record: MeetingRecord) -> Outgoing:
    messages = tuple((p.email, compose(letter, p, now=now)) for p in letter.people)
    return Outgoing(
        meeting_id=letter.meeting.id,
        kind=letter.kind,
        uid=record.uid,
        sequence=record.sequence,
        ics=ics,
        messages=messages,
        changed=changed,
        record=record,
    )


def changes(
    mission: Mission, plan: Plan, records: Mapping[str, MeetingRecord], *, now: datetime
) -> list[Outgoing]:
    """What to send for `plan`, given the `records` of what was sent before (see the module docstring)."""
    out: list[Outgoing] = []
    planned_ids = set()
    for pm in plan.meetings:
        meeting = mission.meeting(pm.meeting_id)
        planned_ids.add(meeting.id)
        uid = meeting_uid(mission, meeting.id)
        rec = records.get(uid)
        end = pm.start + meeting.duration
        previous = None
        if rec is None:
            kind: Kind = "invitation"
            sequence, changed = 0, True
        elif rec.status == "cancelled":
            kind, sequence, changed = "invitation", rec.sequence + 1, True
        elif (rec.start, rec.end) != (pm.start, end):
            kind, sequence, changed = "update", rec.sequence + 1, True
            previous = (rec.start, rec.end)
        else:
            kind, sequence, changed = "invitation", rec.sequence, False
        letter, ics = letter_for(
            mission, meeting, kind=kind, start=pm.start, resources=pm.resources, sequence=sequence,
            now=now, previous=previous,
        )  # fmt: skip
        record = MeetingRecord(
            mission=mission.name, meeting_id=meeting.id, uid=uid, sequence=sequence, start=pm.start, end=end
        )
        out.append(_outgoing(letter, ics, now=now, changed=changed, record=record))
    for _uid, rec in sorted(records.items()):
        if rec.mission != mission.name or rec.status != "confirmed" or rec.meeting_id in planned_ids:
            continue
        try:
            meeting = mission.meeting(rec.meeting_id)
        except KeyError:
            # Without the meeting we cannot name its attendees; say so rather than guess.
            log.warning(
                "meeting %s was sent but is gone from the mission file; not cancelled", rec.meeting_id
            )
            continue
        meeting = replace(meeting, duration=max(rec.end - rec.start, timedelta(minutes=1)))
        letter, ics = letter_for(
            mission, meeting, kind="cancellation", start=rec.start, resources=meeting.resources,
            sequence=rec.sequence + 1, now=now,
        )  # fmt: skip
        record = replace(rec, sequence=rec.sequence + 1, status="cancelled")
        out.append(_outgoing(letter, ics, now=now, changed=True, record=record))
    return out
