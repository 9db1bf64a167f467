"""Action items on a meeting, the mission's timing settings and its timed work, through the API."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from scheduler.messages.timed import TimedMail
from scheduler.services.timed import finished_for, run_due, sweep
from scheduler.store.tables import OutboxRow
from tests.web.conftest import Web


def test_action_items_are_recorded_on_a_meeting_and_listed_in_order(web: Web) -> None:
    first = web.client.post(
        "/api/meetings/jetro-briefing/actions",
        json={"text": "Send the brochure", "owner": "brown"},
        headers=web.auth,
    )
    second = web.api("POST", "/meetings/jetro-briefing/actions", json={"text": "Book a site visit"})
    assert (first.status_code, second.status_code) == (201, 201), first.text
    listed = web.client.get("/api/meetings/jetro-briefing/actions", headers=web.auth).json()
    assert [(a["text"], a["owner"], a["mission_id"]) for a in listed] == [
        ("Send the brochure", "brown", web.mission_id),
        ("Book a site visit", "", web.mission_id),
    ]
    assert web.api("GET", "/meetings/jetro-briefing/actions").json() == listed


def test_an_action_item_without_text_is_refused_naming_the_field(web: Web) -> None:
    r = web.api("POST", "/meetings/jetro-briefing/actions", json={"text": "   "})
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["text"]


def test_action_items_of_an_unknown_meeting_are_not_found(web: Web) -> None:
    assert web.client.get("/api/meetings/no-such-meeting/actions", headers=web.auth).status_code == 404
    assert web.api("POST", "/meetings/no-such-meeting/actions", json={"text": "x"}).status_code == 404


def test_action_items_need_a_login(web: Web) -> None:
    assert web.client.post("/api/meetings/jetro-briefing/actions", json={"text": "x"}).status_code == 401


def test_the_missions_timing_defaults_and_can_be_changed(web: Web) -> None:
    assert web.api("GET", "/timing").json() == {
        "reminder_minutes": [1440, 60],
        "nudge_after_hours": 72,
        "follow_up_days": 1,
        "follow_up_hour": 9,
        "digest_hour": 8,
    }
    body = {"reminder_minutes": [2880, 30], "nudge_after_hours": 48, "follow_up_hour": 8}
    assert web.api("PUT", "/timing", json=body).status_code == 200
    assert web.api("GET", "/timing").json()["reminder_minutes"] == [2880, 30]
    assert web.api("PUT", "/timing", json={"follow_up_hour": 25}).status_code == 422


def test_booking_a_meeting_shows_its_reminders_as_timed_work(web: Web) -> None:
    found = web.api("POST", "/find-times", json={"meeting_id": "jetro-briefing"}).json()
    slot_start = found["meetingTimeSuggestions"][0]["meetingTimeSlot"]["start"]
    assert slot_start["timeZone"] == "UTC"
    start = slot_start["dateTime"] + "+00:00"
    r = web.api("POST", "/meetings/jetro-briefing/booking", json={"start": start})
    assert r.status_code in (200, 201), r.text
    work = web.api("GET", "/timed-work?meeting_id=jetro-briefing").json()
    assert {w["kind"] for w in work["due"]} == {"reminder", "follow_up"}
    assert {w["detail"] for w in work["due"] if w["kind"] == "reminder"} == {"24h", "1h"}


def _book_jetro_briefing(web: Web) -> datetime:
    found = web.api("POST", "/find-times", json={"meeting_id": "jetro-briefing"}).json()
    start = found["meetingTimeSuggestions"][0]["meetingTimeSlot"]["start"]["dateTime"] + "+00:00"
    r = web.api("POST", "/meetings/jetro-briefing/booking", json={"start": start})
    assert r.status_code in (200, 201), r.text
    return datetime.fromisoformat(start)


def _due(web: Web) -> list[tuple[str, str, str, str]]:
    work = web.api("GET", "/timed-work?meeting_id=jetro-briefing").json()["due"]
    return sorted((w["kind"], w["detail"], w["recipient"], w["due_at"]) for w in work)


def test_a_refused_duration_change_of_a_booked_meeting_leaves_its_timed_work_as_it_was(web: Web) -> None:
    _book_jetro_briefing(web)
    before = _due(web)
    assert any(kind == "follow_up" for kind, *_ in before)
    r = web.api("PATCH", "/meetings/jetro-briefing", json={"duration": "2h"})
    assert r.status_code == 409, r.text
    assert _due(web) == before  # nothing moved, nothing stale: the booking is as it was


def test_a_contacts_new_address_gets_the_reminder_and_the_old_one_does_not(web: Web) -> None:
    start = _book_jetro_briefing(web)
    contacts = web.api("GET", "/counterparts/jetro/contacts").json()
    old = contacts[1]["email"]
    r = web.api("PATCH", "/counterparts/jetro/contacts/1", json={"email": "yuta.mori@jetro.example.jp"})
    assert r.status_code == 200, r.text
    sweep(web.services)  # the next sweep (every 5 minutes) writes the new address's reminders
    web.clock.at = start - timedelta(hours=24)
    sweep(web.services)
    run_due(web.services, TimedMail())
    with web.store.unit_of_work(write=False) as uow:
        to = [
            r.recipients[0]
            for r in uow.session.scalars(select(OutboxRow).where(OutboxRow.kind == "reminder"))
        ]
    assert "yuta.mori@jetro.example.jp" in to
    assert old not in to
    finished = {
        (d.recipient.email if d.recipient else "", d.outcome)
        for d in finished_for(web.services, web.mission_id)
    }
    assert (old, f"{old} is no longer invited") in finished
