"""The APScheduler wiring: fixed job ids in UTC, work done on start, and a restart does it once.

The services' clock is a `FixedClock` the test moves; APScheduler only decides when to look.
Mail goes to a real SMTP server (aiosmtpd) on loopback.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta

import pytest

from scheduler.app.jobs import INTERVALS, INTERVALS_ENV, JOB_IDS, Jobs, Runtime, intervals_from_env, start
from scheduler.errors import ConfigError
from scheduler.mail.transports import SmtpTransport
from scheduler.messages.mail import MailMessages
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


class Runtimes:
    """Makes runtimes and starts their jobs; whatever happens in the test, every scheduler is
    stopped and every store closed at teardown, so no pooled connection outlives the test."""

    def __init__(self) -> None:
        self.started: list[Jobs] = []
        self.made: list[Runtime] = []

    def __call__(self, url: str, clock: FixedClock, smtp: SmtpServer) -> Runtime:
        store = open_store(url)
        services = Services(uow=store.unit_of_work, clock=clock, messages=MailMessages())
        rt = Runtime(
            store=store,
            services=services,
            transport=SmtpTransport(host=smtp.host, port=smtp.port, security="none"),
        )
        self.made.append(rt)
        return rt

    def start(self, rt: Runtime) -> Jobs:
        jobs = start(rt, intervals=FAST)
        self.started.append(jobs)
        return jobs

    def close(self) -> None:
        for jobs in self.started:
            if jobs.scheduler.running:
                jobs.stop()
        for rt in self.made:
            rt.store.close()


@pytest.fixture
def runtime() -> Iterator[Runtimes]:
    made = Runtimes()
    try:
        yield made
    finally:
        made.close()


def reminders(smtp: SmtpServer) -> list[Received]:
    return [r for r in smtp.received if str(r.message["Message-ID"]).startswith("<reminder.")]


def test_the_jobs_have_fixed_ids_and_run_in_utc(
    db_url: str, smtp_server: SmtpServer, runtime: Runtimes
) -> None:
    jobs = runtime.start(runtime(db_url, FixedClock(NOW), smtp_server))
    assert sorted(j.id for j in jobs.scheduler.get_jobs()) == sorted(JOB_IDS)
    assert {str(j.trigger.timezone) for j in jobs.scheduler.get_jobs()} == {"UTC"}
    assert str(jobs.scheduler.timezone) == "UTC"


def test_a_restart_with_work_due_does_the_work_once(
    db_url: str, smtp_server: SmtpServer, runtime: Runtimes
) -> None:
    clock = FixedClock(NOW)
    first = runtime(db_url, clock, smtp_server)
    mission_id = import_mission(
        first.services, replace(sample_mission(), video_url="https://meet.example.org/x")
    )
    book_time(first.services, mission_id, "brown-jetro", at(16, 0))
    jobs = runtime.start(first)
    invitations = 2
    assert wait_for(lambda: len(smtp_server.received) == invitations)  # the invitations go out
    jobs.stop()
    first.store.close()

    clock.at = at(15, 0) + timedelta(minutes=30)  # the service was down when the 24 h reminders fell due
    second = runtime(db_url, clock, smtp_server)
    jobs = runtime.start(second)
    assert wait_for(lambda: len(reminders(smtp_server)) == 2)
    jobs.stop()

    third = runtime(db_url, clock, smtp_server)
    jobs = runtime.start(third)
    ran = lambda: [d.kind for d in pending_for(third.services, mission_id)].count("digest") == 1  # noqa: E731
    assert wait_for(ran)  # the sweep ran again...
    time.sleep(0.3)  # ...and a few more passes of every job
    jobs.stop()
    assert all(d.due_at > clock.at for d in pending_for(third.services, mission_id))

    assert sorted(r.rcpt_tos[0] for r in reminders(smtp_server)) == [
        "brown@brampton.example.org",
        "jetro@example.jp",
    ]
    ids = [str(r.message["Message-ID"]) for r in smtp_server.received]
    assert len(ids) == len(set(ids))  # nothing was sent twice (the late digest went once too)


def test_serve_takes_the_job_intervals_from_the_environment() -> None:
    assert intervals_from_env({}) == INTERVALS
    assert intervals_from_env({INTERVALS_ENV: "2"}) == dict.fromkeys(JOB_IDS, 2.0)
    assert intervals_from_env({INTERVALS_ENV: "outbox-delivery=1.5, timed-due-work=5"}) == {
        **INTERVALS,
        "outbox-delivery": 1.5,
        "timed-due-work": 5.0,
    }
    with pytest.raises(ConfigError) as bad:
        intervals_from_env({INTERVALS_ENV: "outbox=1,timed-sweep=-1,soon"})
    assert [p.path for p in bad.value.problems] == [INTERVALS_ENV] * 3
    assert "no job 'outbox'" in str(bad.value)
