"""Events recorded with the change, one webhook-id per event per endpoint, delivered to a real
receiver with retries, a log and replay (SQLite and PostgreSQL; the clock is the only fake)."""

from __future__ import annotations

import itertools
import json
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from scheduler.core.webhooks import EVENT_TYPES, MAX_ATTEMPTS, backoff
from scheduler.errors import Conflict
from scheduler.ports import FixedClock
from scheduler.services import Services, book, book_time, cancel, import_mission, plan, propose, reschedule
from scheduler.services.proposals import decline
from scheduler.services.webhook_events import attendee_replied
from scheduler.services.webhooks import add_endpoint, deliveries, replay, update_endpoint
from scheduler.store import Store
from scheduler.store.tables import WebhookDeliveryRow, WebhookEventRow
from scheduler.store.webhooks import INTERRUPTED
from scheduler.web.webhook_schemas import EVENT_MODELS
from scheduler.webhooks import HttpWebhookSender
from tests.store.sample import at, sample_mission
from tests.webhooks.receiver import Receiver, hmac_signature, receiving

SENDER = HttpWebhookSender(allow_private=True, timeout=5)


@pytest.fixture
def mission_id(services: Services) -> int:
    return import_mission(services, sample_mission())


@pytest.fixture
def receiver() -> Any:
    with receiving() as r:
        yield r


def events(store: Store) -> list[tuple[str, dict[str, Any]]]:
    with store.unit_of_work(write=False) as uow:
        rows = uow.session.scalars(select(WebhookEventRow).order_by(WebhookEventRow.id)).all()
        return [(r.type, json.loads(r.body)) for r in rows]


def delivered_ids(store: Store) -> list[tuple[int, str, int]]:
    with store.unit_of_work(write=False) as uow:
        rows = uow.session.scalars(select(WebhookDeliveryRow).order_by(WebhookDeliveryRow.id)).all()
        return [(r.event_id, r.webhook_id, r.endpoint_id) for r in rows]


def test_every_use_case_records_its_event_with_its_change_once_per_subscribed_endpoint(
    services: Services, store: Store, mission_id: int
) -> None:
    everything = add_endpoint(services, mission_id, url="https://hooks.example.org/all").endpoint
    cancels = add_endpoint(
        services, mission_id, url="https://hooks.example.org/c", events=["booking.cancelled"]
    ).endpoint
    paused = add_endpoint(services, mission_id, url="https://hooks.example.org/p").endpoint
    update_endpoint(services, mission_id, paused.id, active=False)

    plan(services, mission_id, time_limit=5)
    created = propose(services, mission_id, "brown-jetro")
    book(services, created.token, created.proposal.options[0].id)
    moved_to = created.proposal.options[1].start
    reschedule(services, mission_id, "brown-jetro", moved_to)
    cancel(services, mission_id, "brown-jetro")
    asked = propose(services, mission_id, "brown-jcci")
    decline(services, asked.token, note="来週はいかがですか", available=[(at(9, 0), at(9, 2))])
    emptied = propose(services, mission_id, "santos-jetro")
    with store.unit_of_work() as uow:  # one option left, which the next booking takes away
        keep, *rest = emptied.proposal.options
        uow.set_option_status([o.id for o in rest], "withdrawn")
    book_time(services, mission_id, "mccallion-jetro", keep.start)
    with store.unit_of_work() as uow:
        attendee_replied(
            uow, mission_id, "mccallion-jetro", attendee="jetro@example.jp",
            participation_status="ACCEPTED", comment="参加します", sequence=0, now=services.clock.now(),
        )  # fmt: skip

    recorded = events(store)
    types = [t for t, _ in recorded]
    assert set(types) == set(EVENT_TYPES)
    assert types[:6] == [
        "mission.planned",
        "proposal.created",
        "booking.created",
        "booking.rescheduled",
        "booking.cancelled",
        "proposal.created",
    ]
    assert types[-1] == "attendee.replied"
    for event_type, body in recorded:  # every body is exactly its published schema
        assert EVENT_MODELS[event_type].model_validate(body).model_dump(mode="json") == body
        assert body["data"]["mission_id"] == mission_id
    by_type = {t: b["data"] for t, b in recorded}
    assert by_type["booking.rescheduled"]["start"] == moved_to.isoformat().replace("+00:00", "Z")
    assert by_type["booking.created"]["booked_by"] in ("counterpart", "coordinator")
    assert by_type["counterpart.declined"]["note"] == "来週はいかがですか"
    assert by_type["proposal.exhausted"]["proposal_id"] == emptied.proposal.id
    assert "token" not in json.dumps([b for _, b in recorded])  # a booking link never travels
    rows = delivered_ids(store)
    per_endpoint = {e: [ev for ev, _, ep in rows if ep == e] for e in (everything.id, cancels.id, paused.id)}
    assert len(per_endpoint[everything.id]) == len(recorded)  # one delivery per event
    cancelled_event = next(i for i, (t, _) in enumerate(recorded) if t == "booking.cancelled")
    assert per_endpoint[cancels.id] == [per_endpoint[everything.id][cancelled_event]]
    assert per_endpoint[paused.id] == []  # a paused endpoint takes nothing
    assert len({w for _, w, _ in rows}) == len(rows)  # every webhook-id is its own


