"""The slot finder: ranking, the score's parts, everyone's local time, and every kind of reason."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler.core.availability import feasible_starts
from scheduler.core.models import Mission
from scheduler.core.scoring import score
from scheduler.core.slots import find_slots
from scheduler.core.zones import wall_to_utc
from scheduler.errors import NotFound
from tests.builders import TOKYO, TORONTO, busy, counterpart, delegate, meeting, mission
from tests.core.naive import free_at, naive_starts
from tests.core.test_availability import toronto

FEB = {"start": date(2027, 2, 15), "end": date(2027, 2, 26)}


def brown_jetro(*meetings, brown=None, jetro=None, others=()) -> Mission:
    return mission(
        delegates=[delegate("brown", holidays="CA-ON", **(brown or {})), *others],
        counterparts=[counterpart("jetro", holidays="JP", **(jetro or {}))],
        meetings=meetings or [meeting("m", ["brown"], ["jetro"])],
        **FEB,
    )


def on(day: int) -> dict[str, date]:
    return {"not_before": date(2027, 2, day), "not_after": date(2027, 2, day)}


# --- ranking ---------------------------------------------------------------------------------
def test_slots_are_every_feasible_start_ranked_by_optional_then_worst_then_mean_then_time() -> None:
    m = brown_jetro(
        meeting("m", ["brown"], ["jetro"], optional=["hazel"]),
        brown={"preferred": {"mon-thu": "08:00-21:00"}},
        jetro={"preferred": {"mon-fri": "10:00-17:00"}},
        others=[delegate("hazel", hours={"wed": "19:00-22:00"})],
    )
    search = find_slots(m, "m")
    starts = [s.start for s in search.slots]
    assert sorted(starts) == feasible_starts(m, m.meeting("m"))
    keys = [
        (-s.score.optional_free, -s.score.worst_comfort, -s.score.mean_comfort, s.start) for s in search.slots
    ]
    assert keys == sorted(keys)
    best = search.slots[0]
    assert best.optional_free == ("hazel",)
    assert best.local["hazel"].strftime("%a") == "Wed"
    assert best.local["brown"].strftime("%H:%M %Z") == "20:00 EST"  # preferred for both: 100/100
    assert best.score.comfort == {"brown": 100, "jetro": 100}


def test_fairness_beats_one_sides_comfort() -> None:
    # Brown prefers 19:00 (Tokyo 09:00, the edge of JETRO's day); 20:00 is fair to both.
    m = brown_jetro(
        meeting("m", ["brown"], ["jetro"], **on(16)),
        brown={"preferred": {"tue": "19:00-20:00"}},
        jetro={"preferred": {"mon-fri": "10:00-17:00"}},
    )
    first = find_slots(m, "m").slots[0]
    assert first.local["jetro"].strftime("%H:%M") == "10:00"
    assert first.score.worst_comfort > 0
    last_19 = next(
        s for s in find_slots(m, "m").slots if s.local["brown"].hour == 19 and s.local["brown"].minute == 0
    )
    assert last_19.score.comfort["jetro"] == 0  # pushed to the very start of JETRO's day


def test_score_parts_match_the_shared_scoring() -> None:
    m = brown_jetro(meeting("m", ["brown"], ["jetro"], optional=["hazel"]), others=[delegate("hazel")])
    for slot in find_slots(m, "m", top=10).slots:
        assert slot.score == score(m, m.meeting("m"), slot.start, slot.optional_free)
        assert slot.end - slot.start == timedelta(hours=1)


def test_local_times_are_each_participants_own_zone_including_optional() -> None:
    m = brown_jetro(
        meeting("m", ["brown"], ["jetro"], optional=["hazel"], **on(16)), others=[delegate("hazel")]
    )
    slot = find_slots(m, "m", top=1).slots[0]
    assert set(slot.local) == {"brown", "jetro", "hazel"}
    assert slot.local["brown"].isoformat() == "2027-02-16T20:00:00-05:00"
    assert slot.local["jetro"].isoformat() == "2027-02-17T10:00:00+09:00"
    assert slot.local["hazel"].isoformat() == "2027-02-16T20:00:00-05:00"
    assert str(slot.local["jetro"].tzinfo) == TOKYO
    assert str(slot.local["hazel"].tzinfo) == TORONTO


@pytest.mark.parametrize(("top", "count"), [(None, 54), (0, 54), (3, 3)], ids=["none", "zero", "three"])
def test_top_none_or_zero_means_all(top: int | None, count: int) -> None:
    assert len(find_slots(brown_jetro(), "m", top=top).slots) == count


def test_unknown_meeting_is_not_found() -> None:
    with pytest.raises(NotFound, match=r"no meeting 'nope'.*meetings: m"):
        find_slots(brown_jetro(), "nope")


def test_fixed_argument_makes_other_meetings_commitments() -> None:
    m = brown_jetro(meeting("m", ["brown"], ["jetro"], **on(16)), meeting("o", ["brown"], duration="3h"))
    assert find_slots(m, "m").slots
    search = find_slots(m, "m", fixed={"o": toronto("2027-02-16 19:00")})
    assert search.slots == ()
    assert "brown: meeting o 2027-02-16 19:00–22:00 EST" in search.reasons


FAST_BASE = datetime(2027, 3, 10, tzinfo=UTC)
some_events = st.lists(
    st.tuples(st.integers(0, 9 * 24 * 4), st.integers(1, 12)).map(
        lambda t: (
            FAST_BASE + timedelta(minutes=15 * t[0]),
            FAST_BASE + timedelta(minutes=15 * (t[0] + t[1]) - 5),
        )
    ),
    max_size=12,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    some_events,
    some_events,
    some_events,
    st.tuples(st.integers(0, 9), st.integers(0, 11)),
    st.sampled_from(["30m", "60m"]),
)
def test_optional_people_free_are_exactly_those_free_at_each_start(
    brown_busy, hazel_busy, ito_busy, booked_at, duration
) -> None:
    # Across the March clock change, with holidays, calendars, the buffer and a booked meeting
    # of an optional person: each slot names exactly the optional people a plain check finds free.
    # The booked meeting lies in a Toronto evening, when brown and jetro can meet.
    day, quarter = booked_at
    booked = wall_to_utc(date(2027, 3, 10) + timedelta(days=day), 19 * 60 + 15 * quarter, TORONTO)
    m = mission(
        delegates=[
            delegate("brown", holidays="CA-ON", busy=busy(*brown_busy)),
            delegate("hazel", hours={"mon-sat": "10:00-16:00, 19:00-22:00"}, busy=busy(*hazel_busy)),
            delegate(
                "ito", timezone=TOKYO, holidays="JP", hours={"mon-fri": "08:00-20:00"}, busy=busy(*ito_busy)
            ),
        ],
        counterparts=[counterpart("jetro", holidays="JP")],
        meetings=[
            meeting("m", ["brown"], ["jetro"], duration=duration, optional=["hazel", "ito"]),
            meeting("o", ["hazel"], duration="45m", fixed_start=booked),
        ],
        start=date(2027, 3, 10),
        end=date(2027, 3, 19),
        buffer="15m",
    )
    search = find_slots(m, "m")
    assert [s.start for s in sorted(search.slots, key=lambda s: s.start)] == naive_starts(m, m.meeting("m"))
    for slot in search.slots:
        expected = tuple(
            oid
            for oid, others in (("hazel", [(booked, booked + timedelta(minutes=45))]), ("ito", []))
            if free_at(m.participant(oid), slot.start, slot.end, m.buffer, others)
        )
        assert slot.optional_free == expected


def test_many_slots_come_without_reasons() -> None:
    assert find_slots(brown_jetro(), "m").reasons == ()


# --- reasons ---------------------------------------------------------------------------------
def test_reason_japanese_holiday_names_the_tokyo_date() -> None:
    search = find_slots(brown_jetro(meeting("m", ["brown"], ["jetro"], **on(22))), "m")
    assert search.slots == ()
    assert "jetro: Emperor's Birthday (JP) on Tue 2027-02-23 Tokyo" in search.reasons


def test_reason_ontario_holiday_names_the_toronto_date() -> None:
    search = find_slots(brown_jetro(meeting("m", ["brown"], ["jetro"], **on(15))), "m")
    assert "brown: Family Day (CA-ON) on Mon 2027-02-15 Toronto" in search.reasons


def test_reason_no_overlap_of_hours_is_grouped_by_weekday() -> None:
    m = brown_jetro(meeting("m", ["brown"], ["jetro"]), brown={"busy": _every_evening()})
    reasons = find_slots(m, "m").reasons
    assert reasons[0] == (
        "no overlap of brown 07:00–22:00 America/Toronto and jetro 09:00–18:00 Asia/Tokyo on Fridays"
    )
    assert "jetro: off Sat–Sun Asia/Tokyo on Sat 2027-02-20" in reasons
    assert "brown: off Sun America/Toronto on Sun 2027-02-21" in reasons


def _every_evening():
    return busy(*[(toronto(f"2027-02-{d} 19:00"), toronto(f"2027-02-{d} 21:00")) for d in range(15, 27)])


def test_reason_busy_periods_are_named_then_counted_and_the_buffer_blamed() -> None:
    reasons = find_slots(brown_jetro(brown={"busy": _every_evening()}), "m").reasons
    assert reasons[-5:] == (
        "brown: busy 2027-02-16 19:00–21:00 EST",
        "brown: busy 2027-02-17 19:00–21:00 EST",
        "brown: busy 2027-02-18 19:00–21:00 EST",
        "brown: 3 more busy periods",
        "the 15m buffer around commitments removes the last 6 starts",
    )


def test_busy_time_leaving_enough_starts_gives_no_reasons() -> None:
    evening = busy((toronto("2027-02-16 19:00"), toronto("2027-02-16 20:00")))
    search = find_slots(
        brown_jetro(meeting("m", ["brown"], ["jetro"], **on(16)), brown={"busy": evening}), "m"
    )
    assert sorted(s.local["brown"].strftime("%H:%M") for s in search.slots) == [
        "20:15",
        "20:30",
        "20:45",
        "21:00",
    ]
    assert search.reasons == ()


def test_reason_few_slots_left_after_buffers() -> None:
    few = brown_jetro(
        meeting("m", ["brown"], ["jetro"], **on(16)),
        brown={"busy": busy((toronto("2027-02-16 19:00"), toronto("2027-02-16 20:45")))},
    )
    search = find_slots(few, "m")
    assert [s.local["brown"].strftime("%H:%M") for s in search.slots] == ["21:00"]
    assert search.reasons[0] == "only 1 start fits"
    assert "brown: busy 2027-02-16 19:00–20:45 EST" in search.reasons
    assert (
        "max 1 slot left after buffers: the 15m buffer around commitments removes 1 more start"
        in search.reasons
    )


def test_reason_outside_not_before_not_after_points_to_free_times() -> None:
    search = find_slots(brown_jetro(meeting("m", ["brown"], ["jetro"], **on(19))), "m")
    assert search.reasons == (
        "no overlap of brown 07:00–22:00 America/Toronto and jetro 09:00–18:00 Asia/Tokyo on Fri 2027-02-19",
        "outside not_before/not_after (2027-02-19–2027-02-19): 54 starts where everyone is free, "
        "the first Tue 2027-02-16 19:00 EST",
    )


def test_reason_dates_outside_the_mission() -> None:
    search = find_slots(brown_jetro(meeting("m", ["brown"], ["jetro"], not_before=date(2027, 3, 2))), "m")
    assert search.reasons == (
        "outside not_before/not_after: 2027-03-02–… leaves no 1h start inside the mission "
        "2027-02-15–2027-02-26 America/Toronto",
    )


def test_reason_hours_shorter_than_the_meeting() -> None:
    m = brown_jetro(
        meeting("m", ["brown"], ["jetro"], duration="1h30m"), brown={"hours": {"mon-fri": "19:00-20:00"}}
    )
    assert find_slots(m, "m").reasons[0] == (
        "brown: hours 19:00–20:00 America/Toronto leave no 1h30m start on Mondays, Tuesdays, Wednesdays, "
        "Thursdays, Fridays"
    )


def test_reason_overlap_too_short() -> None:
    m = brown_jetro(
        meeting("m", ["brown"], ["jetro"], duration="1h30m", **on(16)),
        brown={"hours": {"mon-fri": "07:00-20:00"}},
    )
    assert find_slots(m, "m").reasons[0] == (
        "brown 07:00–20:00 America/Toronto and jetro 09:00–18:00 Asia/Tokyo overlap only 1h, "
        "the meeting needs 1h30m on Tue 2027-02-16"
    )


def test_reason_three_people_without_a_common_hour() -> None:
    m = brown_jetro(meeting("m", ["brown"], ["jetro", "osaka"], **on(16)))
    osaka = counterpart("osaka", hours={"mon-fri": "06:00-09:00, 12:00-15:00"})
    m = replace(m, counterparts=(*m.counterparts, osaka))
    assert find_slots(m, "m").reasons[0] == (
        "no common hours of brown 07:00–22:00 America/Toronto, jetro 09:00–18:00 Asia/Tokyo, "
        "osaka 06:00–09:00, 12:00–15:00 Asia/Tokyo on Tue 2027-02-16"
    )


def test_reasons_are_deterministic() -> None:
    m = brown_jetro(brown={"busy": _every_evening()})
    assert find_slots(m, "m").reasons == find_slots(m, "m").reasons


def test_reason_hours_that_overlap_only_off_the_grid() -> None:
    m = brown_jetro(
        meeting("m", ["brown"], ["jetro"], **on(16)), jetro={"hours": {"mon-fri": "09:15-10:15, 12:00-18:00"}}
    )
    m = replace(m, step=timedelta(minutes=30))
    assert find_slots(m, "m").reasons == (
        "brown 07:00–22:00 America/Toronto and jetro 09:15–10:15, 12:00–18:00 Asia/Tokyo "
        "share no start on the grid on Tue 2027-02-16",
    )


def test_reason_busy_people_beyond_ten_are_counted() -> None:
    evening = busy((toronto("2027-02-16 18:00"), toronto("2027-02-16 23:00")))
    people = [delegate(f"d{i:02d}", busy=evening) for i in range(12)]
    m = mission(
        delegates=people,
        counterparts=[counterpart("jetro")],
        meetings=[meeting("m", [p.id for p in people], ["jetro"], **on(16))],
        **FEB,
    )
    reasons = find_slots(m, "m").reasons
    assert reasons[:10] == tuple(f"d{i:02d}: busy 2027-02-16 18:00–23:00 EST" for i in range(10))
    assert reasons[10] == "busy time of 2 more participants removes starts too"
