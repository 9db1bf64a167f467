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

from scheduler.core.timing import DueSpec, Recipient
from scheduler.ports import FixedClock
from scheduler.services import Services, book_time, import_mission
from scheduler.store import open_store
from scheduler.store.tables import OutboxRow
from tests.conftest import SmtpServer
from tests.store.databases import PG_URL, database
from tests.store.sample import NOW, at, sample_mission

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
        services = Services(uow=store.unit_of_work, clock=FixedClock(NOW))
        mission_id = import_mission(services, sample_mission())
        booking = book_time(services, mission_id, "brown-jetro", at(16, 0)).booking
        due_at = at(15, 0)  # the 24 h reminders of the booking fall due here too
        with store.unit_of_work() as uow:
            uow.due.add(
                [
                    DueSpec(
                        key=f"load:{i}",
                        kind="reminder",
                        due_at=due_at,
                        mission_id=mission_id,
                        meeting_id="brown-jetro",
                        booking_id=booking.id,
                        recipient=Recipient(
                            name=f"Guest {i}", email=f"guest{i}@example.org", timezone="Asia/Tokyo"
                        ),
                        detail="24h",
                    )
                    for i in range(LOAD)
                ],
                now=NOW,
            )
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
        assert len(reminders) == LOAD + 2  # the 500, and the booking's own two 24 h reminders
        assert max(ids.values()) == 1  # nothing delivered twice
        assert sum(r["done"] for r in runs) == sum(r["queued"] for r in runs) == sum(r["sent"] for r in runs)
        store = open_store(url)
        with store.unit_of_work(write=False) as uow:
            unsent = uow.session.scalar(select(func.count()).where(OutboxRow.status != "sent"))
        store.close()
        assert unsent == 0
        print("work done per process:", [r["done"] for r in runs])