def test_a_refused_change_records_no_event(services: Services, store: Store, mission_id: int) -> None:
    add_endpoint(services, mission_id, url="https://hooks.example.org/all")
    created = propose(services, mission_id, "brown-jetro")
    start = created.proposal.options[0].start
    book_time(services, mission_id, "brown-jcci", start)
    before = events(store)
    with pytest.raises(Conflict):
        book_time(services, mission_id, "brown-consulate", start)  # brown is taken then
    assert events(store) == before

    def failing_reply() -> None:
        with store.unit_of_work() as uow:
            attendee_replied(
                uow, mission_id, "brown-jcci", attendee="jcci@example.jp",
                participation_status="DECLINED", sequence=0, now=services.clock.now(),
            )  # fmt: skip
            raise RuntimeError("the reply's own change failed")

    with pytest.raises(RuntimeError):
        failing_reply()
    assert events(store) == before  # rolled back with it


def _signed_by(secret: str, got: Any) -> bool:
    expected = hmac_signature(secret, got.webhook_id, got.headers["webhook-timestamp"], got.body)
    return got.headers["webhook-signature"] == expected


def test_a_failing_receiver_is_retried_with_exponential_backoff_then_given_up_then_replayed(
    services: Services, store: Store, clock: FixedClock, mission_id: int, receiver: Receiver
) -> None:
    made = add_endpoint(services, mission_id, url=receiver.url, events=["proposal.created"])
    propose(services, mission_id, "brown-jetro")
    receiver.answers.extend([(500, b"database is down")] * MAX_ATTEMPTS)
    outbox = store.webhooks()
    start, tries = clock.at, [clock.at]
    report = outbox.deliver(SENDER, clock)
    while not report.failed:
        (delivery,) = deliveries(services, mission_id, made.endpoint.id)
        assert delivery.next_attempt_at is not None
        clock.at = delivery.next_attempt_at - timedelta(seconds=1)
        assert outbox.deliver(SENDER, clock).retrying == ()  # not due yet: nothing sent
        clock.at = delivery.next_attempt_at
        tries.append(clock.at)
        report = outbox.deliver(SENDER, clock)
    waits = [b - a for a, b in itertools.pairwise(tries)]
    assert waits == [backoff(n) for n in range(1, MAX_ATTEMPTS)]
    assert tries[-1] - start == sum(waits, timedelta())
    (delivery,) = deliveries(services, mission_id, made.endpoint.id)
    assert delivery.status == "failed"
    assert delivery.last_error == f"gave up after {MAX_ATTEMPTS} attempts: HTTP 500"
    assert [(a.status_code, a.response_excerpt) for a in delivery.log] == [
        (500, "database is down")
    ] * MAX_ATTEMPTS
    assert [a.started_at for a in delivery.log] == tries
    # Every try: the same webhook-id and body, signed anew with that try's timestamp.
    assert set(receiver.ids()) == {delivery.webhook_id}
    assert len({r.body for r in receiver.received}) == 1
    assert [int(r.headers["webhook-timestamp"]) for r in receiver.received] == [
        int(t.timestamp()) for t in tries
    ]
    assert all(_signed_by(made.secret, r) for r in receiver.received)

    replay(services, mission_id, made.endpoint.id, delivery.webhook_id)  # the receiver is fixed now
    assert outbox.deliver(SENDER, clock).sent == (delivery.webhook_id,)
    (after,) = deliveries(services, mission_id, made.endpoint.id)
    assert (after.status, after.log[-1].replay, after.log[-1].status_code) == ("sent", True, 200)
    assert receiver.ids() == [delivery.webhook_id] * (MAX_ATTEMPTS + 1)
    assert receiver.received[-1].body == receiver.received[0].body


