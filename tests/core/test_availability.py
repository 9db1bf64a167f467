"""When people can meet: hours in their own zone, holidays on their own date, busy time, buffers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler.core.availability import (
    erode,
    feasible_starts,
    grid,
    meeting_window,
    start_set,
    starts_in,
)
from scheduler.core.models import Mission
from scheduler.core.zones import to_local, wall_to_utc
from tests.builders import TOKYO, TORONTO, busy, counterpart, delegate, meeting, mission
from tests.core.naive import naive_starts


def toronto(text: str) -> datetime:
    """'2027-02-15 19:00' on Toronto's wall clock → the UTC instant."""
    naive = datetime.fromisoformat(text)
    return wall_to_utc(naive.date(), naive.hour * 60 + naive.minute, TORONTO)


def walls(starts: list[datetime], zone_name: str = TORONTO) -> list[str]:
    return [to_local(s, zone_name).strftime("%a %d %H:%M %Z") for s in starts]


def brown_and_jetro(start: date, end: date, **kw) -> Mission:
    return mission(
        delegates=[delegate("brown", **kw.pop("brown", {}))],
        counterparts=[counterpart("jetro", **kw.pop("jetro", {}))],
        meetings=[meeting("m", ["brown"], ["jetro"], **kw)],
        start=start,
        end=end,
    )


def starts_on(m: Mission, day: str) -> list[str]:
    found = feasible_starts(m, m.meeting("m"))
    return [w for w in walls(found) if w.split()[1] == day[-2:]]


# --- daylight saving weeks -------------------------------------------------------------------
def test_march_change_moves_the_common_evening_from_19_to_20_toronto_time() -> None:
    m = brown_and_jetro(date(2027, 3, 8), date(2027, 3, 19))
    assert starts_on(m, "11")[0] == "Thu 11 19:00 EST"  # Tokyo 09:00 Fri, 14 h ahead
    assert starts_on(m, "11")[-1] == "Thu 11 21:00 EST"
    assert starts_on(m, "16")[0] == "Tue 16 20:00 EDT"  # Tokyo 09:00 Wed, 13 h ahead
    assert starts_on(m, "16")[-1] == "Tue 16 21:00 EDT"
    assert len(starts_on(m, "11")) == 9
    assert len(starts_on(m, "16")) == 5


def test_november_change_moves_the_common_evening_from_20_to_19_toronto_time() -> None:
    m = brown_and_jetro(date(2027, 11, 1), date(2027, 11, 12))
    assert starts_on(m, "04")[0] == "Thu 04 20:00 EDT"
    assert starts_on(m, "09")[0] == "Tue 09 19:00 EST"


def test_fall_back_sunday_has_both_01_30_starts_and_25_hours_of_grid() -> None:
    m = brown_and_jetro(date(2027, 11, 7), date(2027, 11, 7))
    starts = grid(m)
    assert len(starts) == 25 * 4
    assert walls(starts).count("Sun 07 01:30 EDT") == 1
    assert walls(starts).count("Sun 07 01:30 EST") == 1


def test_spring_forward_sunday_skips_the_missing_hour() -> None:
    m = brown_and_jetro(date(2027, 3, 14), date(2027, 3, 14))
    starts = walls(grid(m))
    assert len(starts) == 23 * 4
    assert starts[7:9] == ["Sun 14 01:45 EST", "Sun 14 03:00 EDT"]


def test_hours_across_the_spring_gap_last_the_hour_the_clock_shows() -> None:
    m = brown_and_jetro(
        date(2027, 3, 14), date(2027, 3, 14), brown={"hours": {"sun": "01:00-04:00"}}, jetro={"hours": {}}
    )
    s = start_set(m, m.participant("brown"), timedelta(hours=1))
    # 01:00 EST to 04:00 EDT is two real hours: starts from 01:00 EST to 03:00 EDT.
    assert walls([s.spans[0].start]) == ["Sun 14 01:00 EST"]
    assert s.contains_instant(toronto("2027-03-14 03:00"))
    assert not s.contains_instant(toronto("2027-03-14 03:15"))


