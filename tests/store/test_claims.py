"""The database itself refuses double bookings: claims with a UNIQUE constraint, no Python check involved.

These tests write bookings straight through the unit of work (as a buggy or racing caller
could), without `booking_problems`, and expect the constraint to refuse the second one.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from scheduler.core.bookings import claim_cell, claims_for
from scheduler.core.models import Mission
from scheduler.errors import Conflict
from scheduler.store import Store
from scheduler.store.tables import BookingRow, ClaimRow, ProposalRow
from tests.store.databases import PG_URL, database
from tests.store.sample import NOW, at, sample_mission


def _add(store: Store, mission: Mission) -> int:
    with store.unit_of_work() as uow:
        return uow.add_mission(mission, source="", now=NOW, cell=claim_cell(mission))


def _book(store: Store, mission_id: int, mission: Mission, meeting_id: str, start: datetime) -> None:
    m = mission.meeting(meeting_id)
    with store.unit_of_work() as uow:
        uow.add_booking(
            mission_id,
            meeting_id,
            start=start,
            end=start + m.duration,
            sequence=0,
            now=NOW,
            claims=claims_for(mission, m, start, claim_cell(mission)),
        )


def _counts(store: Store) -> tuple[int, int]:
    with store.unit_of_work(write=False) as uow:
        claims = uow.session.scalar(select(func.count()).select_from(ClaimRow))
        bookings = uow.session.scalar(select(func.count()).select_from(BookingRow))
    return int(claims or 0), int(bookings or 0)


@pytest.mark.parametrize(
    ("first", "second", "start_gap_minutes"),
    [
        pytest.param("brown-jetro", "brown-jcci", 30, id="same-delegate-overlapping"),
        pytest.param("brown-jetro", "santos-jetro", 0, id="same-counterpart-same-time"),
        pytest.param("brown-jetro", "brown-jcci", 70, id="same-delegate-inside-the-buffer"),
        pytest.param("santos-jcci", "mccallion-consulate", 45, id="last-interpreter"),
    ],
)
def test_a_colliding_second_booking_is_refused_by_the_constraint(
    store: Store, first: str, second: str, start_gap_minutes: int
) -> None:
    mission = sample_mission()
    mid = _add(store, mission)
    start = at(16, 0)
    _book(store, mid, mission, first, start)
    before = _counts(store)
    with pytest.raises(Conflict):
        _book(store, mid, mission, second, start + timedelta(minutes=start_gap_minutes))
    assert _counts(store) == before  # nothing half-written


def test_a_gap_of_exactly_the_buffer_is_allowed(store: Store) -> None:
    mission = sample_mission()
    mid = _add(store, mission)
    _book(store, mid, mission, "brown-jetro", at(16, 0))
    _book(store, mid, mission, "brown-jcci", at(16, 1, 15))  # ends 01:00, 15 minutes buffer
    assert _counts(store)[1] == 2


def test_a_resource_of_capacity_two_takes_two_meetings_and_refuses_the_third(store: Store) -> None:
    mission = sample_mission()
    mid = _add(store, mission)
    _book(store, mid, mission, "santos-jcci", at(16, 0))  # bridge unit 0
    _book(store, mid, mission, "mccallion-jetro", at(16, 0))  # bridge unit 1
    with pytest.raises(Conflict, match="bridge"):
        _book(store, mid, mission, "brown-jcci-2", at(16, 0, 30))


def test_max_per_day_is_counted_by_the_database(store: Store) -> None:
    mission = sample_mission()  # brown: max_per_day = 2
    mid = _add(store, mission)
    _book(store, mid, mission, "brown-jetro", at(16, 0))
    _book(store, mid, mission, "brown-jcci", at(16, 1, 15))
    with pytest.raises(Conflict, match="brown"):
        _book(store, mid, mission, "brown-consulate", at(16, 2, 30))  # same Toronto evening, no overlap
    _book(store, mid, mission, "brown-consulate", at(17, 0))  # the next Toronto date is fine


def test_one_meeting_has_at_most_one_active_booking(store: Store) -> None:
    mission = sample_mission()
    mid = _add(store, mission)
    _book(store, mid, mission, "brown-jetro", at(16, 0))
    with pytest.raises(Conflict):
        _book(store, mid, mission, "brown-jetro", at(18, 0))


def test_an_ended_booking_releases_its_claims(store: Store) -> None:
    mission = sample_mission()
    mid = _add(store, mission)
    _book(store, mid, mission, "brown-jetro", at(16, 0))
    with store.unit_of_work() as uow:
        (booking_id,) = [s.booking.id for s in uow.meeting_statuses(mid).values() if s.booking]
        uow.end_booking(booking_id, status="cancelled", now=NOW)
    assert _counts(store) == (0, 1)
    _book(store, mid, mission, "brown-jcci", at(16, 0))


def test_two_open_transactions_cannot_both_claim_the_same_time(store: Store) -> None:
    """The first transaction has written but not committed; the second must wait, then lose."""
    mission = sample_mission()
    mid = _add(store, mission)
    written = threading.Event()
    outcome: list[str] = []

    def second() -> None:
        written.wait(10)
        try:
            _book(store, mid, mission, "brown-jcci", at(16, 0, 30))
            outcome.append("won")
        except Conflict:
            outcome.append("conflict")

    thread = threading.Thread(target=second)
    thread.start()
    m = mission.meeting("brown-jetro")
    with store.unit_of_work() as uow:
        uow.add_booking(
            mid,
            m.id,
            start=at(16, 0),
            end=at(16, 1),
            sequence=0,
            now=NOW,
            claims=claims_for(mission, m, at(16, 0), claim_cell(mission)),
        )
        written.set()
        thread.join(0.2)  # the second is blocked behind our transaction
        assert thread.is_alive()
    thread.join(10)
    assert outcome == ["conflict"]


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason="SCHEDULER_TEST_POSTGRES_URL is empty")
def test_rows_read_before_the_mission_lock_are_read_again_after_it(tmp_path) -> None:
    """Regression: a proposal read before `lock_mission` must not be served stale from the session."""
    from scheduler.store import open_store

    with database("postgres", tmp_path) as url:
        store = open_store(url)
        mission = sample_mission()
        mid = _add(store, mission)
        with store.unit_of_work() as uow:
            p = uow.add_proposal(
                mid, "brown-jetro", token_hash="h" * 64, now=NOW, expires_at=at(15, 0), options=[]
            )
        with store.unit_of_work() as first:
            held = first.session.get(ProposalRow, p.id)  # an ORM row the session keeps alive
            assert held is not None
            assert held.status == "open"
            with store.unit_of_work() as second:  # commits while the first is between read and lock
                second.update_proposal(p.id, status="booked")
            first.lock_mission(mid)
            assert first.proposal(p.id).status == "booked"
        store.close()
