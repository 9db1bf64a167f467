"""The coordinator's attention queue and the narrowed "none of these work" grid, in Debian's Chromium.

A Tokyo contact opens the Minato link on a phone in Japanese: the grid offers only the hours the
Toronto delegation can meet, each with the Toronto time beside it; they tick two hours and write
a note. The coordinator's queue then shows the item with their note and their times in both
zones; a JEITA request to reschedule is dismissed with a note and leaves the open list. axe-core
finds no serious or critical violation. The pictures go to docs/.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from scheduler.core.zones import to_local
from scheduler.services import book, plan
from scheduler.services.proposals import propose_all
from scheduler.services.requests import request_change
from tests.e2e.browser_support import AXE, CHROMIUM, DOCS, chromium_context, log_in, serious_violations
from tests.web.conftest import Web, build_web
from tests.web.server import free_port, running

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
    pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (run .ci/setup)"),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Web, str, dict[str, str]]]:
    db = tmp_path_factory.mktemp("attention") / "e2e.db"
    port = free_port()
    web = build_web(f"sqlite:///{db}", base_url=f"http://127.0.0.1:{port}")
    plan(web.services, web.mission_id, time_limit=3)
    batch = propose_all(web.services, web.mission_id)
    tokens = {c.proposal.meeting_id: c.link.rsplit("/", 1)[1] for c in batch.created}
    jeita = next(c for c in batch.created if c.proposal.meeting_id == "jeita-meeting")
    book(web.services, tokens["jeita-meeting"], jeita.proposal.options[0].id)
    request_change(web.services, tokens["jeita-meeting"], "reschedule", "Our board moved to that evening")
    try:
        with running(web.app, port) as base:
            yield web, base, tokens
    finally:
        web.client.close()
        web.store.close()


def test_a_tokyo_contact_offers_only_possible_hours_and_the_coordinator_sees_them(
    site: tuple[Web, str, dict[str, str]],
) -> None:
    web, base, tokens = site
    phone = {"width": 390, "height": 844}
    with chromium_context(locale="ja-JP", timezone_id="Asia/Tokyo", viewport=phone) as ctx:
        page = ctx.new_page()
        page.goto(f"{base}/book/{tokens['minato-meeting']}")
        page.locator("details summary").click()
        boxes = page.locator("input[name='free']")
        values = sorted(boxes.evaluate_all("els => els.map(e => e.value)"))
        assert values
        for value in values:  # every hour offered is one the Toronto delegation can meet
            toronto = to_local(datetime.fromisoformat(value), "America/Toronto")
            assert 7 <= toronto.hour <= 22
        label = boxes.first.get_attribute("aria-label") or ""
        assert "トロント" in label  # the other side's time is beside each cell
        pair = next(
            (a, b)
            for a, b in itertools.pairwise(values)
            if datetime.fromisoformat(b) - datetime.fromisoformat(a) == timedelta(hours=1)
        )
        for value in pair:
            page.locator(f"input[name='free'][value='{value}']").check()
        page.locator("textarea[name='note']").fill("この二時間でしたら伺えます")
        assert serious_violations(page) == []
        page.screenshot(path=str(DOCS / "booking-none-work-ja.png"), full_page=True)
        page.get_by_role("button", name=re.compile("送信")).click()
        page.wait_for_load_state()

    with chromium_context(
        locale="en-CA", timezone_id="America/Toronto", viewport={"width": 1280, "height": 900}
    ) as ctx:
        page = ctx.new_page()
        log_in(page, base, f"/missions/{web.mission_id}/attention")
        declined = page.locator("li.attention-item[data-kind='declined'][data-meeting='minato-meeting']")
        if declined.count() == 0:  # new times were sent from their windows: the item is settled
            page.get_by_role("link", name="Show resolved items too").click()
        declined = page.locator("li.attention-item[data-kind='declined'][data-meeting='minato-meeting']")
        assert "この二時間でしたら伺えます" in declined.locator(".their-note").inner_text()
        assert declined.locator("ul.windows li").count() == 1  # the two hours, one window, both zones
        assert "JST" in declined.inner_text()
        assert "EST" in declined.inner_text()
        page.goto(f"{base}/missions/{web.mission_id}/attention")
        change = page.locator("li.attention-item[data-kind='change-requested']")
        assert "Our board moved to that evening" in change.inner_text()
        assert serious_violations(page) == []
        page.screenshot(path=str(DOCS / "coordinator-attention.png"), full_page=True)
        change.locator("input[name='note']").fill("Moved by phone with JETRO")
        change.locator("button[data-action='dismiss']").click()
        page.wait_for_load_state()
        assert page.locator("li.attention-item[data-kind='change-requested']").count() == 0
    items = web.api("GET", "/attention?all=true").json()
    dismissed = next(i for i in items if i["kind"] == "change-requested")
    assert dismissed["resolution"] == "dismissed: Moved by phone with JETRO"
