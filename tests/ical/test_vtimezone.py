"""VTIMEZONE generation: rule-based where a rule fits, one RDATE per date otherwise, always = zoneinfo."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar, Timezone

from scheduler.core.zones import zone
from scheduler.errors import SchedulerError
from scheduler.ical.vtimezone import _verify, offset_at, onsets_of, vtimezone

MARCH_2027 = (datetime(2027, 3, 15, 23, tzinfo=UTC), datetime(2027, 3, 16, tzinfo=UTC))


def observances(tz: Timezone) -> list[tuple[str, str, str, str, str]]:
    return [
        (
            c.name,
            c["RRULE"].to_ical().decode() if "RRULE" in c else "",
            str(c["TZOFFSETFROM"].to_ical()),
            str(c["TZOFFSETTO"].to_ical()),
            str(c["TZNAME"]),
        )
        for c in tz.subcomponents
    ]


def test_toronto_is_canadas_two_yearly_rules() -> None:
    tz = vtimezone("America/Toronto", *MARCH_2027)
    assert str(tz["TZID"]) == "America/Toronto"
    assert sorted(observances(tz)) == [
        ("DAYLIGHT", "FREQ=YEARLY;BYDAY=2SU;BYMONTH=3", "-0500", "-0400", "EDT"),
        ("STANDARD", "FREQ=YEARLY;BYDAY=1SU;BYMONTH=11", "-0400", "-0500", "EST"),
    ]
    # Each rule starts on a real transition at 02:00 local, before the meeting.
    assert sorted(str(c["DTSTART"].dt) for c in tz.subcomponents) == [
        "2026-03-08 02:00:00",
        "2026-11-01 02:00:00",
    ]


def test_tokyo_is_one_standard_observance_at_plus_nine() -> None:
    assert observances(vtimezone("Asia/Tokyo", *MARCH_2027)) == [("STANDARD", "", "+0900", "+0900", "JST")]


ZONES = [
    "America/Toronto",
    "Asia/Tokyo",
    "Europe/London",
    "Europe/Dublin",  # negative DST in the tz source
    "Australia/Sydney",  # southern hemisphere: the rules cross the new year
    "Australia/Lord_Howe",  # a half-hour shift
    "America/Santiago",  # first Sunday of April/September, at 24:00 local
    "Pacific/Chatham",  # +12:45 / +13:45
    "Africa/Casablanca",  # moves with Ramadan: no yearly rule, RDATE fallback
    "America/St_Johns",
]


@pytest.mark.parametrize("zone_name", ZONES, ids=str)
def test_the_definition_gives_zoneinfos_offset_at_every_hour_of_the_covered_years(zone_name: str) -> None:
    tz = vtimezone(zone_name, datetime(2027, 2, 15, tzinfo=UTC), datetime(2027, 11, 30, tzinfo=UTC))
    # Read back from the serialised text, as a client would.
    parsed = Calendar.from_ical(b"BEGIN:VCALENDAR\r\n" + tz.to_ical() + b"END:VCALENDAR\r\n").walk(
        "VTIMEZONE"
    )[0]
    onsets = onsets_of(parsed, datetime(2029, 1, 1, tzinfo=UTC))
    t, end = datetime(2027, 1, 1, tzinfo=UTC), datetime(2029, 1, 1, tzinfo=UTC)
    wrong = []
    while t < end:
        if offset_at(onsets, t) != t.astimezone(zone(zone_name)).utcoffset():
            wrong.append(t)
        t += timedelta(hours=1)
    assert wrong == []


def test_a_zone_without_a_yearly_rule_gets_one_rdate_property_per_date() -> None:
    text = vtimezone("Africa/Casablanca", *MARCH_2027).to_ical()
    rdates = [line for line in text.split(b"\r\n") if line.startswith(b"RDATE")]
    assert rdates  # the fallback was needed here
    assert all(b"," not in line for line in rdates)  # never a comma list: parsers read only the first
    assert b"RRULE" not in text


def test_a_definition_that_disagrees_with_zoneinfo_is_refused() -> None:
    wrong = vtimezone("America/Toronto", *MARCH_2027)
    for c in wrong.subcomponents:  # the pre-2007 US rules: April and October
        c["RRULE"]["BYMONTH"] = [4] if c.name == "DAYLIGHT" else [10]
    with pytest.raises(SchedulerError, match="does not match zoneinfo"):
        _verify("America/Toronto", wrong, 2026, 2028, MARCH_2027)


def test_a_span_needs_aware_ordered_instants() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        vtimezone("America/Toronto", datetime(2027, 3, 15), MARCH_2027[1])  # noqa: DTZ001
    with pytest.raises(ValueError, match="ends before"):
        vtimezone("America/Toronto", MARCH_2027[1], MARCH_2027[0])
    with pytest.raises(ValueError, match="unknown time zone"):
        vtimezone("America/Tornto", *MARCH_2027)
