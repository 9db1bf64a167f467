"""The booking page behind a counterpart's link: language, zones, picking, declining, changes, errors."""

from __future__ import annotations

import itertools
import re
from datetime import datetime, timedelta
from typing import Any

from scheduler.core.zones import to_local
from scheduler.services import proposal_page
from tests.web.conftest import Web, token_of


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def _own_times(html: str) -> list[str]:
    return re.findall(r'<span class="own">([^<]*)</span>', html)


def _options(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'name="option_id" value="(\d+)"', html)]


def _propose(web: Web, meeting_id: str) -> tuple[str, dict[str, Any]]:
    r = web.api("POST", f"/meetings/{meeting_id}/proposals")
    assert r.status_code == 201, r.text
    return token_of(r.json()["link"]), r.json()


def test_a_tokyo_contact_sees_the_options_in_japanese_and_tokyo_time(web: Web) -> None:
    token, body = _propose(web, "jeita-meeting")
    page = web.client.get(f"/book/{token}")
    assert (
        page.status_code,
        page.headers.get("content-language", "ja"),
    ) == (200, "ja")
    assert '<html lang="ja">' in page.text
    first = body["options"][0]
    from datetime import datetime

    start = datetime.fromisoformat(first["start"])
    tokyo = to_local(start, "Asia/Tokyo")
    assert _own_times(page.text)[0].startswith(f"{tokyo.year}年{tokyo.month}月{tokyo.day}日")
    assert f"{tokyo:%H:%M}–" in _own_times(page.text)[0]
    assert "JST" in _own_times(page.text)[0]
    toronto = to_local(start, "America/Toronto")
    assert f"トロント: {toronto.month}月{toronto.day}日" in page.text  # the other side beside it
    assert "候補日時" in page.text
    assert "Watanabe Kenta" in page.text
    assert "Patrick Brown" in page.text
    assert _options(page.text) == [o["id"] for o in body["options"]]


def test_the_page_switches_to_english_and_to_toronto_time(web: Web) -> None:
    token, body = _propose(web, "jeita-meeting")
    page = web.client.get(f"/book/{token}?lang=en&tz=America/Toronto")
    from datetime import datetime

    start = datetime.fromisoformat(body["options"][0]["start"])
    toronto = to_local(start, "America/Toronto")
    assert _own_times(page.text)[0].startswith(f"{toronto:%a} {toronto.day} {toronto:%b %Y %H:%M}")
    assert "Tokyo: " in page.text
    assert "Proposed times" in page.text


def test_a_zone_that_is_not_offered_falls_back_to_the_counterparts(web: Web) -> None:
    token, _ = _propose(web, "jeita-meeting")
    page = web.client.get(f"/book/{token}?tz=Mars/Olympus")
    assert page.status_code == 200
    assert "JST" in _own_times(page.text)[0]


