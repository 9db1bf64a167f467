"""The coordinator's attention queue: every case that needs a person becomes an item, with an email,
and the action on it does the work and closes it (issue 11)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from scheduler.core.attention import Negotiation
from scheduler.errors import ConfigError, Conflict
from scheduler.mail.transports import SmtpTransport
from scheduler.ports import FixedClock
from scheduler.services import Services, book, book_time, decline, import_mission, propose, reschedule
from scheduler.services.attention import attention_items, resolve, set_negotiation
from scheduler.services.negotiation import notify_unsent, recover_missed
from scheduler.services.proposals import propose_all
from scheduler.services.requests import request_change
from scheduler.store import Store
from scheduler.store.tables import OutboxRow
from tests.conftest import SmtpServer
from tests.store.sample import at, sample_mission


@pytest.fixture
def mission_id(services: Services) -> int:
    return import_mission(services, sample_mission())


def kinds_sent(store: Store) -> list[tuple[str, str]]:
    with store.unit_of_work(write=False) as uow:
        return [(r.kind, r.meeting_id) for r in uow.session.scalars(select(OutboxRow).order_by(OutboxRow.id))]


def take_all_but_one(store: Store, proposal_id: int) -> None:
    with store.unit_of_work() as uow:
        _keep, *rest = uow.proposal(proposal_id).open_options
        uow.set_option_status([o.id for o in rest], "withdrawn")


def test_with_approval_the_new_times_wait_for_the_coordinator_then_go_with_one_click(
    services: Services, store: Store, mission_id: int
) -> None:
    set_negotiation(services, mission_id, min_options=2, auto_recovery=False)
    created = propose(services, mission_id, "santos-jetro")
    take_all_but_one(store, created.proposal.id)
    keep = created.proposal.options[0]
    book_time(services, mission_id, "brown-jetro", keep.start)  # jetro is then busy: no option left
    (item,) = attention_items(services, mission_id)
    assert (item.kind, item.meeting_id, item.actions) == (
        "approve-options",
        "santos-jetro",
        ("send", "dismiss"),
    )
    with store.unit_of_work(write=False) as uow:
        waiting = [o for o in uow.proposal(created.proposal.id).options if o.status == "suggested"]
    assert len(waiting) >= 2
    assert ("new-times", "santos-jetro") not in kinds_sent(store)  # nothing goes before the click
    assert ("attention", "santos-jetro") in kinds_sent(store)

    done = resolve(services, mission_id, item.id, "send")
    assert done.resolution.startswith(f"sent {len(waiting)} new times")
    with store.unit_of_work(write=False) as uow:
        proposal = uow.proposal(created.proposal.id)
    assert {o.id for o in proposal.open_options} == {o.id for o in waiting}
    assert proposal.status == "open"
    assert ("new-times", "santos-jetro") in kinds_sent(store)
    assert attention_items(services, mission_id) == []


def test_the_minimum_is_a_mission_setting_checked_where_it_enters(
    services: Services, mission_id: int
) -> None:
    with pytest.raises(ConfigError) as caught:
        set_negotiation(services, mission_id, min_options=0, auto_recovery=True)
    assert caught.value.problems[0].path == "min_options"
    assert set_negotiation(services, mission_id, min_options=3, auto_recovery=True) == Negotiation(
        min_options=3
    )


def test_a_declined_proposal_is_proposed_again_from_the_counterparts_windows(
    services: Services, store: Store, mission_id: int
) -> None:
    created = propose(services, mission_id, "brown-jetro")
    nobody = [(at(23, 5), at(23, 7))]  # Toronto midnight: their windows give nothing at once
    decline(services, created.token, note="Only Tuesday afternoon Tokyo", available=nobody)
    (item,) = attention_items(services, mission_id)
    assert item.actions == ("propose", "dismiss")
    with pytest.raises(Conflict):  # nothing fits those windows: said, and the item stays
        resolve(services, mission_id, item.id, "propose")
    assert [i.id for i in attention_items(services, mission_id)] == [item.id]
    with pytest.raises(ConfigError):
        resolve(services, mission_id, item.id, "send")  # not an action this item offers
    done = resolve(services, mission_id, item.id, "dismiss", note="Called them")
    assert done.resolution == "dismissed: Called them"
    with pytest.raises(Conflict):
        resolve(services, mission_id, item.id, "dismiss")


def test_a_change_request_is_closed_by_the_reschedule_it_asked_for(
    services: Services, store: Store, mission_id: int
) -> None:
    created = propose(services, mission_id, "brown-jetro")
    book(services, created.token, created.proposal.options[0].id)
    request_change(services, created.token, "reschedule", "A board meeting moved")
    (item,) = attention_items(services, mission_id)
    assert (item.kind, item.note) == ("change-requested", "A board meeting moved")
    later = next(o.start for o in created.proposal.options[1:])
    reschedule(services, mission_id, "brown-jetro", later)
    assert attention_items(services, mission_id) == []
    (closed,) = attention_items(services, mission_id, open_only=False)
    assert closed.resolution == "booked"


def test_moving_a_meeting_refills_the_meetings_that_must_come_after_it(
    services: Services, store: Store, mission_id: int
) -> None:
    first = propose(services, mission_id, "brown-jcci")
    book(services, first.token, first.proposal.options[0].id)
    after = propose(services, mission_id, "brown-jcci-2")
    earliest_after = min(o.start for o in after.proposal.options)
    # Move the first meeting past the follow-up's earliest option: that option must go, and the
    # follow-up is topped up on the same link if it fell below the minimum.
    moved = next(
        s
        for s in (earliest_after + timedelta(hours=h) for h in range(1, 96))
        if s.hour == 0 and s > earliest_after
    )
    try:
        result = reschedule(services, mission_id, "brown-jcci", moved)
    except Conflict:
        pytest.skip("no later time for brown-jcci in the sample")
    with store.unit_of_work(write=False) as uow:
        proposal = uow.proposal(after.proposal.id)
    assert all(o.start >= moved for o in proposal.open_options)
    assert after.proposal.id in result.touched
    assert len(proposal.open_options) >= 2 or attention_items(services, mission_id)


def test_offered_times_that_must_compete_are_named_for_the_coordinator_only(
    services: Services, store: Store, clock: FixedClock
) -> None:
    # Two meetings of one delegate whose only possible evening is the same: they cannot both
    # keep two options without competing.
    from tests.builders import counterpart, delegate, meeting, mission

    tight = mission(
        delegates=[delegate("brown", hours={"mon-fri": "19:00-21:00"})],
        counterparts=[counterpart("jetro", hours={"mon-fri": "09:00-11:00"}), counterpart("jcci")],
        meetings=[meeting("a", ["brown"], ["jetro"]), meeting("b", ["brown"], ["jcci"])],
        start=clock.now().date() + timedelta(days=3),
        end=clock.now().date() + timedelta(days=3),
    )
    mid = import_mission(services, tight)
    batch = propose_all(services, mid)
    assert {c.proposal.meeting_id for c in batch.created} == {"a", "b"}
    (item,) = attention_items(services, mid)
    assert item.kind == "conflict"
    assert item.detail["pairs"]
    assert any("competes with" in r for c in batch.created for r in c.reasons)


def test_a_failed_delivery_is_an_item_with_an_email_and_can_be_sent_again(
    services: Services, store: Store, mission_id: int, smtp_server: SmtpServer, clock: FixedClock
) -> None:
    propose(services, mission_id, "brown-jetro")
    smtp_server.replies = ["550 5.1.1 no such user"] * 5
    transport = SmtpTransport(host=smtp_server.host, port=smtp_server.port, security="none", timeout=5)
    report = store.outbox().deliver(transport, now=clock.now())
    assert report.failed
    items = attention_items(services, mission_id)
    assert {i.kind for i in items} == {"delivery-failed"}
    assert all(i.notified_at is None for i in items)  # the outbox cannot write letters ...
    assert notify_unsent(services) == len(items)  # ... the sweep job does
    assert all(i.notified_at is not None for i in attention_items(services, mission_id))
    done = resolve(services, mission_id, items[0].id, "resend")
    assert done.resolution == "queued again"
    smtp_server.replies = []
    again = store.outbox().deliver(transport, now=clock.now())
    assert items[0].detail["message_id"] in again.sent


def test_the_sweep_recovers_what_a_crash_after_a_booking_missed(
    services: Services, store: Store, mission_id: int
) -> None:
    created = propose(services, mission_id, "santos-jetro")
    with store.unit_of_work() as uow:  # as a booking left it when the process died before refilling
        _keep, *rest = uow.proposal(created.proposal.id).open_options
        uow.set_option_status([o.id for o in rest], "withdrawn")
    assert recover_missed(services) == [created.proposal.id]
    with store.unit_of_work(write=False) as uow:
        assert len(uow.proposal(created.proposal.id).open_options) >= 2
    assert recover_missed(services) == []  # once


def test_options_the_clock_runs_into_the_minimum_notice_are_replaced_by_the_sweep(
    services: Services, store: Store, mission_id: int, clock: FixedClock
) -> None:
    set_negotiation(services, mission_id, min_options=5, auto_recovery=True)
    created = propose(services, mission_id, "santos-jetro")
    starts = sorted(o.start for o in created.proposal.options)
    assert len(starts) == 5
    # Time passes (the link still open): the first option now starts within the minimum notice.
    clock.at = starts[0] - services.settings.min_notice + timedelta(minutes=1)
    assert clock.at < created.proposal.expires_at
    earliest = clock.at + services.settings.min_notice
    assert recover_missed(services) == [created.proposal.id]
    with store.unit_of_work(write=False) as uow:
        proposal = uow.proposal(created.proposal.id)
    assert len([o for o in proposal.open_options if o.start >= earliest]) == 5
    assert ("new-times", "santos-jetro") in kinds_sent(store)
    assert recover_missed(services) == []  # once


def test_proposing_from_the_item_uses_the_counterparts_windows_and_a_cancel_request_cancels(
    services: Services, store: Store, mission_id: int
) -> None:
    created = propose(services, mission_id, "brown-jetro")
    decline(services, created.token, note="none of these")  # no windows: the item waits
    (item,) = attention_items(services, mission_id)
    done = resolve(services, mission_id, item.id, "propose")
    assert done.resolution.startswith("proposed ")
    with store.unit_of_work(write=False) as uow:
        fresh = uow.proposals(mission_id, status="open", meeting_id="brown-jetro")
    assert len(fresh) == 1
    assert fresh[0].id != created.proposal.id  # a new link, with its booking request
    assert ("booking-request", "brown-jetro") in kinds_sent(store)

    other = propose(services, mission_id, "santos-jetro")
    book(services, other.token, other.proposal.options[0].id)
    request_change(services, other.token, "cancel", "The company withdrew")
    (request,) = attention_items(services, mission_id)
    assert (request.kind, request.actions) == ("cancel-requested", ("cancel", "dismiss"))
    resolve(services, mission_id, request.id, "cancel")
    with store.unit_of_work(write=False) as uow:
        assert uow.meeting_statuses(mission_id)["santos-jetro"].state == "cancelled"
    assert attention_items(services, mission_id) == []
