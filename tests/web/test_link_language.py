"""Every page behind a counterpart's link speaks the link's language (issue 11, part 6).

A pick from a stale page (the time was taken by another booking, withdrawn, booked by a
colleague, or the proposal replaced) says what happened, in the contact's language, with
what is still open on the same link. A token that names nothing answers by Accept-Language;
an explicit ?lang= wins over both.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from scheduler.core.zones import to_local
from tests.web.conftest import Web, token_of
from tests.web.page_tree import Node, one, parse

JA_TAKEN = "その日時は直前に別の予約が入りました"
JA_WITHDRAWN = "その日時は事務局が候補から外しました"


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def _propose(web: Web, meeting_id: str) -> tuple[str, dict[str, object]]:
    r = web.api("POST", f"/meetings/{meeting_id}/proposals")
    assert r.status_code == 201, r.text
    return token_of(r.json()["link"]), r.json()


def _pick(web: Web, token: str, html: str, option_id: int, lang: str = "ja") -> tuple[int, str, Node]:
    r = web.client.post(
        f"/book/{token}/pick",
        data={"csrf_token": _csrf(html), "option_id": option_id, "lang": lang, "tz": "Asia/Tokyo"},
    )
    return r.status_code, r.headers.get("content-language", ""), parse(r.text)


def _open_ids(web: Web, meeting_id: str) -> list[int]:
    with web.services.uow() as uow:
        (p,) = [p for p in uow.proposals(web.mission_id, status="open") if p.meeting_id == meeting_id]
    return [o.id for o in p.open_options]


def _offered(root: Node) -> list[int]:
    return [int(i.attrs["value"]) for i in root.find("input", name="option_id")]


@pytest.mark.parametrize("how", ["taken", "withdrawn"])
def test_a_stale_pick_says_what_happened_in_japanese_and_lists_what_is_open(web: Web, how: str) -> None:
    token, body = _propose(web, "jeita-meeting")
    page = web.client.get(f"/book/{token}")  # the contact's page, in Japanese
    options = body["options"]
    assert isinstance(options, list)
    lost = options[0]
    if how == "taken":  # the coordinator books another meeting of the same people then
        r = web.api("POST", "/meetings/minato-meeting/booking", json={"start": lost["start"]})
        assert r.status_code == 201, r.text
    else:  # the organizers stop offering it (nothing is booked then)
        with web.services.uow() as uow:
            uow.set_option_status([lost["id"]], "withdrawn")
    status, language, root = _pick(web, token, page.text, lost["id"])
    assert (status, language, one(root, "html").attrs["lang"]) == (409, "ja", "ja")
    told = one(root, cls="stale")
    assert told.attrs["data-why"] == how
    assert (JA_TAKEN if how == "taken" else JA_WITHDRAWN) in told.text
    still = _open_ids(web, "jeita-meeting")
    assert lost["id"] not in still
    assert _offered(root) == still != []  # what is still open, on the same link


def test_a_pick_after_the_link_was_booked_shows_that_booking_in_japanese(web: Web) -> None:
    token, body = _propose(web, "jeita-meeting")
    page = web.client.get(f"/book/{token}")
    options = body["options"]
    assert isinstance(options, list)
    first, second = options[0], options[1]
    # A colleague of the contact, on the same link, was quicker.
    assert web.client.post(
        f"/book/{token}/pick", data={"csrf_token": _csrf(page.text), "option_id": first["id"]}
    )
    status, language, root = _pick(web, token, page.text, second["id"])
    assert (status, language) == (409, "ja")
    assert one(root, cls="stale").attrs["data-why"] == "booked_meanwhile"
    from datetime import datetime

    start = to_local(datetime.fromisoformat(str(first["start"])), "Asia/Tokyo")
    assert f"{start:%H:%M}–" in one(root, "span", cls="own").text
    assert web.api("GET", "/meetings/jeita-meeting").json()["booked_start"] == first["start"]


def test_a_pick_on_a_replaced_link_says_so_in_japanese(web: Web) -> None:
    old, body = _propose(web, "jeita-meeting")
    page = web.client.get(f"/book/{old}")
    _propose(web, "jeita-meeting")  # the coordinator sends new times: a new link
    options = body["options"]
    assert isinstance(options, list)
    status, language, root = _pick(web, old, page.text, options[0]["id"])
    assert (status, language) == (410, "ja")
    assert "候補日時を新しいものに差し替えました" in one(root, "body").text
    assert web.client.get(f"/book/{old}").status_code == 410


@pytest.mark.parametrize(
    ("headers", "query", "lang", "words"),
    [
        ({"Accept-Language": "ja-JP,ja;q=0.9,en;q=0.8"}, "", "ja", "この予約リンクは無効です"),
        ({"Accept-Language": "fr-CA, en;q=0.7, ja;q=0.3"}, "", "en", "This booking link is not valid"),
        ({}, "", "en", "This booking link is not valid"),
        ({"Accept-Language": "ja"}, "?lang=en", "en", "This booking link is not valid"),
    ],
    ids=["japanese-browser", "english-preferred", "no-header", "lang-wins"],
)
def test_an_unknown_token_answers_in_the_browsers_language(
    web: Web, headers: dict[str, str], query: str, lang: str, words: str
) -> None:
    r = web.client.get("/book/" + "A" * 43 + query, headers=headers)
    assert (r.status_code, r.headers["content-language"], one(parse(r.text), "html").attrs["lang"]) == (
        404,
        lang,
        lang,
    )
    assert words in r.text
    assert "accept-language" in r.headers.get("vary", "").lower()


@pytest.mark.parametrize(
    ("meeting", "own", "browser", "words"),
    [
        (
            "jeita-meeting",
            "ja",
            "en",
            {"ja": "この予約リンクは有効期限が切れました", "en": "This booking link has expired"},
        ),
        (
            "canon-call",
            "en",
            "ja",
            {"ja": "この予約リンクは有効期限が切れました", "en": "This booking link has expired"},
        ),
    ],
    ids=["japanese-link", "english-link"],
)
def test_an_expired_link_answers_in_its_own_language_whatever_the_browser(
    web: Web, meeting: str, own: str, browser: str, words: dict[str, str]
) -> None:
    token, _ = _propose(web, meeting)  # JEITA's contact reads Japanese, Canon's English
    web.clock.at = web.clock.at + timedelta(days=30)
    r = web.client.get(f"/book/{token}", headers={"Accept-Language": browser})
    assert (r.status_code, r.headers["content-language"]) == (410, own)
    assert words[own] in r.text
    assert [name for name in ("JEITA", "Canon") if name in r.text] == []  # nothing of the proposal
    asked = web.client.get(f"/book/{token}?lang={browser}")  # an explicit choice wins
    assert (asked.status_code, asked.headers["content-language"]) == (410, browser)
    assert words[browser] in asked.text


def test_a_pick_on_a_link_left_without_options_says_so_in_japanese(web: Web) -> None:
    token, body = _propose(web, "jeita-meeting")
    page = web.client.get(f"/book/{token}")
    options = body["options"]
    assert isinstance(options, list)
    with web.services.uow() as uow:  # what booking.withdraw_conflicts leaves when every option went
        (p,) = uow.proposals(web.mission_id, status="open")
        uow.set_option_status([o.id for o in p.options], "withdrawn")
        uow.update_proposal(p.id, status="exhausted", needs_attention=True)
    status, language, root = _pick(web, token, page.text, options[0]["id"])
    assert (status, language) == (409, "ja")
    assert "このリンクの候補日時はすべて他の会議で埋まりました" in one(root, "body").text
    assert root.find("input", name="option_id") == []
    again = web.client.get(f"/book/{token}")
    assert (again.status_code, again.headers["content-language"]) == (410, "ja")
    assert "このリンクの候補日時はすべて他の会議で埋まりました" in again.text
