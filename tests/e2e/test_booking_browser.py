"""The booking page in Debian's Chromium, driven by Playwright, against a running server.

A Tokyo contact opens their link: the options are in Japanese and Tokyo time, they book one,
see the confirmation, and the invitation is in the outbox (and delivered to a Maildir).
The page is saved as docs/booking-page.png for the README.
"""

from __future__ import annotations

import email
from collections.abc import Iterator
from pathlib import Path

import pytest

from scheduler.mail.transports import MaildirTransport
from tests.e2e.browser_support import CHROMIUM, chromium_context
from tests.web.conftest import ROOT, Web, build_web
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


def test_a_tokyo_contact_books_in_japanese_and_tokyo_time(served: tuple[Web, str], tmp_path: Path) -> None:
    from playwright.sync_api import expect

    web, _base = served
    created = web.api("POST", "/meetings/jeita-meeting/proposals").json()
    with chromium_context(
        locale="ja-JP", timezone_id="Asia/Tokyo", viewport={"width": 900, "height": 1300}
    ) as ctx:
        page = ctx.new_page()
        page.goto(created["link"])
        expect(page.locator("html")).to_have_attribute("lang", "ja")
        expect(page.get_by_role("heading", name="候補日時")).to_be_visible()
        options = page.locator("label.option")
        expect(options).to_have_count(len(created["options"]))
        first = options.first.locator(".own")
        expect(first).to_contain_text("JST")
        expect(first).to_contain_text("年")
        expect(options.first.locator(".other")).to_contain_text("トロント")
        page.screenshot(path=str(ROOT / "docs" / "booking-page.png"), full_page=False)

        options.nth(1).locator("input[type=radio]").check()
        page.locator("input[name=guest_name]").first.fill("鈴木 一郎")
        page.locator("input[name=guest_email]").first.fill("suzuki@jeita.example.jp")
        page.get_by_role("button", name="この日時で予約する").click()
        expect(page.get_by_role("heading", name="会議の予約が確定しました")).to_be_visible()
        expect(page.get_by_role("link", name="招待状をダウンロード（.ics）")).to_be_visible()

    chosen = created["options"][1]
    assert web.api("GET", "/meetings/jeita-meeting").json()["booked_start"] == chosen["start"]
    invitations = [e for e in web.store.outbox().entries() if e.message_id.startswith("<invitation.")]
    recipients = {r for e in invitations for r in e.recipients}
    assert {
        "watanabe@jeita.example.jp",
        "suzuki@jeita.example.jp",
        "mayor@brampton.example.org",
    } <= recipients

    maildir = tmp_path / "maildir"
    web.store.outbox().deliver(MaildirTransport(maildir), now=web.clock.now())
    delivered = [email.message_from_bytes(f.read_bytes()) for f in (maildir / "new").iterdir()]
    to_watanabe = [
        m
        for m in delivered
        if "watanabe@jeita.example.jp" in str(m["To"]) and "<invitation." in m["Message-ID"]
    ]
    assert len(to_watanabe) == 1
    parts = [part.get_content_type() for part in to_watanabe[0].walk()]
    assert "text/calendar" in parts


def test_a_tokyo_contact_on_a_stale_page_is_told_in_japanese_what_is_still_open(
    served: tuple[Web, str],
) -> None:
    from playwright.sync_api import expect

    from tests.e2e.browser_support import AXE, serious_violations

    web, _base = served
    created = web.api("POST", "/meetings/jeita-meeting/proposals").json()
    lost = created["options"][0]
    with chromium_context(
        locale="ja-JP", timezone_id="Asia/Tokyo", viewport={"width": 900, "height": 1100}
    ) as ctx:
        page = ctx.new_page()
        page.goto(created["link"])  # the page is loaded; then the time goes elsewhere
        booked = web.api("POST", "/meetings/minato-meeting/booking", json={"start": lost["start"]})
        assert booked.status_code == 201, booked.text
        page.locator(f"input[name=option_id][value='{lost['id']}']").check()
        with page.expect_response(lambda r: r.url.endswith("/pick")) as answer:
            page.get_by_role("button", name="この日時で予約する").click()
        assert answer.value.status == 409
        expect(page.locator("html")).to_have_attribute("lang", "ja")
        told = page.get_by_role("alert")
        expect(told).to_contain_text("その日時は直前に別の予約が入りました")
        with web.services.uow() as uow:
            (proposal,) = uow.proposals(web.mission_id, status="open")
        still = [str(o.id) for o in proposal.open_options]
        assert str(lost["id"]) not in still
        radios = page.locator("input[name=option_id]")
        assert radios.evaluate_all("els => els.map(e => e.value)") == still
        expect(page.get_by_role("button", name="この日時で予約する")).to_be_visible()
        if AXE.exists():
            assert serious_violations(page) == []
        page.screenshot(path=str(ROOT / "docs" / "booking-stale-ja.png"), full_page=False)
