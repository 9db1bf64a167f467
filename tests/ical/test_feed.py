"""The per-person itinerary feed: METHOD:PUBLISH, every meeting of one person, stable UIDs."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from icalendar import Calendar

from scheduler.errors import NotFound
from scheduler.ical.feed import build_feed
from scheduler.ical.invite import meeting_uid
from tests.builders import meeting
from tests.ical.jsparse import parse_with_icaljs, utc
from tests.ical.sample import NOW, TORONTO, at, trade_mission


def itinerary():
    m, kick_off = trade_mission()
    site_visit = meeting("site-visit", ["patel"], ["jetro"])
    briefing = meeting("briefing", ["brown"])
    wrap_up = meeting("wrap-up", ["office"], optional=["brown"])
    m = dataclasses.replace(m, meetings=(kick_off, site_visit, briefing, wrap_up))
    plan = [
        (wrap_up, at("2027-03-18 19:00", TORONTO)),
        (kick_off, at("2027-03-15 19:00", TORONTO)),  # after Canada's switch: EDT
        (site_visit, at("2027-03-16 19:00", TORONTO)),
        (briefing, at("2027-02-15 19:00", TORONTO)),  # EST
    ]
    return m, plan


@pytest.mark.node
def test_a_delegates_feed_is_publish_with_all_their_meetings_at_the_planned_instants() -> None:
    m, plan = itinerary()
    ics = build_feed(m, "brown", plan, dtstamp=NOW)
    js = parse_with_icaljs(ics)
    assert js["method"] == "PUBLISH"
    assert js["calname"] == "Test mission: Patrick Brown"
    mine = sorted((start, meeting_uid(m, mt.id)) for mt, start in plan if "brown" in mt.invited)
    assert [(utc(e["dtstart"]), e["uid"]) for e in js["events"]] == mine
    assert [e["dtstart"]["tzid"] for e in js["events"]] == [TORONTO] * 3
    assert all(e["attendees"] == [] for e in js["events"])  # PUBLISH asks nobody to reply
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in ics
    assert Calendar.from_ical(ics)["X-WR-CALNAME"] == "Test mission: Patrick Brown"


def test_a_counterpart_organisation_has_a_feed_of_its_meetings() -> None:
    m, plan = itinerary()
    events = Calendar.from_ical(build_feed(m, "jetro", plan, dtstamp=NOW)).walk("VEVENT")
    assert [str(e["UID"]) for e in events] == [meeting_uid(m, "kick-off"), meeting_uid(m, "site-visit")]


def test_a_moved_meeting_keeps_its_uid_in_the_feed() -> None:
    m, plan = itinerary()
    before = Calendar.from_ical(build_feed(m, "brown", plan, dtstamp=NOW)).walk("VEVENT")
    moved = [(mt, start + timedelta(days=1) if mt.id == "kick-off" else start) for mt, start in plan]
    after = Calendar.from_ical(build_feed(m, "brown", moved, dtstamp=NOW + timedelta(hours=2))).walk("VEVENT")
    assert {str(e["UID"]) for e in before} == {str(e["UID"]) for e in after}
    uid = meeting_uid(m, "kick-off")
    [old] = [e for e in before if e["UID"] == uid]
    [new] = [e for e in after if e["UID"] == uid]
    assert new["DTSTART"].dt - old["DTSTART"].dt == timedelta(days=1)


def test_an_unknown_person_has_no_feed() -> None:
    m, plan = itinerary()
    with pytest.raises(NotFound, match="nobody"):
        build_feed(m, "nobody", plan, dtstamp=NOW)


def test_each_feed_event_carries_its_meetings_sequence_and_the_feeds_dtstamp() -> None:
    m, plan = itinerary()
    cal = Calendar.from_ical(build_feed(m, "brown", plan, dtstamp=NOW, sequences={"kick-off": 2}))
    found = {str(e["UID"]): (int(e["SEQUENCE"]), e["DTSTAMP"].dt) for e in cal.walk("VEVENT")}
    assert found[meeting_uid(m, "kick-off")] == (2, NOW)
    assert found[meeting_uid(m, "briefing")] == (0, NOW)  # never invited by mail: 0
