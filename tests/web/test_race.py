"""Races against a running server: many concurrent HTTP bookings of one contested time.

Counterparts pick an option on their booking link while the coordinator books another meeting
with the same people at the same time, all at once, through real HTTP on uvicorn, on SQLite
and on PostgreSQL. Exactly one may win; the losers leave no booking, claim or message behind.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from scheduler.store.tables import BookingRow, ClaimRow, OutboxRow
from tests.store.databases import BACKENDS, database
from tests.web.conftest import Web, build_web, token_of
from tests.web.server import free_port, running

PICKERS = 6  # browsers picking the same option of one link
BOOKERS = 6  # coordinator scripts booking another meeting at that time


@pytest.fixture(params=BACKENDS)
def served(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Web, str]]:
    with database(request.param, tmp_path) as url:
        port = free_port()
        web = build_web(url, base_url=f"http://127.0.0.1:{port}")
        try:
            with running(web.app, port) as base:
                yield web, base
        finally:
            web.client.close()
            web.store.close()


def _count(web: Web, query: Any) -> int:
    with web.store.engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def test_exactly_one_of_many_concurrent_bookings_of_one_time_wins(served: tuple[Web, str]) -> None:
    web, base = served
    auth = web.auth
    with httpx.Client(base_url=base, headers=auth, timeout=60) as c:
        proposal = c.post(f"/api/missions/{web.mission_id}/meetings/jeita-meeting/proposals").json()
        other = c.post(
            f"/api/missions/{web.mission_id}/find-times",
            json={"meeting_id": "minato-meeting", "max_candidates": 50},
        ).json()
    other_starts = {s["meetingTimeSlot"]["start"]["dateTime"] + "Z" for s in other["meetingTimeSuggestions"]}
    contested = next(o for o in proposal["options"] if o["start"] in other_starts)
    token = token_of(proposal["link"])

    # Each picker is its own browser: it opens the page (CSRF cookie) before the race starts.
    pickers = []
    for _ in range(PICKERS):
        client = httpx.Client(base_url=base, timeout=60)
        page = client.get(f"/book/{token}")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert csrf is not None
        pickers.append((client, csrf.group(1)))
    bookers = [httpx.Client(base_url=base, headers=auth, timeout=60) for _ in range(BOOKERS)]

    barrier = threading.Barrier(PICKERS + BOOKERS)
    results: list[tuple[str, int]] = []
    lock = threading.Lock()

    def pick(client: httpx.Client, csrf: str) -> None:
        barrier.wait()
        r = client.post(f"/book/{token}/pick", data={"csrf_token": csrf, "option_id": contested["id"]})
        with lock:
            results.append(("pick", r.status_code))

    def book(client: httpx.Client) -> None:
        barrier.wait()
        r = client.post(
            f"/api/missions/{web.mission_id}/meetings/minato-meeting/booking",
            json={"start": contested["start"]},
        )
        with lock:
            results.append(("book", r.status_code))

    threads = [threading.Thread(target=pick, args=p) for p in pickers]
    threads += [threading.Thread(target=book, args=(b,)) for b in bookers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    for client, _ in pickers:
        client.close()
    for b in bookers:
        b.close()

    # A winning pick redirects to its confirmation (303); a winning API booking is 201.
    winners = [r for r in results if r[1] in (201, 303)]
    assert len(results) == PICKERS + BOOKERS
    assert len(winners) == 1, results
    assert {code for _, code in results} - {201, 303} <= {409, 410}
    active = select(func.count()).select_from(BookingRow).where(BookingRow.status == "active")
    assert _count(web, active) == 1
    with web.store.unit_of_work() as uow:
        statuses = uow.meeting_statuses(web.mission_id)
        (booking,) = [s.booking for s in statuses.values() if s.booking is not None]
    assert _count(web, select(func.count()).select_from(BookingRow)) == 1  # no loser's row, even ended
    stray = select(func.count()).select_from(ClaimRow).where(ClaimRow.booking_id != booking.id)
    mine = select(func.count()).select_from(ClaimRow).where(ClaimRow.booking_id == booking.id)
    assert (_count(web, stray), _count(web, mine) > 0) == (0, True)
    invitations = select(OutboxRow.meeting_id).where(OutboxRow.message_id.like("<invitation.%"))
    with web.store.engine.connect() as conn:
        invited = list(conn.execute(invitations).scalars())
    assert invited
    assert set(invited) == {booking.meeting_id}
    assert {s.state for mid, s in statuses.items() if mid in ("jeita-meeting", "minato-meeting")} >= {
        "booked"
    }


@pytest.mark.parametrize("backend", BACKENDS)
def test_each_contested_time_has_one_winner_over_http(backend: str, tmp_path: Path) -> None:
    """Three contests at one instant, all through the API of a running server: meetings of one
    delegate, of one counterpart, and needing the only interpreter. One winner in each."""
    _three_contests(backend, tmp_path / backend)


def _three_contests(backend: str, tmp_path: Path) -> None:
    from collections import Counter

    from scheduler.core.bookings import claim_cell, claims_for
    from scheduler.services import import_mission
    from tests.services.test_races import CONTESTED, race_mission

    tmp_path.mkdir()
    plan = race_mission()
    with database(backend, tmp_path) as url:
        port = free_port()
        web = build_web(url, base_url=f"http://127.0.0.1:{port}", mission=False)
        try:
            mission_id = import_mission(web.services, plan, owner=web.user_id)
            with running(web.app, port) as base:
                clients = {
                    m.id: httpx.Client(base_url=base, headers=web.auth, timeout=60) for m in plan.meetings
                }
                barrier = threading.Barrier(len(clients))
                codes: dict[str, int] = {}

                def book(meeting_id: str) -> None:
                    barrier.wait(30)
                    r = clients[meeting_id].post(
                        f"/api/missions/{mission_id}/meetings/{meeting_id}/booking",
                        json={"start": CONTESTED.isoformat()},
                    )
                    codes[meeting_id] = r.status_code

                threads = [threading.Thread(target=book, args=(mid,)) for mid in clients]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join(120)
                for c in clients.values():
                    c.close()
            winners = sorted(mid for mid, code in codes.items() if code == 201)
            assert len(codes) == len(plan.meetings), backend
            assert set(codes.values()) == {201, 409}, (backend, codes)
            assert Counter(mid.rsplit("-", 1)[0] for mid in winners) == {
                "delegate": 1,
                "counterpart": 1,
                "resource": 1,
            }, backend
            cell = claim_cell(plan)
            expected = sum(len(claims_for(plan, plan.meeting(mid), CONTESTED, cell)) for mid in winners)
            booked = select(BookingRow.meeting_id).where(BookingRow.mission_id == mission_id)
            mailed = select(OutboxRow.meeting_id).where(OutboxRow.mission_id == mission_id)
            with web.store.engine.connect() as conn:
                assert sorted(conn.execute(booked).scalars()) == winners  # no loser's row at all
                assert set(conn.execute(mailed).scalars()) == set(winners)
            assert _count(web, select(func.count()).select_from(ClaimRow)) == expected
        finally:
            web.client.close()
            web.store.close()
