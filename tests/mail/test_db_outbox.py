"""The database outbox with a real SMTP server, on SQLite and PostgreSQL: the same guarantees as the
file outbox (stored with the change, sent once, retried with backoff, parked, never lost on a kill).

The booking use case queues its invitations in the booking's own transaction; the delivery step
(`scheduler outbox --db`, the web service's loop, the jobs runner) sends them from the table.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import icalendar
import pytest
from sqlalchemy import select

from scheduler.core.models import Mission
from scheduler.mail.transports import SmtpTransport
from scheduler.messages.mail import MailMessages
from scheduler.ports import Envelope, FixedClock
from scheduler.services import Services, book, import_mission, propose
from scheduler.store import Store
from scheduler.store.outbox import LEASE, MAX_ATTEMPTS, backoff
from scheduler.store.tables import OutboxRow
from tests.conftest import SmtpServer, free_port
from tests.mail.missions import BOOKED
from tests.mail.test_outbox import invitations, killed_as_it_arrives
from tests.store.sample import NOW, sample_mission

ROOT = Path(__file__).resolve().parents[2]


def smtp(server: SmtpServer) -> SmtpTransport:
    return SmtpTransport(host=server.host, port=server.port, security="none", timeout=5)


def test_messages_are_sent_over_smtp_once_and_listed_as_sent(
    store: Store, trade_mission: Mission, smtp_server: SmtpServer
) -> None:
    box = store.outbox()
    envs = invitations(trade_mission)
    assert [box.enqueue(e, now=BOOKED) for e in envs] == [True] * len(envs)
    assert [box.enqueue(e, now=BOOKED) for e in envs] == [False] * len(envs)  # one Message-ID, once
    report = box.deliver(smtp(smtp_server), now=BOOKED)
    assert sorted(report.sent) == sorted(e.message_id for e in envs)
    assert box.deliver(smtp(smtp_server), now=BOOKED + timedelta(days=1)).sent == ()
    got = {r.message["Message-ID"]: r for r in smtp_server.received}
    assert sorted(got) == sorted(e.message_id for e in envs)
    for env in envs:
        assert got[env.message_id].data.replace(b"\r\n", b"\n") == env.data.replace(b"\r\n", b"\n")
    entries = {e.message_id: e for e in box.entries()}
    for r in smtp_server.received:
        # The listing shows the subject as a person reads it (RFC 2047 decoded, unfolded).
        assert (entries[r.message["Message-ID"]].status, entries[r.message["Message-ID"]].subject) == (
            "sent",
            r.message["Subject"],
        )


def test_a_451_is_retried_after_the_backoff_and_a_550_is_parked_with_the_error(
    store: Store, trade_mission: Mission, smtp_server: SmtpServer
) -> None:
    box = store.outbox()
    env = invitations(trade_mission)[0]
    box.enqueue(env, now=BOOKED)
    smtp_server.replies = ["451 4.3.0 try again later"]
    assert box.deliver(smtp(smtp_server), now=BOOKED).retrying == (env.message_id,)
    (entry,) = box.entries()
    assert (entry.status, entry.attempts, entry.next_attempt) == ("queued", 1, BOOKED + backoff(1))
    assert "451" in entry.last_error
    assert box.deliver(smtp(smtp_server), now=BOOKED + backoff(1) - timedelta(seconds=1)).waiting == (
        env.message_id,
    )
    assert smtp_server.attempts == 1
    smtp_server.replies = ["550 5.1.1 no such user"]
    assert box.deliver(smtp(smtp_server), now=BOOKED + backoff(1)).failed == (env.message_id,)
    (entry,) = box.entries()
    assert (entry.status, entry.attempts) == ("failed", 2)
    assert "550" in entry.last_error
    assert box.deliver(smtp(smtp_server), now=BOOKED + timedelta(days=1)).sent == ()  # parked stays parked
    assert smtp_server.received == []
    assert box.retry_failed(env.message_id, now=BOOKED + timedelta(days=1))
    assert box.deliver(smtp(smtp_server), now=BOOKED + timedelta(days=1)).sent == (env.message_id,)
    assert [r.message["Message-ID"] for r in smtp_server.received] == [env.message_id]


def test_a_refused_connection_is_retried_until_the_last_attempt_then_parked(
    store: Store, trade_mission: Mission, smtp_server: SmtpServer
) -> None:
    box = store.outbox()
    env = invitations(trade_mission)[0]
    box.enqueue(env, now=BOOKED)
    # smtp_server is asked for only to allow SMTP in this test; nobody listens on this port.
    nobody = SmtpTransport(host="127.0.0.1", port=free_port(), security="none", timeout=5)
    now = BOOKED
    for attempt in range(1, MAX_ATTEMPTS):
        assert box.deliver(nobody, now=now).retrying == (env.message_id,)
        now += backoff(attempt)
    report = box.deliver(nobody, now=now)
    assert report.failed == (env.message_id,)
    (entry,) = box.entries()
    assert entry.status == "failed"
    assert entry.last_error.startswith(f"gave up after {MAX_ATTEMPTS} attempts: cannot reach")


def cli(db_url: str, server: SmtpServer, now: datetime) -> list[str]:
    return [
        sys.executable,
        "-m",
        "scheduler",
        "outbox",
        "--db",
        db_url,
        "--deliver",
        "--now",
        now.isoformat(),
    ]


def test_a_delivery_process_killed_between_send_and_mark_sends_again_with_the_same_message_id(
    db_url: str, store: Store, trade_mission: Mission, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    box = store.outbox()
    env = invitations(trade_mission)[0]
    box.enqueue(env, now=BOOKED)
    env_vars = {**os.environ, **smtp_server.env, "PYTHONPATH": str(ROOT)}
    arrived = killed_as_it_arrives(smtp_server, cli(db_url, smtp_server, BOOKED), env_vars, tmp_path)
    (entry,) = box.entries()
    assert (entry.status, entry.attempts) == ("queued", 1)  # not marked sent: not lost

    # While the lease runs no other pass takes it (the killed one might have been slow, not dead).
    assert box.deliver(smtp(smtp_server), now=BOOKED + LEASE - timedelta(seconds=1)).sent == ()
    assert len(smtp_server.received) == 1
    assert box.deliver(smtp(smtp_server), now=BOOKED + LEASE).sent == (env.message_id,)
    assert [a.message["Message-ID"] for a in arrived] == [env.message_id]
    assert [r.message["Message-ID"] for r in smtp_server.received] == [env.message_id, env.message_id]
    assert smtp_server.received[0].data == smtp_server.received[1].data
    assert [(e.status, e.message_id) for e in box.entries()] == [("sent", env.message_id)]


class LosesTheLastRecipient(MailMessages):
    """The real invitations, but the last one has no recipient: the outbox refuses it mid-transaction."""

    def invitations(self, mission: Mission, meeting_id: str, **kw: object) -> Sequence[Envelope]:  # type: ignore[override]
        envs = list(super().invitations(mission, meeting_id, **kw))  # type: ignore[arg-type]
        return [*envs[:-1], replace(envs[-1], recipients=())]


def _queued(store: Store, kind: str) -> list[tuple[str, ...]]:
    """The recipients of each stored message of that kind."""
    with store.unit_of_work(write=False) as uow:
        rows = uow.session.scalars(select(OutboxRow).where(OutboxRow.kind == kind))
        return [tuple(r.recipients) for r in rows]


def test_a_booking_and_its_invitations_commit_together_then_arrive_at_the_booked_instant(
    store: Store, smtp_server: SmtpServer
) -> None:
    mission = sample_mission()
    services = Services(uow=store.unit_of_work, clock=FixedClock(NOW), messages=LosesTheLastRecipient())
    mission_id = import_mission(services, mission)
    created = propose(services, mission_id, "brown-jetro")
    option = created.proposal.options[0]
    with pytest.raises(ValueError, match="no recipients"):
        book(services, created.token, option.id)  # the first invitation was already queued
    assert _queued(store, "invitation") == []
    with store.unit_of_work(write=False) as uow:
        assert uow.meeting_statuses(mission_id)["brown-jetro"].booking is None

    services = replace(services, messages=MailMessages())
    book(services, created.token, option.id)  # the same link works: nothing of the failure remains
    queued = _queued(store, "invitation")
    assert set(queued) == {
        ("brown@brampton.example.org",),
        ("jetro@example.jp",),
    }
    store.outbox().deliver(smtp(smtp_server), now=NOW)  # the booking request goes out as well
    calendars = {
        r.rcpt_tos[0]: part
        for r in smtp_server.received
        for part in r.message.walk()
        if part.get_content_type() == "text/calendar"
    }
    assert sorted(calendars) == ["brown@brampton.example.org", "jetro@example.jp"]
    for part in calendars.values():
        event = next(iter(icalendar.Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")))
        assert event.decoded("DTSTART") == option.start
        assert part.get_param("method") == "REQUEST"
