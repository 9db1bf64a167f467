"""Recurring events: RRULE, COUNT/UNTIL, RDATE, EXDATE, RECURRENCE-ID, and DST inside a series."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from dateutil.rrule import rrulestr
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.core.intervals import Interval
from scheduler.errors import CalendarError
from scheduler.ical import parse_busy, parse_occurrences
from scheduler.ical.recurrence import Stepped, build_rule, starts_between
from tests.ical.busy_support import MISSION, TOKYO, TORONTO, busy, event, ics, utc_spans

START = "DTSTART;TZID=America/Toronto:20270215T090000"
END = "DTEND;TZID=America/Toronto:20270215T100000"


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (
            "FREQ=DAILY;COUNT=3",
            ["2027-02-15 09:00-10:00", "2027-02-16 09:00-10:00", "2027-02-17 09:00-10:00"],
        ),
        (
            "FREQ=WEEKLY;BYDAY=MO,TH",
            [
                "2027-02-15 09:00-10:00",
                "2027-02-18 09:00-10:00",
                "2027-02-22 09:00-10:00",
                "2027-02-25 09:00-10:00",
            ],
        ),
        ("FREQ=WEEKLY;INTERVAL=2", ["2027-02-15 09:00-10:00"]),
        ("FREQ=MONTHLY;BYDAY=-1WE", ["2027-02-15 09:00-10:00", "2027-02-24 09:00-10:00"]),
        (
            "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=20,26",
            ["2027-02-15 09:00-10:00", "2027-02-20 09:00-10:00", "2027-02-26 09:00-10:00"],
        ),
        (
            "FREQ=HOURLY;INTERVAL=6;COUNT=3",
            ["2027-02-15 09:00-10:00", "2027-02-15 15:00-16:00", "2027-02-15 21:00-22:00"],
        ),
    ],
    ids=["daily-count", "weekly-byday", "biweekly", "monthly-last-wednesday", "yearly-bymonthday", "hourly"],
)
def test_rrule_frequencies(rule: str, expected: list[str]) -> None:
    assert busy(ics(*event(START, END, f"RRULE:{rule}"))) == expected


def test_dtstart_is_the_first_instance_even_off_the_rule() -> None:
    # Monday start, rule on Wednesdays: RFC 5545 counts DTSTART anyway.
    text = ics(*event(START, END, "RRULE:FREQ=WEEKLY;BYDAY=WE;UNTIL=20270218T000000Z"))
    assert busy(text) == ["2027-02-15 09:00-10:00", "2027-02-17 09:00-10:00"]


def test_an_endless_rule_is_expanded_only_over_the_window() -> None:
    text = ics(
        *event(
            "DTSTART;TZID=America/Toronto:20150105T090000",
            "DTEND;TZID=America/Toronto:20150105T100000",
            "RRULE:FREQ=WEEKLY",
        )
    )
    assert busy(text) == ["2027-02-15 09:00-10:00", "2027-02-22 09:00-10:00"]


def test_until_in_utc_for_a_zoned_series_is_an_instant() -> None:
    # The instance of Wed 17 Feb starts 14:00 UTC; UNTIL 14:00Z keeps it, 13:59Z drops it.
    keep = ics(*event(START, END, "RRULE:FREQ=DAILY;UNTIL=20270217T140000Z"))
    drop = ics(*event(START, END, "RRULE:FREQ=DAILY;UNTIL=20270217T135900Z"))
    assert busy(keep)[-1] == "2027-02-17 09:00-10:00"
    assert busy(drop)[-1] == "2027-02-16 09:00-10:00"


def test_until_as_a_floating_time_is_the_series_wall_clock() -> None:
    text = ics(
        *event("DTSTART:20270215T090000", "DTEND:20270215T100000", "RRULE:FREQ=DAILY;UNTIL=20270217T090000")
    )
    window = Interval(datetime(2027, 2, 1, tzinfo=UTC), datetime(2027, 3, 1, tzinfo=UTC))
    assert busy(text, owner=TOKYO, window=window) == [
        "2027-02-15 09:00-10:00",
        "2027-02-16 09:00-10:00",
        "2027-02-17 09:00-10:00",
    ]


def test_until_as_a_date_includes_that_whole_date() -> None:
    text = ics(*event(START, END, "RRULE:FREQ=DAILY;UNTIL=20270216"))
    assert busy(text) == ["2027-02-15 09:00-10:00", "2027-02-16 09:00-10:00"]


def test_rdate_adds_instances_in_any_zone() -> None:
    text = ics(
        *event(
            START,
            END,
            "RDATE;TZID=America/Toronto:20270218T090000,20270219T090000",
            "RDATE:20270222T140000Z",
        )
    )
    assert busy(text) == [
        "2027-02-15 09:00-10:00",
        "2027-02-18 09:00-10:00",
        "2027-02-19 09:00-10:00",
        "2027-02-22 09:00-10:00",
    ]


def test_rdate_period_has_its_own_length() -> None:
    text = ics(*event(START, END, "RDATE;VALUE=PERIOD:20270218T140000Z/PT3H"))
    assert busy(text) == ["2027-02-15 09:00-10:00", "2027-02-18 09:00-12:00"]


def test_exdate_lines_and_comma_lists_remove_instances() -> None:
    text = ics(
        *event(
            START,
            END,
            "RRULE:FREQ=DAILY;COUNT=6",
            "EXDATE;TZID=America/Toronto:20270216T090000,20270217T090000",
            "EXDATE;TZID=America/Toronto:20270219T090000",
        )
    )
    assert busy(text) == ["2027-02-15 09:00-10:00", "2027-02-18 09:00-10:00", "2027-02-20 09:00-10:00"]


def test_exdate_in_utc_matches_the_same_instant_of_a_zoned_series() -> None:
    text = ics(*event(START, END, "RRULE:FREQ=DAILY;COUNT=3", "EXDATE:20270216T140000Z"))
    assert busy(text) == ["2027-02-15 09:00-10:00", "2027-02-17 09:00-10:00"]


def test_exdate_of_an_all_day_series() -> None:
    text = ics(
        *event("DTSTART;VALUE=DATE:20270215", "RRULE:FREQ=DAILY;COUNT=3", "EXDATE;VALUE=DATE:20270216")
    )
    assert busy(text) == ["2027-02-15 00:00-2027-02-16 00:00", "2027-02-17 00:00-2027-02-18 00:00"]


def test_a_moved_instance_replaces_the_original() -> None:
    text = ics(
        *event(START, END, "RRULE:FREQ=DAILY;COUNT=3", uid="series"),
        *event(
            "RECURRENCE-ID;TZID=America/Toronto:20270216T090000",
            "DTSTART;TZID=America/Toronto:20270216T150000",
            "DTEND;TZID=America/Toronto:20270216T163000",
            uid="series",
        ),
    )
    assert busy(text) == ["2027-02-15 09:00-10:00", "2027-02-16 15:00-16:30", "2027-02-17 09:00-10:00"]


def test_a_moved_instance_without_an_end_keeps_the_series_length() -> None:
    text = ics(
        *event(START, END, "RRULE:FREQ=DAILY;COUNT=2", uid="series"),
        *event(
            "RECURRENCE-ID:20270216T140000Z", "DTSTART;TZID=America/Toronto:20270216T110000", uid="series"
        ),
    )
    assert busy(text) == ["2027-02-15 09:00-10:00", "2027-02-16 11:00-12:00"]


def test_a_moved_instance_listed_before_its_series_still_applies() -> None:
    text = ics(
        *event(
            "RECURRENCE-ID;TZID=America/Toronto:20270216T090000",
            "DTSTART;TZID=America/Toronto:20270216T150000",
            "DTEND;TZID=America/Toronto:20270216T160000",
            uid="series",
        ),
        *event(START, END, "RRULE:FREQ=DAILY;COUNT=2", uid="series"),
    )
    assert busy(text) == ["2027-02-15 09:00-10:00", "2027-02-16 15:00-16:00"]


def test_a_cancelled_instance_is_removed() -> None:
    text = ics(
        *event(START, END, "RRULE:FREQ=DAILY;COUNT=3", uid="series"),
        *event(
            "RECURRENCE-ID;TZID=America/Toronto:20270216T090000",
            START.replace("15T", "16T"),
            END.replace("15T", "16T"),
            "STATUS:CANCELLED",
            uid="series",
        ),
    )
    assert busy(text) == ["2027-02-15 09:00-10:00", "2027-02-17 09:00-10:00"]


def test_a_moved_instance_of_another_uid_changes_nothing() -> None:
    text = ics(
        *event(START, END, "RRULE:FREQ=DAILY;COUNT=2", uid="series"),
        *event(
            "RECURRENCE-ID;TZID=America/Toronto:20270216T090000",
            "DTSTART;TZID=America/Toronto:20270216T150000",
            "DTEND;TZID=America/Toronto:20270216T160000",
            "STATUS:CANCELLED",
            uid="other",
        ),
    )
    assert busy(text) == ["2027-02-15 09:00-10:00", "2027-02-16 09:00-10:00"]


def test_a_cancelled_series_takes_its_moved_instances_with_it() -> None:
    text = ics(
        *event(START, END, "RRULE:FREQ=DAILY;COUNT=3", "STATUS:CANCELLED", uid="series"),
        *event(
            "RECURRENCE-ID;TZID=America/Toronto:20270216T090000",
            "DTSTART;TZID=America/Toronto:20270216T150000",
            "DTEND;TZID=America/Toronto:20270216T160000",
            uid="series",
        ),
    )
    assert busy(text) == []


@pytest.mark.parametrize(
    ("first", "window", "expected_utc"),
    [
        (
            "20270308T100000",
            Interval(datetime(2027, 3, 1, tzinfo=UTC), datetime(2027, 3, 20, tzinfo=UTC)),
            ["2027-03-08T15:00Z/2027-03-08T16:00Z", "2027-03-15T14:00Z/2027-03-15T15:00Z"],
        ),
        (
            "20271101T100000",
            Interval(datetime(2027, 10, 25, tzinfo=UTC), datetime(2027, 11, 12, tzinfo=UTC)),
            ["2027-11-01T14:00Z/2027-11-01T15:00Z", "2027-11-08T15:00Z/2027-11-08T16:00Z"],
        ),
    ],
    ids=["march-14-2027", "november-7-2027"],
)
def test_a_weekly_series_keeps_its_wall_clock_time_across_dst(
    first: str, window: Interval, expected_utc: list[str]
) -> None:
    text = ics(*event(f"DTSTART;TZID=America/Toronto:{first}", "DURATION:PT1H", "RRULE:FREQ=WEEKLY"))
    result = parse_busy(text, source="t", owner_zone=TOKYO, window=window)
    # 10:00-11:00 Toronto both weeks, so an hour apart in UTC (and for Tokyo).
    assert utc_spans(result) == expected_utc


def test_a_utc_series_keeps_its_utc_time_across_dst() -> None:
    text = ics(*event("DTSTART:20270308T150000Z", "DTEND:20270308T160000Z", "RRULE:FREQ=WEEKLY;COUNT=2"))
    window = Interval(datetime(2027, 3, 1, tzinfo=UTC), datetime(2027, 3, 20, tzinfo=UTC))
    assert busy(text, window=window) == ["2027-03-08 10:00-11:00", "2027-03-15 11:00-12:00"]


def test_a_daily_all_day_series_blocks_whole_local_dates() -> None:
    text = ics(*event("DTSTART;VALUE=DATE:20270222", "DTEND;VALUE=DATE:20270223", "RRULE:FREQ=DAILY;COUNT=2"))
    assert busy(text, owner=TOKYO) == ["2027-02-22 00:00-2027-02-24 00:00"]


def test_an_instance_started_before_the_window_still_counts() -> None:
    # A weekly overnight shift starting Sunday 22:00 overlaps the mission's first Monday.
    text = ics(
        *event(
            "DTSTART;TZID=America/Toronto:20270207T220000",
            "DTEND;TZID=America/Toronto:20270208T060000",
            "RRULE:FREQ=WEEKLY",
        )
    )
    assert busy(text) == ["2027-02-15 00:00-06:00", "2027-02-21 22:00-2027-02-22 06:00"]


def test_a_rule_with_too_many_instances_is_an_error_not_a_hang() -> None:
    text = ics(*event("DTSTART:20270101T000000Z", "DURATION:PT1S", "RRULE:FREQ=SECONDLY"))
    with pytest.raises(CalendarError, match="more than 200000 instances") as caught:
        busy(text)
    assert caught.value.line == 9


def test_a_this_and_future_override_moves_that_instance_and_every_later_one() -> None:
    text = ics(
        *event(START, END, "RRULE:FREQ=DAILY;COUNT=5", uid="series"),
        *event(
            "RECURRENCE-ID;RANGE=THISANDFUTURE;TZID=America/Toronto:20270217T090000",
            "DTSTART;TZID=America/Toronto:20270217T110000",
            "DTEND;TZID=America/Toronto:20270217T113000",
            uid="series",
        ),
    )
    assert busy(text) == [
        "2027-02-15 09:00-10:00",
        "2027-02-16 09:00-10:00",
        "2027-02-17 11:00-11:30",
        "2027-02-18 11:00-11:30",
        "2027-02-19 11:00-11:30",
    ]


def test_a_single_override_after_a_this_and_future_one_still_replaces_its_instance() -> None:
    text = ics(
        *event(START, END, "RRULE:FREQ=DAILY;COUNT=4", uid="series"),
        *event(
            "RECURRENCE-ID;RANGE=THISANDFUTURE;TZID=America/Toronto:20270216T090000",
            "DTSTART;TZID=America/Toronto:20270216T130000",
            "DTEND;TZID=America/Toronto:20270216T140000",
            uid="series",
        ),
        *event(
            "RECURRENCE-ID;TZID=America/Toronto:20270218T090000",
            "DTSTART;TZID=America/Toronto:20270218T160000",
            "DTEND;TZID=America/Toronto:20270218T170000",
            uid="series",
        ),
    )
    assert busy(text) == [
        "2027-02-15 09:00-10:00",
        "2027-02-16 13:00-14:00",
        "2027-02-17 13:00-14:00",
        "2027-02-18 16:00-17:00",
    ]


@settings(max_examples=150, deadline=None)
@given(
    freq=st.sampled_from(["DAILY", "WEEKLY"]),
    interval=st.integers(1, 4),
    stop=st.one_of(
        st.none(),
        st.integers(1, 60).map(lambda n: f"COUNT={n}"),
        st.integers(0, 400).map(
            lambda d: f"UNTIL={(datetime(2027, 1, 4, 9, 30) + timedelta(days=d)):%Y%m%dT%H%M%S}"  # noqa: DTZ001
        ),
    ),
    by_own_day=st.booleans(),
    lo_days=st.integers(-30, 400),
    span_days=st.integers(0, 120),
)
def test_the_arithmetic_fast_path_matches_dateutil(
    freq: str, interval: int, stop: str | None, by_own_day: bool, lo_days: int, span_days: int
) -> None:
    dtstart = datetime(2027, 1, 4, 9, 30)  # noqa: DTZ001 (a wall clock, as the expansion uses)
    text = f"FREQ={freq};INTERVAL={interval}" + (";BYDAY=MO" if by_own_day and freq == "WEEKLY" else "")
    text += f";{stop}" if stop else ""
    rule = build_rule(text, dtstart, TORONTO, "t", 1)
    assert isinstance(rule, Stepped)
    lo = dtstart + timedelta(days=lo_days, hours=-3)
    hi = lo + timedelta(days=span_days)
    expected = rrulestr(text, dtstart=dtstart).between(lo, hi, inc=True)
    assert starts_between(rule, lo, hi, "t", 1) == expected


def test_a_moved_instance_counts_once_when_a_uid_has_two_identical_masters() -> None:
    text = ics(
        *event(START, END, "RRULE:FREQ=DAILY;COUNT=2", uid="twice"),
        *event(START, END, "RRULE:FREQ=DAILY;COUNT=2", uid="twice"),
        *event(
            "RECURRENCE-ID;TZID=America/Toronto:20270216T090000",
            "DTSTART;TZID=America/Toronto:20270216T150000",
            "DTEND;TZID=America/Toronto:20270216T160000",
            uid="twice",
        ),
    )
    occ = parse_occurrences(text, source="t", owner_zone=TORONTO, window=MISSION)
    # The two masters are versions of one event: one is kept, its moved instance counted once.
    assert [(o.start.hour, o.end.hour) for o in occ] == [(14, 15), (20, 21)]
