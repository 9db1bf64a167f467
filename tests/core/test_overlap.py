"""Each day's common windows of a group, in every zone the group spans."""

from __future__ import annotations

from datetime import date

from scheduler.core.overlap import common_windows, meeting_groups, mission_overlaps
from scheduler.core.zones import to_local
from tests.builders import TOKYO, TORONTO, busy, counterpart, delegate, meeting, mission
from tests.core.test_availability import toronto


def brown_jetro(**brown):
    return mission(
        delegates=[delegate("brown", holidays="CA-ON", **brown), delegate("santos")],
        counterparts=[counterpart("jetro", holidays="JP")],
        meetings=[
            meeting("a", ["brown"], ["jetro"]),
            meeting("b", ["brown"], ["jetro"], optional=["santos"]),
            meeting("c", ["santos"]),
        ],
    )


def windows(overlap, day: int, zone_name: str = TORONTO) -> list[str]:
    found = next(d for d in overlap.days if d.day == date(2027, 2, day))
    return [f"{to_local(a, zone_name):%H:%M}-{to_local(b, zone_name):%H:%M}" for a, b in found.windows]


def test_common_windows_per_home_date_in_both_zones() -> None:
    o = common_windows(brown_jetro(), ["brown", "jetro"])
    assert o.zones == (TORONTO, TOKYO)
    assert windows(o, 16) == ["19:00-22:00"]
    assert windows(o, 16, TOKYO) == ["09:00-12:00"]
    assert windows(o, 19) == []  # Fridays: no overlap
    assert windows(o, 15) == []  # Family Day
    assert windows(o, 22) == []  # Emperor's Birthday in Tokyo


def test_busy_time_and_its_buffer_cut_the_windows() -> None:
    o = common_windows(
        brown_jetro(busy=busy((toronto("2027-02-16 20:00"), toronto("2027-02-16 20:30")))), ["brown", "jetro"]
    )
    assert windows(o, 16) == ["19:00-19:45", "20:45-22:00"]


def test_fixed_meetings_are_commitments() -> None:
    m = brown_jetro()
    o = common_windows(m, ["brown", "jetro"], fixed={"c": toronto("2027-02-16 19:00")})
    assert windows(o, 16) == ["19:00-22:00"]  # santos's meeting does not bind brown
    o = common_windows(m, ["brown", "jetro"], fixed={"a": toronto("2027-02-16 19:00")})
    assert windows(o, 16) == ["20:15-22:00"]


def test_default_groups_are_each_meetings_required_people() -> None:
    m = brown_jetro()
    assert meeting_groups(m) == [(("brown", "jetro"), ("a", "b")), (("santos",), ("c",))]
    assert [(o.participants, o.meetings) for o in mission_overlaps(m)] == meeting_groups(m)
    assert len(mission_overlaps(m)[0].days) == 12
