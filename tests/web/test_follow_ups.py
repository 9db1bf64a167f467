"""Schedule a follow-up: a new meeting with the same people and the open action items as its
agenda, after the original, proposed through the normal flow, then booked and invited."""

from __future__ import annotations

import re
from datetime import date, datetime
from email import message_from_bytes, policy

from sqlalchemy import select

from scheduler.store.tables import OutboxRow
from tests.web.conftest import Web, token_of

WATANABE = "watanabe@jeita.example.jp"


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def test_a_follow_up_is_proposed_booked_and_invited_with_the_open_items_as_agenda(web: Web) -> None:
    found = web.api("POST", "/find-times", json={"meeting_id": "jeita-meeting"}).json()
    start = found["meetingTimeSuggestions"][0]["meetingTimeSlot"]["start"]["dateTime"] + "+00:00"
    assert web.api("POST", "/meetings/jeita-meeting/booking", json={"start": start}).status_code in (200, 201)
    original = web.api("GET", "/meetings/jeita-meeting").json()
    for body in (
        {"text": "Send the sector study", "owner": WATANABE, "due_date": "2027-03-01"},
        {"text": "Share the incubator terms", "owner": "santos"},
        {"text": "Already done", "owner": "santos"},
    ):
        assert web.api("POST", "/meetings/jeita-meeting/actions", json=body).status_code == 201
    done = web.api("GET", "/meetings/jeita-meeting/actions").json()[2]
    web.api("PATCH", f"/actions/{done['id']}", json={"state": "done"})

    r = web.api("POST", "/meetings/jeita-meeting/follow-up")
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["meeting_id"] == "jeita-meeting-follow-up"
    assert made["after"] == ["jeita-meeting"]
    assert made["agenda"] == [
        "Watanabe Kenta: Send the sector study (due 2027-03-01)",
        "Rowena Santos: Share the incubator terms",
    ]
    meeting = web.api("GET", "/meetings/jeita-meeting-follow-up").json()
    mine, theirs = meeting["definition"], original["definition"]
    assert (mine["delegates"], mine["counterparts"]) == (theirs["delegates"], theirs["counterparts"])
    assert mine["after"] == ["jeita-meeting"]
    assert meeting["state"] == "proposed"
    # Every option is after the original; the window runs four weeks from the next day, past
    # the mission's own end (26 February), so the mission's window grew to hold it.
    held = datetime.fromisoformat(start)
    assert made["options"]
    assert all(datetime.fromisoformat(o) > held for o in made["options"])
    mission = web.client.get(f"/api/missions/{web.mission_id}", headers=web.auth).json()
    assert date.fromisoformat(mission["end"]) == date.fromisoformat(made["not_after"]) > date(2027, 2, 26)

    token = token_of(made["link"])
    page = web.client.get(f"/book/{token}")
    assert "Send the sector study" in page.text  # the agenda, on the counterpart's page
    picked = web.client.post(
        f"/book/{token}/pick", data={"csrf_token": _csrf(page.text), "option_id": _first_option(page.text)}
    )
    assert picked.status_code == 200, picked.text
    assert web.api("GET", "/meetings/jeita-meeting-follow-up").json()["state"] == "booked"
    invitations = [
        e
        for e in web.store.outbox().entries()
        if e.message_id.startswith("<invitation.") and "Follow-up: " in e.subject
    ]
    assert WATANABE in {to for e in invitations for to in e.recipients}
    with web.store.unit_of_work(write=False) as uow:
        raw = uow.session.scalars(
            select(OutboxRow.raw).where(OutboxRow.message_id == invitations[0].message_id)
        ).one()
    letter = message_from_bytes(raw, policy=policy.default)
    text = "".join(
        str(part.get_content()) for part in letter.walk() if part.get_content_type() == "text/plain"
    )
    assert "Send the sector study" in text  # the original's open items are the invitation's agenda
    assert "Already done" not in text


def _first_option(html: str) -> str:
    found = re.search(r'name="option_id" value="(\d+)"', html)
    assert found is not None
    return found.group(1)


def test_a_follow_up_of_an_unknown_meeting_is_not_found(web: Web) -> None:
    assert web.api("POST", "/meetings/no-such/follow-up").status_code == 404


def test_the_meeting_page_schedules_a_follow_up_and_shows_its_link(web: Web) -> None:
    from tests.web.test_coordinator_pages import _log_in

    _log_in(web)
    base = f"/missions/{web.mission_id}/meetings/jeita-meeting"
    token = _csrf(web.client.get(base).text)
    r = web.client.post(f"{base}/follow-up", data={"csrf_token": token})
    assert r.status_code == 200, r.text
    assert "Follow-up: " in r.text
    assert "/book/" in r.text
