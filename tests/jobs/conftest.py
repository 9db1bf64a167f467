from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from scheduler.core.models import Contact, Mission
from scheduler.core.timing import DueSpec, Recipient
from tests.store.fixtures import _drop_test_schemas, db_url
from tests.store.sample import at, sample_mission

__all__ = ["_drop_test_schemas", "db_url"]


def crowded_mission(contacts: int) -> Mission:
    """The sample mission with brown-jetro fixed at 16 Feb 00:00 UTC (booked on import, no
    invitations) and JETRO with `contacts` contacts guest0@example.org…: that many real
    recipients of the meeting's reminders."""
    mission = sample_mission()
    people = tuple(
        replace(
            p,
            contacts=tuple(
                Contact(name=f"Guest {i}", email=f"guest{i}@example.org") for i in range(contacts)
            ),
        )
        if p.id == "jetro"
        else p
        for p in mission.counterparts
    )
    meetings = tuple(
        replace(m, fixed_start=at(16, 0)) if m.id == "brown-jetro" else m for m in mission.meetings
    )
    return replace(mission, counterparts=people, meetings=meetings)


def guest_reminders(mission_id: int, booking_id: int, names: range, due_at: datetime) -> list[DueSpec]:
    """A 24 h reminder to each of those guests of `crowded_mission`, all due at `due_at`."""
    return [
        DueSpec(
            key=f"load:{i}",
            kind="reminder",
            due_at=due_at,
            mission_id=mission_id,
            meeting_id="brown-jetro",
            booking_id=booking_id,
            recipient=Recipient(
                name=f"Guest {i}", email=f"guest{i}@example.org", timezone="Asia/Tokyo", kind="contact"
            ),
            detail="24h",
        )
        for i in names
    ]
