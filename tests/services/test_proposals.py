"""Proposals: 3–5 options, the plan's slot first, diverse, never too soon; a secret link that expires."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

from scheduler.core.zones import local_date
from scheduler.errors import Conflict
from scheduler.ports import FixedClock
from scheduler.services import (
    Services,
    decline,
    import_mission,
    proposal_page,
    propose,
)
from scheduler.store import Store
from scheduler.store.tables import OutboxRow, ProposalRow
from tests.builders import TORONTO
from tests.services.fakes import headers
from tests.store.databases import BACKENDS, database
from tests.store.sample import at, sample_mission


@pytest.fixture(params=BACKENDS[:1])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Proposal logic does not depend on the database: SQLite only (the races and the booking
    rules run on both)."""
    with database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def mission_id(services: Services) -> int:
    return import_mission(services, sample_mission())


def test_three_to_five_options_none_inside_the_minimum_notice(
    services: Services, mission_id: int, clock: FixedClock
) -> None:
    clock.at = at(15, 12)  # the evening of the 16th UTC is less than 24 h away
    created = propose(services, mission_id, "brown-jetro")
    starts = [o.start for o in created.proposal.options]
    assert 3 <= len(starts) <= 5
    assert min(starts) >= clock.at + timedelta(hours=24)
    assert created.proposal.options[0].kind == "plan"
    assert [o.kind for o in created.proposal.options[1:]] == ["alternative"] * (len(starts) - 1)


def test_options_are_spread_over_days(services: Services, mission_id: int) -> None:
    created = propose(services, mission_id, "santos-jetro")
    days = {local_date(o.start, TORONTO) for o in created.proposal.options}
    assert len(days) == len(created.proposal.options)


def test_the_plans_slot_comes_first(services: Services, mission_id: int) -> None:
    created = propose(services, mission_id, "brown-jetro", plan_start=at(23, 1))
    assert (created.proposal.options[0].start, created.proposal.options[0].kind) == (at(23, 1), "plan")


def test_plan_options_of_open_proposals_never_clash(services: Services, mission_id: int) -> None:
    propose(services, mission_id, "brown-jetro", plan_start=at(23, 1))
    second = propose(services, mission_id, "brown-jcci", plan_start=at(23, 1, 30))  # brown twice
    plan = second.proposal.options[0]
    assert plan.kind == "plan"
    assert plan.start != at(23, 1, 30)
    assert not (plan.start < at(23, 2, 15) and at(23, 0, 45) < plan.end)  # clear of brown + buffer


def test_the_link_is_random_and_only_its_hash_is_stored(
    services: Services, store: Store, mission_id: int
) -> None:
    a = propose(services, mission_id, "brown-jetro")
    b = propose(services, mission_id, "santos-jetro")
    assert len(a.token) >= 43  # token_urlsafe(32): 256 bits
    assert a.token != b.token
    assert a.token in a.link
    with store.unit_of_work(write=False) as uow:
        row = uow.session.get(ProposalRow, a.proposal.id)
        assert row is not None
        assert row.token_hash == hashlib.sha256(a.token.encode()).hexdigest()
    # The booking request carries the link; once it is sent, no copy of the token is kept.
    from tests.store.test_outbox import Recorder

    transport = Recorder()
    store.outbox().deliver(transport, now=services.clock.now())
    assert any(a.link in headers(e.data).get("X-Link", "") for e in transport.sent)
    assert a.token not in dump(store)


def dump(store: Store) -> str:
    """Every value in every table, as text."""
    from scheduler.store.tables import Base

    parts = []
    with store.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for row in conn.execute(select(table)):
                parts.append(repr(tuple(row)))
        conn.execute(text("SELECT 1"))
    return "\n".join(parts)


def test_a_link_expires_after_14_days_or_at_the_last_option(
    services: Services, mission_id: int, clock: FixedClock
) -> None:
    early = propose(services, mission_id, "brown-jetro")
    assert early.proposal.expires_at == clock.at + timedelta(days=14)
    clock.at = at(20, 12)
    late = propose(services, mission_id, "santos-jetro")
    assert late.proposal.expires_at == max(o.start for o in late.proposal.options)
    assert late.proposal.expires_at < clock.at + timedelta(days=14)


