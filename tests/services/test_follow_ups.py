"""A follow-up from a meeting, on SQLite and PostgreSQL: made in one transaction, then proposed."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from scheduler.services import Services, book_time, import_mission
from scheduler.services.actions import create_item
from scheduler.services.follow_ups import schedule_follow_up
from scheduler.store import Store
from scheduler.store.editing import app_units
from tests.store.sample import at, sample_mission


def test_a_follow_up_has_the_same_people_the_open_items_and_an_after_rule(
    services: Services, store: Store
) -> None:
    # Adding a meeting edits the definition: the web's unit of work (as `services.editing` needs).
    services = replace(services, uow=app_units(store))
    mission_id = import_mission(services, replace(sample_mission(), video_url="https://meet.example.org/x"))
    book_time(services, mission_id, "brown-jetro", at(16, 0))
    create_item(
        services, mission_id, "brown-jetro", text="Send the list", owner="brown", due_date=date(2027, 3, 1)
    )
    made = schedule_follow_up(services, mission_id, "brown-jetro")
    again = schedule_follow_up(services, mission_id, "brown-jetro")
    assert (made.meeting.id, again.meeting.id) == ("brown-jetro-follow-up", "brown-jetro-follow-up-2")
    with store.unit_of_work(write=False) as uow:
        mission = uow.mission(mission_id)
        statuses = uow.meeting_statuses(mission_id)
    follow = mission.meeting("brown-jetro-follow-up")
    original = mission.meeting("brown-jetro")
    assert (follow.delegates, follow.counterparts, follow.after) == (
        original.delegates,
        original.counterparts,
        ("brown-jetro",),
    )
    assert follow.agenda == ("Brown: Send the list (due 2027-03-01)",)
    assert mission.end == follow.not_after
    assert made.proposal is not None, made.reason
    assert statuses["brown-jetro-follow-up"].state == "proposed"
    assert all(o.start > at(16, 0) for o in made.proposal.proposal.options)
