"""Single events: lengths, all-day, transparency, status, and every way a time names its zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from scheduler.core.intervals import Interval
from scheduler.errors import CalendarError
from scheduler.ical import parse_busy
from tests.ical.busy_support import MISSION, TOKYO, TORONTO, busy, event, ics, utc_spans


def test_dtstart_and_dtend_block_the_span_between() -> None:
    text = ics(*event("DTSTART:20270216T140000Z", "DTEND:20270216T153000Z"))
    assert utc_spans(parse_busy(text, source="t", owner_zone=TORONTO, window=MISSION)) == [
        "2027-02-16T14:00Z/2027-02-16T15:30Z"
    ]


def test_duration_instead_of_dtend() -> None:
    text = ics(*event("DTSTART;TZID=America/Toronto:20270216T090000", "DURATION:PT1H30M"))
    assert busy(text) == ["2027-02-16 09:00-10:30"]


def test_duration_in_weeks_and_days() -> None:
    text = ics(*event("DTSTART;TZID=America/Toronto:20270215T090000", "DURATION:P1DT2H"))
    assert busy(text) == ["2027-02-15 09:00-2027-02-16 11:00"]


def test_a_timed_event_without_end_or_duration_blocks_nothing() -> None:
    text = ics(*event("DTSTART;TZID=America/Toronto:20270216T090000", "SUMMARY:Reminder"))
    assert busy(text) == []


def test_an_all_day_event_without_end_blocks_one_day() -> None:
    text = ics(*event("DTSTART;VALUE=DATE:20270216"))
    assert busy(text) == ["2027-02-16 00:00-2027-02-17 00:00"]


def test_an_all_day_event_blocks_the_owners_local_dates() -> None:
    # Two days off, seen by a Tokyo owner: Tokyo midnight to Tokyo midnight.
    text = ics(*event("DTSTART;VALUE=DATE:20270222", "DTEND;VALUE=DATE:20270224"))
    assert busy(text, owner=TOKYO) == ["2027-02-22 00:00-2027-02-24 00:00"]
    assert busy(text, owner=TORONTO) == ["2027-02-22 00:00-2027-02-24 00:00"]
    assert parse_busy(text, source="t", owner_zone=TOKYO, window=MISSION) != parse_busy(
        text, source="t", owner_zone=TORONTO, window=MISSION
    )


def test_a_transparent_all_day_event_blocks_nothing() -> None:
    text = ics(*event("DTSTART;VALUE=DATE:20270216", "DTEND;VALUE=DATE:20270217", "TRANSP:TRANSPARENT"))
    assert busy(text) == []


def test_a_transparent_timed_event_blocks_nothing() -> None:
    text = ics(*event("DTSTART:20270216T140000Z", "DTEND:20270216T150000Z", "TRANSP:TRANSPARENT"))
    assert busy(text) == []


def test_a_cancelled_event_blocks_nothing() -> None:
    text = ics(*event("DTSTART:20270216T140000Z", "DTEND:20270216T150000Z", "STATUS:CANCELLED"))
    assert busy(text) == []


def test_a_tentative_event_blocks() -> None:
    text = ics(*event("DTSTART:20270216T140000Z", "DTEND:20270216T150000Z", "STATUS:TENTATIVE"))
    assert busy(text) == ["2027-02-16 09:00-10:00"]


def test_an_alarm_duration_is_not_the_events_duration() -> None:
    text = ics(
        "BEGIN:VEVENT",
        "UID:alarm@test",
        "DTSTART;TZID=America/Toronto:20270216T090000",
        "DTEND;TZID=America/Toronto:20270216T100000",
        "BEGIN:VALARM",
        "TRIGGER:-PT15M",
        "DURATION:PT5H",
        "REPEAT:2",
        "ACTION:DISPLAY",
        "END:VALARM",
        "END:VEVENT",
    )
    assert busy(text) == ["2027-02-16 09:00-10:00"]


def test_floating_times_are_in_the_owners_zone() -> None:
    text = ics(*event("DTSTART:20270216T090000", "DTEND:20270216T100000"))
    assert busy(text, owner=TOKYO, zone_name=TOKYO) == ["2027-02-16 09:00-10:00"]
    assert busy(text, owner=TORONTO, zone_name=TORONTO) == ["2027-02-16 09:00-10:00"]


def test_x_wr_timezone_places_floating_times() -> None:
    text = ics(
        *event("DTSTART:20270216T090000", "DTEND:20270216T100000"),
        header=("X-WR-TIMEZONE:Asia/Tokyo",),
    )
    # Owner in Toronto, calendar says its floating times are Tokyo's.
    assert busy(text, owner=TORONTO, zone_name=TOKYO) == ["2027-02-16 09:00-10:00"]


def test_x_wr_timezone_leaves_utc_and_tzid_times_alone() -> None:
    text = ics(
        *event("DTSTART:20270216T140000Z", "DTEND:20270216T150000Z", uid="a"),
        *event(
            "DTSTART;TZID=America/Toronto:20270217T090000",
            "DTEND;TZID=America/Toronto:20270217T100000",
            uid="b",
        ),
        header=("X-WR-TIMEZONE:Asia/Tokyo",),
    )
    assert busy(text) == ["2027-02-16 09:00-10:00", "2027-02-17 09:00-10:00"]


def test_an_unknown_x_wr_timezone_is_an_error() -> None:
    text = ics(*event("DTSTART:20270216T090000", "DTEND:20270216T100000"), header=("X-WR-TIMEZONE:Nowhere",))
    with pytest.raises(CalendarError, match="X-WR-TIMEZONE") as caught:
        parse_busy(text, source="t", owner_zone=TORONTO, window=MISSION)
    assert caught.value.line == 4


def test_tzid_with_an_iana_name() -> None:
    text = ics(*event("DTSTART;TZID=Asia/Tokyo:20270217T090000", "DTEND;TZID=Asia/Tokyo:20270217T100000"))
    # 09:00 Wednesday in Tokyo is 19:00 Tuesday in Toronto.
    assert busy(text) == ["2027-02-16 19:00-20:00"]


@pytest.mark.parametrize(
    ("tzid", "expected"),
    [
        ("Eastern Standard Time", "2027-02-16 09:00-10:00"),
        ("Tokyo Standard Time", "2027-02-15 19:00-20:00"),
        ("(UTC+09:00) Osaka, Sapporo, Tokyo", "2027-02-15 19:00-20:00"),
        ("/mozilla.org/20050126_1/Asia/Tokyo", "2027-02-15 19:00-20:00"),
    ],
    ids=["windows-eastern", "windows-tokyo", "outlook-display-name", "mozilla-prefix"],
)
def test_tzid_with_a_windows_or_vendor_name(tzid: str, expected: str) -> None:
    text = ics(*event(f'DTSTART;TZID="{tzid}":20270216T090000', f'DTEND;TZID="{tzid}":20270216T100000'))
    assert busy(text) == [expected]


CUSTOM_ZONE = (
    "BEGIN:VTIMEZONE",
    "TZID:Customized Time Zone",
    "BEGIN:STANDARD",
    "DTSTART:16010101T020000",
    "TZOFFSETFROM:-0400",
    "TZOFFSETTO:-0500",
    "RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11",
    "END:STANDARD",
    "BEGIN:DAYLIGHT",
    "DTSTART:16010101T020000",
    "TZOFFSETFROM:-0500",
    "TZOFFSETTO:-0400",
    "RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3",
    "END:DAYLIGHT",
    "END:VTIMEZONE",
)


def test_a_custom_tzid_follows_the_files_own_vtimezone() -> None:
    # Outlook's "Customized Time Zone": Eastern rules, defined only in the file.
    text = ics(
        *CUSTOM_ZONE,
        *event(
            "DTSTART;TZID=Customized Time Zone:20270316T090000",
            "DTEND;TZID=Customized Time Zone:20270316T100000",
        ),
    )
    window = Interval(datetime(2027, 3, 1, tzinfo=UTC), datetime(2027, 4, 1, tzinfo=UTC))
    # After the March change: 09:00 EDT = 13:00 UTC (an hour earlier in UTC than in February).
    assert utc_spans(parse_busy(text, source="t", owner_zone=TOKYO, window=window)) == [
        "2027-03-16T13:00Z/2027-03-16T14:00Z"
    ]


def test_a_custom_vtimezone_that_no_real_zone_matches_uses_its_own_rules() -> None:
    # No IANA zone keeps -05:17 / -04:17: the file's own rules are used, as Outlook does.
    odd = [line.replace("-0500", "-0517").replace("-0400", "-0417") for line in CUSTOM_ZONE]
    text = ics(
        *odd,
        *event(
            "DTSTART;TZID=Customized Time Zone:20270216T090000",
            "DTEND;TZID=Customized Time Zone:20270216T100000",
        ),
        *event(
            "DTSTART;TZID=Customized Time Zone:20270316T090000",
            "DTEND;TZID=Customized Time Zone:20270316T100000",
            uid="after-the-switch",
        ),
    )
    window = Interval(datetime(2027, 2, 1, tzinfo=UTC), datetime(2027, 4, 1, tzinfo=UTC))
    assert utc_spans(parse_busy(text, source="t", owner_zone=TORONTO, window=window)) == [
        "2027-02-16T14:17Z/2027-02-16T15:17Z",
        "2027-03-16T13:17Z/2027-03-16T14:17Z",
    ]


def test_an_event_crossing_midnight_is_busy_on_both_dates() -> None:
    text = ics(*event("DTSTART;TZID=Asia/Tokyo:20270217T230000", "DTEND;TZID=Asia/Tokyo:20270218T013000"))
    assert busy(text, zone_name=TOKYO) == ["2027-02-17 23:00-2027-02-18 01:30"]


def test_events_are_clipped_to_the_window() -> None:
    text = ics(
        *event(
            "DTSTART;TZID=America/Toronto:20270214T220000",
            "DTEND;TZID=America/Toronto:20270215T020000",
            uid="a",
        ),
        *event(
            "DTSTART;TZID=America/Toronto:20270226T230000",
            "DTEND;TZID=America/Toronto:20270227T010000",
            uid="b",
        ),
        *event(
            "DTSTART;TZID=America/Toronto:20270301T090000",
            "DTEND;TZID=America/Toronto:20270301T100000",
            uid="c",
        ),
    )
    assert busy(text) == ["2027-02-15 00:00-02:00", "2027-02-26 23:00-2027-02-27 00:00"]


def test_a_start_in_the_spring_gap_means_the_gaps_end() -> None:
    # 02:30 does not exist in Toronto on 14 March 2027: core.zones says 03:00 EDT.
    text = ics(
        *event("DTSTART;TZID=America/Toronto:20270314T023000", "DTEND;TZID=America/Toronto:20270314T040000")
    )
    window = Interval(datetime(2027, 3, 1, tzinfo=UTC), datetime(2027, 4, 1, tzinfo=UTC))
    assert utc_spans(parse_busy(text, source="t", owner_zone=TORONTO, window=window)) == [
        "2027-03-14T07:00Z/2027-03-14T08:00Z"
    ]


def test_an_ambiguous_end_in_the_autumn_fold_takes_the_later_instant() -> None:
    # 00:30-01:30 on 7 November 2027: the range closes at the second 01:30 (EST), as core.zones rules.
    text = ics(
        *event("DTSTART;TZID=America/Toronto:20271107T003000", "DTEND;TZID=America/Toronto:20271107T013000")
    )
    window = Interval(datetime(2027, 11, 1, tzinfo=UTC), datetime(2027, 12, 1, tzinfo=UTC))
    assert utc_spans(parse_busy(text, source="t", owner_zone=TORONTO, window=window)) == [
        "2027-11-07T04:30Z/2027-11-07T06:30Z"
    ]


def test_dtend_before_dtstart_is_an_error_when_strict() -> None:
    text = ics(*event("DTSTART:20270216T140000Z", "DTEND:20270216T130000Z"))
    with pytest.raises(CalendarError, match="DTEND is before DTSTART") as caught:
        parse_busy(text, source="t", owner_zone=TORONTO, window=MISSION, strict=True)
    assert caught.value.line == 8


def test_an_unknown_owner_zone_is_an_error() -> None:
    with pytest.raises(CalendarError, match="owner zone"):
        parse_busy(ics(), source="t", owner_zone="Toronto", window=MISSION)


def test_published_free_busy_periods_block_except_free_ones() -> None:
    text = ics(
        "BEGIN:VFREEBUSY",
        "UID:fb@test",
        "DTSTART:20270215T000000Z",
        "DTEND:20270227T000000Z",
        "FREEBUSY:20270216T140000Z/PT1H,20270217T140000Z/20270217T150000Z",
        "FREEBUSY;FBTYPE=BUSY-TENTATIVE:20270218T140000Z/PT30M",
        "FREEBUSY;FBTYPE=FREE:20270219T140000Z/PT8H",
        "END:VFREEBUSY",
    )
    assert busy(text) == ["2027-02-16 09:00-10:00", "2027-02-17 09:00-10:00", "2027-02-18 09:00-09:30"]
