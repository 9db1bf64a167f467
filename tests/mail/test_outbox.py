"""The file outbox with a real SMTP server: stored before sending, retried, parked, never lost."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from dataclasses import replace
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from scheduler.core.models import Mission
from scheduler.ical.people import attendees
from scheduler.mail.compose import compose, envelope
from scheduler.mail.outbox import FileOutbox, backoff, message_key
from scheduler.mail.transports import MaildirTransport, SmtpTransport
from scheduler.messages.invitations import letter_for
from scheduler.ports import Envelope, FixedClock
from tests.conftest import Received, SmtpServer, free_port
from tests.mail.missions import BOOKED, FEB_START

ROOT = Path(__file__).resolve().parents[2]


def invitations(mission: Mission) -> list[Envelope]:
    meeting = mission.meetings[0]
    letter, _ = letter_for(
        mission,
        meeting,
        kind="invitation",
        start=FEB_START,
        resources=meeting.resources,
        sequence=0,
        now=BOOKED,
    )
    return [envelope(compose(letter, p, now=BOOKED)) for p in attendees(mission, meeting)]


def smtp(server: SmtpServer) -> SmtpTransport:
    return SmtpTransport(host=server.host, port=server.port, security="none", timeout=5)


def test_enqueue_stores_the_message_before_anything_is_sent(tmp_path: Path, trade_mission: Mission) -> None:
    box = FileOutbox(tmp_path)
    env = invitations(trade_mission)[0]
    assert box.enqueue(env, now=BOOKED) is True
    stored = tmp_path / "queue" / f"{message_key(env.message_id)}.eml"
    assert stored.read_bytes() == env.data
    assert message_from_bytes(stored.read_bytes(), policy=policy.default)["Message-ID"] == env.message_id
    assert [(e.status, e.message_id) for e in box.entries()] == [("queued", env.message_id)]
    assert list((tmp_path / "tmp").iterdir()) == []


def test_delivery_sends_over_smtp_and_marks_sent_once(
    tmp_path: Path, trade_mission: Mission, smtp_server: SmtpServer
) -> None:
    box = FileOutbox(tmp_path)
    envs = invitations(trade_mission)
    for env in envs:
        box.enqueue(env, now=BOOKED)
    report = box.deliver(smtp(smtp_server), now=BOOKED)
    assert sorted(report.sent) == sorted(e.message_id for e in envs)
    got = {r.message["Message-ID"]: r for r in smtp_server.received}
    assert set(got) == {e.message_id for e in envs}
    for env in envs:
        assert got[env.message_id].rcpt_tos == list(env.recipients)
        assert got[env.message_id].mail_from == trade_mission.organizer.email
    assert {e.status for e in box.entries()} == {"sent"}
    # Neither another pass nor enqueueing the same message again sends anything twice.
    assert box.deliver(smtp(smtp_server), now=BOOKED + timedelta(hours=1)).sent == ()
    assert box.enqueue(envs[0], now=BOOKED) is False
    assert box.deliver(smtp(smtp_server), now=BOOKED + timedelta(hours=2)).sent == ()
    assert len(smtp_server.received) == len(envs)


def test_a_451_is_retried_after_the_backoff_not_before(
    tmp_path: Path, trade_mission: Mission, smtp_server: SmtpServer
) -> None:
    box = FileOutbox(tmp_path)
    env = invitations(trade_mission)[0]
    box.enqueue(env, now=BOOKED)
    clock = FixedClock(BOOKED)
    smtp_server.replies = ["451 4.3.0 Try again later", "451 4.3.0 Still busy"]

    assert box.deliver(smtp(smtp_server), now=clock.now()).retrying == (env.message_id,)
    (entry,) = box.entries()
    assert (entry.status, entry.attempts, entry.next_attempt) == ("queued", 1, BOOKED + backoff(1))
    assert "451" in entry.last_error

    clock.at = BOOKED + backoff(1) - timedelta(seconds=1)
    assert box.deliver(smtp(smtp_server), now=clock.now()).waiting == (env.message_id,)
    assert smtp_server.attempts == 1

    clock.at = BOOKED + backoff(1)
    assert box.deliver(smtp(smtp_server), now=clock.now()).retrying == (env.message_id,)
    (entry,) = box.entries()
    assert entry.next_attempt == clock.at + backoff(2)
    assert backoff(2) == 2 * backoff(1)

    clock.at = entry.next_attempt
    assert box.deliver(smtp(smtp_server), now=clock.now()).sent == (env.message_id,)
    assert [r.message["Message-ID"] for r in smtp_server.received] == [env.message_id]


def test_a_550_parks_the_message_with_the_error(
    tmp_path: Path, trade_mission: Mission, smtp_server: SmtpServer
) -> None:
    box = FileOutbox(tmp_path)
    env = invitations(trade_mission)[0]
    box.enqueue(env, now=BOOKED)
    smtp_server.replies = ["550 5.1.1 No such mailbox"]
    assert box.deliver(smtp(smtp_server), now=BOOKED).failed == (env.message_id,)
    (entry,) = box.entries()
    assert entry.status == "failed"
    assert "550 5.1.1 No such mailbox" in entry.last_error
    assert box.deliver(smtp(smtp_server), now=BOOKED + timedelta(days=1)).sent == ()
    assert smtp_server.attempts == 1
    # Once the address is fixed, a person can put it back; it then goes out.
    assert box.retry_failed(env.message_id, now=BOOKED + timedelta(days=1))
    assert box.deliver(smtp(smtp_server), now=BOOKED + timedelta(days=1)).sent == (env.message_id,)


def test_a_refused_connection_is_temporary(
    tmp_path: Path, trade_mission: Mission, smtp_server: SmtpServer
) -> None:
    box = FileOutbox(tmp_path)
    env = invitations(trade_mission)[0]
    box.enqueue(env, now=BOOKED)
    nobody = SmtpTransport(host="127.0.0.1", port=free_port(), security="none", timeout=5)
    assert box.deliver(nobody, now=BOOKED).retrying == (env.message_id,)
    (entry,) = box.entries()
    assert "cannot reach" in entry.last_error


def test_temporary_errors_are_given_up_after_the_last_attempt(
    tmp_path: Path, trade_mission: Mission, smtp_server: SmtpServer
) -> None:
    box = FileOutbox(tmp_path, max_attempts=3)
    env = invitations(trade_mission)[0]
    box.enqueue(env, now=BOOKED)
    smtp_server.replies = ["421 4.7.0 Go away"] * 3
    now = BOOKED
    for _ in range(3):
        box.deliver(smtp(smtp_server), now=now)
        now += timedelta(days=1)
    (entry,) = box.entries()
    assert entry.status == "failed"
    assert entry.last_error.startswith("gave up after 3 attempts")


DELIVER = [sys.executable, "-m", "scheduler", "outbox", "--deliver", "--dir"]


def killed_as_it_arrives(
    server: SmtpServer, argv: list[str], env: dict[str, str], cwd: Path
) -> list[Received]:
    """Run `argv` and SIGKILL it as its first message arrives; the messages that arrived.

    The message is in the server's hands, the client has not heard "250" yet: the worst moment.
    """
    proc = subprocess.Popen(argv, env=env, cwd=cwd)
    arrived: list[Received] = []

    def kill(got: Received) -> None:
        arrived.append(got)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)

    server.on_data = kill
    try:
        assert proc.wait(timeout=60) == -signal.SIGKILL
    finally:
        server.on_data = None
    return arrived


def test_a_delivery_killed_between_send_and_mark_resends_with_the_same_message_id(
    tmp_path: Path, trade_mission: Mission, smtp_server: SmtpServer
) -> None:
    box = FileOutbox(tmp_path / "outbox")
    env = invitations(trade_mission)[0]
    box.enqueue(env, now=BOOKED)
    env_vars = {**os.environ, **smtp_server.env, "PYTHONPATH": str(ROOT)}
    arrived = killed_as_it_arrives(smtp_server, [*DELIVER, str(tmp_path / "outbox")], env_vars, tmp_path)
    assert [e.status for e in box.entries()] == ["queued"]  # not marked: it may not have arrived

    again = subprocess.run([*DELIVER, str(tmp_path / "outbox")], env=env_vars, cwd=tmp_path, timeout=60)
    assert again.returncode == 0
    assert [a.message["Message-ID"] for a in arrived] == [env.message_id]
    # The server took the first copy before the kill, then the repeat: the same message, same id.
    assert [r.message["Message-ID"] for r in smtp_server.received] == [env.message_id, env.message_id]
    assert smtp_server.received[0].data == smtp_server.received[1].data
    assert [(e.status, e.message_id) for e in box.entries()] == [("sent", env.message_id)]


def test_a_kill_after_the_mark_finishes_the_move_without_sending(
    tmp_path: Path, trade_mission: Mission
) -> None:
    """The state a kill between writing `sent/<key>.json` and moving the `.eml` leaves behind."""
    box = FileOutbox(tmp_path)
    env = invitations(trade_mission)[0]
    box.enqueue(env, now=BOOKED)
    key = message_key(env.message_id)
    meta = json.loads((tmp_path / "queue" / f"{key}.json").read_text())
    meta["sent_at"] = BOOKED.isoformat()
    (tmp_path / "sent" / f"{key}.json").write_text(json.dumps(meta))

    class Refuse:
        def send(self, envelope: Envelope) -> None:
            raise AssertionError("sent a message already marked sent")

    assert [e.status for e in box.entries()] == ["sent"]
    assert box.deliver(Refuse(), now=BOOKED).sent == ()
    assert (tmp_path / "sent" / f"{key}.eml").read_bytes() == env.data
    assert list((tmp_path / "queue").iterdir()) == []


def test_maildir_holds_real_eml_files_once_per_message(tmp_path: Path, trade_mission: Mission) -> None:
    box = FileOutbox(tmp_path / "outbox")
    envs = invitations(trade_mission)
    for env in envs:
        box.enqueue(env, now=BOOKED)
    maildir = MaildirTransport(tmp_path / "maildir")
    assert len(box.deliver(maildir, now=BOOKED).sent) == len(envs)
    maildir.send(envs[0])  # a repeat after a crash adds nothing
    files = sorted((tmp_path / "maildir" / "new").iterdir())
    assert [f.suffix for f in files] == [".eml"] * len(envs)
    assert list((tmp_path / "maildir" / "tmp").iterdir()) == []
    assert (tmp_path / "maildir" / "cur").is_dir()
    ids = {message_from_bytes(f.read_bytes(), policy=policy.default)["Message-ID"] for f in files}
    assert ids == {e.message_id for e in envs}


def test_smtp_login_with_the_right_password_sends_and_a_refused_login_is_retried(
    tmp_path: Path, trade_mission: Mission, smtp_server: SmtpServer
) -> None:
    smtp_server.login = ("edo", "s3cret")
    box = FileOutbox(tmp_path)
    env = invitations(trade_mission)[0]
    box.enqueue(env, now=BOOKED)
    wrong = SmtpTransport(
        host=smtp_server.host, port=smtp_server.port, security="none", username="edo", password="x"
    )
    assert box.deliver(wrong, now=BOOKED).retrying == (env.message_id,)
    assert "login refused: 535" in box.entries()[0].last_error
    right = replace(wrong, password="s3cret")
    assert box.deliver(right, now=BOOKED + timedelta(hours=1)).sent == (env.message_id,)
    assert [r.message["Message-ID"] for r in smtp_server.received] == [env.message_id]


def test_smtp_settings_come_from_the_environment() -> None:
    assert SmtpTransport.from_env({}) is None
    t = SmtpTransport.from_env(
        {
            "SCHEDULER_SMTP_HOST": "mail.example.org",
            "SCHEDULER_SMTP_SECURITY": "tls",
            "SCHEDULER_SMTP_USER": "u",
        }
    )
    assert t == SmtpTransport(host="mail.example.org", port=465, security="tls", username="u")
    assert SmtpTransport.from_env({"SCHEDULER_SMTP_HOST": "h"}).port == 587  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("env", "field"),
    [
        ({"SCHEDULER_SMTP_SECURITY": "ssl"}, "SCHEDULER_SMTP_SECURITY"),
        ({"SCHEDULER_SMTP_PORT": "x"}, "SCHEDULER_SMTP_PORT"),
    ],
    ids=["security", "port"],
)
def test_bad_smtp_settings_name_the_variable(env: dict[str, str], field: str) -> None:
    from scheduler.errors import ConfigError

    with pytest.raises(ConfigError, match=field):
        SmtpTransport.from_env({"SCHEDULER_SMTP_HOST": "h", **env})


def test_an_smtp_connection_without_the_fixture_fails_the_test() -> None:
    import smtplib

    with pytest.raises(pytest.fail.Exception, match="smtp_server"):
        smtplib.SMTP("127.0.0.1", free_port())
