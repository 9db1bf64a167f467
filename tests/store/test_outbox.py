"""The outbox table: stored with the change that causes it, sent once, retried, parked, never lost."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage

import pytest

from scheduler.errors import DeliveryError
from scheduler.ports import Envelope
from scheduler.store import Store
from scheduler.store.outbox import LEASE
from tests.store.sample import NOW


def envelope(n: int) -> Envelope:
    msg = EmailMessage()
    msg["From"] = "edo@brampton.example.org"
    msg["To"] = f"person{n}@example.jp"
    msg["Subject"] = f"招待 {n}"
    msg["Message-ID"] = f"<m{n}@test.example>"
    msg.set_content("hello")
    return Envelope(
        message_id=f"<m{n}@test.example>",
        sender="edo@brampton.example.org",
        recipients=(f"person{n}@example.jp",),
        data=msg.as_bytes(),
    )


class Recorder:
    """A transport that keeps what it is handed, failing on the addresses it is told to."""

    def __init__(self, fail: dict[str, DeliveryError] | None = None) -> None:
        self.sent: list[Envelope] = []
        self.fail = fail or {}

    def send(self, env: Envelope) -> None:
        for address in env.recipients:
            if address in self.fail:
                raise self.fail[address]
        self.sent.append(env)


def test_a_message_enqueued_in_a_rolled_back_transaction_is_not_stored(store: Store) -> None:
    def change_that_fails() -> None:
        with store.unit_of_work() as uow:
            assert uow.outbox.enqueue(envelope(1), now=NOW)
            raise RuntimeError("the change failed after the message was queued")

    with pytest.raises(RuntimeError):
        change_that_fails()
    assert store.outbox().entries() == []


def test_a_message_is_sent_once_and_marked_sent(store: Store) -> None:
    outbox = store.outbox()
    assert outbox.enqueue(envelope(1), now=NOW)
    assert not outbox.enqueue(envelope(1), now=NOW)  # same Message-ID: never twice
    transport = Recorder()
    report = outbox.deliver(transport, now=NOW)
    again = outbox.deliver(transport, now=NOW + timedelta(hours=1))
    assert report.sent == ("<m1@test.example>",)
    assert again.sent == ()
    assert [e.message_id for e in transport.sent] == ["<m1@test.example>"]
    assert transport.sent[0].data == envelope(1).data
    (entry,) = outbox.entries()
    assert (entry.status, entry.subject, entry.sent_at) == ("sent", "招待 1", NOW)


def test_a_temporary_error_is_retried_with_backoff_and_a_permanent_one_parks(store: Store) -> None:
    outbox = store.outbox()
    outbox.enqueue(envelope(1), now=NOW)
    outbox.enqueue(envelope(2), now=NOW)
    transport = Recorder(
        fail={
            "person1@example.jp": DeliveryError("421 try later", temporary=True),
            "person2@example.jp": DeliveryError("550 no such user", temporary=False),
        }
    )
    report = outbox.deliver(transport, now=NOW)
    assert (report.retrying, report.failed) == (("<m1@test.example>",), ("<m2@test.example>",))
    entries = {e.message_id: e for e in outbox.entries()}
    assert entries["<m1@test.example>"].next_attempt == NOW + timedelta(minutes=1)
    assert entries["<m2@test.example>"].status == "failed"
    assert "550" in entries["<m2@test.example>"].last_error
    assert outbox.deliver(transport, now=NOW + timedelta(seconds=30)).waiting == ("<m1@test.example>",)
    transport.fail.clear()
    assert outbox.deliver(transport, now=NOW + timedelta(minutes=1)).sent == ("<m1@test.example>",)


def test_a_delivery_killed_between_send_and_mark_sends_again_with_the_same_message_id(store: Store) -> None:
    outbox = store.outbox()
    outbox.enqueue(envelope(1), now=NOW)
    leased = outbox._lease(NOW)  # the step before the send; the process "dies" after sending
    assert leased is not None
    transport = Recorder()
    transport.send(leased[1])
    assert outbox.deliver(transport, now=NOW + timedelta(minutes=1)).sent == ()  # still leased
    later = outbox.deliver(transport, now=NOW + LEASE)
    assert later.sent == ("<m1@test.example>",)
    assert [e.message_id for e in transport.sent] == ["<m1@test.example>"] * 2


def test_a_message_id_stored_by_a_concurrent_transaction_is_not_stored_twice(store: Store) -> None:
    import threading

    written = threading.Event()
    second: list[object] = []

    def other() -> None:
        written.wait(10)
        with store.unit_of_work() as uow:
            second.append(uow.outbox.enqueue(envelope(1), now=NOW))
            second.append(uow.outbox.enqueue(envelope(2), now=NOW))  # its own work still commits

    thread = threading.Thread(target=other)
    thread.start()
    with store.unit_of_work() as uow:
        assert uow.outbox.enqueue(envelope(1), now=NOW)
        written.set()
        thread.join(0.2)
    thread.join(10)
    assert second == [False, True]
    assert sorted(e.message_id for e in store.outbox().entries()) == [
        "<m1@test.example>",
        "<m2@test.example>",
    ]
