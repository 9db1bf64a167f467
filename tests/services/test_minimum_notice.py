"""Nothing is proposed in the past or inside the minimum notice: plans, plan-derived options, proposals."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from scheduler.ports import FixedClock
from scheduler.services import Services, book_time, import_mission, plan, propose
from scheduler.services.missions import not_before
from tests.store.databases import BACKENDS, database
from tests.store.sample import at, sample_mission

NOTICE = timedelta(hours=24)


@pytest.fixture(params=BACKENDS[:1])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Planning and proposing do not depend on the database: SQLite only."""
    with database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def mission_id(services: Services) -> int:
    return import_mission(services, sample_mission())


def test_a_plan_made_during_the_mission_places_nothing_before_the_notice(
    services: Services, mission_id: int, clock: FixedClock
) -> None:
    first = plan(services, mission_id, time_limit=2)
    early = min(pm.start for pm in first.meetings)
    clock.at = early + timedelta(hours=1)  # the mission has begun: its first evening is past
    result = plan(services, mission_id, time_limit=2)
    assert result.meetings  # there is still time left to plan in
    assert all(pm.start >= clock.at + NOTICE for pm in result.meetings if not pm.fixed)
    with services.uow() as uow:
        starts = [s.planned_start for s in uow.meeting_statuses(mission_id).values() if s.planned_start]
    assert starts
    assert min(starts) >= clock.at + NOTICE


def test_a_booking_held_before_the_notice_stays_without_a_warning(
    services: Services, mission_id: int, clock: FixedClock
) -> None:
    first = plan(services, mission_id, time_limit=2)
    pm = min(first.meetings, key=lambda m: m.start)
    book_time(services, mission_id, pm.meeting_id, pm.start)
    clock.at = pm.start - timedelta(hours=2)  # booked, two hours from now
    result = plan(services, mission_id, time_limit=2)
    fixed = [m for m in result.meetings if m.fixed]
    assert [(m.meeting_id, m.start) for m in fixed] == [(pm.meeting_id, pm.start)]
    assert result.warnings == ()
    assert all(m.start >= clock.at + NOTICE for m in result.meetings if not m.fixed)


def test_the_plans_slot_inside_the_notice_is_not_offered(
    services: Services, mission_id: int, clock: FixedClock
) -> None:
    clock.at = at(16, 12)
    too_soon = at(17, 1)  # an evening slot 13 hours away
    created = propose(services, mission_id, "brown-jetro", plan_start=too_soon)
    starts = [o.start for o in created.proposal.options]
    assert too_soon not in starts
    assert min(starts) >= clock.at + NOTICE
    assert created.proposal.expires_at <= max(starts)


def test_not_before_leaves_a_future_mission_alone() -> None:
    m = sample_mission()
    assert not_before(m, m.window.start - timedelta(days=3)) is m
