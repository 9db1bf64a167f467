"""A week of negotiation replayed over real HTTP against a real `scheduler serve` process.

The sample mission (moved to its next future occurrence, as the demo does) is planned and every
meeting proposed at once through the API; then counterparts answer in their own order through
their booking links, as a browser would (CSRF cookie, forms): the DMZ contact books the
roundtable, Minato answers "none of these work" with two hours, JETRO books and then asks to
reschedule. The emails are delivered by the process's own outbox job to a real aiosmtpd server.

What must hold: no booking leaves another open proposal with fewer than two options; each thing
a counterpart submits becomes an attention item, an email to the coordinator and a digest line.
"""

from __future__ import annotations

import itertools
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from scheduler.app.runtime import shift_mission, weeks_to_shift
from scheduler.messages.timed import TimedMail
from scheduler.mission.reader import load_mission
from scheduler.ports import FixedClock, SystemClock
from scheduler.services import Services, import_mission
from scheduler.services.accounts import add_user, issue_api_token
from scheduler.services.timed import run_due, sweep
from scheduler.store import open_store
from scheduler.store.editing import app_units
from scheduler.store.tables import OutboxRow
from tests.conftest import SmtpServer
from tests.web.server import free_port

ROOT = Path(__file__).resolve().parents[2]
ORGANIZER = "edo@brampton.example.org"


def wait_for(condition: Callable[[], Any], timeout: float = 30) -> Any:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        found = condition()
        if found:
            return found
        time.sleep(0.1)
    return condition()


