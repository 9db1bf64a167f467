"""The coordinator's pages in Debian's Chromium, driven by Playwright, against a running server.

One browser for the module; each test opens a page of the sample mission (planned, one
meeting booked through its link, one proposed) and checks what a coordinator would look at.
Each page is also checked with axe-core (no serious or critical violation) and saved under
docs/ for the README.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scheduler.core.zones import to_local
from scheduler.mail.transports import MaildirTransport
from scheduler.services import decline
from tests.e2e.browser_support import ARGS, AXE, CHROMIUM, DOCS, log_in, serious_violations
from tests.e2e.coordinator_scenario import Scenario, build_scenario
from tests.web.conftest import Web, build_web
from tests.web.server import free_port, running

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
    pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (run .ci/setup)"),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Web, Scenario, str]]:
    db = tmp_path_factory.mktemp("coordinator") / "e2e.db"
    port = free_port()
    web = build_web(f"sqlite:///{db}", base_url=f"http://127.0.0.1:{port}")
    scenario = build_scenario(web.services, web.mission_id, owner=web.user_id)
    try:
        with running(web.app, port) as base:
            yield web, scenario, base
    finally:
        web.client.close()
        web.store.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def context(browser: Any, site: tuple[Web, Scenario, str]) -> Iterator[Any]:
    """One logged-in browser context (a coordinator in Toronto) for every test of the module."""
    _web, scenario, base = site
    ctx = browser.new_context(
        locale="en-CA", timezone_id="America/Toronto", viewport={"width": 1280, "height": 900}
    )
    page = ctx.new_page()
    log_in(page, base, f"/missions/{scenario.mission_id}")
    page.close()
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: Any) -> Iterator[Any]:
    p = context.new_page()
    yield p
    p.close()


def _shot(page: Any, name: str, *, full_page: bool = False) -> None:
    DOCS.mkdir(exist_ok=True)
    page.screenshot(path=str(DOCS / name), full_page=full_page)


def _cell(page: Any, day: str, zone: str, local_date: str, local_time: str) -> Any:
    section = page.locator(f"section.day[data-day='{day}']")
    return section.locator(
        f"tr.band[data-zone='{zone}'] td[data-date='{local_date}'][data-local='{local_time}']"
    )


def _beside(page: Any, day: str, toronto: tuple[str, str], tokyo_date: str) -> Any:
    """The Tokyo cell in the same column (same instant) as the given Toronto cell of `day`."""
    mine = _cell(page, day, "America/Toronto", *toronto)
    utc = mine.get_attribute("data-utc")
    theirs = page.locator(
        f"section.day[data-day='{day}'] tr.band[data-zone='Asia/Tokyo'] td[data-utc='{utc}']"
    )
    a, b = mine.bounding_box(), theirs.bounding_box()
    assert abs(a["x"] - b["x"]) < 1
    assert b["y"] > a["y"]
    assert theirs.get_attribute("data-date") == tokyo_date
    return theirs


def test_overview_lists_every_meeting_with_its_state_and_both_zones(
    page: Any, site: tuple[Web, Scenario, str]
) -> None:
    from playwright.sync_api import expect

    _web, scenario, base = site
    page.goto(f"{base}/missions/{scenario.mission_id}")
    rows = page.locator("table.meetings tbody tr")
    expect(rows).to_have_count(11)
    booked = page.locator(f"tr[data-meeting='{scenario.booked}']")
    expect(booked).to_have_attribute("data-state", "booked")
    expect(booked.locator(".when-home")).to_contain_text("EST")
    cancel = booked.locator("details.cancel-details")
    expect(cancel.get_by_role("button", name="Cancel it and tell everyone")).to_be_hidden()  # not one click
    cancel.locator("summary").click()
    expect(cancel.get_by_role("button", name="Cancel it and tell everyone")).to_be_visible()
    proposed = page.locator(f"tr[data-meeting='{scenario.proposed}']")
    expect(proposed).to_have_attribute("data-state", "proposed")
    expect(proposed.locator(".when-other")).to_contain_text("Tokyo")
    expect(proposed.locator(".when-other")).to_contain_text("JST")
    assert serious_violations(page) == []  # its picture is taken in a negotiation (test_negotiation_pages)

    page.locator("form.filters select[name=state]").select_option("booked")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("table.meetings tbody tr")).to_have_count(1)


def test_overlap_puts_tokyo_tuesday_nine_beside_toronto_monday_seven_pm(
    page: Any, site: tuple[Web, Scenario, str]
) -> None:
    _web, scenario, base = site
    page.goto(f"{base}/missions/{scenario.mission_id}/overlap?p=brown&p=embassy")
    tokyo = _beside(page, "2027-02-15", ("2027-02-15", "19:00"), tokyo_date="2027-02-16")
    assert tokyo.get_attribute("data-local") == "09:00"
    toronto = _cell(page, "2027-02-15", "America/Toronto", "2027-02-15", "19:00")
    assert "Family Day" in (toronto.get_attribute("data-holiday") or "")  # Ontario's, on Toronto's date
    assert tokyo.get_attribute("data-holiday") is None

    # The Emperor's Birthday is Tuesday 23 February in Tokyo: Monday 22 February's Toronto evening.
    emperor = _beside(page, "2027-02-22", ("2027-02-22", "19:00"), tokyo_date="2027-02-23")
    assert "Emperor's Birthday" in emperor.get_attribute("data-holiday")
    assert (
        _cell(page, "2027-02-22", "America/Toronto", "2027-02-22", "19:00").get_attribute("data-holiday")
        is None
    )

    # Focusing a band (keyboard) shows the exact local times.
    emperor.focus()
    assert page.evaluate("document.activeElement.title") == emperor.get_attribute("title")
    assert "09:00–10:00 JST" in emperor.get_attribute("title")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"

    # The common time of the Mayor and the Embassy lies in Tokyo's office hours.
    common = page.locator("section.day[data-day='2027-02-16'] tr.band[data-zone='Asia/Tokyo'] td.common-full")
    assert common.count() > 0
    assert all("09:00" <= t <= "17:00" for t in common.evaluate_all("els => els.map(e => e.dataset.local)"))
    assert serious_violations(page) == []
    page.evaluate("document.activeElement.blur(); window.scrollTo(0, 0)")  # the picture opens at the top
    _shot(page, "coordinator-overlap.png")
    page.locator("#day-2027-02-22").screenshot(path=str(DOCS / "coordinator-overlap-holiday.png"))


def test_overlap_shows_the_march_clock_change(page: Any, site: tuple[Web, Scenario, str]) -> None:
    from playwright.sync_api import expect

    _web, scenario, base = site
    page.goto(f"{base}/missions/{scenario.dst_mission_id}/overlap")
    before = _beside(page, "2027-03-12", ("2027-03-12", "19:00"), tokyo_date="2027-03-13")
    assert before.get_attribute("data-local") == "09:00"
    after = _beside(page, "2027-03-15", ("2027-03-15", "20:00"), tokyo_date="2027-03-16")
    assert after.get_attribute("data-local") == "09:00"
    change = page.locator("section.day[data-day='2027-03-14'] tr.band[data-zone='America/Toronto'] td.dst")
    expect(change).to_have_count(1)
    expect(change).to_have_attribute("data-local", "03:00")
    expect(page.locator("section.day[data-day='2027-03-14'] .dst-note")).to_contain_text("EST → EDT")


def test_itinerary_switches_zone_and_shows_bookings_holds_and_feeds(
    page: Any, site: tuple[Web, Scenario, str]
) -> None:
    from playwright.sync_api import expect

    _web, scenario, base = site
    page.goto(f"{base}/missions/{scenario.mission_id}/itinerary")
    booked = page.locator(f"li.item.booked[data-meeting='{scenario.booked}']")
    expect(booked).to_have_count(1)
    holds = page.locator(f"li.item.hold[data-meeting='{scenario.proposed}']")
    assert holds.count() >= 1  # one block per day of its options (tests/e2e/test_negotiation_pages.py)
    assert booked.evaluate("e => getComputedStyle(e).borderStyle") != holds.first.evaluate(
        "e => getComputedStyle(e).borderStyle"
    )
    home_day = booked.evaluate("e => e.closest('.day-col').dataset.day")
    home_time = booked.locator(".time").inner_text()
    assert serious_violations(page) == []  # its picture is taken in a negotiation (test_negotiation_pages)

    page.get_by_role("link", name="Tokyo").first.click()
    tokyo = page.locator(f"li.item.booked[data-meeting='{scenario.booked}']")
    expect(tokyo).to_have_count(1)
    assert tokyo.locator(".time").inner_text() != home_time
    assert tokyo.evaluate("e => e.closest('.day-col').dataset.day") >= home_day

    page.locator("form.filters select[name=delegate]").select_option("okafor")  # not in the booked briefing
    page.get_by_role("button", name="Apply").click()
    expect(page.locator(f"li.item[data-meeting='{scenario.booked}']")).to_have_count(0)
    feed = page.locator("a.feed-link[data-delegate='okafor']")
    response = page.request.get(feed.get_attribute("href"))
    assert response.status == 200
    assert response.text().startswith("BEGIN:VCALENDAR")
    guessed = feed.get_attribute("href").rsplit("/", 1)[0] + "/0123456789abcdef0123456789abcdef.ics"
    assert page.request.get(guessed).status == 404
    page.emulate_media(media="print")  # the briefing book: no navigation or forms on paper
    expect(page.locator("nav.tabs")).to_be_hidden()
    expect(page.locator("section.briefing")).to_be_visible()


def test_meeting_page_shows_options_emails_and_action_items(
    page: Any, site: tuple[Web, Scenario, str]
) -> None:
    from playwright.sync_api import expect

    _web, scenario, base = site
    page.goto(f"{base}/missions/{scenario.mission_id}/meetings/{scenario.booked}")
    expect(page.get_by_role("heading", name="Briefing on Japan")).to_be_visible()
    expect(page.locator(".meeting-head .state")).to_have_attribute("data-state", "booked")
    expect(page.locator("ul.people").get_by_text("Sato Hanako")).to_be_visible()
    options = page.locator("table.options tbody tr")
    expect(options.filter(has_text="booked")).to_have_count(1)
    expect(options.filter(has_text="released")).to_have_count(options.count() - 1)
    expect(page.locator("table.emails tbody tr[data-mail-status='queued']").first).to_be_visible()
    expect(page.locator("#action-items")).to_contain_text("Send JETRO the list of Brampton sites")
    new = page.locator("form.item-form").first
    new.get_by_label("What", exact=True).fill("Invite JETRO to the Innovation Corridor Summit")
    new.get_by_label("Who").select_option(label="Rowena Santos (santos)")
    new.get_by_label("Due (the owner's date)").fill("2027-03-01")
    new.get_by_role("button", name="Add").click()
    expect(page.locator("#action-items tr[data-item]")).to_have_count(2)
    added = page.locator("#action-items tr[data-item]").filter(has_text="Invite JETRO")
    expect(added.locator(".item-owner")).to_have_text("Rowena Santos (santos)")
    assert serious_violations(page) == []
    # its picture is taken in a negotiation (test_negotiation_pages)


def test_pages_speak_japanese(page: Any, site: tuple[Web, Scenario, str]) -> None:
    from playwright.sync_api import expect

    _web, scenario, base = site
    page.goto(f"{base}/missions/{scenario.mission_id}/overlap?lang=ja&p=brown&p=embassy")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_role("heading", level=1)).to_have_text("勤務時間の重なり")
    expect(page.locator("section.day[data-day='2027-02-15'] h2")).to_contain_text("2月15日")
    assert serious_violations(page) == []
    _shot(page, "coordinator-overlap-ja.png")


@pytest.mark.parametrize(
    "suffix",
    ["", "/overlap", "/itinerary?zone=Asia/Tokyo", "/meetings/ambassador-call"],
    ids=["overview", "overlap", "itinerary", "meeting"],
)
def test_every_page_fits_a_phone(page: Any, site: tuple[Web, Scenario, str], suffix: str) -> None:
    _web, scenario, base = site
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/missions/{scenario.mission_id}{suffix}")
    # Wide pictures (bands, the week) scroll inside their own region; the page itself does not.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert serious_violations(page) == []  # a table that scrolls on a phone must take the focus
    if suffix == "":
        _shot(page, "coordinator-overview-phone.png")


@pytest.mark.parametrize(
    "suffix",
    ["", "/overlap", "/itinerary?zone=Asia/Tokyo", "/meetings/jetro-briefing", "/meetings/ambassador-call"],
    ids=["overview", "overlap", "itinerary", "meeting-booked", "meeting-proposed"],
)
def test_every_page_in_japanese_passes_axe(page: Any, site: tuple[Web, Scenario, str], suffix: str) -> None:
    from playwright.sync_api import expect

    _web, scenario, base = site
    sep = "&" if "?" in suffix else "?"
    page.goto(f"{base}/missions/{scenario.mission_id}{suffix}{sep}lang=ja")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    assert serious_violations(page) == []


def test_each_day_of_the_overlap_is_one_tab_stop_walked_with_the_arrow_keys(
    page: Any, site: tuple[Web, Scenario, str]
) -> None:
    from playwright.sync_api import expect

    _web, scenario, base = site
    page.goto(f"{base}/missions/{scenario.mission_id}/overlap?p=brown&p=embassy")
    days = page.locator("section.day")
    focusable = "table.bands [tabindex='0'], .bands-wrap[tabindex]"
    stops = page.evaluate("s => document.querySelectorAll(s).length", focusable)
    assert stops == days.count()  # one per day, not one per hour and zone
    grid = page.locator("section.day[data-day='2027-02-16'] table.bands")
    expect(grid).to_have_attribute("role", "grid")
    start = grid.locator("td[tabindex='0']")
    expect(start).to_have_class(re.compile(r"\bcommon-full\b"))  # it opens on the common time
    start.focus()
    utc = start.get_attribute("data-utc")
    page.keyboard.press("ArrowDown")  # same instant, next zone: Tokyo
    tokyo = page.locator(":focus")
    assert (tokyo.get_attribute("data-utc"), tokyo.evaluate("e => e.closest('tr').dataset.zone")) == (
        utc,
        "Asia/Tokyo",
    )
    page.keyboard.press("ArrowRight")
    later = page.locator(":focus")
    assert later.get_attribute("data-utc") > utc
    expect(page.locator("section.day[data-day='2027-02-16'] .readout")).to_contain_text(
        later.get_attribute("title")
    )
    page.keyboard.press("End")
    assert page.locator(":focus").get_attribute("data-local") == "13:00"  # Tokyo at Toronto's 23:00
    page.keyboard.press("Tab")  # out of the day, to the next day's grid
    assert page.evaluate("document.activeElement.closest('section.day').dataset.day") == "2027-02-17"
    assert serious_violations(page) == []


def test_a_meeting_goes_through_its_states_with_the_pages_buttons(
    page: Any, site: tuple[Web, Scenario, str], tmp_path: Path
) -> None:
    """Filter to one counterpart; propose, see the decline, propose again, book, reschedule,
    record an action item, deliver the emails, cancel and plan again: each from its button."""
    from playwright.sync_api import expect

    web, scenario, base = site
    mid, home = "canon-call", "America/Toronto"
    page.goto(f"{base}/missions/{scenario.mission_id}")
    page.locator("form.filters select[name=counterpart]").select_option("canon")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("table.meetings tbody tr")).to_have_count(1)
    row = page.locator(f"tr[data-meeting='{mid}']")
    expect(row).to_have_attribute("data-state", "planned")

    row.get_by_role("button", name="Propose times").click()
    expect(page.locator(".meeting-head .state")).to_have_attribute("data-state", "proposed")
    token = page.locator("a.booking-link").inner_text().rsplit("/", 1)[1]
    decline(web.services, token, note="Not that week, sorry")  # the counterpart, on its own page

    page.goto(f"{base}/missions/{scenario.mission_id}?state=declined")
    row = page.locator(f"tr[data-meeting='{mid}']")
    expect(row).to_have_attribute("data-state", "declined")
    expect(row.locator(".attention")).to_be_visible()
    row.get_by_role("button", name="Propose times").click()
    link = page.locator("a.booking-link").inner_text()
    with web.services.uow() as uow:
        newest = max(uow.proposals(scenario.mission_id, meeting_id=mid), key=lambda p: p.id)
    first, other = newest.open_options[0], newest.open_options[-1]
    page.goto(link)  # the counterpart books the first option on the booking page
    page.locator("label.option input[type=radio]").first.check()
    page.get_by_role("button", name="Book this time").click()

    page.goto(f"{base}/missions/{scenario.mission_id}/meetings/{mid}")
    expect(page.locator(".meeting-head .state")).to_have_attribute("data-state", "booked")
    expect(page.locator("p.when .when-home")).to_contain_text(to_local(first.start, home).strftime("%H:%M"))
    page.locator("summary", has_text="Reschedule").click()
    page.locator("input[name=start]").fill(to_local(other.start, home).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Reschedule").click()
    expect(page.locator("p.notice")).to_be_visible()
    expect(page.locator("p.when .when-home")).to_contain_text(to_local(other.start, home).strftime("%H:%M"))

    page.get_by_role("link", name="Action items").click()
    page.get_by_label("What").fill("Send Canon the Brampton site list")
    page.get_by_role("button", name="Add").click()
    expect(page.locator("#action-items")).to_contain_text("Send Canon the Brampton site list")

    queued = page.locator("table.emails tbody tr[data-mail-status='queued']").count()
    assert queued >= 2  # the invitation, then its update
    web.store.outbox().deliver(MaildirTransport(tmp_path / "maildir"), now=web.clock.now())
    page.reload()
    expect(page.locator("table.emails tbody tr[data-mail-status='sent']")).to_have_count(queued)
    expect(page.locator("table.emails tbody tr[data-mail-status='queued']")).to_have_count(0)

    page.locator("summary", has_text="Cancel").click()
    page.get_by_role("button", name="Cancel it and tell everyone").click()
    expect(page.locator(".meeting-head .state")).to_have_attribute("data-state", "cancelled")
    expect(page.locator("table.emails tbody tr[data-kind='cancel']").first).to_contain_text("Cancellation")
    page.goto(f"{base}/missions/{scenario.mission_id}?state=cancelled")
    row = page.locator(f"tr[data-meeting='{mid}']")
    expect(row).to_have_attribute("data-state", "cancelled")
    row.get_by_role("button", name="Plan").click()  # the planner runs; the cancelled meeting waits
    expect(page.locator("p.notice")).to_be_visible()
    with web.services.uow() as uow:
        assert uow.meeting_statuses(scenario.mission_id)[mid].planned_start is not None
