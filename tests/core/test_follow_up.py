"""The follow-up of a meeting, and action-item times: pure rules."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from scheduler.core.actions import action_key, due_morning, overdue_morning, parse_action_key
from scheduler.core.follow_up import follow_up, follow_up_id
from tests.web.conftest import sample_mission


def test_a_follow_up_id_is_never_one_already_taken() -> None:
    assert follow_up_id("a", ["a"]) == "a-follow-up"
    assert follow_up_id("a", ["a", "a-follow-up", "a-follow-up-2"]) == "a-follow-up-3"


def test_the_window_grows_the_mission_but_never_shrinks_it() -> None:
    mission = sample_mission()
    grown, meeting = follow_up(
        mission, "jeita-meeting", [], held_on=date(2027, 2, 16), earliest=date(2027, 2, 1)
    )
    assert (meeting.not_before, meeting.not_after, grown.end) == (
        date(2027, 2, 17),
        date(2027, 3, 16),
        date(2027, 3, 16),
    )
    assert meeting.agenda == ("Review of the previous meeting",)
    same, _ = follow_up(mission, "jeita-meeting", [], held_on=None, earliest=date(2027, 1, 26))
    assert same.end == mission.end  # 26 January + 4 weeks ends before the mission does


@pytest.mark.parametrize(
    ("zone", "due", "overdue"),
    [
        ("Asia/Tokyo", datetime(2027, 3, 1, 0, tzinfo=UTC), datetime(2027, 3, 2, 0, tzinfo=UTC)),
        ("America/Toronto", datetime(2027, 3, 1, 14, tzinfo=UTC), datetime(2027, 3, 2, 14, tzinfo=UTC)),
        # Toronto springs forward on 14 March 2027: 09:00 EDT is 13:00 UTC.
        ("America/Toronto", datetime(2027, 3, 14, 13, tzinfo=UTC), datetime(2027, 3, 15, 13, tzinfo=UTC)),
    ],
    ids=["tokyo-monday-is-toronto-sunday", "toronto", "toronto-dst-day"],
)
def test_an_items_mornings_are_on_the_owners_own_calendar(
    zone: str, due: datetime, overdue: datetime
) -> None:
    day = due.astimezone(UTC).date() if zone == "America/Toronto" else date(2027, 3, 1)
    assert (due_morning(day, zone, 9), overdue_morning(day, zone, 9)) == (due, overdue)


def test_action_keys_name_the_item_and_revision() -> None:
    assert parse_action_key(action_key("action_due", 12, 3, "A@B.jp")) == (12, 3)
    with pytest.raises(ValueError, match="not an action item key"):
        parse_action_key("reminder:b1:3600:a@b.jp")
