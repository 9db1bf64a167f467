"""Two real `scheduler serve` processes on one PostgreSQL share the timed work; a restart does it once.

Each process is the real command (`python -m scheduler serve`), with its uvicorn server, its
APScheduler jobs (made fast with `SCHEDULER_JOB_INTERVALS`) and its own connection pool. The
processes use the wall clock, so the mission is moved to its next future occurrence (as the
demo does) and the work is written due "now", after both processes are up: they race for it.
Each process delivers to its own aiosmtpd server on loopback, so the test sees that both took
a share, and that no message reached either server twice.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from scheduler.app.runtime import shift_mission, weeks_to_shift
from scheduler.ports import FixedClock
from scheduler.services import Services, import_mission
from scheduler.store import open_store
from scheduler.store.due import DueRow
from scheduler.store.tables import OutboxRow
from tests.conftest import SmtpServer, _running, free_port
from tests.jobs.conftest import crowded_mission, guest_reminders
from tests.store.databases import PG_URL, database

ROOT = Path(__file__).resolve().parents[2]
LOAD, LATER = 500, 100

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not PG_URL, reason="SCHEDULER_TEST_POSTGRES_URL is empty"),
]


@pytest.fixture
def other_smtp_server() -> Iterator[SmtpServer]:
    with _running(SmtpServer(host="127.0.0.1", port=free_port()), auth_require_tls=False) as server:
        yield server


def message_ids(server: SmtpServer) -> list[str]:
    out = []
    for r in list(server.received):
        found = re.search(rb"^Message-ID: *(<[^>]+>)", r.data, re.MULTILINE | re.IGNORECASE)
        assert found is not None
        out.append(found.group(1).decode())
    return out


def wait_for(condition: Callable[[], bool], timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


class Serve:
    """One `scheduler serve` process on a free port, its output in a file."""

    def __init__(self, url: str, smtp: SmtpServer, folder: Path, name: str) -> None:
        self.port = free_port()
        self.log = folder / f"{name}.log"
        env = {
            **os.environ,
            **smtp.env,
            "PYTHONPATH": str(ROOT),
            "SCHEDULER_JOB_INTERVALS": "0.2,timed-sweep=5",
            "SCHEDULER_SECRET_KEY": "test-secret-key-of-the-serve-processes",
        }
        command = [sys.executable, "-m", "scheduler", "serve", "--db", url, "--port", str(self.port)]
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                command, cwd=folder, env=env, stdout=out, stderr=subprocess.STDOUT
            )

    def up(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"serve exited {self.process.returncode}:\n{self.log.read_text()[-3000:]}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{self.port}/login", timeout=1).close()
        except urllib.error.HTTPError:
            return True  # it answers
        except OSError:
            return False
        return True

    def stop(self) -> int:
        """Stop it as Ctrl-C does (the jobs finish their pass, the pool is closed); its exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"serve did not stop:\n{self.log.read_text()[-3000:]}") from None


def add_reminders(url: str, mission_id: int, booking_id: int, names: range, due_at: datetime) -> None:
    store = open_store(url)
    try:
        with store.unit_of_work() as uow:
            uow.due.add(guest_reminders(mission_id, booking_id, names, due_at), now=due_at)
    finally:
        store.close()


def test_two_serve_processes_share_500_simultaneous_reminders_and_a_restart_sends_the_rest_once(
    tmp_path: Path, smtp_server: SmtpServer, other_smtp_server: SmtpServer
) -> None:
    now = datetime.now(UTC)
    # A meeting fixed in the mission file is booked on import; moved past the wall clock so
    # that it has not begun when the reminders go (the processes read the real clock).
    mission = crowded_mission(LOAD + LATER)
    mission = shift_mission(mission, weeks_to_shift(mission, now, timedelta(days=3)))
    servers = (smtp_server, other_smtp_server)
    with database("postgres", tmp_path) as url:
        store = open_store(url)
        try:
            mission_id = import_mission(Services(uow=store.unit_of_work, clock=FixedClock(now)), mission)
            with store.unit_of_work(write=False) as uow:
                booking = uow.meeting_statuses(mission_id)["brown-jetro"].booking
        finally:
            store.close()
        assert booking is not None
        assert booking.start > now + timedelta(days=2)

        processes = [Serve(url, s, tmp_path, f"serve-{n}") for n, s in enumerate(servers)]
        try:
            assert wait_for(lambda: all(p.up() for p in processes), timeout=40)
            # Both are running their jobs: now 500 reminders fall due at the same moment.
            add_reminders(url, mission_id, booking.id, range(LOAD), datetime.now(UTC))
            everything = lambda: sum(len(s.received) for s in servers)  # noqa: E731
            assert wait_for(lambda: everything() >= LOAD, timeout=60), everything()
            time.sleep(1.0)  # several more passes of every job in both processes
            codes = [p.stop() for p in processes]
        finally:
            for p in processes:
                if p.process.poll() is None:
                    p.process.kill()
                    p.process.wait()
        assert codes == [0, 0], [p.log.read_text()[-2000:] for p in processes]
        shares = [len(message_ids(s)) for s in servers]
        ids = Counter(message_ids(smtp_server) + message_ids(other_smtp_server))
        assert len(ids) == LOAD
        assert max(ids.values()) == 1  # none sent twice, by the same process or by the other
        assert min(shares) > 0, shares  # both processes took a share of the work

        # Stopped with work due: 100 more reminders fell due while no process was running.
        add_reminders(url, mission_id, booking.id, range(LOAD, LOAD + LATER), datetime.now(UTC))
        again = Serve(url, smtp_server, tmp_path, "serve-again")
        try:
            assert wait_for(again.up, timeout=40)
            assert wait_for(lambda: sum(len(s.received) for s in servers) >= LOAD + LATER, timeout=30)
            time.sleep(1.0)
            code = again.stop()
        finally:
            if again.process.poll() is None:
                again.process.kill()
                again.process.wait()
        assert code == 0, again.log.read_text()[-2000:]
        ids = Counter(message_ids(smtp_server) + message_ids(other_smtp_server))
        assert len(ids) == LOAD + LATER
        assert max(ids.values()) == 1  # the restart sent the new work once, and nothing old again

        store = open_store(url)
        try:
            with store.unit_of_work(write=False) as uow:
                states = dict(
                    uow.session.execute(
                        select(DueRow.state, func.count())
                        .where(DueRow.key.like("load:%"))
                        .group_by(DueRow.state)
                    ).all()
                )
                unsent = uow.session.scalar(select(func.count()).where(OutboxRow.status != "sent"))
        finally:
            store.close()
        assert (states, unsent) == ({"done": LOAD + LATER}, 0)
        print("delivered per process:", shares)
