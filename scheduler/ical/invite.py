"""Meeting invitations as iTIP messages (RFC 5545 / 5546): REQUEST for a new or moved meeting, CANCEL.

Every client treats the result as a real invitation because it follows calendar-invites.md:
one stable UID per meeting (`meeting_uid`), SEQUENCE raised by the caller on every change,
a fresh UTC DTSTAMP, one ORGANIZER, every recipient an ATTENDEE with RSVP, times anchored
with a TZID and a rule-based VTIMEZONE from zoneinfo, CRLF, 75-octet folding and TEXT escaping
(both done by `icalendar`'s serialiser; we never build lines by hand).

    build_invitation(mission, meeting, start, method="REQUEST", sequence=0, dtstamp=now)

A reschedule is the same call with the new start and `sequence + 1`; a cancellation is
`method="CANCEL"` with `sequence + 1`, the same UID and STATUS:CANCELLED.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Literal
from uuid import NAMESPACE_URL, uuid5

from icalendar import Calendar, Event, vCalAddress, vText, vUri

from scheduler.core.intervals import ensure_utc
from scheduler.core.models import Meeting, Mission
from scheduler.core.zones import zone
from scheduler.ical.agenda import agenda_text, clean, video_link
from scheduler.ical.people import Attendee, attendees, check_email, unique
from scheduler.ical.vtimezone import vtimezone

PRODID = "-//mission-scheduler//Invitations 0.1//EN"
UID_DOMAIN = "mission-scheduler.invalid"  # fixed, so a UID never depends on who runs the program

Method = Literal["REQUEST", "CANCEL", "PUBLISH"]


def meeting_uid(mission: Mission, meeting_id: str) -> str:
    """The meeting's UID, the same on every call: a name-based UUID of mission name + meeting id.

    For example `'0f6c…-…@mission-scheduler.invalid'`; another mission or meeting gives another.
    """
    # uuid5 keeps the UID ASCII and short whatever the names are (Japanese, spaces, "@").
    key = f"mission-scheduler:{mission.name}\x00{meeting_id}"
    return f"{uuid5(NAMESPACE_URL, key)}@{UID_DOMAIN}"


def anchored(instant: datetime, zone_name: str) -> datetime:
    """`instant` as the wall time a client will read back, in `zone_name`, or in UTC when it can't.

    RFC 5545 §3.3.5 reads an ambiguous wall time (01:30 on a fall-back night) as its first
    occurrence and a wall time in a spring-forward gap with the offset before the gap. A UTC
    instant never lands in a gap, but its wall time may be the *second* 01:30: then the TZID
    form would name the wrong instant, so the UTC form is written instead.
    """
    instant = ensure_utc(instant, "invitation time")
    if zone_name == "UTC":
        return instant  # written as …Z: no TZID and no VTIMEZONE needed
    local = instant.astimezone(zone(zone_name))
    first_reading = local.replace(fold=0).astimezone(UTC)
    if first_reading != instant:
        return instant
    return local.replace(fold=0)


def _address(email: str, name: str, path: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{check_email(email, path)}")
    if name:
        address.params["CN"] = clean(name)
    return address


def _attendee(person: Attendee) -> vCalAddress:
    address = _address(person.email, person.name, "attendee email")
    address.params["CUTYPE"] = "INDIVIDUAL"
    address.params["ROLE"] = person.role
    address.params["PARTSTAT"] = "NEEDS-ACTION"
    address.params["RSVP"] = "TRUE"
    if person.language:
        address.params["LANGUAGE"] = person.language
    return address


def meeting_event(
    mission: Mission,
    meeting: Meeting,
    start: datetime,
    *,
    uid: str,
    dtstamp: datetime,
    status: Literal["CONFIRMED", "CANCELLED"] = "CONFIRMED",
    sequence: int | None = None,
    people: Sequence[Attendee] = (),
    resources: Sequence[str] = (),
) -> Event:
    """One VEVENT for a meeting at `start` (aware); shared by invitations and feeds."""
    start = ensure_utc(start, f"meetings ({meeting.id}) start")
    end = start + meeting.duration
    event = Event()
    event.add("UID", uid)
    if sequence is not None:
        event.add("SEQUENCE", sequence)
    event.add("DTSTAMP", ensure_utc(dtstamp, "DTSTAMP"))
    event.add("DTSTART", anchored(start, mission.timezone))
    event.add("DTEND", anchored(end, mission.timezone))
    event.add("SUMMARY", clean(meeting.title))
    event.add("DESCRIPTION", agenda_text(mission, meeting, start, end, resources))
    link = clean(video_link(mission, meeting))
    if link:
        event.add("LOCATION", link)
        event.add("URL", vUri(link))
        conference = vUri(link)
        conference.params["VALUE"] = "URI"
        conference.params["FEATURE"] = ["AUDIO", "VIDEO"]
        conference.params["LABEL"] = "Video call"
        event.add("CONFERENCE", conference)
    event.add("ORGANIZER", _address(mission.organizer.email, mission.organizer.name, "organizer.email"))
    for person in people:
        event.add("ATTENDEE", _attendee(person))
    if resources:
        event.add("RESOURCES", [vText(clean(r)) for r in resources])
    event.add("STATUS", status)
    event.add("TRANSP", "OPAQUE")
    return event


def calendar(method: Method, events: Iterable[tuple[Event, datetime, datetime]], zone_name: str) -> Calendar:
    """A VCALENDAR holding `events` (each with its UTC start and end) and the VTIMEZONE they need."""
    cal = Calendar()
    cal.add("PRODID", PRODID)
    cal.add("VERSION", "2.0")
    cal.add("CALSCALE", "GREGORIAN")
    cal.add("METHOD", method)
    items = list(events)
    uses_zone = any(
        getattr(getattr(e[key], "dt", None), "tzinfo", None) is zone(zone_name)
        for e, _, _ in items
        for key in ("DTSTART", "DTEND")
    )
    if items and uses_zone:
        # Added by hand, not with add_missing_timezones() (comma RDATE lists: read wrong by ical.js).
        cal.add_component(vtimezone(zone_name, min(s for _, s, _ in items), max(e for _, _, e in items)))
    for event, _, _ in items:
        cal.add_component(event)
    return cal


def build_invitation(
    mission: Mission,
    meeting: Meeting,
    start: datetime,
    *,
    method: Literal["REQUEST", "CANCEL"],
    sequence: int,
    dtstamp: datetime,
    uid: str | None = None,
    resources: Sequence[str] = (),
    extra_attendees: Sequence[Attendee] = (),
) -> bytes:
    """The `.ics` bytes of an invitation (REQUEST) or cancellation (CANCEL) for `meeting` at `start`.

    `start` and `dtstamp` must be aware (naive datetimes are refused); `sequence` is the
    meeting's current SEQUENCE (0 for the first invitation, raised by the caller on every change
    and on CANCEL); `resources` are the booked ones (default: the meeting's own list).
    """
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"invitation method {method!r} is not REQUEST or CANCEL")
    if isinstance(sequence, bool) or not isinstance(sequence, int) or sequence < 0:
        raise ValueError(f"SEQUENCE {sequence!r} must be a whole number, 0 or more")
    start = ensure_utc(start, f"meetings ({meeting.id}) start")
    people = unique((*attendees(mission, meeting), *extra_attendees), organizer=mission.organizer.email)
    event = meeting_event(
        mission,
        meeting,
        start,
        uid=uid or meeting_uid(mission, meeting.id),
        dtstamp=dtstamp,
        status="CANCELLED" if method == "CANCEL" else "CONFIRMED",
        sequence=sequence,
        people=people,
        resources=tuple(resources) or meeting.resources,
    )
    ics: bytes = calendar(method, [(event, start, start + meeting.duration)], mission.timezone).to_ical()
    return ics


__all__ = ["PRODID", "anchored", "build_invitation", "calendar", "meeting_event", "meeting_uid"]