@pytest.fixture
def served(tmp_path: Path, smtp_server: SmtpServer) -> Iterator[tuple[httpx.Client, str, int, str]]:
    """A real `scheduler serve` on a SQLite file with the sample mission: (client, token, id, url)."""
    url = f"sqlite:///{tmp_path / 'week.db'}"
    store = open_store(url)
    services = Services(uow=app_units(store), clock=SystemClock())
    mission = load_mission(ROOT / "config.toml")
    mission = shift_mission(mission, weeks_to_shift(mission, datetime.now(UTC), timedelta(days=2)))
    user = add_user(services, "coordinator@example.org", "a long enough password 1")
    mission_id = import_mission(services, mission, source=str(ROOT / "config.toml"), owner=user.id)
    token = issue_api_token(services, user.id)
    store.close()
    port = free_port()
    env = {
        **os.environ,
        **smtp_server.env,
        "PYTHONPATH": str(ROOT),
        "SCHEDULER_JOB_INTERVALS": "0.3,timed-sweep=600",
        "SCHEDULER_SECRET_KEY": "test-secret-key-of-the-negotiation-week",
    }
    log = tmp_path / "serve.log"
    command = [sys.executable, "-m", "scheduler", "serve", "--db", url, "--port", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        client = httpx.Client(base_url=base, timeout=60, follow_redirects=False)

        def up() -> bool:
            assert process.poll() is None, log.read_text()[-3000:]
            try:
                return client.get("/login").status_code == 200
            except httpx.TransportError:
                return False

        assert wait_for(up), log.read_text()[-3000:]
        yield client, token, mission_id, url
        client.close()
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def _open_counts(client: httpx.Client, auth: dict[str, str], mission_id: int) -> dict[str, int]:
    answer = client.get(f"/api/missions/{mission_id}/proposals?status=open", headers=auth).json()
    return {p["meeting_id"]: sum(o["status"] == "open" for o in p["options"]) for p in answer}


def _to_organizer(smtp: SmtpServer, words: str) -> EmailMessage | None:
    for r in list(smtp.received):
        msg = message_from_bytes(r.data, policy=policy.default)
        if ORGANIZER in r.rcpt_tos and words in str(msg["Subject"]):
            return msg  # type: ignore[return-value]
    return None


def test_a_week_of_answers_in_any_order_keeps_proposals_alive_and_tells_the_coordinator(
    served: tuple[httpx.Client, str, int, str], smtp_server: SmtpServer
) -> None:
    client, token, mission_id, url = served
    began = datetime.now(UTC)
    auth = {"Authorization": f"Bearer {token}"}
    assert (
        client.post(f"/api/missions/{mission_id}/plan", headers=auth, json={"time_limit": 5}).status_code
        == 200
    )
    batch = client.post(f"/api/missions/{mission_id}/proposals", headers=auth, json={})
    assert batch.status_code == 201, batch.text
    links = {p["meeting_id"]: p["link"] for p in batch.json()["created"]}
    assert {"innovation-roundtable", "ambassador-call", "minato-meeting", "jeita-meeting"} <= set(links)
    assert min(_open_counts(client, auth, mission_id).values()) >= 2

    # DMZ books the roundtable: every other open proposal keeps at least two options.
    roundtable = links["innovation-roundtable"].rsplit("/", 1)[1]
    page = client.get(f"/book/{roundtable}?lang=en")
    option = re.findall(r'name="option_id" value="(\d+)"', page.text)[0]
    r = client.post(f"/book/{roundtable}/pick", data={"csrf_token": _csrf(page.text), "option_id": option})
    assert r.status_code in (200, 303), r.text
    counts = _open_counts(client, auth, mission_id)
    assert "innovation-roundtable" not in counts
    assert counts["ambassador-call"] >= 2
    assert min(counts.values()) >= 2

    # Minato: none of these work, with two hours of their own.
    minato = links["minato-meeting"].rsplit("/", 1)[1]
    page = client.get(f"/book/{minato}?lang=ja")
    cells = sorted(re.findall(r'name="free" value="([^"]+)"', page.text))
    pair = next(
        [a, b]
        for a, b in itertools.pairwise(cells)
        if datetime.fromisoformat(b) - datetime.fromisoformat(a) == timedelta(hours=1)
    )
    r = client.post(
        f"/book/{minato}/decline",
        data={"csrf_token": _csrf(page.text), "free": pair, "note": "来週のこの時間なら", "lang": "ja"},
    )
    assert r.status_code == 303, r.text

    # JETRO books its meeting, then asks to move it.
    jeita = links["jeita-meeting"].rsplit("/", 1)[1]
    page = client.get(f"/book/{jeita}?lang=en")
    option = re.findall(r'name="option_id" value="(\d+)"', page.text)[0]
    client.post(f"/book/{jeita}/pick", data={"csrf_token": _csrf(page.text), "option_id": option})
    page = client.get(f"/book/{jeita}?lang=en")
    r = client.post(
        f"/book/{jeita}/change",
        data={"csrf_token": _csrf(page.text), "kind": "reschedule", "note": "Our board moved"},
    )
    assert r.status_code in (200, 303), r.text

    # Each answer is an item on the queue (API and page) ...
    items = client.get(f"/api/missions/{mission_id}/attention?all=true", headers=auth).json()
    by_kind = {(i["kind"], i["meeting_id"]): i for i in items}
    declined = by_kind[("declined", "minato-meeting")]
    assert declined["note"] == "来週のこの時間なら"
    assert declined["detail"]["windows"]
    change = by_kind[("change-requested", "jeita-meeting")]
    assert change["note"] == "Our board moved"
    assert change["resolved_at"] is None

    # ... an email to the coordinator, delivered by the process's outbox job ...
    assert wait_for(lambda: _to_organizer(smtp_server, "minato-meeting"))
    assert wait_for(lambda: _to_organizer(smtp_server, "jeita-meeting: the counterpart asks to reschedule"))

    # ... and a line of the daily digest.
    store = open_store(url)
    try:
        later = Services(uow=store.unit_of_work, clock=FixedClock(began + timedelta(days=1)))
        sweep(later)
        run_due(later, TimedMail())
        with store.unit_of_work(write=False) as uow:
            raw = uow.session.scalars(select(OutboxRow.raw).where(OutboxRow.kind == "digest")).first()
    finally:
        store.close()
    assert raw is not None
    digest = message_from_bytes(raw, policy=policy.default)
    text = digest.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "[declined] minato-meeting" in text
    assert "来週のこの時間なら" in text
    assert "[change-requested] jeita-meeting" in text
    assert "Our board moved" in text