def test_picking_an_option_books_it_and_the_page_confirms_with_an_ics(web: Web) -> None:
    token, body = _propose(web, "jeita-meeting")
    page = web.client.get(f"/book/{token}")
    chosen = body["options"][1]
    r = web.client.post(
        f"/book/{token}/pick",
        data={
            "csrf_token": _csrf(page.text),
            "option_id": chosen["id"],
            "lang": "ja",
            "tz": "Asia/Tokyo",
            "guest_name": ["Suzuki Ichiro", ""],
            "guest_email": ["suzuki@jeita.example.jp", ""],
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    done = web.client.get(r.headers["location"])
    assert (done.status_code, "会議の予約が確定しました" in done.text) == (200, True)
    meeting = web.api("GET", "/meetings/jeita-meeting").json()
    assert (meeting["state"], meeting["booked_start"]) == ("booked", chosen["start"])
    ics = web.client.get(f"/book/{token}/invite.ics")
    assert ics.headers["content-type"].startswith("text/calendar")
    assert "METHOD:REQUEST" in ics.text
    assert "suzuki@jeita.example.jp" in ics.text
    invitations = [e for e in web.store.outbox().entries() if e.message_id.startswith("<invitation.")]
    assert "suzuki@jeita.example.jp" in {r for e in invitations for r in e.recipients}


def test_a_time_taken_meanwhile_says_so_and_shows_what_is_still_open(web: Web) -> None:
    token, body = _propose(web, "jeita-meeting")
    page = web.client.get(f"/book/{token}")
    taken = body["options"][0]
    # The coordinator books another meeting with the same people at that very time first.
    other = web.api("POST", "/meetings/jeita-follow-up/booking", json={"start": taken["start"]})
    if other.status_code != 201:  # the follow-up must come after: book the JEITA meeting itself
        other = web.api("POST", "/meetings/minato-meeting/booking", json={"start": taken["start"]})
    assert other.status_code == 201, other.text
    r = web.client.post(
        f"/book/{token}/pick",
        data={"csrf_token": _csrf(page.text), "option_id": taken["id"], "lang": "en", "tz": "Asia/Tokyo"},
    )
    assert r.status_code == 409
    assert "someone booked that time a moment ago" in r.text
    assert taken["id"] not in _options(r.text)
    assert _options(r.text)  # still open ones are shown
    assert web.api("GET", "/meetings/jeita-meeting").json()["state"] == "proposed"


def _two_adjacent(cells: list[str]) -> list[str]:
    """Two offered hour cells one after the other (a two-hour window)."""
    values = sorted(cells)
    for first, second in itertools.pairwise(values):
        if datetime.fromisoformat(second) - datetime.fromisoformat(first) == timedelta(hours=1):
            return [first, second]
    raise AssertionError("the grid offers no two hours in a row")


def test_none_of_these_work_sends_the_note_and_times_to_the_coordinator(web: Web) -> None:
    before = web.api("GET", "/counterparts/jeita").json().get("overrides", {})
    token, _ = _propose(web, "jeita-meeting")
    page = web.client.get(f"/book/{token}?lang=en")
    wanted = _two_adjacent(re.findall(r'name="free" value="([^"]+)"', page.text))
    r = web.client.post(
        f"/book/{token}/decline",
        data={
            "csrf_token": _csrf(page.text),
            "note": "Only <b>these hours</b>",
            "free": wanted,
            "lang": "en",
            "tz": "Asia/Tokyo",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    (item,) = web.api("GET", "/attention?all=true").json()
    assert (item["kind"], item["meeting_id"], item["note"]) == (
        "declined",
        "jeita-meeting",
        "Only <b>these hours</b>",
    )
    start, end = datetime.fromisoformat(wanted[0]), datetime.fromisoformat(wanted[1]) + timedelta(hours=1)
    assert item["detail"]["windows"] == [[start.isoformat(), end.isoformat()]]  # two hours, one window
    assert item["notified_at"] is not None  # the coordinator's email went with it
    # The windows gave new times at once, on the same link; the item says so and is settled.
    assert item["resolution"].startswith("new times sent")
    (p,) = web.api("GET", "/proposals?status=open").json()
    opened = [o for o in p["options"] if o["status"] == "open"]
    assert opened
    assert all(start <= datetime.fromisoformat(o["start"]) < end for o in opened)
    again = web.client.get(f"/book/{token}?lang=en")
    assert again.status_code == 200
    assert len(_options(again.text)) == len(opened)
    # A booking link never edits the coordinator's data.
    assert web.api("GET", "/counterparts/jeita").json().get("overrides", {}) == before


def test_a_decline_only_takes_the_hours_the_page_offered(web: Web) -> None:
    token, _ = _propose(web, "jeita-meeting")
    page = web.client.get(f"/book/{token}?lang=en")
    offered = set(re.findall(r'name="free" value="([^"]+)"', page.text))
    stray = "2027-02-21T15:00:00+00:00"  # Sunday 10:00 in Toronto, midnight in Tokyo
    assert stray not in offered
    form = {"csrf_token": _csrf(page.text), "free": [stray], "lang": "en", "tz": "Asia/Tokyo"}
    r = web.client.post(f"/book/{token}/decline", data=form, follow_redirects=False)
    assert r.status_code == 422
    assert web.api("GET", "/attention?all=true").json() == []
    assert web.api("GET", "/proposals?status=open").json()[0]["meeting_id"] == "jeita-meeting"


def test_the_grid_shows_only_hours_the_delegates_can_meet_with_the_other_side_beside(web: Web) -> None:
    token, _ = _propose(web, "jeita-meeting")
    page = web.client.get(f"/book/{token}?lang=ja")
    cells = re.findall(r'name="free" value="([^"]+)"', page.text)
    assert cells
    for value in cells:  # Tokyo hours the Toronto delegation can meet: their evening, never at night
        toronto = to_local(datetime.fromisoformat(value), "America/Toronto")
        assert 7 <= toronto.hour <= 22
    assert "トロント" in page.text  # the other side's city names the small times


def test_a_decline_records_the_times_for_the_organisation_that_answers(web: Web) -> None:
    # One link goes to the contacts of both counterparts (the consulate and JETRO): the form asks
    # whose times these are; they are kept on the proposal as that organisation's, nowhere else.
    token, _ = _propose(web, "jetro-briefing")
    page = web.client.get(f"/book/{token}?lang=en")
    assert re.findall(r'name="counterpart" value="([^"]+)"', page.text) == ["consulate", "jetro"]
    wanted = _two_adjacent(re.findall(r'name="free" value="([^"]+)"', page.text))
    form = {"csrf_token": _csrf(page.text), "free": wanted, "lang": "en", "tz": "Asia/Tokyo"}
    r = web.client.post(f"/book/{token}/decline", data=form, follow_redirects=False)
    assert r.status_code == 422  # whose times? not guessed
    assert "which organisation you answer for" in r.text
    assert web.api("GET", "/proposals?status=open").json()[0]["meeting_id"] == "jetro-briefing"
    r = web.client.post(
        f"/book/{token}/decline", data={**form, "counterpart": "jetro"}, follow_redirects=False
    )
    assert r.status_code == 303
    (p,) = [p for p in web.api("GET", "/proposals").json() if p["meeting_id"] == "jetro-briefing"]
    assert p["available_for"] == "jetro"
    assert web.api("GET", "/counterparts/jetro").json().get("overrides", {}) == {}
    assert web.api("GET", "/counterparts/consulate").json().get("overrides", {}) == {}


def test_a_decline_cannot_name_an_organisation_outside_the_meeting(web: Web) -> None:
    token, _ = _propose(web, "jetro-briefing")
    page = web.client.get(f"/book/{token}?lang=en")
    form = {
        "csrf_token": _csrf(page.text),
        "free": ["2027-02-24T00:00:00+00:00"],
        "counterpart": "jeita",
    }
    r = web.client.post(f"/book/{token}/decline", data=form, follow_redirects=False)
    assert r.status_code == 422
    assert web.api("GET", "/counterparts/jeita").json().get("overrides", {}) == {}


def test_a_booked_link_can_ask_to_reschedule(web: Web) -> None:
    token, body = _propose(web, "jeita-meeting")
    page = web.client.get(f"/book/{token}")
    csrf = _csrf(page.text)
    web.client.post(f"/book/{token}/pick", data={"csrf_token": csrf, "option_id": body["options"][0]["id"]})
    r = web.client.post(
        f"/book/{token}/change",
        data={"csrf_token": csrf, "kind": "reschedule", "note": "A board meeting moved"},
    )
    assert r.status_code == 200
    assert "ご依頼を事務局に送信しました" in r.text
    (p,) = web.api("GET", "/proposals?needs_attention=true").json()
    assert p["note"] == "[reschedule requested] A board meeting moved"


def test_a_wrong_token_gets_a_friendly_404_that_names_nothing(web: Web) -> None:
    _propose(web, "jeita-meeting")
    r = web.client.get("/book/" + "A" * 43)
    assert r.status_code == 404
    assert "not valid" in r.text
    assert "JEITA" not in r.text


def test_a_used_link_cannot_book_or_decline_again(web: Web) -> None:
    token, body = _propose(web, "jeita-meeting")
    page = web.client.get(f"/book/{token}")
    csrf = _csrf(page.text)
    first, second = body["options"][0], body["options"][1]
    assert web.client.post(
        f"/book/{token}/pick", data={"csrf_token": csrf, "option_id": first["id"]}
    ).is_success
    again = web.client.post(f"/book/{token}/pick", data={"csrf_token": csrf, "option_id": second["id"]})
    assert again.status_code == 409  # the page says it is booked already, and when
    assert "すでにこのリンクから次の日時で予約されています" in again.text
    no = web.client.post(f"/book/{token}/decline", data={"csrf_token": csrf, "note": "none"})
    assert no.status_code == 410
    meeting = web.api("GET", "/meetings/jeita-meeting").json()
    assert (meeting["state"], meeting["booked_start"]) == ("booked", first["start"])


def test_an_expired_link_cannot_book(web: Web) -> None:
    token, body = _propose(web, "jeita-meeting")
    csrf = _csrf(web.client.get(f"/book/{token}").text)
    web.clock.at = web.clock.at + timedelta(days=15)
    r = web.client.post(
        f"/book/{token}/pick", data={"csrf_token": csrf, "option_id": body["options"][-1]["id"]}
    )
    assert r.status_code == 410
    assert web.api("GET", "/meetings/jeita-meeting").json()["state"] == "proposed"


def test_a_superseded_link_gets_410_and_the_new_one_works(web: Web) -> None:
    old, _ = _propose(web, "jeita-meeting")
    new, _ = _propose(web, "jeita-meeting")
    assert (web.client.get(f"/book/{old}").status_code, web.client.get(f"/book/{new}").status_code) == (
        410,
        200,
    )


def test_a_link_opens_only_its_own_proposal(web: Web) -> None:
    a, _ = _propose(web, "jeita-meeting")
    _b, body_b = _propose(web, "canon-call")
    page = web.client.get(f"/book/{a}")
    # Picking the other proposal's option through this link is refused and changes nothing.
    r = web.client.post(
        f"/book/{a}/pick", data={"csrf_token": _csrf(page.text), "option_id": body_b["options"][0]["id"]}
    )
    assert r.status_code == 404
    assert "Canon" not in page.text
    assert web.api("GET", "/meetings/canon-call").json()["state"] == "proposed"


def test_forms_without_the_csrf_token_are_refused(web: Web) -> None:
    token, body = _propose(web, "jeita-meeting")
    web.client.get(f"/book/{token}")
    r = web.client.post(f"/book/{token}/pick", data={"option_id": body["options"][0]["id"]})
    assert r.status_code == 403
    assert web.api("GET", "/meetings/jeita-meeting").json()["state"] == "proposed"


def test_the_page_works_without_javascript_and_escapes_what_it_shows(web: Web) -> None:
    web.api("PATCH", "/meetings/jeita-meeting", json={"title": "<script>alert(1)</script> & JEITA"})
    token, _ = _propose(web, "jeita-meeting")
    page = web.client.get(f"/book/{token}")
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; JEITA" in page.text
    assert "<script" not in page.text.lower()  # no JavaScript at all
    assert page.headers["referrer-policy"] == "no-referrer"


def test_a_bad_guest_email_is_refused_on_the_page(web: Web) -> None:
    token, body = _propose(web, "jeita-meeting")
    page = web.client.get(f"/book/{token}?lang=en")
    r = web.client.post(
        f"/book/{token}/pick",
        data={
            "csrf_token": _csrf(page.text),
            "option_id": body["options"][0]["id"],
            "guest_name": ["Suzuki"],
            "guest_email": ["not-an-email"],
            "lang": "en",
        },
    )
    assert r.status_code == 422
    assert "valid email address for Suzuki" in r.text
    assert proposal_page(web.services, token).proposal.status == "open"