def test_hours_across_the_fall_back_hour_keep_both_hours() -> None:
    m = brown_and_jetro(date(2027, 11, 7), date(2027, 11, 7), brown={"hours": {"sun": "00:00-02:00"}})
    s = start_set(m, m.participant("brown"), timedelta(hours=1))
    assert s.spans[0].end - s.spans[0].start == timedelta(hours=2, microseconds=1)  # 3 h of hours


# --- holidays on the holder's own date -------------------------------------------------------
def test_japanese_holiday_on_tuesday_removes_the_toronto_monday_evening() -> None:
    with_holiday = brown_and_jetro(date(2027, 2, 22), date(2027, 2, 23), jetro={"holidays": "JP"})
    without = brown_and_jetro(date(2027, 2, 22), date(2027, 2, 23))
    assert starts_on(without, "22")[0] == "Mon 22 19:00 EST"
    assert starts_on(with_holiday, "22") == []
    assert starts_on(with_holiday, "23") == starts_on(without, "23")  # Tokyo Wednesday is a workday


def test_family_day_blocks_toronto_but_not_tokyos_monday_morning() -> None:
    m = brown_and_jetro(
        date(2027, 2, 14),
        date(2027, 2, 15),
        brown={"holidays": "CA-ON", "hours": {"mon-sun": "07:00-22:00"}},
        jetro={"holidays": "JP"},
    )
    # Toronto Sunday evening is Tokyo's Monday 15 February morning: both work then.
    assert starts_on(m, "14")[0] == "Sun 14 19:00 EST"
    assert starts_on(m, "15") == []  # Family Day in Ontario


def test_an_override_on_a_holiday_means_working() -> None:
    m = brown_and_jetro(
        date(2027, 2, 15),
        date(2027, 2, 15),
        brown={"holidays": "CA-ON", "overrides": {date(2027, 2, 15): "19:00-23:00"}},
    )
    found = starts_on(m, "15")
    # The override's 19:00-23:00 against JETRO's Tokyo day (19:00-04:00 EST): 19:00 to 22:00.
    assert (found[0], found[-1], len(found)) == ("Mon 15 19:00 EST", "Mon 15 22:00 EST", 13)
    assert feasible_starts(m, m.meeting("m")) == naive_starts(m, m.meeting("m"))


def test_an_override_off_removes_a_working_day() -> None:
    m = brown_and_jetro(date(2027, 2, 16), date(2027, 2, 16), brown={"overrides": {date(2027, 2, 16): "off"}})
    assert starts_on(m, "16") == []


def test_a_meeting_ending_at_local_midnight_does_not_touch_the_next_date() -> None:
    # 24 February is no holiday; make the 24th a holiday by choosing JP's 23rd as "next date".
    m = mission(
        delegates=[delegate("night", hours={"mon": "22:00-24:00"}, holidays="JP", timezone=TOKYO)],
        meetings=[meeting("m", ["night"])],
        start=date(2027, 2, 22),
        end=date(2027, 2, 22),
        timezone=TOKYO,
    )
    starts = walls(feasible_starts(m, m.meeting("m")), TOKYO)
    assert starts[-1] == "Mon 22 23:00 JST"  # ends at 24:00, the start of the Emperor's Birthday


# --- busy time and buffers -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("busy_end", "first_start"),
    [("18:45", "19:00"), ("18:46", "19:15"), ("19:00", "19:15")],
    ids=["gap-exactly-buffer", "gap-short-by-a-minute", "gap-of-buffer-after-19"],
)
def test_a_gap_of_exactly_the_buffer_is_fine_and_less_is_not(busy_end: str, first_start: str) -> None:
    m = brown_and_jetro(
        date(2027, 2, 16),
        date(2027, 2, 16),
        brown={"busy": busy((toronto("2027-02-16 17:00"), toronto(f"2027-02-16 {busy_end}")))},
    )
    assert starts_on(m, "16")[0] == f"Tue 16 {first_start} EST"


