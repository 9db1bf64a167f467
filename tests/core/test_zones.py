"""The one daylight-saving rule, checked on wall-clock strings in Toronto and Tokyo."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from scheduler.core.zones import (
    dates_touched,
    day_span,
    holder_date,
    local_date,
    local_midnight,
    to_local,
    validate_zone,
    wall_to_utc,
)

TORONTO = "America/Toronto"
TOKYO = "Asia/Tokyo"
SPRING = date(2027, 3, 14)  # Toronto: 02:00 EST → 03:00 EDT
FALL = date(2027, 11, 7)  # Toronto: 02:00 EDT → 01:00 EST


def wall(day: date, hhmm: str, zone_name: str, *, closing: bool = False) -> str:
    h, m = map(int, hhmm.split(":"))
    return to_local(wall_to_utc(day, h * 60 + m, zone_name, closing=closing), zone_name).isoformat()


@pytest.mark.parametrize(
    ("hhmm", "closing", "expected"),
    [
        ("01:59", False, "2027-03-14T01:59:00-05:00"),
        ("02:00", False, "2027-03-14T03:00:00-04:00"),
        ("02:30", False, "2027-03-14T03:00:00-04:00"),
        ("02:30", True, "2027-03-14T03:00:00-04:00"),
        ("03:00", False, "2027-03-14T03:00:00-04:00"),
    ],
    ids=["before-gap", "gap-start", "gap-middle-opening", "gap-middle-closing", "after-gap"],
)
def test_a_wall_time_in_the_spring_gap_means_the_end_of_the_gap(
    hhmm: str, closing: bool, expected: str
) -> None:
    assert wall(SPRING, hhmm, TORONTO, closing=closing) == expected


@pytest.mark.parametrize(
    ("hhmm", "closing", "expected"),
    [
        ("01:30", False, "2027-11-07T01:30:00-04:00"),
        ("01:30", True, "2027-11-07T01:30:00-05:00"),
        ("00:30", True, "2027-11-07T00:30:00-04:00"),
        ("02:00", False, "2027-11-07T02:00:00-05:00"),
    ],
    ids=["fold-opening-first", "fold-closing-second", "before-fold", "after-fold"],
)
def test_a_wall_time_that_happens_twice_opens_first_and_closes_second(
    hhmm: str, closing: bool, expected: str
) -> None:
    assert wall(FALL, hhmm, TORONTO, closing=closing) == expected


def test_a_range_across_the_fall_back_hour_never_loses_time() -> None:
    start = wall_to_utc(FALL, 0, TORONTO)
    end = wall_to_utc(FALL, 90, TORONTO, closing=True)
    assert end - start == timedelta(hours=2, minutes=30)


def test_a_range_across_the_spring_gap_is_the_hour_the_clocks_show() -> None:
    assert wall_to_utc(SPRING, 240, TORONTO, closing=True) - wall_to_utc(SPRING, 120, TORONTO) == timedelta(
        hours=1
    )


def test_24_00_is_the_next_local_midnight() -> None:
    assert wall_to_utc(date(2027, 2, 15), 1440, TORONTO) == local_midnight(date(2027, 2, 16), TORONTO)


@pytest.mark.parametrize(
    ("day", "hours"),
    [(date(2027, 3, 13), 24), (SPRING, 23), (FALL, 25), (date(2027, 11, 8), 24)],
    ids=["sat-before-spring", "spring-forward", "fall-back", "mon-after-fall"],
)
def test_toronto_day_lengths_around_the_changes(day: date, hours: int) -> None:
    start, end = day_span(day, TORONTO)
    assert end - start == timedelta(hours=hours)


@pytest.mark.parametrize(
    ("toronto_wall", "tokyo_wall"),
    [
        ("2027-03-12T20:00", "2027-03-13T10:00:00+09:00"),  # EST: 14 h apart
        ("2027-03-15T20:00", "2027-03-16T09:00:00+09:00"),  # EDT: 13 h apart
        ("2027-11-05T20:00", "2027-11-06T09:00:00+09:00"),
        ("2027-11-08T20:00", "2027-11-09T10:00:00+09:00"),
    ],
    ids=["before-spring", "after-spring", "before-fall", "after-fall"],
)
def test_toronto_tokyo_offset_moves_between_14_and_13_hours(toronto_wall: str, tokyo_wall: str) -> None:
    naive = datetime.fromisoformat(toronto_wall)
    instant = wall_to_utc(naive.date(), naive.hour * 60 + naive.minute, TORONTO)
    assert to_local(instant, TOKYO).isoformat() == tokyo_wall


def test_tokyo_has_no_daylight_saving() -> None:
    for day in (SPRING, FALL):
        start, end = day_span(day, TOKYO)
        assert end - start == timedelta(hours=24)


def test_a_span_ending_at_local_midnight_does_not_touch_the_next_date() -> None:
    start = wall_to_utc(date(2027, 2, 15), 23 * 60, TORONTO)
    end = local_midnight(date(2027, 2, 16), TORONTO)
    assert dates_touched(start, end, TORONTO) == [date(2027, 2, 15)]
    assert dates_touched(start, end + timedelta(minutes=1), TORONTO) == [date(2027, 2, 15), date(2027, 2, 16)]


@pytest.mark.parametrize("zone_name", [TORONTO, TOKYO, "Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_holder_date_agrees_with_converting(zone_name: str) -> None:
    instant = datetime(2027, 11, 6, tzinfo=UTC)
    for _ in range(24 * 4 * 3):
        assert holder_date(instant, zone_name) == local_date(instant, zone_name)
        instant += timedelta(minutes=15)


def test_an_unknown_zone_is_rejected_with_a_suggestion() -> None:
    with pytest.raises(ValueError, match="did you mean 'Asia/Tokyo'"):
        validate_zone("Asia/Tokio")
