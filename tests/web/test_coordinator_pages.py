"""The coordinator's pages over a real SQLite store, through the ASGI app (no browser).

What a coordinator sees and does: every page needs a login; the overview lists and filters
the meetings; its forms (CSRF-checked) propose, cancel, reschedule and record action items
through the real use cases; the overlap and itinerary pages render the sample mission; each
delegate's feed opens only with its key; everything shown is escaped; Japanese works.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from html import unescape

import pytest

from scheduler.core.hours import parse_weekly
from scheduler.errors import DeliveryError
from scheduler.ports import Envelope
from scheduler.services import book_time, import_mission, plan
from scheduler.web.pages.coordinator_common import feed_key
from scheduler.web.pages.coordinator_i18n import STRINGS
from tests.e2e.coordinator_scenario import dst_mission
from tests.web.conftest import EMAIL, PASSWORD, Web

PAGES = ["", "/overlap", "/itinerary", "/meetings/jetro-briefing"]


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def _log_in(web: Web) -> None:
    page = web.client.get("/login")
    r = web.client.post(
        "/login",
        data={"csrf_token": _csrf(page.text), "email": EMAIL, "password": PASSWORD},
        follow_redirects=False,
    )
    assert r.status_code == 303


@pytest.fixture
def coordinator(web: Web) -> Web:
    _log_in(web)
    return web


def _rows(html: str) -> dict[str, str]:
    """Meeting id → shown state, from the overview's table."""
    return dict(re.findall(r'data-meeting="([^"]+)" data-state="([^"]+)"', html))


@pytest.mark.parametrize("suffix", PAGES, ids=["overview", "overlap", "itinerary", "meeting"])
def test_every_coordinator_page_sends_a_stranger_to_the_login(web: Web, suffix: str) -> None:
    path = f"/missions/{web.mission_id}{suffix}"
    r = web.client.get(path, follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, f"/login?next={path}")


def test_overview_shows_every_meeting_and_filters_them(coordinator: Web) -> None:
    web = coordinator
    plan(web.services, web.mission_id, time_limit=5)
    r = web.client.get(f"/missions/{web.mission_id}")
    assert r.status_code == 200
    rows = _rows(r.text)
    assert len(rows) == 11
    assert set(rows.values()) == {"planned"}
    assert "Tokyo: " in r.text
    assert "JST" in r.text
    only = _rows(web.client.get(f"/missions/{web.mission_id}?delegate=okafor").text)
    assert sorted(only) == ["canon-call", "muro-call", "yusen-call"]
    assert _rows(web.client.get(f"/missions/{web.mission_id}?counterpart=embassy").text) == {
        "ambassador-call": "planned"
    }
    assert _rows(web.client.get(f"/missions/{web.mission_id}?state=booked").text) == {}


def test_propose_form_needs_its_csrf_token(coordinator: Web) -> None:
    web = coordinator
    r = web.client.post(f"/missions/{web.mission_id}/meetings/jetro-briefing/propose", data={"lang": "en"})
    assert r.status_code == 403
    assert _rows(web.client.get(f"/missions/{web.mission_id}").text)["jetro-briefing"] == "unplanned"


