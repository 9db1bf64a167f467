"""The state the coordinator pages are tested and photographed in, built with the real use cases.

The sample mission (config.toml) is imported and planned; the JETRO briefing is proposed and
booked by its counterpart through the link (invitations queued in the outbox), the call with
the Ambassador is proposed (its options are holds), and an action item is recorded. A second,
small mission crosses the start of daylight saving time in Toronto (Sunday 14 March 2027).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from scheduler.core.hours import parse_weekly
from scheduler.core.models import Contact, Meeting, Mission, Participant
from scheduler.services import Services, book, import_mission, plan, propose

DST_FIRST, DST_LAST = date(2027, 3, 8), date(2027, 3, 19)


@dataclass(frozen=True)
class Scenario:
    mission_id: int
    dst_mission_id: int
    booked: str  # a meeting booked through its link
    proposed: str  # a meeting with an open proposal


def dst_mission() -> Mission:
    """Toronto and Tokyo across 14 March 2027: 14 hours apart before it, 13 after."""
    toronto = Participant(
        id="chair",
        name="Alex Chair",
        kind="delegate",
        timezone="America/Toronto",
        holidays="CA-ON",
        email="chair@example.org",
        hours=parse_weekly({"mon-fri": "07:00-22:00"}),
    )
    tokyo = Participant(
        id="tokyo-office",
        name="Tokyo Office",
        kind="counterpart",
        timezone="Asia/Tokyo",
        holidays="JP",
        hours=parse_weekly({"mon-fri": "09:00-12:00"}),
        contacts=(Contact(name="Sato Aoi", email="sato@example.jp", language="ja"),),
    )
    call = Meeting(
        id="spring-call",
        title="Call across the clock change",
        delegates=("chair",),
        counterparts=("tokyo-office",),
        duration=timedelta(hours=1),
    )
    return Mission(
        name="Spring-forward test mission",
        timezone="America/Toronto",
        start=DST_FIRST,
        end=DST_LAST,
        organizer=Contact(name="Coordinator", email="coordinator@example.org"),
        delegates=(toronto,),
        counterparts=(tokyo,),
        meetings=(call,),
    )


def build_scenario(services: Services, mission_id: int, owner: int | None = None) -> Scenario:
    """Plan the sample, book one meeting through its link, propose another, add the DST mission."""
    plan(services, mission_id, time_limit=5)
    booked, proposed = "jetro-briefing", "ambassador-call"
    created = propose(services, mission_id, booked)
    book(services, created.link.rsplit("/", 1)[1], created.proposal.open_options[0].id)
    propose(services, mission_id, proposed)
    now = services.clock.now()
    with services.uow() as uow:
        uow.due.add_action_item(  # type: ignore[attr-defined]
            mission_id, booked, "Send JETRO the list of Brampton sites", "sandhu", now=now
        )
    dst_id = import_mission(services, dst_mission(), source="", owner=owner)
    return Scenario(mission_id=mission_id, dst_mission_id=dst_id, booked=booked, proposed=proposed)


__all__ = ["DST_FIRST", "DST_LAST", "Scenario", "build_scenario", "dst_mission"]
