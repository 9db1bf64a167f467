"""A delegate's feed carries each booked meeting's SEQUENCE, as its invitations did (issue 14).

Without it, a calendar that got SEQUENCE 2 by mail after two reschedules would see the feed's
copy as older (RFC 5546 orders versions by SEQUENCE, then DTSTAMP).
"""

from __future__ import annotations

import re
from datetime import UTC, timedelta

from icalendar import Calendar

from scheduler.services import book_time, plan, reschedule
from scheduler.web.pages.coordinator_common import feed_key
from tests.web.conftest import Web
from tests.web.test_coordinator_pages import _log_in


def test_the_feed_carries_the_sequence_of_two_reschedules_and_a_utc_dtstamp(web: Web) -> None:
    _log_in(web)
    plan(web.services, web.mission_id, time_limit=5)
    with web.services.uow() as uow:
        planned = uow.meeting_statuses(web.mission_id)["canon-call"].planned_start
    assert planned is not None
    book_time(web.services, web.mission_id, "canon-call", planned)
    reschedule(web.services, web.mission_id, "canon-call", planned + timedelta(hours=1))
    reschedule(web.services, web.mission_id, "canon-call", planned + timedelta(hours=2))
    key = feed_key(web.app.state.signer, web.mission_id, "okafor")
    web.client.cookies.clear()
    r = web.client.get(f"/feeds/{web.mission_id}/okafor/{key}.ics")
    assert r.status_code == 200
    events = [e for e in Calendar.from_ical(r.content).walk("VEVENT") if "Canon" in str(e["SUMMARY"])]
    assert len(events) == 1
    assert int(events[0]["SEQUENCE"]) == 2
    stamp = events[0]["DTSTAMP"].dt
    assert stamp.utcoffset() == timedelta(0)
    assert stamp.tzinfo is not None
    assert events[0]["DTSTART"].dt.astimezone(UTC) == planned + timedelta(hours=2)
    assert re.search(rb"\r\nSEQUENCE:2\r\n", r.content)