def test_propose_then_cancel_through_the_pages(coordinator: Web) -> None:
    web = coordinator
    base = f"/missions/{web.mission_id}/meetings/jetro-briefing"
    token = _csrf(web.client.get(base).text)
    r = web.client.post(f"{base}/propose", data={"csrf_token": token, "lang": "en"})
    assert r.status_code == 200
    link = re.search(r'class="booking-link">([^<]+)<', r.text)
    assert link is not None
    assert "/book/" in link.group(1)
    assert 'data-state="proposed"' in r.text
    assert r.text.count('data-option-status="open"') >= 3
    assert "booking-request" in r.text  # the email to the counterpart's contacts, queued
    assert f'href="{base}?lang=ja"' in r.text  # the answer's links go to the page, not the action

    r = web.client.post(
        f"{base}/cancel",
        data={"csrf_token": token, "next": f"/missions/{web.mission_id}"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert r.headers["location"].startswith(
        f"/missions/{web.mission_id}?done=cancel&lang=en&dep=ambassador-call,"
    )
    assert _rows(web.client.get(r.headers["location"]).text)["jetro-briefing"] == "cancelled"


def test_reschedule_moves_a_booked_meeting_and_refuses_a_time_that_is_not_free(coordinator: Web) -> None:
    web = coordinator
    start = datetime(2027, 2, 16, 15, tzinfo=UTC)  # Toronto Tue 16 Feb 10:00
    book_time(web.services, web.mission_id, "jetro-briefing", start)
    base = f"/missions/{web.mission_id}/meetings/jetro-briefing"
    token = _csrf(web.client.get(base).text)
    form = {"csrf_token": token, "zone": "America/Toronto", "lang": "en"}
    r = web.client.post(f"{base}/reschedule", data={**form, "start": "2027-02-18T03:00"})
    assert r.status_code == 409
    assert 'role="alert"' in r.text
    r = web.client.post(
        f"{base}/reschedule", data={**form, "start": "2027-02-16T09:00"}, follow_redirects=False
    )
    assert r.status_code == 303
    page = web.client.get(r.headers["location"]).text
    assert "Tue 16 Feb 2027 09:00–10:00 EST" in page
    assert page.count('data-mail-status="queued"') > 0


def test_action_items_are_recorded_on_the_meeting_page(coordinator: Web) -> None:
    web = coordinator
    base = f"/missions/{web.mission_id}/meetings/canon-call"
    token = _csrf(web.client.get(base).text)
    r = web.client.post(
        f"{base}/action-items",
        data={"csrf_token": token, "text": "Send the site list", "owner": "okafor"},
    )
    assert r.status_code == 200
    assert "Send the site list" in r.text
    assert "Daniel Okafor" in r.text


def test_overlap_page_lines_up_tokyo_nine_with_toronto_seven_pm(coordinator: Web) -> None:
    web = coordinator
    r = web.client.get(f"/missions/{web.mission_id}/overlap?p=brown&p=embassy")
    assert r.status_code == 200
    day = r.text[r.text.index('data-day="2027-02-15"') :]
    toronto = re.search(r'data-utc="([^"]+)" data-local="19:00" data-date="2027-02-15"', day)
    assert toronto is not None
    tokyo = re.search(
        rf'data-utc="{re.escape(toronto.group(1))}" data-local="([^"]+)" data-date="([^"]+)"',
        day[toronto.end() :],
    )
    assert tokyo is not None
    assert tokyo.groups() == ("09:00", "2027-02-16")
    # Without JavaScript every hour can take the focus (and says its times); the script makes
    # each day one tab stop walked with the arrow keys.
    cells = re.findall(r"<td (tabindex=\"0\" )?title=\"[^\"]+\"\s+", r.text)
    assert len(cells) == 24 * 2 * 12  # 24 hours, 2 zones, 12 days: none on this page is a clock change
    assert all(cells)
    assert '<script src="/static/coordinator.js" defer>' in r.text
    script = web.client.get("/static/coordinator.js")
    assert (script.status_code, script.headers["content-type"]) == (200, "text/javascript; charset=utf-8")
    assert 'setAttribute("role", "grid")' in script.text


def test_itinerary_shows_a_conflict_and_each_delegates_feed(coordinator: Web) -> None:
    web = coordinator
    plan(web.services, web.mission_id, time_limit=5)
    with web.services.uow() as uow:
        planned = uow.meeting_statuses(web.mission_id)["yusen-call"].planned_start
    assert planned is not None
    # The coordinator books the Canon call over the Yusen call's planned time (Santos and Okafor in both).
    book_time(web.services, web.mission_id, "canon-call", planned)
    html = web.client.get(f"/missions/{web.mission_id}/itinerary").text
    assert re.search(r'class="item booked conflict"[^>]*data-meeting="canon-call"', html)
    assert re.search(r'class="item planned conflict"[^>]*data-meeting="yusen-call"', html)
    assert "@media print" in web.client.get("/static/coordinator.css").text

    feed = re.search(r'href="(http://testserver/feeds/[^"]+/okafor/[^"]+\.ics)"', html)
    assert feed is not None
    web.client.cookies.clear()  # a calendar app has no session
    r = web.client.get(feed.group(1))
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/calendar")
    assert "Business retention call: Canon Canada" in r.text  # booked: in the feed
    assert "Yusen Logistics" not in r.text  # only planned: not yet
    wrong = feed.group(1).replace(feed_key(web.app.state.signer, web.mission_id, "okafor"), "0" * 32)
    assert web.client.get(wrong).status_code == 404
    other = feed.group(1).replace("/okafor/", "/santos/")  # one delegate's key opens no one else's feed
    assert web.client.get(other).status_code == 404


def test_pages_are_in_japanese_when_asked(coordinator: Web) -> None:
    web = coordinator
    r = web.client.get(f"/missions/{web.mission_id}/itinerary?lang=ja&zone=Asia/Tokyo")
    assert '<html lang="ja">' in r.text
    assert "日程表" in r.text
    assert "東京" in r.text
    overview = web.client.get(f"/missions/{web.mission_id}?lang=ja").text
    assert "未計画" in overview


def test_what_the_pages_show_is_escaped(coordinator: Web) -> None:
    web = coordinator
    evil = '<script>alert("x")</script>'
    r = web.api("PATCH", "/meetings/canon-call", json={"title": evil})
    assert r.status_code == 200, r.text
    plan(web.services, web.mission_id, time_limit=5)
    for suffix in ("", "/itinerary", "/meetings/canon-call"):
        html = web.client.get(f"/missions/{web.mission_id}{suffix}").text
        assert evil not in html
        assert evil in unescape(html)


def test_an_unknown_meeting_is_a_404_page(coordinator: Web) -> None:
    web = coordinator
    assert web.client.get(f"/missions/{web.mission_id}/meetings/no-such-meeting").status_code == 404
    assert web.client.get("/missions/999").status_code == 404


def test_a_booked_meeting_after_its_end_is_done(coordinator: Web) -> None:
    web = coordinator
    start = datetime(2027, 2, 16, 15, tzinfo=UTC)
    book_time(web.services, web.mission_id, "jetro-briefing", start)
    web.clock.at = start + timedelta(hours=2)
    _log_in(web)  # three weeks later: the session has expired
    assert _rows(web.client.get(f"/missions/{web.mission_id}").text)["jetro-briefing"] == "done"


def test_itinerary_draws_a_call_across_the_spring_change_one_hour_tall(coordinator: Web) -> None:
    web = coordinator
    always = parse_weekly({"mon-sun": "00:00-24:00"})
    base = dst_mission()
    mission = replace(
        base,
        start=date(2027, 3, 13),
        end=date(2027, 3, 15),
        delegates=tuple(replace(p, hours=always) for p in base.delegates),
        counterparts=tuple(replace(p, hours=always) for p in base.counterparts),
    )
    mid = import_mission(web.services, mission, source="", owner=web.user_id)
    book_time(web.services, mid, "spring-call", datetime(2027, 3, 14, 6, 30, tzinfo=UTC))  # 01:30 EST
    html = web.client.get(f"/missions/{mid}/itinerary").text
    item = re.search(
        r'<li class="item booked[^"]*"\s+style="top: calc\(([-\d.]+) [^;]*; height: calc\(([\d.]+) ', html
    )
    assert item is not None
    assert float(item.group(2)) == 1.0  # one hour tall, not two (01:30 EST to 03:30 EDT)
    first = re.search(r'<div class="hour-mark">(\d\d:\d\d)</div>', html)
    assert first is not None
    # 01:30 EST is half an hour before 03:00 EDT, where the clocks jump: at 02:30 on the gutter
    assert (first.group(1), float(item.group(1))) == ("02:00", 0.5)
    assert "01:30–03:30" in html  # the times it shows are the wall clock's
    assert "EST → EDT: clocks go from 02:00 to 03:00" in html


def test_the_coordinator_pages_have_every_word_in_both_languages() -> None:
    assert set(STRINGS["ja"]) == set(STRINGS["en"])
    for key, text in STRINGS["en"].items():  # the same placeholders, so neither language fails
        assert set(re.findall(r"\{(\w+)\}", STRINGS["ja"][key])) == set(re.findall(r"\{(\w+)\}", text)), key


class _Refusing:
    """A mail server that takes the first message and refuses the rest: for good, or for now."""

    def __init__(self, *, temporary: bool) -> None:
        self.temporary = temporary
        self.taken = 0

    def send(self, envelope: Envelope) -> None:
        if self.taken:
            raise DeliveryError("550 5.1.1 mailbox unavailable", temporary=self.temporary)
        self.taken += 1


@pytest.mark.parametrize(
    ("temporary", "shown"), [(False, "failed"), (True, "queued")], ids=["refused", "retrying"]
)
def test_the_meeting_page_shows_each_emails_delivery(coordinator: Web, temporary: bool, shown: str) -> None:
    web = coordinator
    book_time(web.services, web.mission_id, "canon-call", datetime(2027, 2, 22, 14, 45, tzinfo=UTC))
    web.store.outbox().deliver(_Refusing(temporary=temporary), now=web.clock.now())
    html = web.client.get(f"/missions/{web.mission_id}/meetings/canon-call").text
    rows = re.findall(r'<tr data-mail-status="(\w+)" data-kind="([\w-]+)"><td>([^<]+)</td>', html)
    assert [s for s, _kind, _name in rows] == ["sent"] + [shown] * (len(rows) - 1)
    assert {(kind, name) for _s, kind, name in rows} == {("invitation", "Invitation")}
    assert html.count("550 5.1.1 mailbox unavailable") == len(rows) - 1  # why, beside each one
    assert "sent " in html


def test_an_action_item_is_assigned_dated_and_marked_done_on_the_meeting_page(coordinator: Web) -> None:
    web = coordinator
    base = f"/missions/{web.mission_id}/meetings/jeita-meeting"
    token = _csrf(web.client.get(base).text)
    r = web.client.post(
        f"{base}/action-items",
        data={
            "csrf_token": token,
            "text": "Send the sector study",
            "text_ja": "業界調査を送付",
            "shared": "1",
        },
    )
    assert r.status_code == 200, r.text
    [item] = web.api("GET", "/meetings/jeita-meeting/actions").json()
    form = {"csrf_token": token, "text": "Send the sector study", "text_ja": "業界調査を送付", "shared": "1"}
    r = web.client.post(
        f"{base}/action-items/{item['id']}",
        data={**form, "owner": "watanabe@jeita.example.jp", "due_date": "2027-03-01", "state": "open"},
    )
    assert r.status_code == 200, r.text
    assert 'data-state="open"' in r.text
    assert "Watanabe Kenta" in r.text
    r = web.client.post(
        f"{base}/action-items/{item['id']}",
        data={
            **form,
            "owner": "watanabe@jeita.example.jp",
            "due_date": "2027-03-01",
            "state": "done",
            "note": "Received",
        },
    )
    assert 'data-state="done"' in r.text
    [item] = web.api("GET", "/meetings/jeita-meeting/actions").json()
    assert (item["owner"], item["due_date"], item["state"], item["note"]) == (
        "watanabe@jeita.example.jp",
        "2027-03-01",
        "done",
        "Received",
    )
    r = web.client.post(f"{base}/action-items/{item['id']}", data={**form, "due_date": "1 March"})
    assert r.status_code == 422


def test_an_open_item_past_its_owners_date_is_marked_overdue(coordinator: Web) -> None:
    web = coordinator
    web.clock.at = datetime(2027, 1, 25, 20, 0, tzinfo=UTC)  # Tokyo: Tue 26th 05:00; Toronto: Mon 25th 15:00
    for owner, text in (("watanabe@jeita.example.jp", "Tokyo item"), ("santos", "Toronto item")):
        body = {"text": text, "owner": owner, "due_date": "2027-01-25"}
        assert web.api("POST", "/meetings/jeita-meeting/actions", json=body).status_code == 201
    late = web.api(
        "POST", "/meetings/jeita-meeting/actions", json={"text": "Done item", "due_date": "2027-01-01"}
    )
    web.api("PATCH", f"/actions/{late.json()['id']}", json={"state": "done"})
    page = web.client.get(f"/missions/{web.mission_id}/meetings/jeita-meeting").text
    rows = page.split('<tr data-item="')[1:]
    shown = {row.split("<td>", 1)[1].split("<", 1)[0].strip(): 'class="warn"' in row for row in rows}
    # Past the 25th on the Tokyo owner's calendar, not yet on the Toronto owner's; done is never late.
    assert shown == {"Tokyo item": True, "Toronto item": False, "Done item": False}
