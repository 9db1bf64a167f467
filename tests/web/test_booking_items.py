"""A counterpart's booked link shows the meeting's shared action items read-only, and lets the
counterpart mark their own items done; the coordinator then sees them done."""

from __future__ import annotations

import re

from tests.web.conftest import Web, token_of

WATANABE = "watanabe@jeita.example.jp"


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def _booked_link(web: Web) -> tuple[str, str]:
    r = web.api("POST", "/meetings/jeita-meeting/proposals")
    assert r.status_code == 201, r.text
    token = token_of(r.json()["link"])
    csrf = _csrf(web.client.get(f"/book/{token}").text)
    option = r.json()["options"][0]["id"]
    assert (
        web.client.post(f"/book/{token}/pick", data={"csrf_token": csrf, "option_id": option}).status_code
        == 200
    )
    return token, csrf


def _item(web: Web, **body: object) -> int:
    r = web.api("POST", "/meetings/jeita-meeting/actions", json=body)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def test_the_counterpart_sees_shared_items_and_marks_their_own_done(web: Web) -> None:
    token, csrf = _booked_link(web)
    theirs = _item(
        web, text="Send the sector study", text_ja="業界調査を送付", owner=WATANABE, due_date="2027-03-01"
    )
    ours = _item(web, text="Introduce the incubator", owner="santos")
    hidden = _item(web, text="Check their credit rating", owner="santos", shared=False)

    page = web.client.get(f"/book/{token}").text
    assert "業界調査を送付" in page  # a Japanese reader gets the Japanese text
    assert "Introduce the incubator" in page
    assert "Check their credit rating" not in page
    forms = re.findall(r'action="/book/[^/]+/items/(\d+)/done"', page)
    assert forms == [str(theirs)]  # only their own item can be marked done

    r = web.client.post(
        f"/book/{token}/items/{theirs}/done",
        data={"csrf_token": csrf, "note": "送付しました", "lang": "ja"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    after = web.client.get(r.headers["location"]).text
    assert f'data-item="{theirs}" data-state="done"' in after
    assert "完了として記録" in after

    items = {a["id"]: a for a in web.api("GET", "/meetings/jeita-meeting/actions").json()}
    assert (items[theirs]["state"], items[theirs]["note"], items[theirs]["updated_by"]) == (
        "done",
        "送付しました",
        WATANABE,
    )
    # Not theirs, not shown, not there: all the same answer, which reveals nothing.
    for other in (ours, hidden, 9999):
        r = web.client.post(f"/book/{token}/items/{other}/done", data={"csrf_token": csrf})
        assert r.status_code == 404
    assert items[ours]["state"] == "open"
    assert web.client.post(f"/book/{token}/items/{theirs}/done", data={}).status_code in (400, 403)
