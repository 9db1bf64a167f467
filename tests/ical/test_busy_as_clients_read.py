"""Issue 14: calendars as the major clients read them (one regression test per misread or refusal)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from scheduler.core.intervals import Interval
from scheduler.errors import CalendarError
from scheduler.ical import parse_busy
from tests.ical.busy_support import TOKYO, TORONTO, busy, event, ics, utc_spans

START = "DTSTART;TZID=America/Toronto:20270215T090000"
END = "DTEND;TZID=America/Toronto:20270215T100000"


def test_every_rrule_of_a_vevent_counts() -> None:
    text = ics(*event(START, END, "RRULE:FREQ=WEEKLY;COUNT=2", "RRULE:FREQ=WEEKLY;BYDAY=WE;COUNT=2"))
    assert busy(text) == [
        "2027-02-15 09:00-10:00",
        "2027-02-17 09:00-10:00",
        "2027-02-22 09:00-10:00",
        "2027-02-24 09:00-10:00",
    ]


def test_a_floating_exdate_is_on_the_series_clock_not_the_owners() -> None:
    # The owner is in Tokyo; the EXDATE 20270216T090000 means 09:00 Toronto, the series' clock.
    text = ics(*event(START, END, "RRULE:FREQ=DAILY;COUNT=3", "EXDATE:20270216T090000"))
    assert busy(text, owner=TOKYO, zone_name=TORONTO) == ["2027-02-15 09:00-10:00", "2027-02-17 09:00-10:00"]


def test_two_masters_with_one_uid_keep_the_higher_sequence() -> None:
    text = ics(
        *event(
            "SEQUENCE:2",
            "DTSTART;TZID=America/Toronto:20270216T130000",
            "DTEND;TZID=America/Toronto:20270216T140000",
        ),
        *event("SEQUENCE:1", START, END),
    )
    assert busy(text) == ["2027-02-16 13:00-14:00"]


def test_two_masters_with_one_sequence_keep_the_later_dtstamp() -> None:
    newer = event(
        "DTSTART;TZID=America/Toronto:20270216T130000", "DTEND;TZID=America/Toronto:20270216T140000"
    )
    newer[2] = "DTSTAMP:20270105T000000Z"
    text = ics(*newer, *event(START, END))  # event() stamps 20270101
    assert busy(text) == ["2027-02-16 13:00-14:00"]


@pytest.mark.parametrize(
    ("tzid", "hour"),
    [("Japan", 23), ("Singapore", 22), ("GMT", 14), ("EST5EDT", 9), ("EST", 9), ("CET", 15)],
    ids=["Japan", "Singapore", "GMT", "EST5EDT", "EST", "CET"],
)
def test_legacy_zone_names_tzdata_carries_are_read(tzid: str, hour: int) -> None:
    # 14:00 UTC on 16 February, written in each legacy zone's wall clock, seen from Toronto... as UTC hour.
    wall = {
        "Japan": "230000",
        "Singapore": "220000",
        "GMT": "140000",
        "EST5EDT": "090000",
        "EST": "090000",
        "CET": "150000",
    }[tzid]
    text = ics(*event(f"DTSTART;TZID={tzid}:20270216T{wall}", "DURATION:PT1H"))
    assert utc_spans(parse_busy(text, source="t", owner_zone=TORONTO, window=_FEB)) == [
        "2027-02-16T14:00Z/2027-02-16T15:00Z"
    ]
    assert hour  # the wall hour written above, kept in the id table for readability


_FEB = Interval(datetime(2027, 2, 1, tzinfo=UTC), datetime(2027, 3, 1, tzinfo=UTC))

_KL = (
    "BEGIN:VTIMEZONE",
    "TZID:Kuala Lumpur\\, Singapore",
    "BEGIN:STANDARD",
    "DTSTART:16010101T000000",
    "TZOFFSETFROM:+0800",
    "TZOFFSETTO:+0800",
    "END:STANDARD",
    "END:VTIMEZONE",
)


def test_an_escaped_comma_in_a_tzid_is_undone() -> None:
    text = ics(
        *_KL,
        *event("DTSTART;TZID=Kuala Lumpur\\, Singapore:20270216T220000", "DURATION:PT1H"),
    )
    assert utc_spans(parse_busy(text, source="t", owner_zone=TORONTO, window=_FEB)) == [
        "2027-02-16T14:00Z/2027-02-16T15:00Z"
    ]


def test_a_custom_zone_with_old_rules_keeps_them() -> None:
    # A "Fiji" definition with summer time, which Fiji no longer keeps: the file's rules count.
    fiji = (
        "BEGIN:VTIMEZONE",
        "TZID:Fiji custom",
        "BEGIN:STANDARD",
        "DTSTART:16010101T030000",
        "TZOFFSETFROM:+1300",
        "TZOFFSETTO:+1200",
        "RRULE:FREQ=YEARLY;BYMONTH=1;BYDAY=3SU",
        "END:STANDARD",
        "BEGIN:DAYLIGHT",
        "DTSTART:16010101T020000",
        "TZOFFSETFROM:+1200",
        "TZOFFSETTO:+1300",
        "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU",
        "END:DAYLIGHT",
        "END:VTIMEZONE",
    )
    text = ics(
        *fiji,
        *event("DTSTART;TZID=Fiji custom:20270110T090000", "DURATION:PT1H", uid="summer"),
        *event("DTSTART;TZID=Fiji custom:20270216T090000", "DURATION:PT1H", uid="winter"),
    )
    window = Interval(datetime(2027, 1, 1, tzinfo=UTC), datetime(2027, 3, 1, tzinfo=UTC))
    assert utc_spans(parse_busy(text, source="t", owner_zone=TORONTO, window=window)) == [
        "2027-01-09T20:00Z/2027-01-09T21:00Z",
        "2027-02-15T21:00Z/2027-02-15T22:00Z",
    ]


@pytest.mark.parametrize(
    ("lines", "tail", "words", "line"),
    [
        (
            [*event("DTSTART:20270216T140000Z", "DTEND:20270216T130000Z", uid="backwards")],
            (),
            "DTEND is before",
            14,
        ),
        (
            [*event("DTSTART:20270216T140000Z", "DURATION:PT1H", "RRULE:", uid="empty-rule")],
            (),
            "empty RRULE",
            15,
        ),
        (
            [
                "BEGIN:VTIMEZONE",
                "BEGIN:STANDARD",
                "DTSTART:19700101T000000",
                "TZOFFSETFROM:+0000",
                "TZOFFSETTO:+0000",
                "END:STANDARD",
                "END:VTIMEZONE",
            ],
            (),
            "VTIMEZONE without a TZID",
            10,
        ),
        ([], ("this is not iCalendar",), "after END:VCALENDAR", 11),
        (
            [*event("DTSTART:20270216T140000Z", "DURATION:PT1H", "this line has no colon", uid="no-colon")],
            (),
            "line ignored",
            15,
        ),
        (
            [*event("DTSTART;TZID:20270216T140000", "DURATION:PT1H", uid="bad-start")],
            (),
            "event 'bad-start': bad parameter",
            13,
        ),
        (
            [*event("DTSTART:20270216T140000Z", "DURATION:PT1H", uid="unclosed")[:-1]],
            (),
            "BEGIN:VEVENT is never closed",
            10,
        ),
    ],
    ids=[
        "dtend-before-dtstart",
        "empty-rrule",
        "vtimezone-without-tzid",
        "text-after-end",
        "unreadable-line",
        "bad-start",
        "unclosed-event",
    ],
)
def test_a_broken_part_is_skipped_with_a_warning_and_refused_when_strict(
    lines: list[str], tail: tuple[str, ...], words: str, line: int, caplog: pytest.LogCaptureFixture
) -> None:
    good = event(START, END, uid="good")
    text = ics(*good, *lines) + "".join(t + "\r\n" for t in tail)
    with caplog.at_level(logging.WARNING, logger="scheduler.ical.busy"):
        assert busy(text, strict=False)[0] == "2027-02-15 09:00-10:00"
    assert len(caplog.records) == 1
    message = caplog.records[0].getMessage()
    assert words in message
    assert f"line {line}" in message
    with pytest.raises(CalendarError):
        busy(text, strict=True)


def test_an_empty_rrule_leaves_the_event_as_a_single_instance() -> None:
    text = ics(*event(START, END, "RRULE:"))
    assert busy(text, strict=False) == ["2027-02-15 09:00-10:00"]
