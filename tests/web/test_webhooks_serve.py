"""Webhooks from a real `scheduler serve` to a real receiver, and a `kill -9` during a delivery.

Every event type is produced by a real action over HTTP (the API with a coordinator's token,
the booking pages as a counterpart uses them), except `attendee.replied`, whose producer (the
inbound iTIP mail of issue 16's first part) calls `services.webhook_events.attendee_replied`
in its own transaction: the test calls it the same way, on the same database. The receiver
verifies every signature with the `standardwebhooks` library (which also checks the timestamp
against the wall clock) and with a plain HMAC.

The serve process is killed with SIGKILL while the receiver holds its request unanswered; a
second process posts the same delivery again after the lease, with the same webhook-id and
body, and the event queued behind it too: nothing is lost.
"""

from __future__ import annotations

import json
import re
import signal
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
from sqlalchemy import select
from standardwebhooks import Webhook

from scheduler.app.runtime import build_services, shift_mission, weeks_to_shift
from scheduler.core.webhooks import EVENT_TYPES
from scheduler.services import import_mission
from scheduler.services.accounts import add_user, issue_api_token
from scheduler.services.webhook_events import attendee_replied
from scheduler.store import open_store
from scheduler.store.tables import WebhookAttemptRow, WebhookDeliveryRow
from scheduler.store.webhooks import INTERRUPTED
from scheduler.web.settings import WebSettings
from scheduler.web.webhook_schemas import EVENT_MODELS
from tests.jobs.test_serve_processes import Serve, wait_for
from tests.web.conftest import sample_mission
from tests.webhooks.receiver import Receiver, hmac_signature, receiving

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 10  # SCHEDULER_WEBHOOK_TIMEOUT: the lease is three times this


# The serve processes of the jobs' tests, with the webhook settings where they take the SMTP ones.
SETTINGS = SimpleNamespace(
    env={
        "SCHEDULER_WEBHOOKS_ALLOW_PRIVATE": "1",  # the receiver is on loopback
        "SCHEDULER_WEBHOOK_TIMEOUT": str(TIMEOUT),
        "SCHEDULER_SMTP_HOST": "",  # mail goes to the folder's var/maildir
    }
)


def serve(url: str, folder: Path, name: str) -> Serve:
    process = Serve(url, SETTINGS, folder, name)  # type: ignore[arg-type]
    process.base = f"http://127.0.0.1:{process.port}"  # type: ignore[attr-defined]
    return process


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def _withdraw_all_but_first(url: str, proposal_id: int) -> None:
    store = open_store(url)
    try:
        with store.unit_of_work() as uow:
            _, *rest = uow.proposal(proposal_id).options
            uow.set_option_status([o.id for o in rest], "withdrawn")
    finally:
        store.close()


def _reply(url: str, mission_id: int) -> None:
    store = open_store(url)
    try:
        with store.unit_of_work() as uow:  # as the inbound mail's handler will, in its transaction
            attendee_replied(
                uow, mission_id, "yusen-call", attendee="yusen@example.jp", participation_status="TENTATIVE",
                comment="時間を確認しています", sequence=0, now=datetime.now(UTC),
            )  # fmt: skip
    finally:
        store.close()


def _verified(receiver: Receiver, secret: str) -> list[dict[str, Any]]:
    bodies = []
    for got in receiver.received:
        payload = Webhook(secret).verify(got.body, got.headers)  # raises when anything is off
        assert got.headers["webhook-signature"] == hmac_signature(
            secret, got.webhook_id, got.headers["webhook-timestamp"], got.body
        )
        model = EVENT_MODELS[payload["type"]]
        assert model.model_validate(payload).model_dump(mode="json") == payload  # its published schema
        bodies.append(payload)
    return bodies


