"""The content-line reader: folding, parameters, TEXT escapes, and errors that name the line."""

from __future__ import annotations

import pytest

from scheduler.errors import CalendarError
from scheduler.ical import parse_busy, parse_occurrences
from scheduler.ical.contentlines import content_lines, unescape_text
from tests.ical.busy_support import MISSION, TORONTO, busy, event, ics

ONE_HOUR = event(
    "DTSTART;TZID=America/Toronto:20270216T090000",
    "DTEND;TZID=America/Toronto:20270216T100000",
)


@pytest.mark.parametrize("newline", ["\r\n", "\n"], ids=["crlf", "lf"])
def test_folded_lines_are_joined_in_crlf_and_lf_files(newline: str) -> None:
    text = ics(
        "BEGIN:VEVENT",
        "UID:folded@test",
        "DTSTART;TZID=America/",
        " Toronto:20270216T0",
        "\t90000",
        "DTEND;TZID=America/Toronto:20270216T100000",
        "END:VEVENT",
        newline=newline,
    )
    assert busy(text) == ["2027-02-16 09:00-10:00"]


def test_a_quoted_parameter_may_hold_colons_and_semicolons() -> None:
    lines = list(content_lines('DTSTART;X-A="a:b;c";TZID="America/Toronto":20270216T090000\r\n', "x"))
    assert [(c.name, c.params, c.value) for c in lines] == [
        ("DTSTART", {"X-A": "a:b;c", "TZID": "America/Toronto"}, "20270216T090000")
    ]


def test_quoted_tzid_is_honoured() -> None:
    text = ics(*event('DTSTART;TZID="Asia/Tokyo":20270217T090000', 'DTEND;TZID="Asia/Tokyo":20270217T100000'))
    assert busy(text, zone_name="Asia/Tokyo") == ["2027-02-17 09:00-10:00"]


def test_text_escapes_are_undone_in_summaries() -> None:
    text = ics(*event(r"SUMMARY:Lunch\; JETRO\, Tokyo\nroom 3 \\ east: ok", *ONE_HOUR[3:-1]))
    (occ,) = parse_occurrences(text, source="x.ics", owner_zone=TORONTO, window=MISSION)
    assert occ.summary == "Lunch; JETRO, Tokyo\nroom 3 \\ east: ok"


def test_unescape_leaves_plain_text_alone() -> None:
    assert unescape_text("Plain text: 09:00") == "Plain text: 09:00"


def test_property_names_are_case_insensitive() -> None:
    text = ics(
        "begin:vevent",
        "uid:lower@test",
        "dtstart;tzid=America/Toronto:20270216T090000",
        "dtend;tzid=America/Toronto:20270216T100000",
        "end:vevent",
    )
    assert busy(text) == ["2027-02-16 09:00-10:00"]


def test_bytes_with_a_byte_order_mark_are_read() -> None:
    text = "\ufeff" + ics(*ONE_HOUR)
    assert busy(text.encode("utf-8")) == ["2027-02-16 09:00-10:00"]


def _error(text: str | bytes) -> CalendarError:
    with pytest.raises(CalendarError) as caught:
        parse_busy(text, source="calendars/brown.ics", owner_zone=TORONTO, window=MISSION, strict=True)
    return caught.value


@pytest.mark.parametrize(
    ("lines", "line", "words"),
    [
        (
            ["BEGIN:VEVENT", "UID:x", "this line has no colon", "END:VEVENT"],
            6,
            "not an iCalendar content line",
        ),
        (["BEGIN:VEVENT", "UID:x", "DTSTART:2027-02-16", "END:VEVENT"], 6, "bad date or date-time"),
        (
            ["BEGIN:VEVENT", "UID:x", "DTSTART:20270216T090000", "DURATION:1 hour", "END:VEVENT"],
            7,
            "duration",
        ),
        (["BEGIN:VEVENT", "UID:x", "END:VTODO"], 6, "does not close BEGIN:VEVENT of line 4"),
        (["BEGIN:VEVENT", "UID:x", "DTSTART:20270216T090000", "RRULE:FREQ=FORTNIGHTLY"], 4, "never closed"),
        (
            ["BEGIN:VEVENT", "UID:x", "RRULE:FREQ=FORTNIGHTLY", "DTSTART:20270216T090000", "END:VEVENT"],
            6,
            "RRULE",
        ),
        (
            ["BEGIN:VEVENT", "UID:x", "DTSTART;TZID=Mars/Olympus:20270216T090000", "END:VEVENT"],
            6,
            "Mars/Olympus",
        ),
        (["BEGIN:VEVENT", "UID:x", "DTSTART;TZID:20270216T090000", "END:VEVENT"], 6, "bad parameter"),
    ],
    ids=[
        "no-colon",
        "bad-date",
        "bad-duration",
        "wrong-end",
        "unclosed",
        "bad-rrule",
        "unknown-tzid",
        "bad-param",
    ],
)
def test_a_broken_calendar_names_the_file_and_line(lines: list[str], line: int, words: str) -> None:
    text = "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//t//EN", *lines, "END:VCALENDAR"])
    if "never closed" in words:
        text = "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//t//EN", *lines])
    err = _error(text)
    assert (err.source, err.line) == ("calendars/brown.ics", line)
    assert words in str(err)
    assert str(err).startswith(f"calendars/brown.ics, line {line}: ")


def test_a_file_that_is_not_a_calendar_is_an_error_not_an_empty_calendar() -> None:
    err = _error("<html><body>Sign in to Google</body></html>\n")
    assert (err.line, "not an iCalendar content line" in str(err)) == (1, True)


def test_an_empty_file_is_an_error() -> None:
    assert "no calendar data" in str(_error(""))


def test_text_that_is_not_utf8_names_its_line() -> None:
    data = ics(*event("SUMMARY:café", *ONE_HOUR[3:-1])).encode("latin-1")
    err = _error(data)
    assert (err.line, "UTF-8" in str(err)) == (7, True)


def test_a_continuation_line_at_the_start_is_an_error() -> None:
    assert _error(" BEGIN:VCALENDAR\r\n").line == 1
