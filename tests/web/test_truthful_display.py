"""The coordinator's pages tell the truth about a negotiation (issue 11, part 4).

A proposed meeting is headlined by what its counterpart can still book (how many options,
the earliest), never by a time another booking withdrew; any time shown that clashes with a
booking is marked on the overview, the meeting page and the itinerary, and the mark prints.
"""

from __future__ import annotations

import re

import pytest

from scheduler.core.zones import to_local
from scheduler.mail.timefmt import local_range
from tests.web.conftest import Web
from tests.web.negotiation_state import book_over_a_plan, plan_and_propose, withdraw_a_plan_option
from tests.web.page_tree import Node, one, parse
from tests.web.test_coordinator_pages import _log_in

HOME = "America/Toronto"
PROPOSED = (
    "ambassador-call",
    "jeita-meeting",
    "innovation-roundtable",
    "canon-call",
    "muro-call",
    "yusen-call",
)


@pytest.fixture
def coordinator(web: Web) -> Web:
    _log_in(web)
    return web


def _page(web: Web, suffix: str) -> Node:
    r = web.client.get(f"/missions/{web.mission_id}{suffix}")
    assert r.status_code == 200, r.text
    return parse(r.text)


def test_a_proposed_meeting_is_headlined_by_its_open_options_never_a_withdrawn_time(coordinator: Web) -> None:
    web = coordinator
    created = plan_and_propose(web.services, web.mission_id, PROPOSED)
    taken = withdraw_a_plan_option(web.services, web.mission_id, created)
    with web.services.uow() as uow:
        status = uow.meeting_statuses(web.mission_id)[taken.victim]
        (proposal,) = (
            p for p in uow.proposals(web.mission_id, status="open") if p.meeting_id == taken.victim
        )
    assert status.planned_start == taken.lost  # the plan still says the withdrawn time
    assert [o.status for o in proposal.options if o.kind == "plan"] == ["withdrawn"]
    still = sorted(proposal.open_options, key=lambda o: o.start)
    duration = proposal.options[0].end - proposal.options[0].start
    lost = local_range(taken.lost, taken.lost + duration, HOME, "en")

    row = one(_page(web, ""), "tr", data_meeting=taken.victim)
    count = one(row, cls="open-count")
    assert (count.attrs["data-open-options"], count.text) == (
        str(len(still)),
        f"{len(still)} open options, the earliest:",
    )
    assert one(row, cls="when-home").attrs["data-start"] == still[0].start.isoformat()
    assert one(row, cls="when-home").text == local_range(still[0].start, still[0].end, HOME, "en")
    assert lost not in row.text

    head = one(_page(web, f"/meetings/{taken.victim}"), "p", cls="when")
    assert one(head, cls="open-count").attrs["data-open-options"] == str(len(still))
    assert one(head, cls="when-home").attrs["data-start"] == still[0].start.isoformat()
    assert lost not in head.text

    # The week view draws only what can still be booked: nothing of the meeting at the lost time.
    week = _page(web, "/itinerary")
    starts = {b.attrs["data-start"] for b in week.find("li", cls="item", data_meeting=taken.victim)}
    assert taken.lost.isoformat() not in starts


def test_a_proposal_with_no_open_option_says_so_and_shows_no_time(coordinator: Web) -> None:
    web = coordinator
    created = plan_and_propose(web.services, web.mission_id, ["jeita-meeting"])
    with web.services.uow() as uow:
        uow.set_option_status([o.id for o in created["jeita-meeting"].proposal.options], "withdrawn")
    row = one(_page(web, ""), "tr", data_meeting="jeita-meeting")
    assert one(row, cls="open-count").text == "No open option: new times are needed"
    assert row.find(cls="when-home") == []