def test_a_meeting_before_busy_time_keeps_the_buffer_too() -> None:
    m = brown_and_jetro(
        date(2027, 2, 16),
        date(2027, 2, 16),
        brown={"busy": busy((toronto("2027-02-16 21:15"), toronto("2027-02-16 22:00")))},
    )
    assert starts_on(m, "16")[-1] == "Tue 16 20:00 EST"  # 20:00-21:00, then 15 minutes, then busy


def test_a_counterparts_busy_calendar_blocks_with_the_buffer() -> None:
    m = brown_and_jetro(
        date(2027, 2, 16),
        date(2027, 2, 16),
        jetro={"busy": busy((toronto("2027-02-16 19:00"), toronto("2027-02-16 20:00")))},
    )
    assert starts_on(m, "16")[0] == "Tue 16 20:15 EST"


def test_a_fixed_meeting_is_a_commitment_of_its_participants() -> None:
    base = brown_and_jetro(date(2027, 2, 16), date(2027, 2, 16))
    other = meeting("other", ["brown"], duration="30m")
    m = Mission(**{**base.__dict__, "meetings": (*base.meetings, other)})
    found = feasible_starts(m, m.meeting("m"), fixed={"other": toronto("2027-02-16 19:30")})
    assert walls(found)[0] == "Tue 16 20:15 EST"


# --- the meeting's own dates -----------------------------------------------------------------
def test_not_before_and_not_after_bound_the_whole_meeting() -> None:
    m = brown_and_jetro(
        date(2027, 2, 15), date(2027, 2, 26), not_before=date(2027, 2, 17), not_after=date(2027, 2, 18)
    )
    found = feasible_starts(m, m.meeting("m"))
    assert {to_local(s, TORONTO).day for s in found} == {17, 18}
    window = meeting_window(m, m.meeting("m"))
    assert all(window.start <= s and s + timedelta(hours=1) <= window.end for s in found)


# --- the fast answer equals the plain one ----------------------------------------------------
BASE = datetime(2027, 3, 10, tzinfo=UTC)
events = st.lists(
    st.tuples(st.integers(0, 9 * 24 * 4), st.integers(1, 12)).map(
        lambda t: (BASE + timedelta(minutes=15 * t[0]), BASE + timedelta(minutes=15 * (t[0] + t[1]) - 5))
    ),
    max_size=12,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events, events, st.sampled_from(["30m", "60m", "1h30m"]), st.sampled_from(["0m", "15m", "20m"]))
def test_feasible_starts_equal_checking_every_grid_start(brown_busy, jetro_busy, duration, buffer) -> None:
    m = mission(
        delegates=[
            delegate(
                "brown",
                holidays="CA-ON",
                busy=busy(*brown_busy),
                overrides={date(2027, 3, 13): "19:00-24:00"},
            )
        ],
        counterparts=[
            counterpart("jetro", holidays="JP", busy=busy(*jetro_busy), hours={"mon-sat": "08:00-19:00"})
        ],
        meetings=[meeting("m", ["brown"], ["jetro"], duration=duration)],
        start=date(2027, 3, 10),
        end=date(2027, 3, 19),
        buffer=buffer,
    )
    assert feasible_starts(m, m.meeting("m")) == naive_starts(m, m.meeting("m"))
    # One person's own start set answers the same question for a meeting of one.
    alone = Mission(**{**m.__dict__, "meetings": (meeting("solo", ["jetro"], duration=duration),)})
    own = start_set(alone, alone.participant("jetro"), alone.meeting("solo").duration)
    own &= erode([alone.window], alone.meeting("solo").duration)  # start sets ignore the window's end
    assert starts_in(own, grid(alone)) == naive_starts(alone, alone.meeting("solo"))
