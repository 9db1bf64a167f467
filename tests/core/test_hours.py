"""The text forms of the mission file: hours, day ranges and durations, and what they mean."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from scheduler.core.availability import feasible_starts
from scheduler.core.hours import (
    format_duration,
    format_ranges,
    parse_days,
    parse_duration,
    parse_ranges,
    parse_weekly,
)
from scheduler.core.zones import to_local
from tests.builders import TORONTO, delegate, meeting, mission


def test_touching_ranges_join_into_one() -> None:
    assert parse_ranges("12:00-13:00, 13:00-18:00") == ((720, 1080),)
    assert parse_ranges("13:00-18:00,12:00-13:00") == ((720, 1080),)  # in any order


def test_a_meeting_may_span_where_two_touching_ranges_meet() -> None:
    m = mission(
        delegates=[delegate("brown", hours={"tue": "12:00-13:00, 13:00-14:00"})],
        meetings=[meeting("m", ["brown"], duration="1h30m")],
        start=date(2027, 2, 16),
        end=date(2027, 2, 16),
        buffer="0m",
    )
    starts = [to_local(s, TORONTO).strftime("%H:%M") for s in feasible_starts(m, m.meeting("m"))]
    assert starts == ["12:00", "12:15", "12:30"]


def test_24_00_ends_a_range_at_the_next_midnight() -> None:
    assert parse_ranges("22:00-24:00") == ((1320, 1440),)
    assert format_ranges(parse_ranges("22:00-24:00")) == "22:00-24:00"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("24:00-25:00", "not a time of day"),
        ("09:00-09:00", "ends before it starts"),
        ("18:00-09:00", "ends before it starts (use 24:00 for midnight)"),
        ("09:00-12:00, 11:00-13:00", "ranges overlap"),
        ("9-12", "is not a time like '07:30'"),
        ("09:00", "is not a range like '09:00-18:00'"),
        ("09:60-10:00", "not a time of day"),
    ],
    ids=["past-24", "empty", "backwards", "overlap", "no-minutes", "no-end", "minute-60"],
)
def test_bad_ranges_say_what_is_wrong(text: str, words: str) -> None:
    with pytest.raises(ValueError, match=re.escape(words)):
        parse_ranges(text)


def test_off_is_no_hours_and_round_trips() -> None:
    assert parse_ranges("off") == ()
    assert parse_ranges(" OFF ") == ()
    assert format_ranges(()) == "off"
    text = "07:00-12:00, 13:00-22:00"
    assert format_ranges(parse_ranges(text)) == text


@pytest.mark.parametrize(
    ("key", "days"),
    [("mon-fri", [0, 1, 2, 3, 4]), ("sat", [5]), ("fri-mon", [4, 5, 6, 0]), ("Sun-Sun", [6])],
    ids=["weekdays", "one-day", "wrap-around", "case"],
)
def test_day_ranges(key: str, days: list[int]) -> None:
    assert parse_days(key) == days


def test_days_not_listed_have_no_hours() -> None:
    weekly = parse_weekly({"mon-thu": "08:00-18:00", "fri": "08:00-12:00"})
    assert weekly.on(date(2027, 2, 19)) == ((480, 720),)  # a Friday
    assert weekly.on(date(2027, 2, 20)) == ()  # Saturday: not listed


def test_a_day_given_twice_is_an_error() -> None:
    with pytest.raises(ValueError, match="wed is given twice"):
        parse_weekly({"mon-fri": "09:00-17:00", "wed": "10:00-12:00"})


def test_an_unknown_weekday_lists_the_days() -> None:
    with pytest.raises(ValueError, match=r"'mon-fry' is not a weekday.*days: mon, tue"):
        parse_days("mon-fry")


@pytest.mark.parametrize(
    ("text", "value"),
    [("45m", timedelta(minutes=45)), ("1h30m", timedelta(minutes=90)), ("2h", timedelta(hours=2))],
    ids=["minutes", "hours-and-minutes", "hours"],
)
def test_durations_round_trip(text: str, value: timedelta) -> None:
    assert parse_duration(text) == value
    assert format_duration(value) == text


@pytest.mark.parametrize("text", ["", "0m", "1 hour", "90", "h", "-5m"], ids=repr)
def test_bad_durations_are_errors(text: str) -> None:
    with pytest.raises(ValueError, match=r"duration|longer than zero"):
        parse_duration(text)
