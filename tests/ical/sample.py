"""A small Toronto-Tokyo mission for the invitation and feed tests, and helpers to read .ics back."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from icalendar import Calendar

from scheduler.core.models import Contact, Meeting, Mission
from scheduler.core.zones import zone
from tests.builders import TOKYO, TORONTO, counterpart, delegate, meeting, mission

ORGANIZER = "edo@brampton.example.org"
NOW = datetime(2027, 1, 20, 15, 0, tzinfo=UTC)


def at(wall: str, zone_name: str) -> datetime:
    """ "2027-03-15 19:00" in the zone as a UTC instant (first occurrence if ambiguous)."""
    return datetime.fromisoformat(wall).replace(tzinfo=zone(zone_name)).astimezone(UTC)


def wall(instant: datetime, zone_name: str) -> str:
    return instant.astimezone(zone(zone_name)).strftime("%Y-%m-%d %H:%M")


def trade_mission(**meeting_changes: object) -> tuple[Mission, Meeting]:
    """Mayor Brown and Councillor Patel (Toronto) meet JETRO's two contacts (Tokyo).

    Patel is optional; the organizer's own address also belongs to a delegate, which must not
    make the organizer an attendee.
    """
    jetro = counterpart(
        "jetro",
        contacts=[
            Contact(name="山田 太郎", email="yamada@jetro.example.jp", language="ja", title="部長"),
            Contact(name="Hanako Sato", email="sato@jetro.example.jp", language="en", title="Director"),
        ],
    )
    brown = dataclasses.replace(delegate("brown"), name="Patrick Brown", role="Mayor")
    patel = dataclasses.replace(delegate("patel"), name="Priya Patel", role="Regional Councillor")
    office = delegate("office", email=ORGANIZER.upper())
    kick_off = dataclasses.replace(
        meeting("kick-off", ["brown", "office"], ["jetro"], optional=["patel"], resources=["interpreter"]),
        title="Brampton–JETRO kick-off",
        purpose="Introduce the delegation and agree next steps",
        agenda=("Welcome", "Investment opportunities in Peel", "Next steps"),
        notes="Bring the 2027 investment brochure.",
        video_url="https://meet.example.org/brampton-jetro",
    )
    kick_off = dataclasses.replace(kick_off, **meeting_changes)  # type: ignore[arg-type]
    m = mission(
        delegates=[brown, patel, office],
        counterparts=[jetro],
        meetings=[kick_off],
        resources={"interpreter": 1},
    )
    return m, kick_off


def vevent(ics: bytes):  # -> icalendar.Event
    events = Calendar.from_ical(ics).walk("VEVENT")
    assert len(events) == 1
    return events[0]


__all__ = ["NOW", "ORGANIZER", "TOKYO", "TORONTO", "at", "trade_mission", "vevent", "wall"]