def test_no_time_left_is_a_conflict(services: Services, mission_id: int, clock: FixedClock) -> None:
    clock.at = at(26, 0)
    with pytest.raises(Conflict, match="no time left"):
        propose(services, mission_id, "brown-jetro")


def test_a_new_proposal_supersedes_the_open_one(services: Services, mission_id: int) -> None:
    old = propose(services, mission_id, "brown-jetro")
    propose(services, mission_id, "brown-jetro")
    page = proposal_page(services, old.token)
    assert (page.usable, page.proposal.status) == (False, "superseded")


def test_the_booking_request_goes_to_the_counterpart_contacts_in_the_same_transaction(
    services: Services, store: Store, mission_id: int
) -> None:
    created = propose(services, mission_id, "brown-jetro")
    entries = store.outbox().entries()
    assert [e.recipients for e in entries] == [("jetro@example.jp",)]
    assert created.messages == (entries[0].message_id,)


def test_declining_with_times_nobody_can_do_flags_it_and_leaves_the_mission_alone(
    services: Services, store: Store, mission_id: int
) -> None:
    with store.unit_of_work(write=False) as uow:
        before = uow.mission(mission_id).participant("jetro").overrides
    created = propose(services, mission_id, "brown-jetro")
    result = decline(
        services,
        created.token,
        note="We are travelling that week",
        available=[(at(23, 5), at(23, 7))],  # Tokyo 14:00–16:00 Tue 23: midnight in Toronto
    )
    assert (result.proposal.status, result.proposal.needs_attention) == ("declined", True)
    assert result.proposal.note == "We are travelling that week"
    assert result.proposal.available == ((at(23, 5), at(23, 7)),)
    assert {o.status for o in result.proposal.options} == {"released"}
    with store.unit_of_work(write=False) as uow:
        jetro = uow.mission(mission_id).participant("jetro")
        state = uow.meeting_statuses(mission_id)["brown-jetro"].state
        items = uow.attention.items(mission_id)
    assert state == "declined"
    assert jetro.overrides == before  # a booking link never edits the coordinator's data
    assert proposal_page(services, created.token).usable is False
    assert [(i.kind, i.meeting_id, i.note) for i in items] == [
        ("declined", "brown-jetro", "We are travelling that week")
    ]
    assert items[0].detail["windows"] == [[at(23, 5).isoformat(), at(23, 7).isoformat()]]
    assert items[0].notified_at is not None


def test_declining_with_times_the_delegates_can_do_reopens_the_link_with_them(
    services: Services, store: Store, mission_id: int
) -> None:
    created = propose(services, mission_id, "brown-jetro")
    window = (at(24, 0), at(24, 2))  # Tokyo Wed 24 09:00–11:00 = Toronto Tue 23 19:00–21:00
    result = decline(services, created.token, note="Only that morning", available=[window])
    assert result.proposal.status == "open"
    opened = result.proposal.open_options
    assert opened
    assert all(window[0] <= o.start and o.end <= window[1] for o in opened)
    assert proposal_page(services, created.token).usable is True  # the same link, new times
    with store.unit_of_work(write=False) as uow:
        items = uow.attention.items(mission_id, open_only=False)
        kinds = set(uow.session.scalars(select(OutboxRow.kind).where(OutboxRow.mission_id == mission_id)))
    assert [(i.kind, i.resolved_at is not None) for i in items] == [("declined", True)]
    assert items[0].resolution.startswith("new times sent")
    assert "attention" in kinds
    assert "new-times" in kinds


def test_planning_keeps_bookings_fixed_and_its_slots_are_offered_first(
    services: Services, store: Store, mission_id: int
) -> None:
    from scheduler.services import book_time, plan

    book_time(services, mission_id, "brown-jetro", at(16, 0))
    result = plan(services, mission_id, time_limit=1.0)
    fixed = {pm.meeting_id: pm.start for pm in result.meetings if pm.fixed}
    assert fixed == {"brown-jetro": at(16, 0)}
    with store.unit_of_work(write=False) as uow:
        statuses = uow.meeting_statuses(mission_id)
    planned = {mid: s.planned_start for mid, s in statuses.items() if s.state == "planned"}
    assert planned == {pm.meeting_id: pm.start for pm in result.meetings if not pm.fixed}
    assert statuses["brown-jetro"].state == "booked"
    mid, start = next(iter(planned.items()))
    assert start is not None
    assert propose(services, mission_id, mid).proposal.options[0].start == start