def test_a_worker_that_dies_mid_request_leaves_the_delivery_to_the_next_after_its_lease(
    services: Services, store: Store, clock: FixedClock, mission_id: int, receiver: Receiver
) -> None:
    made = add_endpoint(services, mission_id, url=receiver.url)
    plan(services, mission_id, time_limit=5)
    lease = timedelta(seconds=30)
    dying = store.webhooks(lease=lease)
    leased = dying._lease(clock.now())  # taken, then its worker dies before posting or settling
    assert leased is not None
    webhook_id = leased[2].webhook_id
    clock.at += lease - timedelta(seconds=1)
    assert store.webhooks(lease=lease).deliver(SENDER, clock).sent == ()  # still leased
    clock.at += timedelta(seconds=1)
    assert store.webhooks(lease=lease).deliver(SENDER, clock).sent == (webhook_id,)
    (delivery,) = deliveries(services, mission_id, made.endpoint.id)
    assert [(a.number, a.error, a.status_code) for a in delivery.log] == [
        (1, INTERRUPTED, None),
        (2, "", 200),
    ]
    assert receiver.ids() == [webhook_id]
    assert json.loads(receiver.received[0].body)["type"] == "mission.planned"


def test_a_paused_endpoint_keeps_its_deliveries_until_resumed(
    services: Services, store: Store, clock: FixedClock, mission_id: int, receiver: Receiver
) -> None:
    made = add_endpoint(services, mission_id, url=receiver.url)
    plan(services, mission_id, time_limit=5)
    update_endpoint(services, mission_id, made.endpoint.id, active=False)
    assert store.webhooks().deliver(SENDER, clock).sent == ()
    update_endpoint(services, mission_id, made.endpoint.id, active=True)
    assert len(store.webhooks().deliver(SENDER, clock).sent) == 1
    assert _signed_by(made.secret, receiver.received[0])


def test_a_refused_address_at_delivery_fails_at_once_without_a_request(
    services: Services, store: Store, clock: FixedClock, mission_id: int, receiver: Receiver
) -> None:
    made = add_endpoint(services, mission_id, url=receiver.url)  # the edge checked it; then the rules changed
    plan(services, mission_id, time_limit=5)
    strict = replace(SENDER, allow_private=False)
    assert len(store.webhooks().deliver(strict, clock).failed) == 1
    (delivery,) = deliveries(services, mission_id, made.endpoint.id)
    assert delivery.status == "failed"
    assert "private address" in delivery.last_error
    assert receiver.received == []


def test_two_endpoints_get_the_same_event_under_different_webhook_ids(
    services: Services, store: Store, clock: FixedClock, mission_id: int, receiver: Receiver
) -> None:
    with receiving("/other") as other:
        first = add_endpoint(services, mission_id, url=receiver.url)
        second = add_endpoint(services, mission_id, url=other.url)
        plan(services, mission_id, time_limit=5)
        store.webhooks().deliver(SENDER, clock)
        store.webhooks().deliver(SENDER, clock)  # a second pass finds nothing left
        (a,), (b,) = receiver.received, other.received
    assert a.body == b.body
    assert a.webhook_id != b.webhook_id
    assert _signed_by(first.secret, a)
    assert _signed_by(second.secret, b)
    assert not _signed_by(first.secret, b)


def test_jobs_run_once_posts_the_webhooks_due(
    services: Services, store: Store, db_url: str, mission_id: int, receiver: Receiver,
    tmp_path: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    from scheduler.cli import main

    add_endpoint(services, mission_id, url=receiver.url)
    plan(services, mission_id, time_limit=5)
    monkeypatch.delenv("SCHEDULER_SMTP_HOST", raising=False)
    monkeypatch.setenv("SCHEDULER_WEBHOOKS_ALLOW_PRIVATE", "1")
    argv = ["jobs", "--db", db_url, "--run-once", "--now", services.clock.now().isoformat()]
    assert main([*argv, "--maildir", str(tmp_path / "mail"), "--json"]) == 0
    run = json.loads(capsys.readouterr().out)["run"]
    assert (run["webhooks_sent"], run["webhooks_retrying"], run["webhooks_failed"]) == (1, 0, 0)
    assert receiver.types() == ["mission.planned"]


def test_a_proposal_that_runs_out_as_time_passes_tells_once_with_what_blocks_it(
    services: Services, store: Store, mission_id: int
) -> None:
    from scheduler.services.negotiation import recover

    add_endpoint(services, mission_id, url="https://hooks.example.org/all", events=["proposal.exhausted"])
    created = propose(services, mission_id, "santos-jetro")
    # Every option now falls inside a (much longer) minimum notice, and no new time fits.
    late = replace(services, settings=replace(services.settings, min_notice=timedelta(days=90)))
    recover(late, mission_id, [created.proposal.id])
    recover(late, mission_id, [created.proposal.id])  # looked at again: nothing new to tell
    (event,) = events(store)
    assert event[0] == "proposal.exhausted"
    assert event[1]["data"]["proposal_id"] == created.proposal.id
    assert event[1]["data"]["reasons"] != []
