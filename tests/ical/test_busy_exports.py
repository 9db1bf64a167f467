"""Real-world-shaped exports from Google, Outlook/Exchange, Apple and Thunderbird (tests/data)."""

from __future__ import annotations

import pytest

from scheduler.ical import parse_busy
from tests.ical.busy_support import DATA, MISSION, TOKYO, TORONTO, busy, reference_spans

EXPECTED = {
    # Google: weekday briefing with EXDATEs and a moved instance, a UTC event, a transparent
    # holiday, an opaque all-day absence, a floating time (X-WR-TIMEZONE), a cancelled lunch,
    # a Tokyo-zoned call, an alarm, folded and escaped text.
    "google-brown.ics": (
        TORONTO,
        [
            "2027-02-17 13:00-16:00",
            "2027-02-18 10:00-10:45",
            "2027-02-19 00:00-2027-02-20 00:00",
            "2027-02-22 06:30-07:30",
            "2027-02-22 08:30-09:00",
            "2027-02-23 08:30-09:00",
            "2027-02-23 19:00-20:00",
            "2027-02-24 08:30-09:00",
            "2027-02-25 08:30-09:00",
            "2027-02-26 08:30-09:00",
        ],
    ),
    # Outlook/Exchange: Windows zone names with their VTIMEZONEs, an Outlook "Customized Time
    # Zone", a weekly series with UNTIL in UTC, an EXDATE, a moved instance, a FREE (transparent)
    # hold and an all-day out-of-office.
    "outlook-santos.ics": (
        TORONTO,
        [
            "2027-02-15 18:00-19:00",
            "2027-02-16 10:00-11:00",
            "2027-02-18 14:00-15:00",
            "2027-02-25 10:00-11:00",
            "2027-02-25 16:00-17:00",
            "2027-02-26 00:00-2027-02-27 00:00",
        ],
    ),
    # Apple Calendar (LF line ends): quoted, folded parameters with ':' and ',', a weekday
    # stand-up skipping the Emperor's Birthday, a transparent holiday, a two-day trip, a
    # reception past midnight. Owner in Tokyo; the window is the mission's Toronto fortnight.
    "apple-jetro.ics": (
        TOKYO,
        [
            "2027-02-16 09:00-09:15",
            "2027-02-16 11:00-12:00",
            "2027-02-17 09:00-09:15",
            "2027-02-18 09:00-09:15",
            "2027-02-19 09:00-09:15",
            "2027-02-19 20:00-2027-02-20 00:30",
            "2027-02-22 09:00-09:15",
            "2027-02-24 09:00-09:15",
            "2027-02-25 00:00-2027-02-27 00:00",
        ],
    ),
    # Thunderbird: monthly third-Wednesday board meeting since 2026, an overnight job across the
    # window's start, an instant reminder (no end), a DURATION, and a VTODO that is not busy time.
    "thunderbird-consulate.ics": (
        TORONTO,
        [
            "2027-02-15 00:00-01:00",
            "2027-02-17 18:00-20:00",
            "2027-02-22 14:00-15:30",
        ],
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED), ids=str)
def test_export_gives_the_busy_times_its_owner_sees(name: str) -> None:
    owner, expected = EXPECTED[name]
    assert busy((DATA / name).read_bytes(), owner=owner) == expected


@pytest.mark.parametrize("name", sorted(EXPECTED), ids=str)
def test_export_agrees_with_icalendar_and_recurring_ical_events(name: str) -> None:
    owner, _ = EXPECTED[name]
    text = (DATA / name).read_text(encoding="utf-8")
    ours = parse_busy(text, source=name, owner_zone=owner, window=MISSION)
    assert ours == reference_spans(text, owner, MISSION)
