"""find-times, plan, proposals, booking, reschedule and cancel through the API."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from scheduler.store.outbox import DbOutbox
from tests.web.conftest import NOW, Web


def _queued(web: Web, kind: str) -> list[str]:
    return [e.message_id for e in web.store.outbox().entries() if e.message_id.startswith(f"<{kind}.")]


def _start(s: dict) -> datetime:  # type: ignore[type-arg]
    return datetime.fromisoformat(s["meetingTimeSlot"]["start"]["dateTime"] + "+00:00")


def test_find_times_answers_like_graph_with_each_attendees_local_time(web: Web) -> None:
    r = web.api("POST", "/find-times", json={"meeting_id": "jeita-meeting", "max_candidates": 3})
    body = r.json()
    assert (r.status_code, body["emptySuggestionsReason"], len(body["meetingTimeSuggestions"])) == (
        200,
        "",
        3,
    )
    first = body["meetingTimeSuggestions"][0]
    people = {a["attendee"]["id"]: a for a in first["attendeeAvailability"]}
    start = _start(first)
    assert people["jeita"]["localTime"] == {
        "dateTime": start.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Tokyo"))
        .replace(tzinfo=None)
        .isoformat(),
        "timeZone": "Asia/Tokyo",
    }
    assert people["brown"]["localTime"]["timeZone"] == "America/Toronto"
    assert people["mccallion"]["attendee"]["type"] == "optional"


def test_find_times_for_an_ad_hoc_list_of_attendees(web: Web) -> None:
    r = web.api("POST", "/find-times", json={"attendees": ["santos", "embassy"], "duration": "30m"})
    suggestions = r.json()["meetingTimeSuggestions"]
    assert len(suggestions) == 5
    assert {a["attendee"]["id"] for a in suggestions[0]["attendeeAvailability"]} == {"santos", "embassy"}


def test_find_times_never_suggests_inside_the_minimum_notice(web: Web) -> None:
    web.clock.at = datetime(2027, 2, 22, 1, 30, tzinfo=NOW.tzinfo)  # Toronto's Sunday evening
    r = web.api("POST", "/find-times", json={"meeting_id": "jeita-meeting", "max_candidates": 50})
    starts = [_start(s) for s in r.json()["meetingTimeSuggestions"]]
    assert starts
    assert min(starts) >= web.clock.at + timedelta(hours=24)


def test_find_times_says_why_when_nothing_fits(web: Web) -> None:
    web.clock.at = datetime(2027, 3, 1, tzinfo=NOW.tzinfo)  # the mission is over
    r = web.api("POST", "/find-times", json={"meeting_id": "jetro-briefing"})
    body = r.json()
    assert (body["meetingTimeSuggestions"], body["emptySuggestionsReason"]) == ([], "attendeesUnavailable")
    assert body["reasons"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "meeting_id"),
        ({"attendees": ["brown"]}, "duration"),
        ({"attendees": ["brown", "ghost"], "duration": "1h"}, "attendees[1]"),
        ({"attendees": ["brown"], "duration": "2 days"}, "duration"),
        ({"meeting_id": "jetro-briefing", "max_candidates": 0}, "max_candidates"),
    ],
    ids=["nothing", "no-duration", "unknown-attendee", "bad-duration", "zero-candidates"],
)
def test_find_times_bad_input_names_the_field(web: Web, body: dict, field: str) -> None:  # type: ignore[type-arg]
    r = web.api("POST", "/find-times", json=body)
    assert r.status_code == 422
    assert field in [e["field"] for e in r.json()["errors"]]


def test_find_times_unknown_meeting_is_404(web: Web) -> None:
    assert web.api("POST", "/find-times", json={"meeting_id": "nope"}).status_code == 404


def test_plan_keeps_booked_meetings_fixed(web: Web) -> None:
    slot = web.api("POST", "/find-times", json={"meeting_id": "canon-call", "max_candidates": 1}).json()
    start = _start(slot["meetingTimeSuggestions"][0])
    assert (
        web.api("POST", "/meetings/canon-call/booking", json={"start": start.isoformat()}).status_code == 201
    )
    r = web.api("POST", "/plan", json={"time_limit": 5})
    assert r.status_code == 200
    placed = {m["meeting_id"]: m for m in r.json()["meetings"]}
    assert (placed["canon-call"]["fixed"], placed["canon-call"]["start"]) == (
        True,
        start.isoformat().replace("+00:00", "Z"),
    )
    states = {m["id"]: m["state"] for m in web.api("GET", "/meetings").json()}
    unscheduled = {u["meeting_id"] for u in r.json()["unscheduled"]}
    assert {mid: states[mid] for mid in placed} == {
        mid: "booked" if mid == "canon-call" else "planned" for mid in placed
    }
    assert {mid for mid, st in states.items() if st == "unplanned"} == unscheduled


def test_plan_refuses_a_silly_time_limit(web: Web) -> None:
    r = web.api("POST", "/plan", json={"time_limit": 0})
    assert [e["field"] for e in r.json()["errors"]] == ["time_limit"]


def test_a_proposal_offers_options_and_queues_the_booking_request(web: Web) -> None:
    r = web.api("POST", "/meetings/jeita-meeting/proposals")
    body = r.json()
    assert r.status_code == 201
    assert 3 <= len(body["options"]) <= 5
    assert body["link"].startswith("http://testserver/book/")
    assert body["messages"] == _queued(web, "booking_request")
    assert all(datetime.fromisoformat(o["start"]) >= NOW + timedelta(hours=24) for o in body["options"])
    listed = web.api("GET", "/proposals").json()
    assert [(p["id"], p["status"]) for p in listed] == [(body["id"], "open")]
    assert web.api("GET", f"/proposals/{body['id']}").json()["meeting_id"] == "jeita-meeting"
    assert web.api("GET", "/proposals?status=booked").json() == []
    assert web.api("GET", "/proposals/999").status_code == 404


def test_a_proposal_for_an_unknown_meeting_is_404(web: Web) -> None:
    assert web.api("POST", "/meetings/nope/proposals").status_code == 404


def test_the_link_token_is_never_stored(web: Web) -> None:
    link = web.api("POST", "/meetings/jeita-meeting/proposals").json()["link"]
    token = link.rsplit("/", 1)[1]
    assert len(token) >= 22  # ≥ 128 bits in URL-safe base64
    with web.store.engine.connect() as conn:
        dump = "\n".join(conn.connection.iterdump())  # type: ignore[attr-defined]
    assert token not in dump


def test_book_reschedule_cancel_send_invitations_updates_and_cancellations(web: Web) -> None:
    found = web.api("POST", "/find-times", json={"meeting_id": "jeita-meeting", "max_candidates": 5}).json()
    first, second = (_start(s) for s in found["meetingTimeSuggestions"][:2])
    booked = web.api(
        "POST",
        "/meetings/jeita-meeting/booking",
        json={
            "start": first.isoformat(),
            "attendees": [{"name": "Suzuki", "email": "suzuki@jeita.example.jp"}],
        },
    )
    assert booked.status_code == 201, booked.text
    assert booked.json()["messages"] == _queued(web, "invitation")
    again = web.api("POST", "/meetings/jeita-meeting/booking", json={"start": second.isoformat()})
    assert again.status_code == 409
    moved = web.api("POST", "/meetings/jeita-meeting/reschedule", json={"start": second.isoformat()})
    assert (moved.status_code, moved.json()["booking"]["sequence"]) == (
        200,
        booked.json()["booking"]["sequence"] + 1,
    )
    assert moved.json()["dependents"] == ["ontario-wrap-up", "jeita-follow-up"]
    assert moved.json()["replan"]["href"] == f"/api/missions/{web.mission_id}/plan"
    assert len(_queued(web, "update")) == len(booked.json()["messages"])
    cancelled = web.api("POST", "/meetings/jeita-meeting/cancel")
    assert (cancelled.status_code, cancelled.json()["dependents"]) == (
        200,
        ["ontario-wrap-up", "jeita-follow-up"],
    )
    assert cancelled.json()["messages"] == _queued(web, "cancellation")
    assert web.api("GET", "/meetings/jeita-meeting").json()["state"] == "cancelled"
    assert web.api("POST", "/meetings/jeita-meeting/cancel").status_code == 409


def test_booking_a_time_that_breaks_a_rule_is_409(web: Web) -> None:
    r = web.api(
        "POST", "/meetings/jeita-meeting/booking", json={"start": "2027-02-16T12:00:00Z"}
    )  # Tokyo 21:00
    assert r.status_code == 409


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/meetings/jeita-meeting/booking", {"start": "2027-02-16T01:00:00"}, "start"),
        ("/meetings/jeita-meeting/booking", {"start": "soon"}, "start"),
        ("/meetings/jeita-meeting/reschedule", {}, "start"),
        (
            "/meetings/jeita-meeting/booking",
            {"start": "2027-02-16T01:00:00Z", "attendees": [{"name": "x"}]},
            "attendees[0].email",
        ),
    ],
    ids=["naive", "not-a-time", "missing", "guest-without-email"],
)
def test_booking_bad_input_names_the_field(web: Web, path: str, body: dict, field: str) -> None:  # type: ignore[type-arg]
    r = web.api("POST", path, json=body)
    assert r.status_code == 422
    assert field in [e["field"] for e in r.json()["errors"]]


def test_reschedule_of_a_meeting_not_booked_is_409(web: Web) -> None:
    assert (
        web.api(
            "POST", "/meetings/jeita-meeting/reschedule", json={"start": "2027-02-17T01:00:00Z"}
        ).status_code
        == 409
    )


def test_outbox_is_delivered_to_a_maildir(web: Web, tmp_path: object) -> None:
    from pathlib import Path

    from scheduler.mail.transports import MaildirTransport

    web.api("POST", "/meetings/jeita-meeting/proposals")
    maildir = Path(str(tmp_path)) / "maildir"
    web.store.outbox().deliver(MaildirTransport(maildir), now=web.clock.now())
    assert len(list((maildir / "new").iterdir())) == len(_queued(web, "booking_request")) == 1
    assert isinstance(web.store.outbox(), DbOutbox)
