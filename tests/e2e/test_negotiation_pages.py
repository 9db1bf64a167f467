"""The pages of a negotiation in progress, in Debian's Chromium (issue 11, parts 4 and 6).

The state is the demo's: the sample mission planned and nearly every meeting proposed, so the
options of several meetings overlap in the Toronto evening; then a counterpart books an
option that lands on the planned slot of a meeting not yet proposed (a clash to mark) and one
that withdraws another proposal's plan option. The week view must stay readable (one block
per meeting and day with its options count, nothing cut off), show planned, booked and held
times distinctly, and open at the hour of the earliest meeting; the overview headlines open
options and marks the clash, on screen and on paper. The pictures go to docs/.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from scheduler.core.zones import to_local
from tests.e2e.browser_support import AXE, CHROMIUM, DOCS, chromium_context, log_in, serious_violations
from tests.web.conftest import Web, build_web
from tests.web.negotiation_state import (
    Taken,
    book_over_a_plan,
    overlap_two_proposals,
    plan_and_propose,
    withdraw_a_plan_option,
)
from tests.web.server import free_port, running

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
    pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (run .ci/setup)"),
]

HOME = "America/Toronto"
PLANNED = ("minato-meeting", "ontario-wrap-up")  # left planned, not proposed


class State:
    def __init__(self, web: Web, base: str, clash: Taken, withdrawn: Taken) -> None:
        self.web, self.base, self.clash, self.withdrawn = web, base, clash, withdrawn

    def url(self, suffix: str) -> str:
        return f"{self.base}/missions/{self.web.mission_id}{suffix}"


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory) -> Iterator[State]:
    db = tmp_path_factory.mktemp("negotiation") / "e2e.db"
    port = free_port()
    web = build_web(f"sqlite:///{db}", base_url=f"http://127.0.0.1:{port}")
    with web.services.uow() as uow:
        meetings = [m.id for m in uow.mission(web.mission_id).meetings if m.counterparts]
    created = plan_and_propose(web.services, web.mission_id, [m for m in meetings if m not in PLANNED])
    clash = book_over_a_plan(web.services, web.mission_id, created, PLANNED)
    rest = {m: c for m, c in created.items() if m != clash.booked_by}
    withdrawn = withdraw_a_plan_option(web.services, web.mission_id, rest)
    overlap_two_proposals(web.services, web.mission_id, rest)
    try:
        with running(web.app, port) as base:
            yield State(web, base, clash, withdrawn)
    finally:
        web.client.close()
        web.store.close()


@pytest.fixture(scope="module")
def context(state: State) -> Iterator[Any]:
    """A coordinator in Toronto, logged in once for the module."""
    with chromium_context(locale="en-CA", timezone_id=HOME, viewport={"width": 1280, "height": 900}) as ctx:
        first = ctx.new_page()
        log_in(first, state.base, f"/missions/{state.web.mission_id}")
        first.close()
        yield ctx


@pytest.fixture
def page(context: Any) -> Iterator[Any]:
    p = context.new_page()
    yield p
    p.close()


def _open_options_per_day(state: State, zone: str) -> dict[tuple[str, str], int]:
    """(meeting, local date) → how many options the counterpart can still book there."""
    with state.web.services.uow() as uow:
        proposals = uow.proposals(state.web.mission_id, status="open")
    found: dict[tuple[str, str], int] = {}
    for p in proposals:
        for o in p.open_options:
            key = (p.meeting_id, to_local(o.start, zone).date().isoformat())
            found[key] = found.get(key, 0) + 1
    return found


def _earliest_hour(state: State, zone: str) -> int:
    with state.web.services.uow() as uow:
        statuses = uow.meeting_statuses(state.web.mission_id)
        proposals = uow.proposals(state.web.mission_id, status="open")
    starts = [o.start for p in proposals for o in p.open_options]
    starts += [s.booking.start for s in statuses.values() if s.booking is not None]
    starts += [s.planned_start for s in statuses.values() if s.state == "planned" and s.planned_start]
    return min(to_local(s, zone).hour for s in starts)


# Every label of every block: is any of it cut off at the block's right edge, or broken
# inside a word ("Briefi" / "on")? Line breaks are found from the rendered glyphs' boxes.
_UNREADABLE = """els => els.flatMap(li => {
  const a = li.querySelector('a');
  const bad = [];
  if (a.scrollWidth > a.clientWidth + 1) bad.push(li.dataset.meeting + ': cut off at the right');
  const walker = document.createTreeWalker(a, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = n.textContent;
    let lastTop = null;
    for (let i = 0; i < text.length; i++) {
      const r = document.createRange(); r.setStart(n, i); r.setEnd(n, i + 1);
      const box = r.getClientRects()[0];
      if (!box) continue;
      if (lastTop !== null && box.top > lastTop + 2 && /\\S/.test(text[i - 1]) && /\\S/.test(text[i])
          && !/[-–·,:]/.test(text[i - 1])) bad.push(li.dataset.meeting + ': broken in "' + text + '"');
      lastTop = box.top;
    }
  }
  return bad;
})"""


def test_the_week_view_stays_readable_where_options_overlap(page: Any, state: State) -> None:
    from playwright.sync_api import expect

    page.goto(state.url("/itinerary"))
    holds = page.locator("li.item.hold")
    expected = _open_options_per_day(state, HOME)
    shown = holds.evaluate_all(
        "els => els.map(e => [e.dataset.meeting, e.closest('.day-col').dataset.day, e.dataset.options,"
        " e.querySelector('.count').innerText])"
    )
    # One block per meeting and day, saying how many options it holds.
    assert sorted((m, d) for m, d, _, _ in shown) == sorted(expected)
    for m, d, n, label in shown:
        assert (int(n), label) == (expected[m, d], f"{n} options" if n != "1" else "1 option")
    # Options of different meetings do overlap here: blocks side by side in one day.
    side_by_side = page.evaluate(
        """() => [...document.querySelectorAll('.day-col')].some(col => {
             const boxes = [...col.querySelectorAll('li.item')].map(e => e.getBoundingClientRect());
             return boxes.some((a, i) => boxes.some((b, j) => i < j && a.top < b.bottom && b.top < a.bottom));
           })"""
    )
    assert side_by_side
    assert page.locator("li.item").evaluate_all(_UNREADABLE) == []

    # Planned, booked, held and the plan's own option each look different.
    def look(selector: str) -> tuple[str, ...]:
        return tuple(
            page.locator(selector).first.evaluate(
                "e => { const s = getComputedStyle(e); return [s.backgroundColor + s.backgroundImage,"
                " s.borderTopStyle, s.borderLeftWidth]; }"
            )
        )

    looks = [look(s) for s in ("li.item.booked", "li.item.planned", "li.item.hold", ".plan-mark")]
    assert len(set(looks)) == 4, looks
    with state.web.services.uow() as uow:
        plans = [
            p.meeting_id
            for p in uow.proposals(state.web.mission_id, status="open")
            if any(o.kind == "plan" for o in p.open_options)
        ]
    marked = page.locator(".plan-mark").evaluate_all("els => els.map(e => e.closest('li').dataset.meeting)")
    assert sorted(marked) == sorted(plans)  # the plan's option where it is still open, and only there
    assert state.withdrawn.victim not in marked

    # The first hour drawn is the hour of the earliest meeting, in the zone chosen.
    assert page.locator(".hour-mark").first.inner_text() == f"{_earliest_hour(state, HOME):02d}:00"
    assert serious_violations(page) == []
    week = page.locator("section.week-block").first.bounding_box()
    page.screenshot(
        path=str(DOCS / "coordinator-itinerary.png"),
        clip={"x": 0, "y": 0, "width": 1280, "height": week["y"] + week["height"] + 8},
        full_page=True,
    )

    page.get_by_role("link", name="Tokyo").first.click()
    expect(page.locator("p.zone-line")).to_contain_text("Asia/Tokyo")
    assert page.locator(".hour-mark").first.inner_text() == f"{_earliest_hour(state, 'Asia/Tokyo'):02d}:00"
    assert page.locator("li.item").evaluate_all(_UNREADABLE) == []


def test_the_overview_headlines_open_options_and_marks_a_clash_on_screen_and_paper(
    page: Any, state: State
) -> None:
    from playwright.sync_api import expect

    page.goto(state.url(""))
    victim = page.locator(f"tr[data-meeting='{state.clash.victim}']")
    mark = victim.locator(".clash")
    expect(mark).to_be_visible()
    expect(mark).to_contain_text(f"Clashes with the booking of {state.clash.booked_title}")
    lost = page.locator(f"tr[data-meeting='{state.withdrawn.victim}']")
    expect(lost.locator(".open-count")).to_contain_text("open option")
    assert lost.locator(".when-home").get_attribute("data-start") != state.withdrawn.lost.isoformat()
    assert serious_violations(page) == []
    page.screenshot(path=str(DOCS / "coordinator-overview.png"))

    page.emulate_media(media="print")
    expect(mark).to_be_visible()
    assert mark.evaluate("e => getComputedStyle(e).borderLeftStyle") == "solid"
    page.emulate_media(media="screen")


def test_the_meeting_page_marks_the_withdrawn_option_that_clashes(page: Any, state: State) -> None:
    from playwright.sync_api import expect

    page.goto(state.url(f"/meetings/{state.withdrawn.victim}"))
    expect(page.locator("p.when .open-count")).to_be_visible()
    withdrawn = page.locator("table.options tr[data-option-status='withdrawn'].has-clash")
    expect(withdrawn.first.locator(".clash")).to_contain_text(state.withdrawn.booked_title)
    assert serious_violations(page) == []
    page.screenshot(path=str(DOCS / "coordinator-meeting.png"), full_page=True)
    page.emulate_media(media="print")
    expect(withdrawn.first.locator(".clash")).to_be_visible()
