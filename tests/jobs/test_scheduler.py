"""The APScheduler wiring: fixed job ids in UTC, work done on start, and a restart does it once.

The services' clock is a `FixedClock` the test moves; APScheduler only decides when to look.
Mail goes to a real SMTP server (aiosmtpd) on loopback.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

from scheduler.jobs import JOB_IDS, Runtime, start
from scheduler.mail.transports import SmtpTransport
from scheduler.messages import MailMessages
from scheduler.ports import FixedClock
from scheduler.services import Services, book_time, import_mission
from scheduler.services.timed import pending_for
from scheduler.store import open_store
from tests.conftest import Received, SmtpServer
from tests.store.sample import NOW, at, sample_mission

FAST = dict.fromkeys(JOB_IDS, 0.05)


def wait_for(condition: Callable[[], bool], timeout: float = 15.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def runtime(url: str, clock: FixedClock, smtp: SmtpServer) -> Runtime:
    store = open_store(url)
    services = Services(uow=store.unit_of_work, clock=clock, messages=MailMessages())
    return Runtime(
        store=store,
        services=services,
        transport=SmtpTransport(host=smtp.host, port=smtp.port, security="none"),
    )


def reminders(smtp: SmtpServer) -> list[Received]:
    return [r for r in smtp.received if str(r.message["Message-ID"]).startswith("<reminder.")]


def test_the_jobs_have_fixed_ids_and_run_in_utc(db_url: str, smtp_server: SmtpServer) -> None:
    rt = runtime(db_url, FixedClock(NOW), smtp_server)
    jobs = start(rt, intervals=FAST)
    try:
        assert sorted(j.id for j in jobs.scheduler.get_jobs()) == sorted(JOB_IDS)
        assert {str(j.trigger.timezone) for j in jobs.scheduler.get_jobs()} == {"UTC"}
        assert str(jobs.scheduler.timezone) == "UTC"
    finally:
        jobs.stop()
        rt.store.close()


def test_a_restart_with_work_due_does_the_work_once(db_url: str, smtp_server: SmtpServer) -> None:
    clock = FixedClock(NOW)
    first = runtime(db_url, clock, smtp_server)
    mission_id = import_mission(
        first.services, replace(sample_mission(), video_url="https://meet.example.org/x")
    )
    book_time(first.services, mission_id, "brown-jetro", at(16, 0))
    jobs = start(first, intervals=FAST)
    invitations = 2
    assert wait_for(lambda: len(smtp_server.received) == invitations)  # the invitations go out
    jobs.stop()
    first.store.close()

    clock.at = at(15, 0) + timedelta(minutes=30)  # the service was down when the 24 h reminders fell due
    second = runtime(db_url, clock, smtp_server)
    jobs = start(second, intervals=FAST)
    assert wait_for(lambda: len(reminders(smtp_server)) == 2)
    jobs.stop()

    third = runtime(db_url, clock, smtp_server)
    jobs = start(third, intervals=FAST)
    ran = lambda: [d.kind for d in pending_for(third.services, mission_id)].count("digest") == 1  # noqa: E731
    assert wait_for(ran)  # the sweep ran again...
    time.sleep(0.3)  # ...and a few more passes of every job
    jobs.stop()
    assert all(d.due_at > clock.at for d in pending_for(third.services, mission_id))
    third.store.close()
    second.store.close()

    assert sorted(r.rcpt_tos[0] for r in reminders(smtp_server)) == [
        "brown@brampton.example.org",
        "jetro@example.jp",
    ]
    ids = [str(r.message["Message-ID"]) for r in smtp_server.received]
    assert len(ids) == len(set(ids))  # nothing was sent twice (the late digest went once too)
