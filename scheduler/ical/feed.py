"""A per-person itinerary feed: one `.ics` (METHOD:PUBLISH) with all of someone's meetings.

A calendar subscribes to it by URL and fetches it again every REFRESH-INTERVAL; because each
event keeps its meeting's UID (`meeting_uid`), a moved meeting moves in place instead of
appearing twice. PUBLISH carries no ATTENDEE properties (RFC 5546 §3.2.1: nobody is asked to
reply); who takes part is in each event's DESCRIPTION.

Each event carries its meeting's SEQUENCE, the one its last invitation or update carried, and the
DTSTAMP of the feed's making in UTC: a calendar that got SEQUENCE 2 by mail keeps the feed's
copy only if the feed says 2 as well (RFC 5546 §2.1.5 orders versions by SEQUENCE, then DTSTAMP).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from icalendar import vDuration, vText

from scheduler.core.intervals import ensure_utc
from scheduler.core.models import Meeting, Mission
from scheduler.errors import NotFound
from scheduler.ical.agenda import clean
from scheduler.ical.invite import calendar, meeting_event, meeting_uid

REFRESH = timedelta(hours=1)


def build_feed(
    mission: Mission,
    participant_id: str,
    meetings: Iterable[tuple[Meeting, datetime]],
    *,
    dtstamp: datetime,
    sequences: Mapping[str, int] | None = None,
) -> bytes:
    """The feed of every meeting in `meetings` that `participant_id` takes part in, by start time.

    `participant_id` is a delegate's id or a counterpart organisation's id (its contacts share
    one feed); a meeting counts when the id is among its delegates, counterparts or optional
    people. Raises `NotFound` for an id that names nobody. `sequences` gives each meeting's
    current SEQUENCE by meeting id (0 when absent: never invited by mail).
    """
    try:
        person = mission.participant(participant_id)
    except KeyError:
        raise NotFound(f"no delegate or counterpart has the id {participant_id!r}") from None
    dtstamp = ensure_utc(dtstamp, "DTSTAMP")
    mine = sorted(
        ((m, ensure_utc(s, f"meetings ({m.id}) start")) for m, s in meetings if participant_id in m.invited),
        key=lambda ms: (ms[1], ms[0].id),
    )
    events = [
        (
            meeting_event(
                mission,
                m,
                start,
                uid=meeting_uid(mission, m.id),
                dtstamp=dtstamp,
                resources=m.resources,
                sequence=(sequences or {}).get(m.id, 0),
            ),
            start,
            start + m.duration,
        )
        for m, start in mine
    ]
    cal = calendar("PUBLISH", events, mission.timezone)
    name = clean(f"{mission.name}: {person.name}")
    cal.add("NAME", name)  # RFC 7986
    cal.add("X-WR-CALNAME", vText(name))  # what Google, Apple and Outlook actually read
    refresh = vDuration(REFRESH)
    refresh.params["VALUE"] = "DURATION"
    cal.add("REFRESH-INTERVAL", refresh)
    cal.add("X-PUBLISHED-TTL", vDuration(REFRESH))
    ics: bytes = cal.to_ical()
    return ics


__all__ = ["REFRESH", "build_feed"]