def test_a_time_that_clashes_with_a_booking_is_marked_on_every_page(coordinator: Web) -> None:
    web = coordinator
    proposed = ("innovation-roundtable", "jeita-meeting", "canon-call", "muro-call")
    created = plan_and_propose(web.services, web.mission_id, proposed)
    planned = ["minato-meeting", "ontario-wrap-up", "jetro-briefing", "yusen-call"]
    taken = book_over_a_plan(web.services, web.mission_id, created, planned)
    mark = f"Clashes with the booking of {taken.booked_title}"

    overview = _page(web, "")
    row = one(overview, "tr", data_meeting=taken.victim)
    assert (row.attrs["data-state"], "has-clash" in row.classes) == ("planned", True)
    assert one(row, cls="clash").text == f"⚠ {mark}"
    marked = {r.attrs["data-meeting"] for r in overview.find("tr", cls="has-clash")}
    assert taken.booked_by not in marked  # a booking does not clash with itself
    assert marked <= set(planned)  # nor with anything the plan moves around it

    head = one(_page(web, f"/meetings/{taken.victim}"), "p", cls="when")
    assert one(head, cls="clash").text == f"⚠ {mark}"

    block = one(_page(web, "/itinerary"), "li", cls="planned", data_meeting=taken.victim)
    assert "conflict" in block.classes
    assert taken.booked_title in one(block, cls="conflict-note").text


def test_the_meeting_page_marks_each_option_that_clashes_with_a_booking(coordinator: Web) -> None:
    web = coordinator
    created = plan_and_propose(web.services, web.mission_id, PROPOSED)
    taken = withdraw_a_plan_option(web.services, web.mission_id, created)
    page = _page(web, f"/meetings/{taken.victim}")
    rows = {r.attrs["data-option"]: r for r in page.find("tr", data_option_status="withdrawn")}
    plan_id = str(next(o.id for o in created[taken.victim].proposal.options if o.kind == "plan"))
    assert f"Clashes with the booking of {taken.booked_title}" in one(rows[plan_id], cls="clash").text
    for r in page.find("tr", data_option_status="open"):  # what is still open clashes with nothing
        assert r.find(cls="clash") == []


def _print_rules(css: str) -> str:
    start = css.index("@media print")
    depth, i = 0, css.index("{", start)
    for j in range(i, len(css)):
        depth += {"{": 1, "}": -1}.get(css[j], 0)
        if depth == 0:
            return css[i + 1 : j]
    raise AssertionError("unclosed @media print")


def test_the_clash_mark_prints(coordinator: Web) -> None:
    css = coordinator.client.get("/static/coordinator.css").text
    rules = {
        sel.strip(): body.strip() for sel, body in re.findall(r"([^{}]+)\{([^{}]*)\}", _print_rules(css))
    }
    hidden = [sel for sel, body in rules.items() if re.search(r"display:\s*none", body)]
    assert not any(".clash" in sel or ".conflict-note" in sel for sel in hidden)
    shown = [body for sel, body in rules.items() if ".clash" in sel.split(",")[0] or ".clash" in sel]
    assert any("print-color-adjust: exact" in body for body in shown)
    assert any(re.search(r"display:\s*block", body) for body in shown)


def test_the_itinerary_draws_one_block_per_meeting_and_day_with_its_options(coordinator: Web) -> None:
    web = coordinator
    created = plan_and_propose(web.services, web.mission_id, PROPOSED)
    week = _page(web, "/itinerary")
    for mid, c in created.items():
        per_day: dict[str, int] = {}
        for o in c.proposal.options:
            day = to_local(o.start, HOME).date().isoformat()
            per_day[day] = per_day.get(day, 0) + 1
        for day, n in per_day.items():
            col = one(week, "div", cls="day-col", data_day=day)
            (block,) = col.find("li", cls="hold", data_meeting=mid)
            assert block.attrs["data-options"] == str(n)
            assert one(block, cls="count").text == ("1 option" if n == 1 else f"{n} options")
        plans = [b for b in week.find("li", cls="hold", data_meeting=mid) if b.find(cls="plan-mark")]
        assert len(plans) == 1  # the plan's own option, marked once


def test_the_itinerary_starts_at_the_hour_of_the_earliest_meeting(coordinator: Web) -> None:
    web = coordinator
    created = plan_and_propose(web.services, web.mission_id, ["ambassador-call", "jeita-meeting"])
    with web.services.uow() as uow:
        statuses = uow.meeting_statuses(web.mission_id)
    starts = [o.start for c in created.values() for o in c.proposal.options]
    starts += [s.planned_start for m, s in statuses.items() if s.planned_start and m not in created]
    for zone in (HOME, "Asia/Tokyo"):
        week = _page(web, f"/itinerary?zone={zone}")
        first = week.find("div", cls="hour-mark")[0].text
        assert first == f"{min(to_local(s, zone).hour for s in starts):02d}:00", zone
