"""Booking, rescheduling and cancelling: one transaction each, rules re-checked at commit, messages queued."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from scheduler.core.models import Contact
from scheduler.errors import Conflict, Expired, NotFound
from scheduler.ports import FixedClock
from scheduler.services import (
    Services,
    book,
    book_time,
    cancel,
    import_mission,
    proposal_page,
    propose,
    reschedule,
)
from scheduler.store import Store
from scheduler.store.tables import OutboxRow
from tests.services.fakes import headers
from tests.store.sample import at, sample_mission


def outbox(store: Store) -> list[tuple[str, str, str, str]]:
    """(kind, meeting, to, X-Sequence) of every queued message, in order."""
    out = []
    with store.unit_of_work(write=False) as uow:
        for r in uow.session.scalars(select(OutboxRow).order_by(OutboxRow.id)):
            msg = headers(r.raw)
            out.append((r.kind, r.meeting_id, r.recipients[0], str(msg.get("X-Sequence", ""))))
    return out


def claims(store: Store, mission_id: int) -> int:
    with store.unit_of_work(write=False) as uow:
        return uow.claim_count(mission_id)


@pytest.fixture
def mission_id(services: Services) -> int:
    return import_mission(services, sample_mission())


def test_booking_an_option_books_the_meeting_and_queues_the_invitations(
    services: Services, store: Store, mission_id: int
) -> None:
    created = propose(services, mission_id, "brown-jetro")
    option = created.proposal.options[1]
    result = book(
        services,
        created.token,
        option.id,
        attendees=[Contact(name="Suzuki Ichiro", email="suzuki@jetro.example.jp", language="ja")],
    )
    assert (result.booking.start, result.booking.sequence) == (option.start, 0)
    with store.unit_of_work(write=False) as uow:
        status = uow.meeting_statuses(mission_id)["brown-jetro"]
        proposal = uow.proposal(created.proposal.id)
    assert status.state == "booked"
    assert proposal.status == "booked"
    assert [o.status for o in proposal.options] == [
        "booked" if o.id == option.id else "released" for o in proposal.options
    ]
    invitations = [(to, seq) for kind, _, to, seq in outbox(store) if kind == "invitation"]
    assert invitations == [
        ("brown@brampton.example.org", "0"),
        ("jetro@example.jp", "0"),
        ("suzuki@jetro.example.jp", "0"),
    ]
    assert len(result.messages) == 3


def test_booking_withdraws_the_options_it_makes_impossible_and_flags_an_emptied_proposal(
    services: Services, store: Store, mission_id: int
) -> None:
    first = propose(services, mission_id, "brown-jetro")
    second = propose(services, mission_id, "brown-jcci")
    # The coordinator books brown-jcci at brown-jetro's first option: brown is then taken.
    target = first.proposal.options[0]
    result = book_time(services, mission_id, "brown-jcci", target.start)
    assert target.id in result.withdrawn
    with store.unit_of_work(write=False) as uow:
        after = uow.proposal(first.proposal.id)
        jcci = uow.proposal(second.proposal.id)
    assert {o.id: o.status for o in after.options}[target.id] == "withdrawn"
    assert jcci.status == "superseded"  # the coordinator booked brown-jcci directly
    with pytest.raises(Conflict, match="no longer available"):
        book(services, first.token, target.id)
    remaining = [o for o in after.options if o.status == "open"]
    assert remaining, "only the colliding option was withdrawn"


def test_a_proposal_left_with_no_option_gets_new_times_on_the_same_link(
    services: Services, store: Store, mission_id: int
) -> None:
    created = propose(services, mission_id, "santos-jetro")
    with store.unit_of_work() as uow:  # keep a single option open, then take its time away
        keep, *rest = created.proposal.options
        uow.set_option_status([o.id for o in rest], "withdrawn")
    result = book_time(services, mission_id, "brown-jetro", keep.start)  # jetro is then busy
    assert result.exhausted == (created.proposal.id,)
    assert result.refilled == (created.proposal.id,)
    with store.unit_of_work(write=False) as uow:
        proposal = uow.proposal(created.proposal.id)
        items = uow.attention.items(mission_id)
    new = proposal.open_options
    assert proposal.status == "open"
    assert len(new) >= 2
    assert keep.start not in {o.start for o in new}
    new_times = [row for row in outbox(store) if row[0] == "new-times"]
    assert {(kind, meeting) for kind, meeting, _, _ in new_times} == {("new-times", "santos-jetro")}
    assert [i.kind for i in items] == []  # nothing for the coordinator to do: it recovered by itself


def test_a_proposal_that_no_time_can_refill_is_flagged_with_an_item_and_an_email(
    services: Services, store: Store, mission_id: int
) -> None:
    created = propose(services, mission_id, "santos-jetro")
    with store.unit_of_work() as uow:
        keep, *rest = created.proposal.options
        uow.set_option_status([o.id for o in rest], "withdrawn")
    # Nothing can be offered any more: every remaining start is inside the minimum notice.
    late = replace(services, settings=replace(services.settings, min_notice=timedelta(days=90)))
    result = book_time(late, mission_id, "brown-jetro", keep.start)
    assert result.refilled == ()
    with store.unit_of_work(write=False) as uow:
        proposal = uow.proposal(created.proposal.id)
        items = uow.attention.items(mission_id)
    assert (proposal.status, proposal.needs_attention) == ("exhausted", True)
    assert [(i.kind, i.meeting_id, i.proposal_id) for i in items] == [
        ("exhausted", "santos-jetro", created.proposal.id)
    ]
    assert items[0].detail["reasons"]
    assert items[0].notified_at is not None
    assert ("attention", "santos-jetro") in {(row[0], row[1]) for row in outbox(store)}


def test_a_stale_option_is_refused_and_leaves_nothing_behind(
    services: Services, store: Store, mission_id: int
) -> None:
    created = propose(services, mission_id, "brown-jetro")
    option = created.proposal.options[0]
    # Another path (the coordinator) books santos-jetro at that time: jetro is taken.
    book_time(services, mission_id, "santos-jetro", option.start)
    before_out, before_claims = outbox(store), claims(store, mission_id)
    with pytest.raises(Conflict):
        book(services, created.token, option.id)
    assert outbox(store) == before_out
    assert claims(store, mission_id) == before_claims


@pytest.mark.parametrize(
    ("setup", "meeting", "start", "why"),
    [
        pytest.param([], "brown-jetro", at(16, 3), "cannot meet", id="outside-hours"),
        pytest.param(
            [("brown-jcci", at(16, 0))], "brown-jetro", at(16, 1, 0), "brown", id="inside-the-buffer"
        ),
        pytest.param(
            [("brown-jetro", at(16, 0)), ("brown-jcci", at(16, 1, 15))],
            "brown-consulate",
            at(16, 2, 30),
            "max_per_day",
            id="max-per-day",
        ),
        pytest.param(
            [("santos-jcci", at(16, 0))], "mccallion-consulate", at(16, 0, 30), "interpreter", id="resource"
        ),
        pytest.param([("brown-jcci", at(18, 0))], "brown-jcci-2", at(17, 0), "after", id="after"),
    ],
)
def test_a_booking_keeps_every_rule_as_of_commit(
    services: Services, mission_id: int, setup, meeting, start, why
) -> None:
    for mid, s in setup:
        book_time(services, mission_id, mid, s)
    with pytest.raises(Conflict, match=why):
        book_time(services, mission_id, meeting, start)


def test_a_time_in_the_past_cannot_be_booked(services: Services, mission_id: int, clock: FixedClock) -> None:
    clock.at = at(17, 0)
    with pytest.raises(Conflict, match="passed"):
        book_time(services, mission_id, "brown-jetro", at(16, 0))


def test_a_wrong_expired_or_used_link_books_nothing(
    services: Services, mission_id: int, clock: FixedClock
) -> None:
    created = propose(services, mission_id, "brown-jetro")
    option = created.proposal.options[0]
    with pytest.raises(NotFound):
        book(services, created.token + "x", option.id)
    later = FixedClock(created.proposal.expires_at)
    expired = Services(uow=services.uow, clock=later, messages=services.messages)
    with pytest.raises(Expired, match="expired"):
        book(expired, created.token, option.id)
    book(services, created.token, option.id)
    with pytest.raises(Expired, match="used"):
        book(services, created.token, created.proposal.options[1].id)
    assert proposal_page(services, created.token).usable is False


def test_reschedule_moves_the_claims_and_queues_an_update_with_the_next_sequence(
    services: Services, store: Store, mission_id: int
) -> None:
    book_time(services, mission_id, "brown-jcci", at(16, 0))
    moved = reschedule(services, mission_id, "brown-jcci", at(17, 0))
    assert (moved.booking.start, moved.booking.sequence) == (at(17, 0), 1)
    assert moved.dependents == ("brown-jcci-2",)
    updates = [(m, to, seq) for kind, m, to, seq in outbox(store) if kind == "update"]
    assert updates == [
        ("brown-jcci", "brown@brampton.example.org", "1"),
        ("brown-jcci", "jcci@example.jp", "1"),
    ]
    book_time(services, mission_id, "brown-jetro", at(16, 0))  # the old time is free again
    with pytest.raises(Conflict):
        book_time(services, mission_id, "santos-jcci", at(17, 0, 30))  # the new one is not


def test_a_failed_reschedule_keeps_the_old_booking(services: Services, store: Store, mission_id: int) -> None:
    book_time(services, mission_id, "brown-jcci", at(16, 0))
    book_time(services, mission_id, "brown-jetro", at(17, 0))
    with pytest.raises(Conflict):
        reschedule(services, mission_id, "brown-jcci", at(17, 0, 30))
    with store.unit_of_work(write=False) as uow:
        booking = uow.meeting_statuses(mission_id)["brown-jcci"].booking
    assert booking is not None
    assert booking.start == at(16, 0)


def test_cancel_releases_the_time_and_queues_a_cancellation(
    services: Services, store: Store, mission_id: int
) -> None:
    book_time(services, mission_id, "brown-jcci", at(16, 0))
    result = cancel(services, mission_id, "brown-jcci")
    assert result.dependents == ("brown-jcci-2",)
    cancels = [(to, seq) for kind, _, to, seq in outbox(store) if kind == "cancel"]
    assert cancels == [("brown@brampton.example.org", "1"), ("jcci@example.jp", "1")]
    assert claims(store, mission_id) == 0
    with store.unit_of_work(write=False) as uow:
        assert uow.meeting_statuses(mission_id)["brown-jcci"].state == "cancelled"
    again = book_time(services, mission_id, "brown-jcci", at(16, 0))
    assert again.booking.sequence == 2  # re-invited after a cancel: same UID, higher SEQUENCE
    with pytest.raises(Conflict):
        cancel(services, mission_id, "brown-jetro")  # neither booked nor proposed


def test_claims_follow_a_change_of_cell_length(services: Services, store: Store, mission_id: int) -> None:
    book_time(services, mission_id, "brown-jcci", at(16, 0))
    with store.unit_of_work() as uow:  # a coordinator edits a duration to 50 minutes: cells of 5
        from scheduler.store.tables import MeetingRow

        row = uow.session.get(MeetingRow, (mission_id, "brown-consulate"))
        assert row is not None
        row.duration_seconds = 50 * 60
    book_time(services, mission_id, "santos-jcci", at(17, 0))
    with store.unit_of_work(write=False) as uow:
        assert uow.claim_cell(mission_id) == timedelta(minutes=5)
    with pytest.raises(Conflict):
        book_time(services, mission_id, "brown-jetro", at(16, 1, 10))  # 10 minutes after: inside buffer
