"""Action items in Debian's Chromium: a Tokyo contact marks their item done from their booked
link, and the coordinator, logged in on the meeting page, sees it done."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.browser_support import ARGS, CHROMIUM, log_in
from tests.web.conftest import Web, build_web
from tests.web.server import free_port, running

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Web, str]]:
    port = free_port()
    web = build_web(f"sqlite:///{tmp_path / 'e2e.db'}", base_url=f"http://127.0.0.1:{port}")
    try:
        with running(web.app, port) as base:
            yield web, base
    finally:
        web.client.close()
        web.store.close()


def test_a_counterpart_marks_their_item_done_and_the_coordinator_sees_it(served: tuple[Web, str]) -> None:
    from playwright.sync_api import expect, sync_playwright

    web, base = served
    created = web.api("POST", "/meetings/jeita-meeting/proposals").json()
    token = created["link"].rsplit("/", 1)[1]
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', web.client.get(f"/book/{token}").text)
    assert csrf is not None
    picked = web.client.post(
        f"/book/{token}/pick", data={"csrf_token": csrf.group(1), "option_id": created["options"][0]["id"]}
    )
    assert picked.status_code == 200  # booked through the link: the link now shows the booking
    item = web.api(
        "POST",
        "/meetings/jeita-meeting/actions",
        json={
            "text": "Send the sector study",
            "text_ja": "業界調査を送付",
            "owner": "watanabe@jeita.example.jp",
            "due_date": "2027-03-01",
        },
    ).json()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            contact = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo").new_page()
            contact.goto(created["link"])
            row = contact.locator(f'li[data-item="{item["id"]}"]')
            expect(row).to_contain_text("業界調査を送付")
            expect(row).to_have_attribute("data-state", "open")
            row.get_by_label("メモ（任意）").fill("本日送付しました")
            row.get_by_role("button", name="完了にする").click()
            expect(contact.get_by_role("status")).to_contain_text("完了として記録")
            expect(contact.locator(f'li[data-item="{item["id"]}"]')).to_have_attribute("data-state", "done")

            coordinator = browser.new_context(locale="en-CA", timezone_id="America/Toronto").new_page()
            path = f"/missions/{web.mission_id}/meetings/jeita-meeting"
            log_in(coordinator, base, path)
            mine = coordinator.locator(f'tr[data-item="{item["id"]}"]')
            expect(mine).to_have_attribute("data-state", "done")
            expect(mine.locator(".item-state")).to_contain_text("done")
            expect(mine.locator(".item-state")).to_contain_text("watanabe@jeita.example.jp")
            expect(mine).to_contain_text("本日送付しました")
        finally:
            browser.close()
