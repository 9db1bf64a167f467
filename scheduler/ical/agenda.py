"""The agenda of a meeting as plain text, for an event's DESCRIPTION.

Calendar clients show DESCRIPTION as the event's notes, so it has to stand on its own: the
purpose, the time on both sides (the date often differs between Toronto and Tokyo), who takes
part with their roles, the agenda items, notes, the video link and the interpreter if booked.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from scheduler.core.models import Meeting, Mission
from scheduler.core.zones import to_local

INTERPRETER = "interpreter"  # the resource name that means an interpreter is booked

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean(text: str) -> str:
    """Text safe to put in a calendar: line breaks kept as "\\n", other control characters dropped.

    A lone CR would be read as a line end by some parsers, and NUL or ESC mean nothing to anyone.
    """
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def city(zone_name: str) -> str:
    """ "America/Toronto" → "Toronto": how people name a zone."""
    return zone_name.rsplit("/", 1)[-1].replace("_", " ")


def video_link(mission: Mission, meeting: Meeting) -> str:
    """The meeting's own video link, else the mission's default, else ""."""
    return meeting.video_url or mission.video_url


def meeting_zones(mission: Mission, meeting: Meeting) -> list[str]:
    """The home zone first, then every other zone of the meeting's participants, once each."""
    zones = [mission.timezone]
    for pid in meeting.invited:
        try:
            tz = mission.participant(pid).timezone
        except KeyError:
            continue
        if tz not in zones:
            zones.append(tz)
    return zones


def when_line(start: datetime, end: datetime, zones: Sequence[str]) -> str:
    """ "Mon 15 Mar 2027 19:00–20:00 EDT (Toronto) / Tue 16 Mar 2027 08:00–09:00 JST (Tokyo)"."""
    parts = []
    for z in zones:
        a, b = to_local(start, z), to_local(end, z)
        end_text = b.strftime("%H:%M") if b.date() == a.date() else b.strftime("%a %d %b %H:%M")
        if b.tzname() == a.tzname():
            parts.append(f"{a:%a %d %b %Y %H:%M}–{end_text} {a.tzname()} ({city(z)})")
        else:  # the clocks change during the meeting (a 01:00-02:00 on a fall-back night)
            parts.append(f"{a:%a %d %b %Y %H:%M} {a.tzname()}–{end_text} {b.tzname()} ({city(z)})")
    return " / ".join(parts)


def _who(mission: Mission, ids: Sequence[str]) -> list[str]:
    lines = []
    for pid in ids:
        try:
            p = mission.participant(pid)
        except KeyError:
            continue
        if p.kind == "delegate":
            lines.append(f"- {p.name}" + (f", {p.role}" if p.role else ""))
        else:
            people = "; ".join(c.name + (f", {c.title}" if c.title else "") for c in p.contacts)
            lines.append(f"- {p.name}" + (f": {people}" if people else ""))
    return lines


def agenda_text(
    mission: Mission, meeting: Meeting, start: datetime, end: datetime, resources: Sequence[str] = ()
) -> str:
    """The meeting's agenda as plain text with "\\n" line breaks (escaped later by the serialiser)."""
    out = [meeting.title]
    if meeting.purpose:
        out += ["", f"Purpose: {meeting.purpose}"]
    out += ["", f"When: {when_line(start, end, meeting_zones(mission, meeting))}", "", "Participants"]
    out += _who(mission, meeting.delegates)
    out += _who(mission, meeting.counterparts)
    optional = _who(mission, meeting.optional)
    if optional:
        out += ["Optional:", *optional]
    if meeting.agenda:
        out += ["", "Agenda", *(f"{i}. {item}" for i, item in enumerate(meeting.agenda, 1))]
    if meeting.notes:
        out += ["", "Notes", meeting.notes]
    link = video_link(mission, meeting)
    if link:
        out += ["", f"Video link: {link}"]
    if INTERPRETER in resources:
        out += ["", "Interpreter: an English–Japanese interpreter is booked for this meeting."]
    out += ["", f"Organizer: {mission.organizer.name} <{mission.organizer.email}>"]
    return clean("\n".join(out))


__all__ = ["INTERPRETER", "agenda_text", "city", "clean", "meeting_zones", "video_link", "when_line"]