def test_serve_posts_every_event_signed_and_a_kill_9_mid_delivery_loses_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'scheduler.db'}"
    now = datetime.now(UTC)
    mission = sample_mission()
    mission = shift_mission(mission, weeks_to_shift(mission, now, timedelta(days=3)))
    store = open_store(url)
    try:
        services = build_services(store, WebSettings(database_url=url))
        owner = add_user(services, "coordinator@example.org", "correct horse battery")
        mission_id = import_mission(services, mission, owner=owner.id)
        token = issue_api_token(services, owner.id)
    finally:
        store.close()
    auth = {"Authorization": f"Bearer {token}"}

    with receiving() as receiver:
        first = serve(url, tmp_path, "serve-1")
        second: Serve | None = None
        clients: list[httpx.Client] = []
        try:
            assert wait_for(first.up, 40)
            api = httpx.Client(base_url=f"{first.base}/api/missions/{mission_id}", headers=auth, timeout=60)
            clients.append(api)
            made = api.post("/webhooks", json={"url": receiver.url, "description": "CRM"})
            assert made.status_code == 201, made.text
            secret = made.json()["secret"]
            # The plan's event is posted at once and held unanswered; the proposal's waits behind it
            # (one delivery at a time), and the process is killed before the request times out.
            receiver.hold = True
            assert api.post("/plan", json={"time_limit": 2}).status_code == 200
            assert receiver.held.wait(timeout=20), first.log.read_text()[-2000:]
            proposal = api.post("/meetings/jetro-briefing/proposals")
            assert proposal.status_code == 201, proposal.text
            first.process.send_signal(signal.SIGKILL)  # kill -9 while the receiver holds the request
            assert first.process.wait(timeout=20) == -signal.SIGKILL
            receiver.release.set()
            (held,) = receiver.ids()
            store = open_store(url)
            try:
                with store.unit_of_work(write=False) as uow:
                    states = sorted(uow.session.scalars(select(WebhookDeliveryRow.status)).all())
            finally:
                store.close()
            assert states == ["queued", "queued"]  # the one being posted, and the one behind it

            second = serve(url, tmp_path, "serve-2")
            assert wait_for(second.up, 40)
            assert wait_for(lambda: len(receiver.received) >= 3, 3 * TIMEOUT + 20), receiver.types()
            assert held in receiver.ids()[1:]  # posted again, after the lease, with its webhook-id

            # Every other event, by the actions that cause it, through the second process.
            api = httpx.Client(base_url=f"{second.base}/api/missions/{mission_id}", headers=auth, timeout=60)
            clients.append(api)
            body = proposal.json()
            link = body["link"].replace(first.base, second.base)
            counterpart = httpx.Client(timeout=60)
            clients.append(counterpart)
            page = counterpart.get(link)
            picked = counterpart.post(
                f"{link}/pick",
                data={"csrf_token": _csrf(page.text), "option_id": body["options"][0]["id"], "lang": "en"},
            )
            assert picked.status_code == 303, picked.text[-500:]  # to the confirmation
            moved = api.post(
                "/meetings/jetro-briefing/reschedule", json={"start": body["options"][1]["start"]}
            )
            assert moved.status_code == 200, moved.text
            assert api.post("/meetings/jetro-briefing/cancel").status_code == 200
            asked = api.post("/meetings/ambassador-call/proposals").json()
            page = counterpart.get(asked["link"].replace(first.base, second.base))
            declined = counterpart.post(
                f"{asked['link'].replace(first.base, second.base)}/decline",
                data={"csrf_token": _csrf(page.text), "note": "来月でお願いします", "lang": "ja"},
            )
            assert declined.status_code == 303, declined.text[-500:]
            canon = api.post("/meetings/canon-call/proposals").json()
            _withdraw_all_but_first(url, canon["id"])
            taken = api.post("/meetings/yusen-call/booking", json={"start": canon["options"][0]["start"]})
            assert taken.status_code == 201, taken.text
            assert taken.json()["exhausted_proposals"] == [canon["id"]]
            _reply(url, mission_id)
            assert wait_for(lambda: set(receiver.types()) == set(EVENT_TYPES), 30), receiver.types()
            time.sleep(1.0)  # a few more passes: nothing is posted twice
        finally:
            for client in clients:
                client.close()
            for p in (first, second):
                if p is not None and p.process.poll() is None:
                    p.stop()
        bodies = _verified(receiver, secret)

    ids = Counter(receiver.ids())
    assert ids[held] == 2  # the delivery killed mid-request, and its retry
    assert [n for i, n in ids.items() if i != held] == [1] * (len(ids) - 1)  # every other one once
    retried = [r.body for r in receiver.received if r.webhook_id == held]
    assert retried[0] == retried[1]
    assert json.loads(retried[0])["type"] == "mission.planned"
    by_type = {(b["type"], b["data"].get("meeting_id")): b["data"] for b in bodies}
    assert by_type["booking.created", "jetro-briefing"]["booked_by"] == "counterpart"  # by the link
    assert by_type["booking.created", "yusen-call"]["booked_by"] == "coordinator"
    assert by_type["proposal.exhausted", "canon-call"]["proposal_id"] == canon["id"]
    moved_to = body["options"][1]["start"].replace("+00:00", "Z")
    assert by_type["booking.rescheduled", "jetro-briefing"]["start"] == moved_to
    assert by_type["counterpart.declined", "ambassador-call"]["note"] == "来月でお願いします"
    assert by_type["attendee.replied", "yusen-call"]["participation_status"] == "TENTATIVE"
    store = open_store(url)
    try:
        with store.unit_of_work(write=False) as uow:
            rows = uow.session.scalars(select(WebhookDeliveryRow)).all()
            statuses = Counter(r.status for r in rows)
            webhook_ids = {r.webhook_id for r in rows}
            held_row = next(r for r in rows if r.webhook_id == held)
            log = [
                (a.number, a.error, a.status_code)
                for a in uow.session.scalars(
                    select(WebhookAttemptRow)
                    .where(WebhookAttemptRow.delivery_id == held_row.id)
                    .order_by(WebhookAttemptRow.number)
                )
            ]
    finally:
        store.close()
    assert statuses == {"sent": len(rows)}
    assert webhook_ids == set(ids)  # every delivery recorded reached the receiver
    assert log == [(1, INTERRUPTED, None), (2, "", 200)]
