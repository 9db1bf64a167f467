"""Two worker processes on one PostgreSQL, 500 reminders due at the same moment: each sent once.

Each process is the real command (`python -m scheduler jobs --run-once`), with its own
connection pool, claiming due rows with `FOR UPDATE SKIP LOCKED` and leasing outbox messages
the same way, delivering to a real SMTP server (aiosmtpd) on loopback.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from scheduler.ports import FixedClock
from scheduler.services import Services, import_mission
from scheduler.store import open_store
from scheduler.store.tables import OutboxRow
from tests.conftest import SmtpServer
from tests.jobs.conftest import crowded_mission, guest_reminders
from tests.store.databases import PG_URL, database
from tests.store.sample import NOW, at

ROOT = Path(__file__).resolve().parents[2]
LOAD = 500


def message_id(data: bytes) -> str:
    # The header, read without parsing 500 whole messages.
    found = re.search(rb"^Message-ID: *(<[^>]+>)", data, re.MULTILINE | re.IGNORECASE)
    assert found is not None
    return found.group(1).decode()


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason="SCHEDULER_TEST_POSTGRES_URL is empty")
def test_two_processes_send_500_simultaneous_reminders_each_exactly_once(
    tmp_path: Path, smtp_server: SmtpServer
) -> None:
    with database("postgres", tmp_path) as url:
        store = open_store(url)
        try:
            services = Services(uow=store.unit_of_work, clock=FixedClock(NOW))
            mission_id = import_mission(services, crowded_mission(LOAD))
            with store.unit_of_work() as uow:
                booking = uow.meeting_statuses(mission_id)["brown-jetro"].booking
                assert booking is not None
                due_at = at(15, 0)  # 24 h before the meeting: the 500 guests' reminders fall due
                uow.due.add(guest_reminders(mission_id, booking.id, range(LOAD), due_at), now=NOW)
        finally:
            store.close()

        env = {**os.environ, **smtp_server.env, "PYTHONPATH": str(ROOT)}
        command = [sys.executable, "-m", "scheduler", "jobs", "--run-once", "--json", "--limit", "0"]
        command += ["--db", url, "--now", due_at.isoformat(), "--maildir", str(tmp_path / "maildir")]
        workers = [
            subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for _ in range(2)
        ]
        outputs = [w.communicate(timeout=120) for w in workers]
        assert [w.returncode for w in workers] == [0, 0], [err.decode()[-2000:] for _, err in outputs]
        runs = [json.loads(out)["run"] for out, _ in outputs]

        ids = Counter(message_id(r.data) for r in smtp_server.received)
        reminders = {i: n for i, n in ids.items() if i.startswith("<reminder.")}
        assert len(reminders) == LOAD
        assert max(ids.values()) == 1  # nothing delivered twice
        assert sum(r["done"] for r in runs) == sum(r["queued"] for r in runs) == sum(r["sent"] for r in runs)
        store = open_store(url)
        try:
            with store.unit_of_work(write=False) as uow:
                unsent = uow.session.scalar(select(func.count()).where(OutboxRow.status != "sent"))
        finally:
            store.close()
        assert unsent == 0
        print("work done per process:", [r["done"] for r in runs])
